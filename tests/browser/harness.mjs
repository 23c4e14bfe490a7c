// Shared set-up of the browser tests: Debian's chromium driven by playwright-core, headless,
// WebGL2 through SwiftShader, and a fake navigator.usb put in place before the page loads.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after } from "node:test";
import { chromium } from "playwright-core";
import { loadContract } from "../contract/contract.mjs";

export const baseUrl = process.env.KAMUSM_URL ?? "http://127.0.0.1:8080";
// The same server under a name that is not loopback, so the page is not a secure context.
export const insecureHost = "kamusm-insecure.test";

// A second demo server of its own (run.sh exports the binary and the web folder), for tests that
// need other settings, e.g. { "--code-lifetime": 1 }, or other files (staticDir). Returns
// { url, stop }.
export async function startServer(flags, staticDir = process.env.KAMUSM_WEB) {
  const data = mkdtempSync(join(tmpdir(), "kamusm-browser-"));
  const args = ["--demo", "--port", "0", "--data-dir", data, "--static-dir", staticDir,
    ...Object.entries(flags).flatMap(([flag, value]) => [flag, String(value)])];
  const server = spawn(process.env.KAMUSM_SERVER, args, { stdio: ["ignore", "pipe", "pipe"] });
  const stop = () => { server.kill(); rmSync(data, { recursive: true, force: true }); };
  const url = await new Promise((resolve, reject) => {
    let log = "";
    const timer = setTimeout(() => reject(new Error(`the server did not start: ${log}`)), 10000);
    const read = (chunk) => {
      log += chunk;
      const found = log.match(/listening on (http:\/\/\S+)/);
      if (found) { clearTimeout(timer); resolve(found[1]); }
    };
    server.stdout.on("data", read);
    server.stderr.on("data", read);
    server.on("exit", () => reject(new Error(`the server stopped: ${log}`)));
  }).catch((error) => { stop(); throw error; });
  return { url, stop };
}

// Every exchange with a backend, the page's and the tests' own fetches alike, is checked against
// src/server/openapi.yaml. What breaks it goes into the page's errors (openApp) and fails the
// test file when it ends (a script outside node --test, measure.mjs, exits with status 1).
const contract = await loadContract();
const contractViolations = [];
const noViolations = () =>
  assert.deepEqual(contractViolations, [], "exchanges that src/server/openapi.yaml does not allow");
if (process.env.NODE_TEST_CONTEXT) after(noViolations);
else process.on("exit", noViolations);

function checkContract(exchange, errors) {
  const found = contract.check(exchange);
  contractViolations.push(...found);
  errors?.push(...found.map((violation) => new Error(violation)));
  return found;
}

export function watchContract(page, errors) {
  page.on("response", async (response) => {
    const request = response.request();
    const url = new URL(response.url());
    if (!url.protocol.startsWith("http")) return;
    let exchange;
    try {
      exchange = {
        method: request.method(), path: url.pathname,
        request: { headers: await request.allHeaders(), body: request.postData() ?? "" },
        status: response.status(), headers: await response.allHeaders(), body: await response.text(),
      };
    } catch {
      return; // a redirect, or the page closed before the body came: nothing to read
    }
    checkContract(exchange, errors);
  });
}

// The tests' own requests (the demo routes, the outbox …) through node's fetch.
const plainFetch = globalThis.fetch;
globalThis.fetch = async (input, init) => {
  const request = new Request(input, init);
  const sent = await request.clone().text();
  const response = await plainFetch(request);
  const found = checkContract({
    method: request.method, path: new URL(response.url || request.url).pathname,
    request: { headers: Object.fromEntries(request.headers), body: sent },
    status: response.status, headers: Object.fromEntries(response.headers),
    body: await response.clone().text(),
  });
  if (found.length) throw new Error(`not as src/server/openapi.yaml says: ${found.join("; ")}`);
  return response;
};

export const chromiumPath = process.env.CHROMIUM ?? "/usr/bin/chromium";
// Headless Chromium as every test runs it: WebGL2 through SwiftShader, no background traffic.
export const chromiumArgs = [
  "--no-sandbox",
  "--use-angle=swiftshader",
  "--enable-unsafe-swiftshader",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

export async function launch() {
  const port = new URL(baseUrl).port;
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [...chromiumArgs, `--host-resolver-rules=MAP ${insecureHost} 127.0.0.1:${port}`],
  });
}

