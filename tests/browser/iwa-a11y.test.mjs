// The accessibility audit inside the installed Isolated Web App (a11y.mjs): every step of a
// create over WebUSB in both languages, and the IWA's own remedy when the browser refuses the
// reader. axe-core injects scripts and styles that Chrome's IWA policy (Trusted Types) would
// refuse, so this app window runs without CSP; iwa.test.mjs checks the policy itself.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { act, installFakes, offerReader, typeInto, until, untilStep } from "./harness.mjs";
import { cardFor, newPin, outbox, smsAfter } from "./flows.mjs";
import { startIsolatedApp } from "./iwa-harness.mjs";
import { auditBothLanguages, checkAnnouncedOnce, recordAnnouncements } from "./a11y.mjs";

let app;
before(async () => {
  app = await startIsolatedApp({ bypassCSP: true });
  await installFakes(app.context, { usb: "present" });
  await recordAnnouncements(app.context);
});
after(async () => { await app?.close(); });

async function toReaderStep(page, operation) {
  await untilStep(page, "code", null);
  const response = await fetch(new URL("/demo/verification-codes", app.server.url), {
    method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ tckn: "10000000146", operation }),
  });
  await typeInto(page, "code", (await response.json()).code);
  await act(page, "submit_code");
  await untilStep(page, "reader", null);
}

test("IWA: every step of create in both languages", async () => {
  const { page } = await app.launch();
  await untilStep(page, "code", null);
  await auditBothLanguages(page, "iwa code");
  await toReaderStep(page, "create");
  await auditBothLanguages(page, "iwa reader");
  await offerReader(page, { model: "acr39u", pin: cardFor.create, protocol: "t1" });
  await act(page, "choose_reader");
  await untilStep(page, "card", null);
  await auditBothLanguages(page, "iwa card");
  await act(page, "confirm_card");
  await untilStep(page, "new_pin", null);
  await typeInto(page, "new_pin", newPin);
  await typeInto(page, "repeat_pin", newPin);
  await auditBothLanguages(page, "iwa new_pin");
  const sent = (await outbox(app.server.url)).length;
  await act(page, "submit_pin");
  await untilStep(page, "confirm", null);
  await auditBothLanguages(page, "iwa confirm");
  await typeInto(page, "confirmation", await smsAfter(sent, app.server.url));
  await act(page, "submit_confirmation");
  await untilStep(page, "done", null);
  await auditBothLanguages(page, "iwa done");
  await checkAnnouncedOnce(page, "iwa create");
  await page.close();
});

test("IWA: a refused reader gets the IWA's own remedy, audited", async () => {
  const { page } = await app.launch();
  await toReaderStep(page, "create");
  await offerReader(page, { model: "acr39u", pin: "not_set", claimError: "SecurityError" });
  await act(page, "choose_reader");
  await untilStep(page, "reader", "usb_access_denied");
  const help = await page.evaluate(() => document.querySelector('#app-a11y [role="alert"]').dataset.help);
  assert.equal(help, "iwa-izinleri");
  await until(page, () => /usb-unrestricted/.test(document.querySelector('#app-a11y [role="alert"]').textContent));
  await auditBothLanguages(page, "iwa reader refused");
  await page.close();
});
