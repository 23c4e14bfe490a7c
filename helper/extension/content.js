// The relay between the page and the extension's service worker, on the origins the manifest
// lists. It asks the service worker whether this origin may use the card helper; only then it
// tells the page that the helper is here and passes messages of the fixed shape both ways:
//   page → here: {channel: "kamusm-pcsc-helper", from: "page", kind: "probe" | "request", request}
//   here → page: {channel, from: "extension", kind: "checking"}  (a probe while it asks)
//                {channel, from: "extension", kind: "present", version}
//                {channel, from: "extension", kind: "answer", answer}
//                {channel, from: "extension", kind: "host-gone", reason: "not-installed" | "exited", message}
// Messages from other windows, frames or origins are ignored. Nothing is logged.
"use strict";

(() => {
  const channel = "kamusm-pcsc-helper";
  const origin = window.location.origin;
  let port = null;
  let version = null;
  let checking = true; // until the service worker has said whether this origin is served

  const toPage = (message) => window.postMessage({ channel, from: "extension", ...message }, origin);

  // A loopback page is served only if its server is the reference server in demo mode.
  async function demoServer() {
    if (!/^http:\/\/(127\.0\.0\.1|localhost)(:\d+)?$/.test(origin)) return false;
    try {
      const response = await fetch(`${origin}/api/v1/health`, { credentials: "omit", cache: "no-store" });
      return response.ok && (await response.json()).demo === true;
    } catch (error) {
      return false;
    }
  }

  function connect(demo) {
    return new Promise((resolve) => {
      const opened = chrome.runtime.connect({ name: "kamusm-pcsc" });
      opened.onMessage.addListener((message) => {
        if (message.kind === "welcome") {
          port = opened;
          version = message.version;
          resolve(true);
        } else if (message.kind === "refused") {
          resolve(false);
        } else if (message.kind === "answer" || message.kind === "host-gone") {
          toPage(message);
        }
      });
      opened.onDisconnect.addListener(() => {
        // The service worker went away (the browser stopped it): whatever ran is over for the
        // page; the next request opens a new port.
        if (port === opened) {
          port = null;
          toPage({ kind: "host-gone", reason: "exited", message: "the extension restarted" });
        }
        resolve(false);
      });
      opened.postMessage({ kind: "hello", demoServer: demo });
    });
  }

  // One connection attempt at a time; an origin refused once stays refused.
  let attempt = null;
  let refused = false;
  function ensurePort() {
    if (port) return Promise.resolve(true);
    if (refused) return Promise.resolve(false);
    if (!attempt) {
      attempt = demoServer().then(connect).then((ready) => {
        attempt = null;
        refused = !ready && !version;
        return ready;
      });
    }
    return attempt;
  }

  window.addEventListener("message", (event) => {
    const data = event.data;
    if (event.source !== window || event.origin !== origin) return;
    if (!data || data.channel !== channel || data.from !== "page") return;
    if (data.kind === "probe" && version) toPage({ kind: "present", version });
    else if (data.kind === "probe" && checking) toPage({ kind: "checking" });
    if (data.kind === "request" && data.request && typeof data.request === "object") {
      ensurePort().then((ready) => { if (ready) port.postMessage({ kind: "request", request: data.request }); });
    }
  });

  ensurePort().then((ready) => {
    checking = false;
    if (ready) toPage({ kind: "present", version });
  });
})();
