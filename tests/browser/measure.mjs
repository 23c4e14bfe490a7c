// The app's start-up and flows as the holder gets them, from the real server to real Chromium
// (run through ./run.sh measure, which starts the server in demo mode):
// - bytes: each file the page loads, as sent (CDP Network.loadingFinished encodedDataLength:
//   body as encoded on the wire plus headers) and with which Content-Encoding;
// - start-up: the first-frame split (download, compile, instantiate, runtime init, first frame)
//   from web/app.js's performance marks, the median of LOADS loads (each a fresh browser context,
//   so nothing is cached), on the demo page and on a page as bare as the floor's, and the same
//   for the bare Dear ImGui floor (bench/imgui-floor, served from build/floor by a server of its
//   own), all three loaded in turns, and the app's ratio to the floor;
// - flows: per operation, the app's own time from the code entered to the done screen without
//   the typing (the sum of the waits after each of the holder's actions), the server round trips
//   in it, the frames' render time and the wasm heap's high-water mark.
// Prints a JSON report.
import { existsSync } from "node:fs";
import { act, baseUrl, launch, offerReader, openApp, startServer, typeInto, until, untilStep } from "./harness.mjs";
import { cardFor, demoPin, newPin, outbox, pageIssuesCode, smsAfter } from "./flows.mjs";

const loads = Number(process.env.LOADS ?? 10);
const floorDir = new URL("../../build/floor/", import.meta.url).pathname;

