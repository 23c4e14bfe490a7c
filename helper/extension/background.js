// The extension's service worker: holds one native messaging port to the KamuSM card helper
// (kamusm-pcsc-host) for each page that uses it, and relays the page's requests and the host's
// answers unchanged (their shape: src/helper/protocol.hpp). It serves only allowed origins, and
// starts the host only when a page asks for a context.
"use strict";

const hostName = "tr.gov.kamusm.pcsc_helper";
const portName = "kamusm-pcsc";
const builtInOrigins = ["https://onlineislemler.kamusm.gov.tr"];
const loopbackOrigin = /^http:\/\/(127\.0\.0\.1|localhost)(:\d{1,5})?$/;

// Chrome's words when the host cannot be started or stops, and what the page is told.
const hostEnds = [
  { pattern: /not found/i, reason: "not-installed" },
  { pattern: /forbidden/i, reason: "not-installed" }, // installed without this extension's id
  { pattern: /.*/, reason: "exited" },
];

// The administrator's policy (chrome.storage.managed), else the built-in list. Chrome's policy
// service may take seconds to answer, or never answer in some setups (headless Chromium on
// Linux): until it has, the built-in settings apply.
const policyKeys = ["AllowedOrigins", "AllowDemoOrigins"];
let managed = {};
const readPolicy = () => chrome.storage.managed.get(policyKeys).then((values) => { managed = values; }, () => {});
const policyAnswered = Promise.race([readPolicy(), new Promise((done) => setTimeout(done, 1000))]);
chrome.storage.onChanged.addListener((changes, area) => { if (area === "managed") readPolicy(); });

async function policy() {
  await policyAnswered;
  return {
    origins: Array.isArray(managed.AllowedOrigins) ? managed.AllowedOrigins : builtInOrigins,
    demo: managed.AllowDemoOrigins !== false,
  };
}

// A page of the KamuSM origin (or one the policy names), or the reference server's demo on
// this computer: only programs on this computer serve a loopback origin, and those can reach
// PC/SC without us.
async function allowed(origin, demoServer) {
  const { origins, demo } = await policy();
  return origins.includes(origin) || (demo && demoServer === true && loopbackOrigin.test(origin));
}

function relay(page) {
  let host = null;
  const startHost = () => {
    host = chrome.runtime.connectNative(hostName);
    host.onMessage.addListener((answer) => page.postMessage({ kind: "answer", answer }));
    host.onDisconnect.addListener(() => {
      const message = chrome.runtime.lastError ? chrome.runtime.lastError.message : "the helper stopped";
      const { reason } = hostEnds.find((end) => end.pattern.test(message));
      host = null;
      page.postMessage({ kind: "host-gone", reason, message });
    });
  };
  page.onMessage.addListener((message) => {
    if (!message || message.kind !== "request" || typeof message.request !== "object") return;
    if (!host) {
      // A new host knows none of the handles of one that stopped: the page starts over with
      // establishContext, and anything else is answered as the stopped host's.
      if (message.request.method !== "establishContext") {
        page.postMessage({ kind: "answer", answer: { id: message.request.id,
          error: { name: "helper-exited", message: "the helper stopped; its contexts are gone" } } });
        return;
      }
      startHost();
    }
    host.postMessage(message.request);
  });
  // The page is gone (closed, reloaded): the host sees its input end, resets every card, exits.
  page.onDisconnect.addListener(() => {
    if (host) host.disconnect();
    host = null;
  });
}

chrome.runtime.onConnect.addListener((page) => {
  if (page.name !== portName || !page.sender || page.sender.id !== chrome.runtime.id) {
    page.disconnect();
    return;
  }
  // The first message says whether the page's server reports demo mode (see content.js).
  page.onMessage.addListener(function hello(message) {
    page.onMessage.removeListener(hello);
    allowed(page.sender.origin, message && message.demoServer).then((ok) => {
      if (!ok) {
        page.postMessage({ kind: "refused" });
        page.disconnect();
        return;
      }
      relay(page);
      page.postMessage({ kind: "welcome", version: chrome.runtime.getManifest().version });
    });
  });
});
