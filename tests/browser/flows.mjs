// The steps the browser tests share: the page issues a code, the fake chooser hands over the
// app's virtual reader, the PINs and the SMS code are typed into the mirror, screens are
// photographed and checked not to be blank.
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { act, baseUrl, canvasShot, offerReader, typeInto, until, untilStep } from "./harness.mjs";

export const shots = new URL("./screenshots/", import.meta.url).pathname;
mkdirSync(shots, { recursive: true });

// The demo card starts in the PIN state each operation is for.
export const cardFor = { create: "not_set", change: "set", unblock: "blocked" };
export const maskedTckn = "100******46";
export const demoPin = "123456";
export const newPin = "582039";

// The demo server's SMS outbox (run.sh's server unless another is named).
export async function outbox(server = baseUrl) {
  return (await fetch(new URL("/demo/outbox", server))).json();
}

// Waits for an SMS sent after `count` messages and returns its code.
export async function smsAfter(count, server = baseUrl) {
  for (const end = Date.now() + 10000; Date.now() < end;) {
    const messages = await outbox(server);
    if (messages.length > count) return messages.at(-1).code;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error("no SMS was sent");
}

// The page issues a code for `operation` and passes it to the app, which fills it in.
export async function pageIssuesCode(page, operation) {
  // The page issues a code for "create" as it opens: wait for that one, then for a new one, so
  // that the first is never taken for ours (it may come after the click).
  await until(page, () => !!document.getElementById("verification-code").dataset.code);
  const before = await page.evaluate(() => document.getElementById("verification-code").dataset.code);
  await page.check(`input[name=operation][value=${operation}]`);
  await page.click("#new-code");
  const issued = (before) => {
    const shown = document.getElementById("verification-code").dataset.code;
    return shown !== before && document.getElementById("kamusm-code")?.value === shown;
  };
  for (const end = Date.now() + 30000; !(await page.evaluate(issued, before));) {
    if (Date.now() > end) throw new Error(`no new ${operation} code shown by the page`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export async function photograph(page, name) {
  // The focused mirror covers the canvas (for sighted keyboard users): blur it to see the canvas.
  await page.evaluate(() => document.activeElement?.blur());
  await new Promise((resolve) => setTimeout(resolve, 150));
  const { colours } = await canvasShot(page, `${shots}${name}.png`);
  assert.ok(colours > 20, `${name}: the canvas shows ${colours} colours`);
}

// From the code to the card step with the given reader.
export async function toCardStep(page, { operation, model }) {
  await pageIssuesCode(page, operation);
  await act(page, "submit_code");
  await untilStep(page, "reader", null);
  await offerReader(page, { model, pin: cardFor[operation], protocol: "t1" });
  await act(page, "choose_reader");
  await untilStep(page, "card", null);
}

// From the card step to the confirmation step: the PINs typed into the mirror's fields.
export async function toConfirmStep(page, operation, shotName, server = baseUrl) {
  await act(page, "confirm_card");
  await untilStep(page, "new_pin", null);
  if (operation === "change") await typeInto(page, "current_pin", demoPin);
  await typeInto(page, "new_pin", newPin);
  await typeInto(page, "repeat_pin", newPin);
  if (shotName) await photograph(page, `${shotName}-new-pin`);
  const sent = (await outbox(server)).length;
  await act(page, "submit_pin");
  await untilStep(page, "confirm", null);
  return smsAfter(sent, server);
}

// Holds the server's answer to POST …/authorization back until the returned function is called:
// the Working step stays on screen, and the card waits for its cryptogram.
export async function holdAuthorization(page) {
  let release;
  const held = new Promise((resolve) => { release = resolve; });
  await page.route("**/authorization", async (route) => { await held; await route.continue(); });
  return release;
}
