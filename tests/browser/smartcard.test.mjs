// The app over the Web Smart Card API (interfaces.md, "Browser transports"): a fake
// navigator.smartCard (fake-smartcard.js) installed before the page loads, backed by the app's
// own virtual card at the APDU level, so that the operating system's PC/SC stack is played by the
// fake and the card by the simulator. Through the mirror, as a keyboard user: the three
// operations, the card taken out before and during RESET RETRY COUNTER, the reader unplugged,
// the permission refused, another program holding the card, no PC/SC service, a slow card.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { act, launch, mirror, openApp, smartCard, state, typeInto, until, untilStep } from "./harness.mjs";
import { cardFor, maskedTckn, newPin, pageIssuesCode, toConfirmStep } from "./flows.mjs";

const reader = "ACS ACR39U ICC Reader 00 00";
const resetRetryCounter = 0x2c; // INS of RESET RETRY COUNTER (card-profile.md)

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

// Opens the app with the fake set up by `config` (one reader, by default with the card the
// operation needs).
async function openWithSmartCard(t, config) {
  const opened = await openApp(browser, { path: "/", smartCard: { readers: [reader], ...config } });
  await until(opened.page, () => !!window.kamusmPin.state());
  return opened;
}

const withCard = (operation, extra) => ({ card: { reader, pin: cardFor[operation], protocol: "t1" }, ...extra });

// From the code to the card step: PC/SC readers need no chooser; a reader button, when the
// screen offers one, is pressed once.
async function toCardStep(page, operation) {
  await untilStep(page, "code", null);
  await pageIssuesCode(page, operation);
  await act(page, "submit_code");
  await until(page, () => ["reader", "card"].includes(window.kamusmPin.state().step));
  for (let i = 0; i < 60 && (await state(page)).step === "reader"; ++i) await page.waitForTimeout(50);
  if ((await state(page)).step === "reader" && (await mirror(page)).actions.includes("choose_reader")) {
    await act(page, "choose_reader");
  }
  await untilStep(page, "card", null);
  assert.equal((await state(page)).transport, "smartcard", "navigator.smartCard exists: the app uses it");
}

async function confirmWithSms(page, sms) {
  await typeInto(page, "confirmation", sms);
  await act(page, "submit_confirmation");
}

const calls = (page) => page.evaluate(() => window.__fakeSmartCard.calls);
const cardState = (page) => page.evaluate(() => window.__fakeSmartCard.cardState());

// Waits until the app is back at the reader step with an error, and returns it.
async function untilRefused(page) {
  for (const end = Date.now() + 30000; Date.now() < end;) {
    const now = await state(page);
    if (now.error && ["reader", "environment", "failed"].includes(now.step)) return now;
    await page.waitForTimeout(50);
  }
  throw new Error(`no error shown: at ${JSON.stringify(await state(page))}`);
}

