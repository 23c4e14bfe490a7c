// Accessibility audit of the page stand-in and the kiosk (the IWA's is in iwa.test.mjs): every
// step of create, change and unblock, and a failure, each in Turkish and English, through the
// mirror as a keyboard user works it (a11y.mjs).
import { after, before, test } from "node:test";
import { act, baseUrl, launch, offerReader, openApp, typeInto, untilStep } from "./harness.mjs";
import { cardFor, demoPin, holdAuthorization, newPin, outbox, pageIssuesCode, smsAfter } from "./flows.mjs";
import { auditBothLanguages, checkAnnouncedOnce, recordAnnouncements } from "./a11y.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function issueCode(page, operation, path) {
  if (path === "/") return pageIssuesCode(page, operation);
  const response = await fetch(new URL("/demo/verification-codes", baseUrl), {
    method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ tckn: "10000000146", operation }),
  });
  await typeInto(page, "code", (await response.json()).code);
}

// axe-core injects its own script and styles, which the pages' Trusted Types would refuse: the
// audit's page runs without CSP (the policies themselves are checked in environment.test.mjs).
async function openAudited(path) {
  const opened = await openApp(browser, { path, bypassCSP: true, init: recordAnnouncements });
  return opened;
}

for (const [deployment, path] of [["page", "/"], ["kiosk", "/shell/"]]) {
  for (const operation of ["create", "change", "unblock"]) {
    test(`${deployment}: every step of ${operation} in both languages`, async () => {
      const { page } = await openAudited(path);
      const label = (step) => `${deployment} ${operation} ${step}`;
      await untilStep(page, "code", null);
      await auditBothLanguages(page, label("code"));
      await issueCode(page, operation, path);
      await act(page, "submit_code");
      await untilStep(page, "reader", null);
      await auditBothLanguages(page, label("reader"));
      await offerReader(page, { model: "acr39u", pin: cardFor[operation], protocol: "t1" });
      await act(page, "choose_reader");
      await untilStep(page, "card", null);
      await auditBothLanguages(page, label("card"));
      await act(page, "confirm_card");
      await untilStep(page, "new_pin", null);
      if (operation === "change") await typeInto(page, "current_pin", demoPin);
      await typeInto(page, "new_pin", newPin);
      await typeInto(page, "repeat_pin", newPin);
      await auditBothLanguages(page, label("new_pin"));
      const sent = (await outbox()).length;
      await act(page, "submit_pin");
      await untilStep(page, "confirm", null);
      await auditBothLanguages(page, label("confirm"));
      await typeInto(page, "confirmation", await smsAfter(sent));
      const release = await holdAuthorization(page);
      await act(page, "submit_confirmation");
      if (operation !== "change") {
        await untilStep(page, "working", null);
        await auditBothLanguages(page, label("working"));
      }
      release();
      await untilStep(page, "done", null);
      await auditBothLanguages(page, label("done"));
      await checkAnnouncedOnce(page, label("flow"));
      await page.close();
    });
  }

  test(`${deployment}: the environment step and a failure in both languages`, async () => {
    const { page } = await openAudited(path);
    await untilStep(page, "code", null);
    await issueCode(page, "create", path);
    await act(page, "submit_code");
    await untilStep(page, "reader", null);
    await offerReader(page, { model: "acr39u", pin: "not_set", claimError: "SecurityError" });
    await act(page, "choose_reader");
    await untilStep(page, "reader", "usb_access_denied");
    await auditBothLanguages(page, `${deployment} reader refused`);
    await checkAnnouncedOnce(page, `${deployment} reader refused`);
    await page.close();
    const bare = await openApp(browser, { path, usb: "absent", bypassCSP: true });
    await untilStep(bare.page, "environment", "no_webusb");
    await auditBothLanguages(bare.page, `${deployment} environment`);
    await bare.page.close();
  });
}