// What each file is: the app (what an embedding page loads for it), the demo module (demo mode
// only), the page stand-in around it, or the backend.
const kinds = [
  [/\/(kamusm_app\.(js|wasm)|app\.js|kamusm-page\.css)$/, "app"],
  [/\/kamusm_demo\.(js|wasm)$/, "demo"],
  [/\/(api|demo)\//, "backend"],
];
const kindOf = (url) => (kinds.find(([pattern]) => pattern.test(new URL(url).pathname)) ?? [null, "page"])[1];

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const round = (value) => Math.round(value * 10) / 10;

// Records every response of `page` through CDP: url → {bytes, encoding, status}.
async function recordTransfers(page) {
  const cdp = await page.context().newCDPSession(page);
  const responses = new Map();
  const transfers = [];
  let pending = 0;
  cdp.on("Network.requestWillBeSent", () => { ++pending; });
  cdp.on("Network.responseReceived", ({ requestId, response }) => {
    const headers = Object.fromEntries(Object.entries(response.headers).map(([k, v]) => [k.toLowerCase(), v]));
    responses.set(requestId, { url: response.url, status: response.status, encoding: headers["content-encoding"] ?? "" });
  });
  cdp.on("Network.loadingFinished", ({ requestId, encodedDataLength }) => {
    --pending;
    const response = responses.get(requestId);
    if (response) transfers.push({ ...response, bytes: encodedDataLength });
  });
  cdp.on("Network.loadingFailed", () => { --pending; });
  await cdp.send("Network.enable");
  await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
  return { transfers, idle: () => pending <= 0 };
}

// The marks of one load, in ms from navigation start.
function startupMarks() {
  const at = (name) => performance.getEntriesByName(name)[0]?.startTime ?? null;
  const resource = (file) => performance.getEntriesByType("resource").find((entry) => entry.name.endsWith(file));
  const wasm = performance.getEntriesByType("resource").find((entry) => entry.name.endsWith(".wasm") && !entry.name.includes("demo"));
  const loader = resource("kamusm_app.js") ?? resource("kamusm_floor.js");
  return {
    start: at("kamusm-start"), compiled: at("kamusm-compiled"), instantiated: at("kamusm-instantiated"),
    runtimeReady: at("kamusm-runtime-ready"), firstFrame: at("kamusm-first-frame"),
    wasmEnd: wasm.responseEnd, loaderEnd: loader.responseEnd,
  };
}

// Where the time to the first frame goes, from the marks (see web/app.js).
function split(m) {
  return {
    page: m.start, // the page and app.js, up to app.js starting the wasm download
    download: m.wasmEnd - m.start, // the wasm's last byte (compiled as it streams)
    compile: Math.max(0, m.compiled - m.wasmEnd), // compilation left after the last byte
    instantiate: m.instantiated - Math.max(m.compiled, m.loaderEnd), // once module and loader are there
    runtime_init: m.runtimeReady - m.instantiated,
    first_frame: m.firstFrame - m.runtimeReady, // main(): the WebGL context, ImGui, fonts, the first screen
    total: m.firstFrame,
  };
}

function medians(splits) {
  return Object.fromEntries(Object.keys(splits[0]).map((key) => [key, round(median(splits.map((s) => s[key])))]));
}

// One load of `url` in a fresh browser context (nothing cached), as a holder's browser gets the
// page: no test fakes, no contract check (which reads every body back over CDP while the app
// starts), the same for the app and the floor. `settled(page)` waits for what the load fetches
// late.
async function load(browser, url, settled = async () => {}) {
  const page = await browser.newPage();
  const recorder = await recordTransfers(page);
  await page.goto(url);
  await until(page, () => performance.getEntriesByName("kamusm-first-frame").length > 0);
  await settled(page);
  for (const end = Date.now() + 10000; !recorder.idle() && Date.now() < end;) await new Promise((r) => setTimeout(r, 50));
  const marks = await page.evaluate(startupMarks);
  await page.context().close();
  return { split: split(marks), transfers: recorder.transfers };
}

// The demo module is fetched once the backend has said it is in demo mode: its bytes are waited
// for too.
const demoFetched = (page) => until(page, () =>
  performance.getEntriesByType("resource").some((entry) => entry.name.endsWith("kamusm_demo.wasm")));

// LOADS loads each of the app on the demo page, the app on a page as bare as the floor's
// (bench/imgui-floor/app.html) and the floor, taken in turns so that all see the machine equally
// busy. The ratio to the floor is the bare page's: the demo page's own layout, painting and
// fetches share the renderer and the GPU process with the app's WebGL context, which the floor's
// blank page does not.
async function startups(browser) {
  if (!existsSync(`${floorDir}kamusm_floor.wasm`)) throw new Error("no build/floor: run tests/build-web.sh");
  const floorServer = await startServer({}, floorDir);
  const runs = {
    app: { url: baseUrl, splits: [] },
    appBare: { url: `${floorServer.url}/app.html`, splits: [] },
    floor: { url: floorServer.url, splits: [], settled: async () => {} },
  };
  try {
    for (let i = 0; i < loads; ++i) {
      for (const run of Object.values(runs)) {
        const { split: one, transfers } = await load(browser, run.url, run.settled ?? demoFetched);
        run.splits.push(one);
        run.transfers ??= transfers;
      }
    }
  } finally {
    floorServer.stop();
  }
  return runs;
}

// One operation from the code to the done screen. Each of the holder's actions starts a wait that
// ends at the next step that needs the holder again; the flow's time is the sum of those waits.
async function flow(browser, operation) {
  const { page } = await openApp(browser, { usb: "present" });
  await pageIssuesCode(page, operation);
  const stats = () => page.evaluate(() => JSON.parse(Module.UTF8ToString(Module._kamusm_take_stats())));
  await stats(); // measuring from here
  const waits = [];
  const wait = async (name, action, step) => {
    const since = await page.evaluate(() => performance.now());
    await act(page, action);
    await untilStep(page, step, null);
    waits.push(await page.evaluate(([label, from, target]) => {
      const reached = performance.getEntriesByName(`kamusm-step-${target}`).filter((e) => e.startTime >= from).at(0);
      const calls = performance.getEntriesByType("resource")
        .filter((e) => e.initiatorType === "fetch" && e.startTime >= from && e.startTime <= reached.startTime && !e.name.endsWith(".wasm"))
        .map((e) => ({ path: new URL(e.name).pathname, ms: Math.round(e.duration) }));
      return { wait: label, ms: Math.round(reached.startTime - from), calls };
    }, [name, since, step]));
  };
  await wait("code → reader", "submit_code", "reader");
  await offerReader(page, { model: "acr39u", pin: cardFor[operation], protocol: "t1" });
  await wait("reader chosen → card", "choose_reader", "card");
  await wait("card confirmed → new PIN", "confirm_card", "new_pin");
  if (operation === "change") await typeInto(page, "current_pin", demoPin);
  await typeInto(page, "new_pin", newPin);
  await typeInto(page, "repeat_pin", newPin);
  const sent = (await outbox()).length;
  await wait("PIN → SMS", "submit_pin", "confirm");
  await typeInto(page, "confirmation", await smsAfter(sent));
  await wait("SMS code → done", "submit_confirmation", "done");
  const frames = await stats();
  const memory = await page.evaluate(() => Module.HEAP8.length);
  await page.context().close();
  return {
    operation,
    app_ms: waits.reduce((sum, w) => sum + w.ms, 0),
    round_trips: waits.reduce((sum, w) => sum + w.calls.length, 0),
    waits,
    frames: frames.frames,
    render_ms: frames.render_ms,
    slowest_frame_ms: frames.slowest_frame_ms,
    heap_peak_bytes: frames.heap_peak,
    wasm_memory_bytes: memory,
  };
}

const browser = await launch();
const { app, appBare, floor } = await startups(browser);
const flows = [];
for (const operation of ["create", "change", "unblock"]) flows.push(await flow(browser, operation));
await browser.close();

const files = app.transfers.map((t) => ({ file: new URL(t.url).pathname, kind: kindOf(t.url), encoding: t.encoding, bytes: t.bytes }));
const sum = (kind) => files.filter((f) => f.kind === kind).reduce((n, f) => n + f.bytes, 0);
const appSplit = medians(app.splits);
const appBareSplit = medians(appBare.splits);
const floorSplit = medians(floor.splits);
const ratio = (split) => Math.round(split.total / floorSplit.total * 100) / 100;
console.log(JSON.stringify({
  server: baseUrl,
  files,
  app_bytes: sum("app"), // what an embedding page loads for the app, as sent
  demo_bytes: sum("demo"),
  page_bytes: sum("page"),
  floor_bytes: floor.transfers.filter((t) => /\.(js|wasm)$/.test(t.url)).reduce((n, t) => n + t.bytes, 0),
  loads,
  first_frame_ms: appSplit, // medians, each part on its own; the demo page
  bare_page_first_frame_ms: appBareSplit, // the app on a page as bare as the floor's
  floor_first_frame_ms: floorSplit,
  ratio_to_floor: ratio(appBareSplit),
  demo_page_ratio_to_floor: ratio(appSplit),
  flows,
}, null, 2));
