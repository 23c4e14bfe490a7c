// The canvas's own input (src/platform/web/canvas.cpp): what a sighted holder does with the
// mouse, the keyboard or a finger on the drawn app rather than through the accessible mirror.
// Where to point is read off a screenshot: the theme's navy is the active field's outline and the
// primary button's fill, and nothing else above the buttons.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { canvasShot, launch, nextFrames, openApp, untilStep } from "./harness.mjs";
import { pageIssuesCode } from "./flows.mjs";

const navy = [0x1b, 0x4f, 0x8a];
let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

// The runs of navy pixels along one column (`x`) or row (`y`) of the canvas, in CSS pixels.
async function navyRuns(page, line) {
  const { lines: [data] } = await canvasShot(page, undefined, [line]);
  const runs = [];
  for (let i = 0; i < data.length / 4; ++i) {
    if (![0, 1, 2].every((c) => Math.abs(data[i * 4 + c] - navy[c]) <= 16)) continue;
    if (runs.length && runs.at(-1).end === i) runs.at(-1).end = i + 1;
    else runs.push({ start: i, end: i + 1 });
  }
  return runs;
}

const codeInMirror = (page) => page.evaluate(() => document.getElementById("kamusm-code").value);

// The code step with the page's code in the field, and where the field and the primary button are.
async function codeStep(options) {
  const { page, errors } = await openApp(browser, options);
  await pageIssuesCode(page, "create");
  await page.evaluate(() => document.activeElement?.blur()); // the focused mirror covers the canvas
  await nextFrames(page);
  // The screenshots below scroll the canvas into view; the pointer's coordinates are the window's.
  await page.locator("#canvas").scrollIntoViewIfNeeded();
  const box = await page.locator("#canvas").boundingBox();
  const [fieldTop] = await navyRuns(page, { x: box.width / 2 });
  assert.ok(fieldTop, "the code field's outline is on the canvas");
  const [fieldLeft] = await navyRuns(page, { y: fieldTop.start + 12 });
  // Under the field's left end: its outline (two thin runs), then the primary button's fill.
  const below = await navyRuns(page, { x: fieldLeft.start + 30 });
  const button = below.find((run) => run.start > fieldTop.end + 20 && run.end - run.start > 20);
  assert.ok(button, "the primary button is under the field");
  assert.deepEqual(await page.locator("#canvas").boundingBox(), box, "the canvas stayed where it was");
  return {
    page, errors,
    field: { x: box.x + box.width / 2, y: box.y + fieldTop.start + 12 },
    button: { x: box.x + fieldLeft.start + 30, y: box.y + (button.start + button.end) / 2 },
  };
}

test("the mouse and the keyboard on the canvas: the field clicked, the code typed, Enter", async () => {
  const { page, errors, field } = await codeStep({});
  const code = await codeInMirror(page);
  assert.match(code, /^\d{15}$/);
  await page.mouse.click(field.x, field.y);
  await page.keyboard.press("Control+A");
  await page.keyboard.press("Backspace");
  for (let i = 0; (await codeInMirror(page)) !== "" && i < 100; ++i) await nextFrames(page, 1);
  assert.equal(await codeInMirror(page), "", "Ctrl+A and Backspace on the canvas empty the field");
  await page.keyboard.type(code, { delay: 10 });
  for (let i = 0; (await codeInMirror(page)) !== code && i < 200; ++i) await nextFrames(page, 1);
  assert.equal(await codeInMirror(page), code, "the digits typed on the canvas are in the field");
  await page.keyboard.press("Enter");
  await untilStep(page, "reader", null);
  assert.deepEqual(errors, []);
  await page.context().close();
});

test("a finger on the canvas: a tap on the primary button presses it", async () => {
  const { page, errors, button } = await codeStep({ hasTouch: true });
  await page.touchscreen.tap(button.x, button.y);
  await untilStep(page, "reader", null);
  assert.deepEqual(errors, []);
  await page.context().close();
});

test("the wheel over the canvas is the app's, not the page's", async () => {
  const { page, errors, field } = await codeStep({ viewport: { width: 800, height: 400 } });
  const scrolled = () => page.evaluate(() => window.scrollY);
  assert.ok(await page.evaluate(() => document.scrollingElement.scrollHeight > window.innerHeight),
    "the page is taller than the window, so it could scroll");
  const before = await scrolled();
  await page.mouse.move(field.x, field.y);
  await page.mouse.wheel(0, 300);
  await nextFrames(page);
  assert.equal(await scrolled(), before, "the page did not scroll under the canvas");
  assert.deepEqual(errors, []);
  await page.context().close();
});
