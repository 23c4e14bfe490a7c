// The kiosk page (shell/) as a public terminal: a whole operation at 1920×1080 landscape and
// 1080×1920 portrait, each screen photographed, its text at least 24 CSS px and its touch targets
// large; "Baştan başla" on every screen; the PIN typed on the on-screen keypad; everything
// wiped when the card leaves or a minute after the end; nothing stored in the browser; the idle
// warning and reset; and the Linux kiosk recipe's Chromium command running the page.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import {
  act, advanceClock, baseUrl, chromiumArgs, chromiumPath, installFakes, launch, mirror, offerReader,
  openApp, removeCard, state, typeInto, untilStep, watchContract,
} from "./harness.mjs";
import { cardFor, newPin, outbox, photograph, smsAfter } from "./flows.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const screens = { landscape: { width: 1920, height: 1080 }, portrait: { width: 1080, height: 1920 } };

async function issueCode(operation) {
  const response = await fetch(new URL("/demo/verification-codes", baseUrl), {
    method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ tckn: "10000000146", operation }),
  });
  return (await response.json()).code;
}

// The sizes the holder sees on this screen: the canvas's text (the app reports it), the mirror's
// smallest text and smallest button when it holds the focus.
async function sizes(page) {
  return page.evaluate(() => {
    const root = document.getElementById("app-a11y");
    root.querySelector("h2").focus();
    const visible = (node) => node.getClientRects().length > 0 && node.textContent.trim();
    const texts = [...root.querySelectorAll("h2, p, dt, dd, li, label, small, button")].filter(visible);
    const buttons = [...root.querySelectorAll("button")].filter(visible);
    const result = {
      canvasText: Number(root.dataset.textPx),
      smallestText: Math.min(...texts.map((node) => parseFloat(getComputedStyle(node).fontSize))),
      smallestButton: Math.min(...buttons.map((node) => Math.min(node.getBoundingClientRect().height,
                                                                node.getBoundingClientRect().width))),
    };
    document.activeElement.blur();
    return result;
  });
}

async function checkScreen(page, name) {
  const shown = await mirror(page);
  assert.ok(shown.actions.includes("start_over"), `${name}: "Baştan başla" is there: ${shown.actions}`);
  assert.ok(shown.buttons.includes("Baştan başla"));
  const measured = await sizes(page);
  assert.ok(measured.canvasText >= 24, `${name}: canvas text ${measured.canvasText} px`);
  assert.ok(measured.smallestText >= 24, `${name}: mirror text ${measured.smallestText} px`);
  assert.ok(measured.smallestButton >= 48, `${name}: a button of ${measured.smallestButton} px`);
  await photograph(page, name);
}

// Types a PIN on the mirror's keypad (the canvas's keypad does the same), a digit at a time.
async function keypadType(page, field, pin) {
  await page.locator(`#kamusm-${field}`).focus();
  for (const digit of pin) await page.locator(`#app-a11y .keypad button[data-value="${digit}"]`).click();
}

for (const [orientation, viewport] of Object.entries(screens)) {
  test(`create on the kiosk, ${orientation} ${viewport.width}×${viewport.height}`, async () => {
    const { page, errors } = await openApp(browser, { path: "/shell/", viewport });
    const answers = [];
    page.on("response", (response) => {
      if (new URL(response.url()).pathname.startsWith("/api/")) answers.push(response);
    });
    await untilStep(page, "code", null);
    await checkScreen(page, `kiosk-${orientation}-code`);
    await typeInto(page, "code", await issueCode("create"));
    await act(page, "submit_code");
    await untilStep(page, "reader", null);
    await checkScreen(page, `kiosk-${orientation}-reader`);
    await offerReader(page, { model: "acr39u", pin: cardFor.create, protocol: "t1" });
    await act(page, "choose_reader");
    await untilStep(page, "card", null);
    await checkScreen(page, `kiosk-${orientation}-card`);
    await act(page, "confirm_card");
    await untilStep(page, "new_pin", null);
    assert.equal((await mirror(page)).keypad.length, 11, "the keypad is open from the start");
    await keypadType(page, "new_pin", newPin);
    await keypadType(page, "repeat_pin", newPin);
    await checkScreen(page, `kiosk-${orientation}-new-pin`);
    const sent = (await outbox()).length;
    await act(page, "submit_pin");
    await untilStep(page, "confirm", null);
    await checkScreen(page, `kiosk-${orientation}-confirm`);
    await typeInto(page, "confirmation", await smsAfter(sent));
    await act(page, "submit_confirmation");
    await untilStep(page, "done", null);
    await checkScreen(page, `kiosk-${orientation}-done`);
    // Nothing of the holder is kept by the browser, and no answer of the API may be cached.
    const stored = await page.evaluate(async () => ({
      local: localStorage.length, session: sessionStorage.length, cookie: document.cookie,
      databases: (await indexedDB.databases()).length, caches: (await caches.keys()).length,
    }));
    assert.deepEqual(stored, { local: 0, session: 0, cookie: "", databases: 0, caches: 0 });
    assert.ok(answers.length >= 5);
    for (const answer of answers)
      assert.equal((await answer.allHeaders())["cache-control"], "no-store", answer.url());
    // "Baştan başla" on the done screen: the next person starts afresh.
    await act(page, "start_over");
    await untilStep(page, "code", null);
    assert.deepEqual((await mirror(page)).facts, []);
    assert.deepEqual(errors, []);
    await page.close();
  });
}

