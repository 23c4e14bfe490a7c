// No PIN left in the app's memory: the whole WebAssembly heap (Module.HEAPU8) is searched for
// the PINs typed, as ASCII, packed BCD and UTF-16LE (the forms C++, a card and Dear ImGui keep
// text in), after each operation, after the card is taken out with PINs typed (at the new-PIN
// step, and once they were submitted) and after the idle reset.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { act, advanceClock, launch, openApp, removeCard, typeInto, untilStep } from "./harness.mjs";
import { demoPin, outbox, smsAfter, toCardStep } from "./flows.mjs";

// Twelve digits each, so that nothing else in the heap matches by chance (in BCD too).
const pin = "731846259017";
const wrongPin = "582039471628";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

// How often each PIN occurs in the heap, in each form.
async function heapScan(page, pins) {
  return page.evaluate((pins) => {
    const heap = window.Module.HEAPU8; // fresh: the heap may have grown
    const count = (needle) => {
      let found = 0;
      for (let at = heap.indexOf(needle[0]); at >= 0; at = heap.indexOf(needle[0], at + 1)) {
        let i = 1;
        while (i < needle.length && heap[at + i] === needle[i]) ++i;
        if (i === needle.length) ++found;
      }
      return found;
    };
    return pins.map((text) => {
      const digits = [...text].map((c) => c.charCodeAt(0));
      const bcd = [];
      for (let i = 0; i < digits.length; i += 2)
        bcd.push((digits[i] - 48) << 4 | (i + 1 < digits.length ? digits[i + 1] - 48 : 0x0f));
      const utf16 = digits.flatMap((d) => [d, 0]);
      return { ascii: count(digits), bcd: count(bcd), utf16: count(utf16), bytes: heap.length };
    });
  }, pins);
}

async function assertNoPin(page, pins, when) {
  for (const found of await heapScan(page, pins)) {
    assert.ok(found.bytes > 1_000_000, `${when}: the heap was read`);
    assert.deepEqual({ ascii: found.ascii, bcd: found.bcd, utf16: found.utf16 },
      { ascii: 0, bcd: 0, utf16: 0 }, `${when}: a PIN is left in the wasm heap`);
  }
}

// At the new-PIN step with the PINs typed (not submitted).
async function typePins(page, operation, current = demoPin) {
  await act(page, "confirm_card");
  await untilStep(page, "new_pin", null);
  if (operation === "change") await typeInto(page, "current_pin", current);
  await typeInto(page, "new_pin", pin);
  await typeInto(page, "repeat_pin", pin);
}

// The PINs submitted: at the confirmation step, with the SMS code returned.
async function submitPins(page, operation, current) {
  await typePins(page, operation, current);
  const sent = (await outbox()).length;
  await act(page, "submit_pin");
  await untilStep(page, "confirm", null);
  return smsAfter(sent);
}

test("the scan sees the heap: the holder's TCKN in the card's certificate is found", async () => {
  const { page } = await openApp(browser, { path: "/" });
  await untilStep(page, "code", null);
  await toCardStep(page, { operation: "create", model: "acr39u" });
  const [found] = await heapScan(page, ["10000000146"]);
  assert.ok(found.ascii > 0, JSON.stringify(found));
  await page.close();
});

for (const operation of ["create", "change", "unblock"]) {
  test(`no PIN in the heap after a ${operation}`, async () => {
    const { page, errors } = await openApp(browser, { path: "/" });
    await untilStep(page, "code", null);
    await toCardStep(page, { operation, model: "acr39u" });
    const sms = await submitPins(page, operation);
    await typeInto(page, "confirmation", sms);
    await act(page, "submit_confirmation");
    await untilStep(page, "done", null);
    await assertNoPin(page, [pin], `after the ${operation}`);
    assert.deepEqual(errors, []);
    await page.close();
  });
}

test("no PIN in the heap after a wrong current PIN", async () => {
  const { page } = await openApp(browser, { path: "/" });
  await untilStep(page, "code", null);
  await toCardStep(page, { operation: "change", model: "connect2sign" });
  const sms = await submitPins(page, "change", wrongPin);
  await typeInto(page, "confirmation", sms);
  await act(page, "submit_confirmation");
  await untilStep(page, "new_pin", "wrong_current_pin");
  await assertNoPin(page, [pin, wrongPin], "after the card refused the current PIN");
  await page.close();
});

test("no PIN in the heap after the card is taken out with the PINs typed", async () => {
  const { page } = await openApp(browser, { path: "/" });
  await untilStep(page, "code", null);
  await toCardStep(page, { operation: "change", model: "acr39u" });
  await typePins(page, "change", wrongPin);
  await removeCard(page);
  await untilStep(page, "reader", "card_removed");
  await assertNoPin(page, [pin, wrongPin], "after the card was taken out at the PIN step");
  await page.close();
});

test("no PIN in the heap after the card is taken out with the PINs submitted", async () => {
  const { page } = await openApp(browser, { path: "/" });
  await untilStep(page, "code", null);
  await toCardStep(page, { operation: "unblock", model: "acr39u" });
  await submitPins(page, "unblock");
  await removeCard(page);
  await untilStep(page, "reader", "card_removed");
  await assertNoPin(page, [pin], "after the card was taken out at the confirmation step");
  await page.close();
});

test("no PIN in the heap after the idle reset", async () => {
  const { page } = await openApp(browser, { path: "/", clock: true });
  await untilStep(page, "code", null);
  await toCardStep(page, { operation: "change", model: "acr39u" });
  await typePins(page, "change", wrongPin);
  await advanceClock(page, 125_000);
  await untilStep(page, "code", "idle_reset");
  await assertNoPin(page, [pin, wrongPin], "after the idle reset");
  await page.close();
});
