// The desktop helper end to end, with nothing faked: headless Chromium with the unpacked KamuSM
// extension (build/helper/extension), the native host registered for the test's browser profile
// (helper/install-linux.sh --user-data-dir), the real pcscd with vsmartcard's vpcd reader, and
// the virtual card served to it (kamusm-vpcd-card). tests/helper/run.sh starts pcscd and runs
// this through tests/browser/run.sh. Through the mirror, as a keyboard user: the three
// operations; the card pulled out as RESET RETRY COUNTER goes out; the helper not installed; the
// host killed in the middle of an unblock; an origin the extension does not serve; a page that
// sends a PUK command itself.
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { chromium } from "playwright-core";
import { Card, Host } from "../helper/host-client.mjs";
import { act, baseUrl, mirror, state, typeInto, until, untilStep, watchContract } from "./harness.mjs";
import { demoPin, holdAuthorization, newPin, outbox, pageIssuesCode, smsAfter } from "./flows.mjs";

const root = resolve(new URL("../..", import.meta.url).pathname);
const extension = join(root, "build/helper/extension");
// The host the browser starts: the release build that the installers carry.
const host = join(root, "build/helper/kamusm-pcsc-host");
const reader = "Virtual PCD 00 00";
const startPin = { create: "not-set", change: "set", unblock: "blocked" };
const newPinHex = Buffer.from(newPin).toString("hex").toUpperCase();

// A browser profile with the extension loaded and, unless `installed` is false, the host
// registered for it. Returns { context, profile, stop }.
async function launchWithHelper({ installed = true } = {}) {
  const profile = mkdtempSync(join(tmpdir(), "kamusm-helper-profile-"));
  if (installed) {
    execFileSync("bash", [join(root, "helper/install-linux.sh"), "--user-data-dir", profile,
                          "--program-dir", join(profile, "bin"), "--host", host]);
  }
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    args: [
      "--no-sandbox", "--use-angle=swiftshader", "--enable-unsafe-swiftshader",
      "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
      `--disable-extensions-except=${extension}`, `--load-extension=${extension}`,
    ],
  });
  const stop = async () => {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  };
  return { context, profile, stop };
}

async function openPage(context, url = baseUrl) {
  const page = await context.newPage();
  const errors = [];
  watchContract(page, errors);
  page.on("pageerror", (error) => errors.push(error));
  await page.goto(url);
  await until(page, () => performance.getEntriesByName("kamusm-first-frame").length > 0);
  return { page, errors };
}

// The helper's host processes started for `profile` (their program is in its bin/).
function hostProcesses(profile) {
  const program = join(profile, "bin", "kamusm-pcsc-host");
  return readdirSync("/proc").filter((pid) => /^\d+$/.test(pid)).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0")[0] === program;
    } catch {
      return false; // gone meanwhile
    }
  });
}

// Whether pcscd shows a card in the reader now (asked through a host of the test's own).
async function untilCard(present) {
  const watcher = new Host();
  try {
    const { context } = await watcher.call({ method: "establishContext" });
    await watcher.untilCard(context, present);
  } finally {
    await watcher.close();
  }
}

// The virtual card for `operation`, enrolled at the demo server, once pcscd sees it.
async function cardFor(operation, options = []) {
  const card = new Card(["--server", baseUrl, "--pin", startPin[operation], "--verbose", ...options]);
  await untilCard(true);
  return card;
}

// Stops the card (its report: APDUs and PUK commands seen) once pcscd has seen it go, so that
// the next test's card is not taken for this one.
async function stopCard(card) {
  const report = await card.stop();
  await untilCard(false);
  return report;
}

// From the verification code to the card step over the helper.
async function toCardStep(page, operation) {
  await untilStep(page, "code", null);
  await pageIssuesCode(page, operation);
  await act(page, "submit_code");
  await untilStep(page, "card", null, 40000);
  assert.equal((await state(page)).transport, "helper", "the extension is here: the app uses the helper");
  const screen = await mirror(page);
  assert.ok(screen.text.some((line) => /işletim sistemi/.test(line)), screen.text.join(" | "));
}

async function toConfirm(page, operation) {
  await act(page, "confirm_card");
  await untilStep(page, "new_pin", null);
  if (operation === "change") await typeInto(page, "current_pin", demoPin);
  await typeInto(page, "new_pin", newPin);
  await typeInto(page, "repeat_pin", newPin);
  const sent = (await outbox()).length;
  await act(page, "submit_pin");
  await untilStep(page, "confirm", null);
  return smsAfter(sent);
}

async function confirm(page, sms) {
  await typeInto(page, "confirmation", sms);
  await act(page, "submit_confirmation");
}

// Until the extension has announced itself to the page (it asks the service worker first).
const untilHelper = (page) => until(page, () => window.kamusmPin.helper.present());