// The fake itself in Chromium, whatever the runtime does with it: the API's shapes and errors,
// with the app's virtual card (enrolled at the demo backend) behind it. The page stays at the
// code step, where the app holds no card.
test("the fake navigator.smartCard answers as the API does, the app's virtual card behind it", async () => {
  const { page, errors } = await openApp(browser, {
    path: "/", smartCard: { readers: [reader], card: { reader, pin: "set" } },
  });
  const seen = await page.evaluate(async (name) => {
    const context = await navigator.smartCard.establishContext();
    const readers = await context.listReaders();
    let [state] = await context.getStatusChange([{ readerName: name, currentState: { unaware: true } }]);
    while (!state.eventState.present) { // the card is enrolled while the page loads
      [state] = await context.getStatusChange(
        [{ readerName: name, currentState: state.eventState, currentCount: state.eventCount }]);
    }
    const atr = Array.from(new Uint8Array(state.answerToReset), (b) => b.toString(16).padStart(2, "0")).join("");
    const { connection, activeProtocol } = await context.connect(name, "shared", { preferredProtocols: ["t0", "t1"] });
    const pending = connection.transmit(new Uint8Array([0, 0xa4, 0, 0, 2, 0x3f, 0]));
    const refused = await context.listReaders().then(() => "served", (error) => error.name);
    await pending;
    const verify = new Uint8Array([0, 0x20, 0, 0x81, 6, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36]);
    let inTransaction = null;
    let verifiedInside = null;
    await connection.startTransaction(async () => {
      inTransaction = Array.from(new Uint8Array(await connection.transmit(verify)));
      verifiedInside = window.__fakeSmartCard.cardState().verified;
      return "reset";
    });
    const afterReset = window.__fakeSmartCard.cardState().verified;
    const status = await connection.status();
    const failure = async (attempt) => {
      try {
        await attempt();
        return "none";
      } catch (error) {
        return error instanceof SmartCardError ? `SmartCardError ${error.responseCode}` : error.name;
      }
    };
    window.__fakeSmartCard.setPermission("denied");
    const denied = await failure(() => context.connect(name, "shared", { preferredProtocols: ["t1"] }));
    window.__fakeSmartCard.setPermission("granted");
    window.__fakeSmartCard.holdExclusively(name);
    const shared = await failure(() => context.connect(name, "shared", { preferredProtocols: ["t1"] }));
    window.__fakeSmartCard.holdExclusively(name, false);
    window.__fakeSmartCard.removeCard(name);
    const removed = await failure(() => connection.transmit(verify));
    await connection.disconnect("leave");
    const closed = await failure(() => connection.status());
    window.__fakeSmartCard.setService(false);
    const noService = await failure(() => navigator.smartCard.establishContext());
    window.__fakeSmartCard.setService(true);
    return { readers, atr, activeProtocol, refused, inTransaction, verifiedInside, afterReset,
             state: status.state, denied, shared, removed, closed, noService };
  }, reader);
  assert.deepEqual(seen, {
    readers: [reader], atr: "3b9f968131fe45806755454b41451293318073b3a1806b", activeProtocol: "t1",
    refused: "InvalidStateError", inTransaction: [0x90, 0], verifiedInside: true, afterReset: false,
    state: "t1", denied: "NotAllowedError", shared: "SmartCardError sharing-violation",
    removed: "SmartCardError removed-card", closed: "InvalidStateError",
    noService: "SmartCardError no-service",
  });
  assert.deepEqual(errors, []);
  await page.close();
});

for (const operation of ["create", "change", "unblock"]) {
  test(`${operation} through navigator.smartCard`, async (t) => {
    const opened = await openWithSmartCard(t, withCard(operation));
    const { page, errors } = opened;
    await toCardStep(page, operation);
    const facts = Object.fromEntries((await mirror(page)).facts);
    assert.ok(Object.values(facts).includes(maskedTckn), JSON.stringify(facts));
    const sms = await toConfirmStep(page, operation);
    await confirmWithSms(page, sms);
    await untilStep(page, "done", null);
    assert.equal((await mirror(page)).notes.length, 4, "the four warnings of the old app");

    const made = await calls(page);
    assert.ok(made.some((call) => call.method === "startTransaction"), "the PIN work runs in a transaction");
    const endings = made.filter((call) => call.method === "endTransaction" || call.method === "disconnect");
    assert.ok(endings.some((call) => call.method === "disconnect" && call.disposition === "unpower"),
              `the card is unpowered at the end: ${JSON.stringify(endings)}`);
    assert.ok(!made.some((call) => call.method === "transmit" && call.ins === 0x2c && operation === "change"),
              "change needs no RESET RETRY COUNTER");
    const card = await cardState(page);
    assert.equal(card.pin, "set");
    assert.equal(card.verified, false, "no verified PIN left on the card");
    assert.equal(card.puk_commands, 0, "the app never sends a PUK command");
    const html = await page.evaluate(() => document.getElementById("app-a11y").outerHTML);
    assert.ok(!html.includes(newPin));
    assert.deepEqual(errors, []);
    await page.close();
  });
}

