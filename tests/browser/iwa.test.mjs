// The Isolated Web App for real in headless Chromium's IWA developer mode (iwa-harness.mjs):
// installed with CDP PWA.install, opened with PWA.launch. Inside it the app reaches the code
// step under Chrome's IWA Content Security Policy with no CSP or Trusted Types violation, the
// manifest's permissions policy is in force, the backend answers over https with CORS for this
// origin only, and one PIN operation runs through each fake: WebUSB and the Web Smart Card API.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { act, installFakes, mirror, offerReader, state, typeInto, until, untilStep } from "./harness.mjs";
import { cardFor, toConfirmStep } from "./flows.mjs";
import { startIsolatedApp } from "./iwa-harness.mjs";

let app;
before(async () => { app = await startIsolatedApp(); });
after(async () => { await app?.close(); });

// What Chrome says when a policy is broken; none of it may appear.
const violation = /Content Security Policy|Content-Security-Policy|Trusted ?Type|TrustedScript|Refused to|integrity/i;
// Linux Chromium does not know the smart-card feature yet; it says so once per document.
const knownNotes = /Unrecognized feature: 'smart-card'/;

function problems(console) {
  return console.filter(({ type, text }) =>
    violation.test(text) || (["error", "pageerror"].includes(type) && !knownNotes.test(text)));
}

// The verification code as the online-operations page would issue it (demo route).
async function issueCode(operation) {
  const response = await fetch(new URL("/demo/verification-codes", app.server.url), {
    method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ tckn: "10000000146", operation }),
  });
  return (await response.json()).code;
}

async function toReaderStep(page, operation) {
  await untilStep(page, "code", null);
  await typeInto(page, "code", await issueCode(operation));
  await act(page, "submit_code");
  await until(page, () => ["reader", "card"].includes(window.kamusmPin.state().step));
}

async function finish(page, operation) {
  const sms = await toConfirmStep(page, operation, undefined, app.server.url);
  await typeInto(page, "confirmation", sms);
  await act(page, "submit_confirmation");
  await untilStep(page, "done", null);
  assert.equal((await mirror(page)).notes.length, 4);
}

test("inside the installed app: isolated, the code step, the permissions policy, no violation", async () => {
  await installFakes(app.context, { usb: "present" });
  const { page, console } = await app.launch();
  await untilStep(page, "code", null);
  const inside = await page.evaluate(() => ({
    origin: location.origin,
    crossOriginIsolated: window.crossOriginIsolated,
    known: document.featurePolicy.features(),
    allows: Object.fromEntries(["usb", "usb-unrestricted", "smart-card", "cross-origin-isolated"]
      .map((feature) => [feature, document.featurePolicy.allowsFeature(feature)])),
    trustedTypesRequired: (() => {
      try { document.createElement("script").src = "/x.js"; return false; } catch { return true; }
    })(),
  }));
  assert.equal(inside.origin, app.origin);
  assert.equal(inside.crossOriginIsolated, true);
  assert.equal(inside.trustedTypesRequired, true, "Chrome's IWA policy requires Trusted Types");
  assert.equal(inside.allows.usb, true);
  assert.equal(inside.allows["usb-unrestricted"], true, "protected-class readers may be claimed");
  assert.equal(inside.allows["cross-origin-isolated"], true);
  // The manifest grants smart-card; it is allowed wherever the browser knows the feature (Chrome
  // on ChromeOS). Linux Chromium 156 does not know it, and says so.
  assert.equal(inside.allows["smart-card"], inside.known.includes("smart-card"));
  if (!inside.known.includes("smart-card"))
    assert.ok(console.some(({ text }) => knownNotes.test(text)), JSON.stringify(console));
  // The TypeError above is the one Trusted Types refusal allowed here: the test's own.
  await page.waitForTimeout(300);
  const found = problems(console).filter(({ text }) => !/TrustedScriptURL/.test(text));
  assert.deepEqual(found, []);
  await page.close();
});

test("create over WebUSB inside the app: the backend over https with CORS for this origin", async () => {
  const { page, console } = await app.launch();
  await toReaderStep(page, "create");
  await offerReader(page, { model: "acr39u", pin: cardFor.create, protocol: "t1" });
  await act(page, "choose_reader");
  await untilStep(page, "card", null);
  assert.equal((await state(page)).transport, "webusb");
  await finish(page, "create");
  assert.deepEqual(problems(console), []);
  await page.close();
});

test("change over the Web Smart Card API inside the app", async () => {
  const reader = "KamuSM Test Reader 00 00";
  await installFakes(app.context, {
    usb: "present",
    smartCard: { readers: [reader], card: { reader, pin: cardFor.change, protocol: "t1" } },
  });
  const { page, console } = await app.launch();
  await toReaderStep(page, "change");
  for (let i = 0; i < 60 && (await state(page)).step === "reader"; ++i) await page.waitForTimeout(50);
  if ((await state(page)).step === "reader") await act(page, "choose_reader");
  await untilStep(page, "card", null);
  assert.equal((await state(page)).transport, "smartcard");
  await finish(page, "change");
  const card = await page.evaluate(() => window.__fakeSmartCard.cardState());
  assert.equal(card.puk_commands, 0);
  assert.deepEqual(problems(console), []);
  await page.close();
});
