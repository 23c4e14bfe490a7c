// Shared set-up of the browser tests: Debian's chromium driven by playwright-core, headless,
// WebGL2 through SwiftShader, and a fake navigator.usb put in place before the page loads.
import { chromium } from "playwright-core";

export const baseUrl = process.env.KAMUSM_URL ?? "http://127.0.0.1:8080";
// The same server under a name that is not loopback, so the page is not a secure context.
export const insecureHost = "kamusm-insecure.test";

export async function launch() {
  const port = new URL(baseUrl).port;
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    args: [
      "--no-sandbox",
      "--use-angle=swiftshader",
      "--enable-unsafe-swiftshader",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      `--host-resolver-rules=MAP ${insecureHost} 127.0.0.1:${port}`,
    ],
  });
}

// usb: "present" installs a fake WebUSB with no readers; "absent" removes navigator.usb.
function fakeUsb(usb) {
  if (usb === "absent") {
    delete Navigator.prototype.usb;
    return;
  }
  const listeners = new EventTarget();
  const fake = {
    getDevices: async () => [],
    requestDevice: async () => {
      throw new DOMException("No device selected.", "NotFoundError");
    },
    addEventListener: (...args) => listeners.addEventListener(...args),
    removeEventListener: (...args) => listeners.removeEventListener(...args),
    onconnect: null,
    ondisconnect: null,
  };
  Object.defineProperty(Navigator.prototype, "usb", { get: () => fake, configurable: true });
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
export async function openApp(browser, { usb = "present", path = "/", url, ...context } = {}) {
  const page = await browser.newPage(context);
  const errors = [];
  page.on("pageerror", (error) => errors.push(error));
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(new Error(message.text()));
  });
  await page.addInitScript(fakeUsb, usb);
  await page.goto(url ?? new URL(path, baseUrl).href);
  await until(page, () => performance.getEntriesByName("kamusm-first-frame").length > 0);
  return { page, errors };
}

export const state = (page) => page.evaluate(() => window.kamusmPin.state());

export async function mirror(page) {
  return page.evaluate(() => {
    const root = document.getElementById("app-a11y");
    return {
      lang: root.lang,
      heading: root.querySelector("h2")?.textContent,
      text: [...root.querySelectorAll("p")].map((p) => p.textContent),
      alert: root.querySelector('[role="alert"]')?.textContent ?? null,
      buttons: [...root.querySelectorAll("button")].map((b) => b.textContent),
    };
  });
}

// Uses a mirror button the way a keyboard user does: focus it and press Enter.
export async function pressMirrorButton(page, label) {
  const button = page.locator("#app-a11y button", { hasText: label });
  await button.focus();
  await page.keyboard.press("Enter");
}

// Screenshot of the canvas and the number of distinct colours in it (1 means blank).
export async function canvasShot(page, file) {
  const png = await page.locator("#canvas").screenshot({ path: file });
  const colours = await page.evaluate(async (base64) => {
    const image = new Image();
    image.src = `data:image/png;base64,${base64}`;
    await image.decode();
    const canvas = new OffscreenCanvas(image.width, image.height);
    const context = canvas.getContext("2d");
    context.drawImage(image, 0, 0);
    const pixels = new Uint32Array(context.getImageData(0, 0, image.width, image.height).data.buffer);
    return new Set(pixels).size;
  }, png.toString("base64"));
  return { png, colours };
}

// Waits until the app has drawn at least one more frame after an action.
export async function nextFrames(page, count = 3) {
  await page.evaluate(async (n) => {
    for (let i = 0; i < n; ++i) await new Promise((resolve) => requestAnimationFrame(resolve));
  }, count);
}