// What the card says of its PIN now, asked through the helper by a second page of its own.
async function pinStatus(context) {
  const { page } = await openPage(context);
  await untilHelper(page);
  const status = await page.evaluate(async (readerName) => {
    const pcsc = await window.kamusmPin.helper.establishContext();
    const { connection } = await pcsc.connect(readerName, "shared", { preferredProtocols: ["t1"] });
    const hex = async (bytes) => Array.from(new Uint8Array(await connection.transmit(new Uint8Array(bytes))),
      (b) => b.toString(16).padStart(2, "0")).join("").toUpperCase();
    await hex([0x00, 0xa4, 0x04, 0x0c, 0x08, 0xf0, 0x4b, 0x41, 0x4d, 0x55, 0x53, 0x4d, 0x01]);
    const answer = await hex([0x00, 0x20, 0x00, 0x81]);
    await connection.disconnect("reset");
    return answer;
  }, reader);
  await page.close();
  return status;
}

let helper;
before(async () => { helper = await launchWithHelper(); });
after(async () => {
  await helper?.stop();
  await Host.stopAll();
});

for (const operation of ["create", "change", "unblock"]) {
  test(`${operation} through the helper, the extension and pcscd`, async () => {
    const card = await cardFor(operation);
    let report;
    try {
      const { page, errors } = await openPage(helper.context);
      await toCardStep(page, operation);
      const sms = await toConfirm(page, operation);
      await confirm(page, sms);
      await untilStep(page, "done", null, 40000);
      assert.equal((await mirror(page)).notes.length, 4);
      assert.deepEqual(errors, []);
      await page.close();
      assert.equal(await pinStatus(helper.context), "63C3", "the new PIN is set with 3 tries, not verified");
    } finally {
      report = await stopCard(card); // a failure above stays the one reported
    }
    assert.equal(report.puk, 0, "no PUK command reached the card");
    if (operation !== "change") assert.match(card.output, new RegExp(`APDU 00 2C 02 81`));
    assert.ok(!card.output.includes(newPinHex), "the card server's log never shows the PIN");
  });
}

test("the card pulled out as RESET RETRY COUNTER goes out: the PIN stays blocked, the screen says so", async () => {
  // Where RESET RETRY COUNTER comes among the APDUs: counted on a whole run first.
  const counting = await cardFor("unblock");
  const { page } = await openPage(helper.context);
  await toCardStep(page, "unblock");
  await confirm(page, await toConfirm(page, "unblock"));
  await untilStep(page, "done", null, 40000);
  await page.close();
  await stopCard(counting);
  const apdus = counting.output.split("\n").filter((line) => /: APDU /.test(line));
  const resetAt = apdus.findIndex((line) => /: APDU 00 2C/.test(line)) + 1;
  assert.ok(resetAt > 0, "the card saw RESET RETRY COUNTER");

  const card = await cardFor("unblock", ["--pull-at-apdu", String(resetAt)]);
  try {
    const again = await openPage(helper.context);
    await toCardStep(again.page, "unblock");
    await confirm(again.page, await toConfirm(again.page, "unblock"));
    const shown = await untilStep(again.page, "reader", "card_removed", 40000);
    assert.equal(shown.transport, "helper");
    const alert = (await mirror(again.page)).alert;
    assert.match(alert, /PIN/, alert);
    await again.page.close();
    card.insert();
    await untilCard(true); // pcscd polls the vpcd reader: asked before it sees the card, it says none
    assert.equal(await pinStatus(helper.context), "6983", "the PIN stayed blocked");
  } finally {
    assert.equal((await stopCard(card)).puk, 0);
  }
});

test("the host killed in the middle of an unblock: the screen says the helper stopped, a new one takes over", async () => {
  const card = await cardFor("unblock");
  try {
    const { page } = await openPage(helper.context);
    await toCardStep(page, "unblock");
    const sms = await toConfirm(page, "unblock");
    // The server's authorization held back: the card has its challenge, the host is killed.
    const release = await holdAuthorization(page);
    await confirm(page, sms);
    await untilStep(page, "working", null);
    const hosts = hostProcesses(helper.profile);
    assert.ok(hosts.length >= 1, "a host runs for the page");
    for (const pid of hosts) process.kill(Number(pid), "SIGKILL");
    release();
    const shown = await untilStep(page, "reader", "helper_stopped", 40000);
    assert.equal(shown.transport, "helper");
    assert.match((await mirror(page)).alert, /yardımcı/);
    // "Kart okuyucu seç" starts a new host, which reads the card again; the operation that was
    // cut short spent its session, so a new code is asked for, and with it the card step comes.
    await act(page, "choose_reader");
    await untilStep(page, "code", "new_code_needed", 40000);
    await pageIssuesCode(page, "unblock");
    await act(page, "submit_code");
    assert.equal((await untilStep(page, "card", null, 40000)).transport, "helper");
    await page.close();
    assert.equal(await pinStatus(helper.context), "6983", "the PIN stayed blocked");
  } finally {
    assert.equal((await stopCard(card)).puk, 0);
  }
});