// usb: "present" installs a fake WebUSB; "absent" removes navigator.usb. The fake's reader
// chooser hands out the app's own virtual reader (the simulator compiled into the app, behind a
// fake USBDevice: kamusmPin.demo.createReader) as configured by offerReader(); it records the
// filters it was asked with. unplugReader() takes the reader away as a real unplug does.
function fakeUsb(usb) {
  if (usb === "absent") {
    delete Navigator.prototype.usb;
    return;
  }
  const events = new EventTarget();
  const granted = [];
  const test = { requests: [], offer: null, granted };
  window.kamusmTestUsb = test;
  const fake = {
    getDevices: async () => granted.slice(),
    requestDevice: async (options) => {
      test.requests.push(options);
      if (!test.offer) throw new DOMException("No device selected.", "NotFoundError");
      const device = await window.kamusmPin.demo.createReader(test.offer);
      if (test.offer.openError) {
        device.open = async () => {
          throw new DOMException("Access denied.", test.offer.openError);
        };
      }
      if (test.offer.claimError) {
        device.claimInterface = async () => {
          throw new DOMException("Access denied.", test.offer.claimError);
        };
      }
      granted.push(device);
      return device;
    },
    addEventListener: (...args) => events.addEventListener(...args),
    removeEventListener: (...args) => events.removeEventListener(...args),
    onconnect: null,
    ondisconnect: null,
  };
  test.unplug = () => {
    const device = granted.pop();
    device.unplug();
    const event = new Event("disconnect");
    event.device = device;
    events.dispatchEvent(event);
    if (fake.ondisconnect) fake.ondisconnect(event);
  };
  Object.defineProperty(Navigator.prototype, "usb", { get: () => fake, configurable: true });
}

// What the fake reader chooser offers next: {model, pin: "not_set" | "set" | "blocked",
// protocol, openError, claimError} (the errors: DOMException names the call rejects with).
export const offerReader = (page, offer) =>
  page.evaluate((o) => { window.kamusmTestUsb.offer = o; }, offer);
export const unplugReader = (page) => page.evaluate(() => window.kamusmTestUsb.unplug());
export const removeCard = (page) =>
  page.evaluate(() => window.kamusmTestUsb.granted.at(-1).removeCard());
export const insertCard = (page) =>
  page.evaluate(() => window.kamusmTestUsb.granted.at(-1).insertCard());

// The fake navigator.smartCard (fake-smartcard.js), installed before the page loads when a test
// asks for it, set up with `config`: {readers: [names], card: {reader, pin, protocol}, service,
// policy, permission, exclusive, transmitDelayMs}. Its hooks are window.__fakeSmartCard.
const fakeSmartCardSource = readFileSync(new URL("./fake-smartcard.js", import.meta.url), "utf8");
const fakeSmartCard = (config) =>
  `${fakeSmartCardSource}\nwindow.__fakeSmartCard.configure(${JSON.stringify(config)});`;
export const smartCard = (page, hook, ...args) =>
  page.evaluate(([name, values]) => window.__fakeSmartCard[name](...values), [hook, args]);

// The system and browser the page reports through User-Agent Client Hints (what the app's
// guidance tells apart): {platform: "Windows" | "macOS" | "Linux" | "Chrome OS" | "Android",
// brand: "Google Chrome" | "Microsoft Edge" | "Chromium"}.
export async function pretend(target, { platform, brand }) {
  await target.addInitScript(([platformName, brandName]) => {
    const hints = { platform: platformName, mobile: platformName === "Android",
                    brands: [{ brand: brandName, version: "156" }, { brand: "Not.A/Brand", version: "99" }] };
    Object.defineProperty(Navigator.prototype, "userAgentData", { get: () => hints, configurable: true });
  }, [platform, brand]);
}

// Puts the fakes in place before any page of `target` (a page or a whole context) loads.
export async function installFakes(target, { usb = "present", smartCard: smartCardConfig } = {}) {
  await target.addInitScript(fakeUsb, usb);
  if (smartCardConfig) await target.addInitScript({ content: fakeSmartCard(smartCardConfig) });
}

