// What the holder sees when things go wrong in the browser: the browser refusing the reader
// (SecurityError on claimInterface), the reader unplugged and the card taken out in the middle
// of an operation, the verification code running out, and the idle timeout with its warning.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import {
  act, advanceClock, insertCard, launch, mirror, offerReader, openApp, removeCard, startServer, state,
  typeInto, unplugReader, untilStep, until,
} from "./harness.mjs";
import { newPin, pageIssuesCode, photograph, toCardStep, toConfirmStep } from "./flows.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function untilWarning(page) {
  for (let i = 0; i < 200; ++i) {
    const screen = await mirror(page);
    if (screen.warning) return screen;
    await page.waitForTimeout(50);
  }
  throw new Error("no idle warning");
}

async function atReaderStep(options = {}) {
  const { page, errors } = await openApp(browser, { path: "/", ...options });
  await untilStep(page, "code", null);
  await pageIssuesCode(page, "create");
  await act(page, "submit_code");
  await untilStep(page, "reader", null);
  return { page, errors };
}

test("the chooser asks for smart-card readers; closing it changes nothing", async () => {
  const { page, errors } = await atReaderStep();
  await photograph(page, "reader");
  await act(page, "choose_reader");
  const filters = await page.evaluate(() => window.kamusmTestUsb.requests.at(-1).filters);
  assert.ok(filters.some((filter) => filter.classCode === 0x0b), JSON.stringify(filters));
  assert.deepEqual((await mirror(page)).alert, null);
  assert.equal((await page.evaluate(() => window.kamusmPin.state())).step, "reader");
  assert.deepEqual(errors, []);
  await page.close();
});

test("a SecurityError on claimInterface is explained, not waited on", async () => {
  const { page } = await atReaderStep();
  await offerReader(page, { model: "acr39u", pin: "not_set", claimError: "SecurityError" });
  await act(page, "choose_reader");
  await untilStep(page, "reader", "usb_access_denied");
  assert.match((await mirror(page)).alert, /okuyucu/);
  await photograph(page, "usb-access-denied");
  await page.close();
});

test("an interface held by another driver is told apart from the protected class", async () => {
  const { page } = await atReaderStep();
  await offerReader(page, { model: "connect2sign", pin: "not_set", claimError: "NetworkError" });
  await act(page, "choose_reader");
  await untilStep(page, "reader", "usb_busy");
  await page.close();
});

test("the reader unplugged at the confirmation step goes back to the reader step", async () => {
  const { page, errors } = await atReaderStep();
  await offerReader(page, { model: "acr39u", pin: "not_set" });
  await act(page, "choose_reader");
  await untilStep(page, "card", null);
  await toConfirmStep(page, "create");
  await unplugReader(page);
  await untilStep(page, "reader", "reader_unplugged");
  assert.match((await mirror(page)).alert, /okuyucu/i);
  await photograph(page, "reader-unplugged");
  assert.deepEqual(errors, []);
  await page.close();
});

test("the card taken out wipes the typed PINs, and put back it is read again", async () => {
  const { page, errors } = await openApp(browser, { path: "/" });
  await untilStep(page, "code", null);
  await toCardStep(page, { operation: "create", model: "acr39u" });
  await act(page, "confirm_card");
  await untilStep(page, "new_pin", null);
  await typeInto(page, "new_pin", newPin);
  await removeCard(page);
  await untilStep(page, "reader", "card_removed");
  await photograph(page, "card-removed");
  await insertCard(page);
  await untilStep(page, "card", null);
  await act(page, "confirm_card");
  await untilStep(page, "new_pin", null);
  assert.equal(await page.locator("#kamusm-new_pin").inputValue(), "", "the PIN was wiped");
  assert.deepEqual(errors, []);
  await page.close();
});

test("a session that runs out ends the operation", async () => {
  const { page } = await atReaderStep({ clock: true });
  // The holder stays (answers each idle warning) until the session's 900 s (the server's
  // default session lifetime) are over. Time jumps less than the 30 s warning, so that no
  // warning goes unanswered.
  for (let jumps = 0; jumps < 80 && (await state(page)).step === "reader"; ++jumps) {
    await advanceClock(page, 29_000);
    if ((await mirror(page)).actions.includes("still_here")) await act(page, "still_here");
  }
  await untilStep(page, "failed", "expired_code");
  const screen = await mirror(page);
  assert.ok(screen.actions.includes("restart"), JSON.stringify(screen.actions));
  await photograph(page, "failed-expired-code");
  await page.close();
});

test("an idle page warns first, keeps the session on request, then resets", async () => {
  const { page } = await atReaderStep({ clock: true });
  await advanceClock(page, 95_000);
  await untilStep(page, "reader", null);
  const warned = await untilWarning(page);
  assert.ok(warned.actions.includes("still_here"), JSON.stringify(warned.actions));
  await photograph(page, "idle-warning");
  await act(page, "still_here");
  for (let i = 0; i < 100 && (await mirror(page)).warning; ++i) await page.waitForTimeout(50);
  assert.equal((await mirror(page)).warning, null);
  await advanceClock(page, 125_000);
  await untilStep(page, "code", "idle_reset");
  await page.close();
});

test("a verification code used after it expired is refused by the server", async () => {
  const server = await startServer({ "--code-lifetime": 1 });
  try {
    const { page, errors } = await openApp(browser, { url: new URL("/", server.url).href });
    await untilStep(page, "code", null);
    // The page passed a code valid for 1 s; the holder is slower than that.
    await until(page, () => document.getElementById("kamusm-code")?.value.length === 15);
    await page.waitForTimeout(2500);
    await act(page, "submit_code");
    await untilStep(page, "failed", "expired_code");
    assert.match((await mirror(page)).alert, /süre/);
    assert.deepEqual(errors, []);
    await page.close();
  } finally {
    server.stop();
  }
});