test("the card taken out at the new PIN step: back to the reader, read again when put back", async (t) => {
  const opened = await openWithSmartCard(t, withCard("create"));
  const { page, errors } = opened;
  await toCardStep(page, "create");
  await act(page, "confirm_card");
  await untilStep(page, "new_pin", null);
  await typeInto(page, "new_pin", newPin);
  await smartCard(page, "removeCard");
  await untilStep(page, "reader", "card_removed");
  await smartCard(page, "insertCard");
  await untilStep(page, "card", null);
  assert.deepEqual(errors, []);
  await page.close();
});

for (const [when, pinAfter] of [["before", "blocked"], ["during", "set"]]) {
  test(`the card taken out ${when} RESET RETRY COUNTER: back to the reader, the PIN ${pinAfter}`, async (t) => {
    const opened = await openWithSmartCard(t, withCard("unblock"));
    const { page, errors } = opened;
    await toCardStep(page, "unblock");
    const sms = await toConfirmStep(page, "unblock");
    await smartCard(page, "removeCardOn", resetRetryCounter, when);
    await confirmWithSms(page, sms);
    await untilStep(page, "reader", "card_removed");
    assert.match((await mirror(page)).alert ?? "", /kart/i);
    const card = await cardState(page);
    assert.equal(card.pin, pinAfter, when === "before" ? "the card never saw the command" : "the card acted on it");
    assert.equal(card.puk_commands, 0);
    assert.deepEqual(errors, []);
    await page.close();
  });
}

test("the reader unplugged at the confirmation step goes back to the reader step", async (t) => {
  const opened = await openWithSmartCard(t, withCard("create"));
  const { page, errors } = opened;
  await toCardStep(page, "create");
  await toConfirmStep(page, "create");
  await smartCard(page, "removeReader", reader);
  await untilStep(page, "reader", "reader_unplugged");
  assert.match((await mirror(page)).alert ?? "", /okuyucu/i);
  assert.deepEqual(errors, []);
  await page.close();
});

// The refusals of the platform: each is said, none is waited on.
const refusals = [
  ["the permission refused (NotAllowedError on connect)", { permission: "denied" }, "smartcard_denied"],
  ["another program holding the card (sharing-violation)", { exclusive: reader }, "card_in_use"],
  ["no PC/SC service (no-service)", { service: false }, "pcsc_unavailable"],
];
for (const [what, config, error] of refusals) {
  test(`${what} is explained, not waited on`, async (t) => {
    const opened = await openWithSmartCard(t, withCard("create", config));
    const { page, errors } = opened;
    // Refused at once (the environment step) or when the card is reached (the reader step).
    await until(page, () => ["code", "environment"].includes(window.kamusmPin.state().step));
    if ((await state(page)).step === "code") {
      await pageIssuesCode(page, "create");
      await act(page, "submit_code");
      await until(page, () => window.kamusmPin.state().step !== "code");
      if ((await state(page)).step === "reader" && (await mirror(page)).actions.includes("choose_reader")) {
        await act(page, "choose_reader");
      }
    }
    const refused = await untilRefused(page);
    assert.deepEqual(refused, { step: "reader", error, transport: "smartcard" });
    assert.ok((await mirror(page)).alert, "the mirror shows why");
    assert.deepEqual(errors, []);
    await page.close();
  });
}

test("a slow card (each APDU 150 ms) still completes an unblock", async (t) => {
  const opened = await openWithSmartCard(t, withCard("unblock", { transmitDelayMs: 150 }));
  const { page, errors } = opened;
  await toCardStep(page, "unblock");
  const sms = await toConfirmStep(page, "unblock");
  await confirmWithSms(page, sms);
  await untilStep(page, "done", null, 60000);
  assert.equal((await cardState(page)).pin, "set");
  assert.deepEqual(errors, []);
  await page.close();
});
