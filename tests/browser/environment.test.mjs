// The environment step: what the app says with and without WebUSB and a secure context, through
// the accessible mirror and window.kamusmPin, the language switch, HiDPI and resizing.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import {
  baseUrl, canvasShot, insecureHost, launch, mirror, nextFrames, openApp, pressMirrorButton, state,
  untilStep,
} from "./harness.mjs";

const shots = new URL("./screenshots/", import.meta.url).pathname;
mkdirSync(shots, { recursive: true });
let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test("with WebUSB on a secure page the app goes straight to the verification code", async () => {
  const { page, errors } = await openApp(browser, { usb: "present", path: "/shell/" });
  await untilStep(page, "code", null);
  const screen = await mirror(page);
  assert.equal(screen.lang, "tr");
  assert.equal(screen.heading, "Doğrulama kodu");
  assert.deepEqual(screen.fields, ["code"]);
  assert.equal(screen.alert, null);
  const { colours } = await canvasShot(page, `${shots}code-tr.png`);
  assert.ok(colours > 20, `the canvas shows ${colours} colours`);
  assert.deepEqual(errors, []);
  await page.close();
});

test("without navigator.usb the app says which browser to use", async () => {
  const { page, errors } = await openApp(browser, { usb: "absent" });
  assert.deepEqual(await state(page), { step: "environment", error: "no_webusb", transport: null });
  const screen = await mirror(page);
  assert.equal(screen.heading, "Hazırlık");
  assert.match(screen.alert, /USB kart okuyucularla konuşamıyor.*Google Chrome veya Microsoft Edge/);
  assert.deepEqual(screen.buttons, ["Tekrar denetle", "Yardım sayfası", "English", "Büyük yazı"]);
  const { colours } = await canvasShot(page, `${shots}environment-no-webusb-tr.png`);
  assert.ok(colours > 20, `the canvas shows ${colours} colours`);
  // Checking again finds the same browser: the same answer, no crash.
  await pressMirrorButton(page, "Tekrar denetle");
  await nextFrames(page);
  assert.deepEqual(await state(page), { step: "environment", error: "no_webusb", transport: null });
  assert.deepEqual(errors, []);
  await page.close();
});

test("over plain http on a non-local name the app asks for https", async () => {
  const url = new URL("/", baseUrl);
  url.hostname = insecureHost;
  const { page } = await openApp(browser, { usb: "absent", url: url.href });
  assert.equal(await page.evaluate(() => window.isSecureContext), false);
  assert.deepEqual(await state(page), { step: "environment", error: "insecure_context", transport: null });
  assert.match((await mirror(page)).alert, /https:\/\//);
  await page.close();
});

test("the mirror's language button switches canvas and mirror to English and back", async () => {
  const { page, errors } = await openApp(browser, { usb: "absent" });
  const turkish = await canvasShot(page, `${shots}environment-switch-before.png`);
  // Tab moves between the mirror's buttons: the canvas's key handling does not swallow it.
  await page.locator("#app-a11y button", { hasText: "Tekrar denetle" }).focus();
  await page.keyboard.press("Tab");
  assert.equal(await page.evaluate(() => document.activeElement.textContent), "Yardım sayfası");
  await page.keyboard.press("Tab");
  assert.equal(await page.evaluate(() => document.activeElement.textContent), "English");
  await pressMirrorButton(page, "English");
  await nextFrames(page);
  let screen = await mirror(page);
  assert.equal(screen.lang, "en");
  assert.equal(screen.heading, "Getting ready");
  assert.match(screen.alert, /This browser cannot talk to USB card readers/);
  assert.deepEqual(screen.buttons, ["Check again", "Help page", "Türkçe", "Large text"]);
  // The keyboard focus stays on the language button across the rebuild.
  assert.equal(await page.evaluate(() => document.activeElement.textContent), "Türkçe");
  assert.deepEqual(await state(page), { step: "environment", error: "no_webusb", transport: null });
  // The focused mirror covers the canvas (for sighted keyboard users); blur it to see the canvas.
  await page.evaluate(() => document.activeElement.blur());
  await nextFrames(page);
  const english = await canvasShot(page, `${shots}environment-no-webusb-en.png`);
  assert.ok(english.colours > 20);
  assert.notDeepEqual(english.png, turkish.png, "the canvas redrew in English");
  await pressMirrorButton(page, "Türkçe");
  await nextFrames(page);
  screen = await mirror(page);
  assert.equal(screen.heading, "Hazırlık");
  assert.equal(screen.lang, "tr");
  assert.deepEqual(errors, []);
  await page.close();
});

test("the canvas has device pixels on HiDPI screens and follows the page's size", async () => {
  const { page } = await openApp(browser, {
    path: "/shell/", deviceScaleFactor: 2, viewport: { width: 800, height: 600 },
  });
  const size = () => page.evaluate(() => {
    const canvas = document.getElementById("canvas");
    return [canvas.width, canvas.height, canvas.clientWidth, canvas.clientHeight];
  });
  assert.deepEqual(await size(), [1600, 1200, 800, 600]);
  await page.setViewportSize({ width: 500, height: 700 });
  await nextFrames(page);
  assert.deepEqual(await size(), [1000, 1400, 500, 700]);
  const { colours } = await canvasShot(page, `${shots}shell-hidpi.png`);
  assert.ok(colours > 20);
  await page.close();
});

test("Trusted Types are enforced: no script URL but the app's own, no other policy", async () => {
  const { page, errors } = await openApp(browser, { path: "/" });
  const refused = await page.evaluate(() => {
    const outcomes = {};
    try {
      document.createElement("script").src = "/evil.js";
      outcomes.plainSrc = "allowed";
    } catch (error) {
      outcomes.plainSrc = error.name;
    }
    try {
      window.trustedTypes.createPolicy("other", { createScriptURL: (url) => url });
      outcomes.otherPolicy = "allowed";
    } catch (error) {
      outcomes.otherPolicy = error.name;
    }
    return outcomes;
  });
  assert.deepEqual(refused, { plainSrc: "TypeError", otherPolicy: "TypeError" });
  // The browser logged the refused assignment itself; nothing else went wrong.
  assert.ok(errors.every((error) => /TrustedScriptURL|Trusted Type|trusted-types/.test(error.message)),
    errors.map((error) => error.message).join("\n"));
  await page.close();
});

for (const file of ["kamusm_app.js", "kamusm_app.wasm"]) {
  test(`Subresource Integrity: a changed ${file} does not run`, async () => {
    const page = await browser.newPage();
    const messages = [];
    page.on("console", (message) => messages.push(message.text()));
    await page.route(`**/${file}`, async (route) => {
      const response = await route.fetch();
      const body = Buffer.from(await response.body());
      body[body.length - 1] ^= 0xff; // one bit of the last byte flipped
      await route.fulfill({ response, body });
    });
    await page.goto(new URL("/", baseUrl).href);
    await page.waitForTimeout(3000);
    assert.equal(await page.evaluate(() => window.kamusmPin.state()), null, "the app did not start");
    assert.ok(messages.some((text) => /integrity/i.test(text)), messages.join("\n"));
    await page.close();
  });
}