// Polls `predicate` in the page. (page.waitForFunction evaluates strings, which the server's
// Content-Security-Policy forbids, as it should.)
export async function until(page, predicate, timeout = 30000) {
  for (const end = Date.now() + timeout; Date.now() < end;) {
    if (await page.evaluate(predicate)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${predicate}`);
}

// Opens `path` with the given fake USB and waits for the app's first frame.
// clock: Playwright's fake clock (time flows, and tests can jump ahead with page.clock).
// smartCard: the fake navigator.smartCard's set-up (none: no navigator.smartCard, as in Chrome
// outside Isolated Web Apps).
// init: a function given the page before it loads (more init scripts).
export async function openApp(browser, { usb = "present", path = "/", url, clock, smartCard: smartCardConfig,
                                         environment, init, ...context } = {}) {
  const page = await browser.newPage(context);
  if (clock) await page.clock.install();
  const errors = [];
  watchContract(page, errors);
  page.on("pageerror", (error) => errors.push(error));
  page.on("console", (message) => {
    // Chrome logs every 4xx answer to fetch; the app's own errors are what count.
    const network = message.text().startsWith("Failed to load resource");
    if (message.type() === "error" && !network) errors.push(new Error(message.text()));
  });
  if (environment) await pretend(page, environment);
  if (init) await init(page);
  await installFakes(page, { usb, smartCard: smartCardConfig });
  await page.goto(url ?? new URL(path, baseUrl).href);
  // Playwright's fake clock brings its own performance object, without marks.
  if (clock) await until(page, () => !!window.kamusmPin?.state());
  else await until(page, () => performance.getEntriesByName("kamusm-first-frame").length > 0);
  return { page, errors };
}

// Moves the page's fake clock (openApp's clock option) `ms` ahead and runs the frames due.
// Left running, Playwright's clock follows real time in steps, each of which runs the due timers
// (one real task apiece) and then sets the clock to where the step meant to end: a step still
// running when page.clock.fastForward returns sets the clock back (seen under load: the page at
// 37.6 s after 125 s of jumps). So the clock is paused for the jump, put where it must be once no
// such step is left, given half a second of frames on that time, and only then let run again.
export async function advanceClock(page, ms) {
  const now = () => page.evaluate(() => ({ ticks: performance.now(), wall: Date.now() }));
  const before = await now();
  const target = before.ticks + ms;
  await page.clock.pauseAt(before.wall + ms);
  for (let steady = 0; steady < 3; ++steady) {
    await page.waitForTimeout(100);
    const behind = target - (await now()).ticks;
    if (behind > 0) {
      await page.clock.fastForward(Math.ceil(behind));
      steady = -1;
    }
  }
  await page.clock.runFor(500);
  await page.clock.resume();
}

export const state = (page) => page.evaluate(() => window.kamusmPin.state());

// Waits until kamusmPin.state() shows `step` (and `error`, when given).
export async function untilStep(page, step, error, timeout = 30000) {
  for (const end = Date.now() + timeout; Date.now() < end;) {
    const now = await state(page);
    if (now && now.step === step && (error === undefined || now.error === error)) return now;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${step}/${error}: at ${JSON.stringify(await state(page))}`);
}

// Presses the mirror's button for `action` ("submit_code", "choose_reader" …) from the keyboard.
export async function act(page, action) {
  const button = page.locator(`#app-a11y button[data-action="${action}"]`);
  await button.focus();
  await page.keyboard.press("Enter");
}

// Types into the mirror's field `id` ("code", "new_pin" …) as a keyboard user does.
export async function typeInto(page, id, text) {
  const input = page.locator(`#kamusm-${id}`);
  await input.fill("");
  await input.pressSequentially(text);
}

export async function mirror(page) {
  return page.evaluate(() => {
    const root = document.getElementById("app-a11y");
    return {
      lang: root.lang,
      heading: root.querySelector("h2")?.textContent,
      text: [...root.querySelectorAll(".paragraphs p")].map((p) => p.textContent),
      alert: root.querySelector('[role="alert"]:not([hidden])')?.textContent ?? null,
      status: root.querySelector('[role="status"]')?.textContent ?? "",
      warning: root.querySelector('[role="alertdialog"]:not([hidden])')?.textContent ?? null,
      facts: [...root.querySelectorAll("dt")].map((dt) => [dt.textContent, dt.nextSibling?.textContent]),
      fields: [...root.querySelectorAll("input")].map((input) => input.id.replace("kamusm-", "")),
      notes: [...root.querySelectorAll(".notes li")].map((li) => li.textContent),
      buttons: [...root.querySelectorAll(".actions button")].map((b) => b.textContent),
      actions: [...root.querySelectorAll(".actions button")].map((b) => b.dataset.action),
      keypad: [...root.querySelectorAll(".keypad button")].map((b) => b.textContent),
    };
  });
}

// Uses a mirror button the way a keyboard user does: focus it and press Enter.
export async function pressMirrorButton(page, label) {
  const button = page.locator("#app-a11y button", { hasText: label });
  await button.focus();
  await page.keyboard.press("Enter");
}

// Screenshot of the canvas, the number of distinct colours in it (1 means blank) and, for each of
// `lines` ({x}: a column, {y}: a row, in CSS pixels), its pixels as RGBA bytes.
export async function canvasShot(page, file, lines = []) {
  const png = await page.locator("#canvas").screenshot({ path: file });
  const { colours, pixels } = await page.evaluate(async ([base64, wanted]) => {
    const image = new Image();
    image.src = `data:image/png;base64,${base64}`;
    await image.decode();
    const canvas = new OffscreenCanvas(image.width, image.height);
    const context = canvas.getContext("2d");
    context.drawImage(image, 0, 0);
    const all = new Uint32Array(context.getImageData(0, 0, image.width, image.height).data.buffer);
    const line = ({ x, y }) => x !== undefined
      ? context.getImageData(Math.round(x), 0, 1, image.height)
      : context.getImageData(0, Math.round(y), image.width, 1);
    return { colours: new Set(all).size, pixels: wanted.map((each) => Array.from(line(each).data)) };
  }, [png.toString("base64"), lines]);
  return { png, colours, lines: pixels };
}

// Waits until the app has drawn at least one more frame after an action.
export async function nextFrames(page, count = 3) {
  await page.evaluate(async (n) => {
    for (let i = 0; i < n; ++i) await new Promise((resolve) => requestAnimationFrame(resolve));
  }, count);
}
