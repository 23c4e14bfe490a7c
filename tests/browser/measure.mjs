// Reports the app's bundle size (bytes, and brotli-compressed as a server would send it) and its
// time to first frame in headless Chromium (performance marks set by web/app.js and the app).
// Run through ./run.sh measure, which starts the server.
import { readFileSync } from "node:fs";
import { brotliCompressSync, constants } from "node:zlib";
import { launch, openApp } from "./harness.mjs";

const web = new URL("../../build/web/", import.meta.url);
const files = ["kamusm_app.wasm", "kamusm_app.js", "app.js", "demo-page.js", "index.html", "page.css", "kamusm-page.css"];
const loads = Number(process.env.LOADS ?? 5);

function sizes(file) {
  const bytes = readFileSync(new URL(file, web));
  const brotli = brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } });
  return { file, bytes: bytes.length, brotli: brotli.length };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

const bundle = files.map(sizes);
const total = (key, names) => bundle.filter((s) => names.includes(s.file)).reduce((n, s) => n + s[key], 0);
const app = ["kamusm_app.wasm", "kamusm_app.js"];

const browser = await launch();
const samples = [];
for (let i = 0; i < loads; ++i) {
  const { page } = await openApp(browser, { usb: "present" });
  samples.push(await page.evaluate(() => {
    const at = (name) => performance.getEntriesByName(name)[0].startTime;
    return { start: at("kamusm-start"), firstFrame: at("kamusm-first-frame") };
  }));
  await page.close();
}
await browser.close();

const report = {
  bundle,
  app_bytes: total("bytes", app),
  app_brotli: total("brotli", app),
  all_bytes: total("bytes", files),
  all_brotli: total("brotli", files),
  loads,
  // From navigation start and from app.js starting the loader to the first drawn frame (ms).
  first_frame_ms: Math.round(median(samples.map((s) => s.firstFrame))),
  loader_to_first_frame_ms: Math.round(median(samples.map((s) => s.firstFrame - s.start))),
};
console.log(JSON.stringify(report, null, 2));
