// The three PIN operations end to end in the browser, through the accessible mirror as a
// keyboard user works: the page stand-in issues the code and passes it to the app, the fake
// navigator.usb's chooser hands over the app's virtual reader (the simulator behind a fake
// USBDevice, through the same WebUSB bridge as a real reader), the SMS code comes from the demo
// backend's outbox. Every screen is photographed and checked not to be blank.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { act, launch, mirror, openApp, state, typeInto, untilStep } from "./harness.mjs";
import {
  holdAuthorization, maskedTckn, newPin, pageIssuesCode, photograph, shots, toCardStep, toConfirmStep,
} from "./flows.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

for (const model of ["acr39u", "connect2sign"]) {
  for (const operation of ["create", "change", "unblock"]) {
    test(`${operation} on the ${model}`, async () => {
      const { page, errors } = await openApp(browser, { path: "/" });
      const name = `${model}-${operation}`;
      await untilStep(page, "code", null);
      await toCardStep(page, { operation, model });
      let screen = await mirror(page);
      const facts = Object.fromEntries(screen.facts);
      assert.ok(Object.values(facts).includes(maskedTckn), JSON.stringify(facts));
      await photograph(page, `${name}-card`);

      const sms = await toConfirmStep(page, operation, name);
      screen = await mirror(page);
      assert.ok(screen.fields.includes("confirmation"), JSON.stringify(screen));
      await photograph(page, `${name}-confirm`);
      await typeInto(page, "confirmation", sms);
      // The server's authorization is held back a moment, to see the Working step.
      const release = await holdAuthorization(page);
      await act(page, "submit_confirmation");
      if (operation !== "change") {
        await untilStep(page, "working", null);
        assert.match((await mirror(page)).status + (await mirror(page)).text.join(" "), /yetki/);
        await photograph(page, `${name}-working`);
      }
      release();
      await untilStep(page, "done", null);

      screen = await mirror(page);
      assert.equal(screen.notes.length, 4, "the four warnings of the old app");
      assert.match(screen.notes.join(" "), /PUK/);
      await photograph(page, `${name}-done`);
      // Nothing of the PIN reached the page's DOM once the PIN step was over.
      const html = await page.evaluate(() => document.getElementById("app-a11y").outerHTML);
      assert.ok(!html.includes(newPin));
      assert.deepEqual(errors, []);
      await page.close();
    });
  }
}

test("a wrong SMS code says how many tries are left, the right one still works", async () => {
  const { page, errors } = await openApp(browser, { path: "/" });
  await untilStep(page, "code", null);
  await toCardStep(page, { operation: "create", model: "acr39u" });
  const sms = await toConfirmStep(page, "create");
  const wrong = sms === "000000" ? "111111" : "000000";
  await typeInto(page, "confirmation", wrong);
  await act(page, "submit_confirmation");
  await untilStep(page, "confirm", "wrong_otp");
  assert.match((await mirror(page)).alert ?? "", /2/);
  await photograph(page, "wrong-otp");
  await typeInto(page, "confirmation", sms);
  await act(page, "submit_confirmation");
  await untilStep(page, "done", null);
  assert.deepEqual(await state(page), { step: "done", error: null, transport: "webusb" });
  assert.deepEqual(errors, []);
  await page.close();
});

test("\"Sanal kart ile dene\" runs an unblock on the virtual reader inside the app", async () => {
  const { page, errors } = await openApp(browser, { path: "/" });
  await untilStep(page, "code", null);
  await pageIssuesCode(page, "unblock");
  await act(page, "submit_code");
  await untilStep(page, "reader", null);
  await act(page, "try_virtual_card");
  await untilStep(page, "card", null);
  // The whole page stand-in with the app in it, for the README.
  await page.evaluate(() => document.activeElement?.blur());
  await page.screenshot({ path: `${shots}page-card.png`, fullPage: true });
  const facts = Object.fromEntries((await mirror(page)).facts);
  assert.ok(Object.values(facts).includes(maskedTckn), JSON.stringify(facts));
  const sms = await toConfirmStep(page, "unblock");
  await typeInto(page, "confirmation", sms);
  await act(page, "submit_confirmation");
  await untilStep(page, "done", null);
  assert.deepEqual(errors, []);
  await page.close();
});