test("a page that sends a PUK command itself: the host refuses it, the card never sees it", async () => {
  const card = await cardFor("unblock");
  try {
    const { page } = await openPage(helper.context);
    await untilHelper(page);
    const outcome = await page.evaluate(async (readerName) => {
      const pcsc = await window.kamusmPin.helper.establishContext();
      const { connection } = await pcsc.connect(readerName, "shared", { preferredProtocols: ["t1"] });
      const results = [];
      // RESET RETRY COUNTER with PUK 12345678 and a new PIN; VERIFY of the PUK.
      for (const command of [[0x00, 0x2c, 0x00, 0x81, 0x0e, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38,
                              0x35, 0x38, 0x32, 0x30, 0x33, 0x39],
                             [0x00, 0x20, 0x00, 0x82, 0x08, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38]]) {
        try {
          await connection.transmit(new Uint8Array(command));
          results.push("answered");
        } catch (error) {
          results.push(`${error.name}: ${error.message}`);
        }
      }
      await connection.disconnect("reset");
      return results;
    }, reader);
    assert.equal(outcome.length, 2);
    for (const result of outcome) assert.match(result, /^NotAllowedError: .*PUK/);
    await page.close();
  } finally {
    const report = await stopCard(card);
    assert.equal(report.puk, 0);
    assert.equal(report.apdus, 0, "nothing reached the card");
  }
});

test("the extension without its program: the app says to install the helper and offers it", async () => {
  const bare = await launchWithHelper({ installed: false });
  try {
    const { page } = await openPage(bare.context);
    await untilStep(page, "code", null);
    await pageIssuesCode(page, "change");
    await act(page, "submit_code");
    const shown = await untilStep(page, "reader", "helper_missing", 40000);
    assert.equal(shown.transport, "helper");
    const screen = await mirror(page);
    assert.match(screen.alert, /kart yardımcısı kurulu değil/);
    assert.ok(screen.actions.includes("download_helper"), screen.actions.join(" "));
    assert.match(screen.buttons.join(" | "), /Kart yardımcısını indir \(Linux\)/);
    // The button downloads the Debian package the site offers.
    const [download] = await Promise.all([page.waitForEvent("download"), act(page, "download_helper")]);
    assert.equal(download.suggestedFilename(), "kamusm-pcsc-helper_amd64.deb");
    assert.equal(await download.failure(), null);
  } finally {
    await bare.stop();
  }
});

test("an origin the extension does not serve hears nothing from it", async () => {
  // The reference server in production mode on this computer: a loopback page that is not the
  // demo. The extension stays silent there, whatever the page posts.
  const dir = mkdtempSync(join(tmpdir(), "kamusm-production-"));
  writeFileSync(join(dir, "master.key"), "2B7E151628AED2A6ABF7158809CF4F3C\n");
  execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", join(dir, "ca.key"),
                           "-subj", "/CN=Test CA", "-days", "1", "-outform", "DER", "-out", join(dir, "ca.der")],
               { stdio: "ignore" });
  const server = spawn(process.env.KAMUSM_SERVER, ["--port", "0", "--data-dir", join(dir, "data"),
    "--master-key-file", join(dir, "master.key"), "--ca-file", join(dir, "ca.der"),
    "--static-dir", process.env.KAMUSM_WEB], { stdio: ["ignore", "pipe", "pipe"] });
  try {
    let log = "";
    const url = await new Promise((done, fail) => {
      const read = (chunk) => {
        log += chunk;
        const found = log.match(/listening on (http:\/\/\S+)/);
        if (found) done(found[1]);
      };
      server.stdout.on("data", read);
      server.stderr.on("data", read);
      server.on("exit", () => fail(new Error(`the server stopped: ${log}`)));
    });
    const before = hostProcesses(helper.profile);
    const { page } = await openPage(helper.context, url);
    const heard = await page.evaluate(() => new Promise((done) => {
      const messages = [];
      window.addEventListener("message", (event) => {
        if (event.data && event.data.from === "extension") messages.push(event.data.kind);
      });
      window.postMessage({ channel: "kamusm-pcsc-helper", from: "page", kind: "probe" }, location.origin);
      window.postMessage({ channel: "kamusm-pcsc-helper", from: "page", kind: "request",
                           request: { id: 1, method: "establishContext" } }, location.origin);
      setTimeout(() => done(messages), 1500);
    }));
    assert.deepEqual(heard, []);
    const started = hostProcesses(helper.profile).filter((pid) => !before.includes(pid));
    assert.deepEqual(started, [], "no host was started for it");
    await page.close();
  } finally {
    server.kill();
    rmSync(dir, { recursive: true, force: true });
  }
});
