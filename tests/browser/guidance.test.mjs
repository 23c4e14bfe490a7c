// The guidance table in the browser: the page tells its system, browser and deployment (User-Agent
// Client Hints, the kiosk page, the IWA in iwa.test.mjs) and each failure, made by the fakes as
// Chrome makes it, brings the message and help section of that environment's row
// (src/wizard/guidance.cpp; every row's text is checked in tests/ui/guidance_test.cpp).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import {
  act, launch, mirror, offerReader, openApp, smartCard, state, until, untilStep, watchContract,
} from "./harness.mjs";
import { pageIssuesCode } from "./flows.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const windowsChrome = { platform: "Windows", brand: "Google Chrome" };
const windowsEdge = { platform: "Windows", brand: "Microsoft Edge" };
const linuxChromium = { platform: "Linux", brand: "Chromium" };
const macChrome = { platform: "macOS", brand: "Google Chrome" };
const chromeOs = { platform: "Chrome OS", brand: "Google Chrome" };

const alertOf = (page) => page.evaluate(() => {
  const alert = document.querySelector('#app-a11y [role="alert"]');
  return { text: alert.hidden ? null : alert.textContent, help: alert.dataset.help ?? null };
});

async function atReaderStep(options) {
  const opened = await openApp(browser, options);
  await untilStep(opened.page, "code", null);
  if (options.path === "/shell/") {
    // The kiosk has no page around it: the code is typed (it came from the page in the demo).
    const response = await fetch(new URL("/demo/verification-codes", process.env.KAMUSM_URL), {
      method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ tckn: "10000000146", operation: "create" }),
    });
    const { code } = await response.json();
    await opened.page.locator("#kamusm-code").fill(code);
  } else {
    await pageIssuesCode(opened.page, "create");
  }
  await act(opened.page, "submit_code");
  await until(opened.page, () => ["reader", "card"].includes(window.kamusmPin.state().step));
  return opened;
}

// WebUSB failures: {environment, path, offer} → error id, help anchor, words of the text.
const usbCases = [
  ["Windows Chrome, the protected class", windowsChrome, "/", { claimError: "SecurityError" },
   "usb_access_denied", "yardimci-kur", /KamuSM kart yardımcısını indirip kurun/],
  ["Windows Edge, not the WinUSB driver", windowsEdge, "/", { openError: "SecurityError" },
   "usb_open_denied", "windows-surucu", /WinUSB/],
  ["Linux, pcscd holds the interface", linuxChromium, "/", { claimError: "NetworkError" },
   "usb_busy", "linux-pcscd", /pcscd/],
  ["Linux, no udev rights", linuxChromium, "/", { openError: "SecurityError" },
   "usb_open_denied", "linux-udev", /udev/],
  ["macOS, the system's driver", macChrome, "/", { claimError: "NetworkError" },
   "usb_busy", "macos", /macOS/],
  ["ChromeOS page, the protected class", chromeOs, "/", { claimError: "SecurityError" },
   "usb_access_denied", "chromeos", /KamuSM uygulamasını/],
  ["a Linux kiosk, the protected class", linuxChromium, "/shell/", { claimError: "SecurityError" },
   "usb_access_denied", "kiosk-kurulum", /Görevliye haber verin/],
];

for (const [name, environment, path, failure, error, anchor, words] of usbCases) {
  test(`${name}: ${error} with its own remedy`, async () => {
    const { page, errors } = await atReaderStep({ environment, path });
    await offerReader(page, { model: "acr39u", pin: "not_set", ...failure });
    await act(page, "choose_reader");
    await untilStep(page, "reader", error);
    const alert = await alertOf(page);
    assert.equal(alert.help, anchor);
    assert.match(alert.text, words);
    assert.deepEqual(errors, []);
    await page.close();
  });
}

// Web Smart Card failures, as the fake's hooks make them.
const reader = "KamuSM Test Reader 00 00";
const smartCardCases = [
  ["Windows, no PC/SC service", windowsChrome, { service: false }, "pcsc_unavailable", "windows-scardsvr", /SCardSvr/],
  ["Linux, no PC/SC service", linuxChromium, { service: false }, "pcsc_unavailable", "linux-pcscd", /pcscd/],
  ["ChromeOS, the permission refused", chromeOs, { permission: "denied" }, "smartcard_denied", "kart-izni", /İzin ver/],
];

for (const [name, environment, config, error, anchor, words] of smartCardCases) {
  test(`${name}: ${error} with its own remedy`, async () => {
    const { page } = await openApp(browser, {
      environment, smartCard: { readers: [reader], card: { reader, pin: "not_set", protocol: "t1" }, ...config },
    });
    await until(page, () => ["code", "environment"].includes(window.kamusmPin.state()?.step));
    if ((await state(page)).step === "code") {
      await pageIssuesCode(page, "create");
      await act(page, "submit_code");
      await until(page, () => window.kamusmPin.state().step !== "code");
      if ((await state(page)).step === "reader" && (await mirror(page)).actions.includes("choose_reader"))
        await act(page, "choose_reader");
    }
    await until(page, () => window.kamusmPin.state().error !== null);
    assert.equal((await state(page)).error, error);
    const alert = await alertOf(page);
    assert.equal(alert.help, anchor);
    assert.match(alert.text, words);
    await page.close();
  });
}

test("the help button opens the help page at the alert's section", async () => {
  const { page } = await atReaderStep({ environment: linuxChromium, path: "/" });
  await offerReader(page, { model: "acr39u", pin: "not_set", openError: "SecurityError" });
  await act(page, "choose_reader");
  await untilStep(page, "reader", "usb_open_denied");
  const popup = page.waitForEvent("popup");
  await act(page, "open_help");
  const help = await popup;
  await help.waitForLoadState();
  assert.equal(new URL(help.url()).hash, "#linux-udev");
  assert.match(await help.locator("#linux-udev").textContent(), /udev/);
  await help.close();
  await page.close();
});

test("without WebUSB in Firefox or Safari (no client hints): the general remedy", async () => {
  const { page } = await openApp(browser, { usb: "absent" });
  const inChromium = await alertOf(page);
  assert.equal(inChromium.help, "webusb-kapali", "a Chromium browser without WebUSB: a policy");
  await page.close();
  const other = await browser.newPage();
  watchContract(other);
  await other.addInitScript(() => {
    Object.defineProperty(Navigator.prototype, "userAgentData", { get: () => undefined, configurable: true });
    delete Navigator.prototype.usb;
  });
  await other.goto(new URL("/", process.env.KAMUSM_URL).href);
  await until(other, () => window.kamusmPin?.state()?.error === "no_webusb");
  const alert = await alertOf(other);
  assert.equal(alert.help, "tarayici");
  assert.match(alert.text, /Google Chrome veya Microsoft Edge/);
  await other.close();
});