test("the card taken out at a kiosk ends the session: everything wiped, back to the start", async () => {
  const { page, errors } = await openApp(browser, { path: "/shell/" });
  await untilStep(page, "code", null);
  await typeInto(page, "code", await issueCode("create"));
  await act(page, "submit_code");
  await untilStep(page, "reader", null);
  await offerReader(page, { model: "acr39u", pin: cardFor.create, protocol: "t1" });
  await act(page, "choose_reader");
  await untilStep(page, "card", null);
  await act(page, "confirm_card");
  await untilStep(page, "new_pin", null);
  await keypadType(page, "new_pin", "1357");
  await removeCard(page);
  await untilStep(page, "code", "card_removed");
  const shown = await mirror(page);
  assert.deepEqual(shown.facts, [], "no card facts left");
  assert.ok(!shown.fields.includes("new_pin"));
  assert.match(shown.alert, /Kart okuyucudan çıkarıldı/);
  await photograph(page, "kiosk-card-removed");
  assert.deepEqual(errors, []);
  await page.close();
});

test("a kiosk goes back to the start a minute after the end, and warns before an idle reset", async () => {
  const { page } = await openApp(browser, { path: "/shell/", clock: true });
  await untilStep(page, "code", null);
  await typeInto(page, "code", await issueCode("unblock"));
  await act(page, "submit_code");
  await untilStep(page, "reader", null);
  // Idle at the reader step: the warning 30 s before the reset at 120 s, then the reset.
  await advanceClock(page, 95_000);
  for (let i = 0; i < 100 && !(await mirror(page)).warning; ++i) await page.waitForTimeout(50);
  assert.ok((await mirror(page)).actions.includes("still_here"));
  await advanceClock(page, 30_000);
  await untilStep(page, "code", "idle_reset");

  await typeInto(page, "code", await issueCode("unblock"));
  await act(page, "submit_code");
  await untilStep(page, "reader", null);
  await offerReader(page, { model: "connect2sign", pin: cardFor.unblock, protocol: "t1" });
  await act(page, "choose_reader");
  await untilStep(page, "card", null);
  await act(page, "confirm_card");
  await untilStep(page, "new_pin", null);
  await keypadType(page, "new_pin", newPin);
  await keypadType(page, "repeat_pin", newPin);
  const sent = (await outbox()).length;
  await act(page, "submit_pin");
  await untilStep(page, "confirm", null);
  await typeInto(page, "confirmation", await smsAfter(sent));
  await act(page, "submit_confirmation");
  // The card work runs on the running clock, which follows real time. No runFor here: a
  // real-time step of the clock ending after it sets the clock back, and the timers the card
  // work set meanwhile (its waits, the fetch timeouts) then lie that far in the future.
  await untilStep(page, "done", null);
  await advanceClock(page, 50_000);
  assert.equal((await state(page)).step, "done", "the warnings stay long enough to read");
  await advanceClock(page, 11_000);
  await untilStep(page, "code", null);
  assert.deepEqual((await mirror(page)).notes, []);
  await page.close();
});

test("the Linux kiosk recipe's Chromium (kiosk mode, a fresh profile) runs the kiosk page", async () => {
  const url = new URL("/shell/", baseUrl).href;
  const command = execFileSync("bash", [new URL("../../kiosk/linux-kiosk.sh", import.meta.url).pathname, "command", url],
    { encoding: "utf8" });
  // "rm -rf P && mkdir -p P && exec chromium FLAGS URL": the flags, on a profile of our own.
  const flags = command.trim().split(" exec chromium ")[1].split(" ")
    .filter((word) => word.startsWith("--") && !word.startsWith("--user-data-dir"));
  assert.ok(flags.includes("--kiosk"));
  const profile = mkdtempSync(join(tmpdir(), "kamusm-kiosk-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath, headless: true, args: [...chromiumArgs, ...flags],
  });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    watchContract(page);
    await installFakes(page);
    await page.goto(url);
    await untilStep(page, "code", null);
    assert.ok((await mirror(page)).actions.includes("start_over"), "the kiosk's own screens");
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
});
