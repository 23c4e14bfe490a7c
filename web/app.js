// Loader glue for the KamuSM PIN app: starts kamusm_app.js on the page's #canvas, keeps the
// accessible mirror (#app-a11y) in step with the canvas and offers window.kamusmPin.
//
// Embedding (see web/embed.html): the page includes this script after the app's container and
// passes what it knows as data attributes:
//   data-verification-code  the 15-digit code the page issued (optional: typed otherwise)
//   data-code-expires-in    its validity in seconds
//   data-api-base           the backend's base URL ("" or absent: the page's own origin)
//   data-demo-reader        the virtual reader model of the demo ("acr39u", "connect2sign" …)
//   data-helper-downloads   the folder of the desktop helper's installers ("downloads/")
//   data-help-page          the help page the alerts link to ("help.html"; "" for none)
//   data-kiosk              present on a public terminal's page (shell/)
//   data-app-integrity      SRI hash of kamusm_app.js ("sha384-…"; tests/stamp-integrity.sh)
//   data-wasm-integrity     SRI hash of kamusm_app.wasm, checked by fetch()
//   data-demo-integrity     SRI hashes of the demo module, kamusm_demo.js and kamusm_demo.wasm,
//   data-demo-wasm-integrity  loaded only when the backend is in demo mode
// or later calls window.kamusmPin.setVerificationCode(code, expiresIn).
//
// Trusted Types: the pages run with require-trusted-types-for 'script'. The only script URLs
// this file makes are the app's own and the demo module's, through the "kamusm-loader" policy,
// which accepts nothing else.
//
// Start-up, as performance marks (tests/browser/measure.mjs): kamusm-start (this file runs and
// starts the wasm download and its streaming compilation before the loader kamusm_app.js is
// even asked for), kamusm-compiled, kamusm-instantiated, kamusm-runtime-ready (just before
// main()), kamusm-first-frame (the app drew its first frame).
(function () {
  "use strict";
  performance.mark("kamusm-start");
  const mirror = document.getElementById("app-a11y");
  const script = document.currentScript;
  const base = new URL(".", script ? script.src : location.href);
  const data = script ? script.dataset : {};

  // The wasm is fetched here rather than by kamusm_app.js, so that fetch() checks its hash, and
  // compiled while it streams in, while the loader itself is still on its way.
  function compileStreaming(file, integrity) {
    const response = fetch(new URL(file, base).href, { integrity: integrity || "", credentials: "same-origin" });
    return WebAssembly.compileStreaming(response);
  }
  const appModule = compileStreaming("kamusm_app.wasm", data.wasmIntegrity);
  appModule.then(() => performance.mark("kamusm-compiled"), () => {});
  let state = null;
  let running = false;
  let pendingCode = null;

  // Text into the app: copied into wasm memory for the call, then overwritten with zeros, so a
  // PIN typed into the mirror does not linger in the heap.
  function withString(text, call) {
    const size = Module.lengthBytesUTF8(text) + 1;
    const pointer = Module._malloc(size);
    Module.stringToUTF8(text, pointer, size);
    try {
      call(pointer);
    } finally {
      Module.HEAPU8.fill(0, pointer, pointer + size);
      Module._free(pointer);
    }
  }

  function element(tag, text, attributes) {
    const node = document.createElement(tag);
    if (text) node.textContent = text;
    for (const [name, value] of Object.entries(attributes || {})) node.setAttribute(name, value);
    return node;
  }

  // The mirror's parts, each replaced only when its own data changed: the status region is
  // announced when its text changes, the countdown is not announced every second.
  // In the order the canvas draws them: what is wrong right under the title.
  const parts = {
    heading: element("h2", null, { tabindex: "-1" }),
    warning: element("div", null, { role: "alertdialog", class: "warning" }),
    alert: element("p", null, { role: "alert", class: "alert" }),
    paragraphs: element("div", null, { class: "paragraphs" }),
    facts: element("dl"),
    fields: element("div", null, { class: "fields" }),
    status: element("p", null, { role: "status", "aria-live": "polite" }),
    timer: element("p", null, { class: "timer", "aria-live": "off" }),
    progress: element("progress", null, { max: "1" }),
    notes: element("ul", null, { class: "notes" }),
    actions: element("div", null, { class: "actions" }),
    keypad: element("div", null, { class: "keypad", role: "group" }),
  };
  mirror.removeAttribute("aria-live");
  mirror.replaceChildren(...Object.values(parts));
  const shown = {};
  const rows = new Map(); // field id → its row, kept across updates so typing is not lost

  function press(button) {
    Module._kamusm_a11y_press(button.action, button.value || 0);
  }

  function buttonNode(button) {
    const node = element("button", button.label, { type: "button", "data-action": button.id });
    if (button.id === "keypad_digit") node.dataset.value = String(button.value);
    node.disabled = !button.enabled;
    node.addEventListener("click", () => press(button));
    return node;
  }

  // A PIN field offers nothing to the clipboard and takes nothing from it.
  const clipboardEvents = ["copy", "cut", "paste", "drop"];

  // One labelled input with its hint, kept while its field stays on the screen, so that typing
  // and the focus survive every update.
  function createRow(id) {
    const input = element("input", null, { id: `kamusm-${id}`, autocomplete: "off", spellcheck: "false" });
    const label = element("label", null, { for: input.id });
    const hint = element("small", null, { id: `kamusm-${id}-hint` });
    input.setAttribute("aria-describedby", hint.id);
    input.addEventListener("input", () => {
      if (input.dataset.numeric === "true") input.value = input.value.replace(/\D/g, "");
      withString(input.value, (text) => Module._kamusm_a11y_input(Number(input.dataset.field), text));
    });
    input.addEventListener("focus", () => Module._kamusm_a11y_focus(Number(input.dataset.field)));
    input.addEventListener("keydown", (event) => {
      if (event.key !== "Enter") return;
      const primary = screenButtons.find((button) => button.primary && button.enabled);
      if (primary) press(primary);
    });
    for (const type of clipboardEvents) {
      input.addEventListener(type, (event) => { if (input.dataset.secret === "true") event.preventDefault(); });
    }
    const row = element("div", null, { class: "field" });
    row.append(label, input, hint);
    return { row, label, input, hint };
  }

  function updateRow({ label, input, hint }, field) {
    label.textContent = field.label;
    hint.textContent = field.hint;
    input.dataset.field = String(field.field);
    input.dataset.secret = String(field.secret);
    input.dataset.numeric = String(field.numeric);
    const type = field.secret && !field.shown ? "password" : "text";
    if (input.type !== type) input.type = type;
    input.inputMode = field.numeric ? "numeric" : "text";
    if (field.maxLength) input.maxLength = field.maxLength;
    // The app's text wins for plain fields; a secret field is only ever cleared from the app.
    if (field.secret) {
      if (field.length === 0 && input.value) input.value = "";
    } else if (input.value !== field.value) {
      input.value = field.value;
    }
  }

  function renderFields(fields) {
    for (const [id, row] of rows) {
      if (!fields.some((field) => field.id === id)) {
        row.input.value = "";
        rows.delete(id);
      }
    }
    for (const field of fields) {
      if (!rows.has(field.id)) rows.set(field.id, createRow(field.id));
      updateRow(rows.get(field.id), field);
    }
    const order = fields.map((field) => rows.get(field.id).row);
    const same = order.length === parts.fields.children.length &&
      order.every((row, index) => parts.fields.children[index] === row);
    if (!same) parts.fields.replaceChildren(...order);
  }

  const renderers = {
    title: (title) => { parts.heading.textContent = title; },
    paragraphs: (list) => parts.paragraphs.replaceChildren(...list.map((text) => element("p", text))),
    facts: (list) => parts.facts.replaceChildren(...list.flatMap((fact) => [element("dt", fact.label), element("dd", fact.value)])),
    fields: renderFields,
    status: (text) => { parts.status.textContent = text; },
    timer: (text) => { parts.timer.textContent = text; parts.timer.hidden = !text; },
    progress: (value) => {
      parts.progress.hidden = value === null;
      if (value !== null) parts.progress.value = value;
    },
    alert: (text) => { parts.alert.textContent = text; parts.alert.hidden = !text; },
    // The help page's section for the alert (its button opens it).
    help: (anchor) => {
      if (anchor) parts.alert.dataset.help = anchor;
      else delete parts.alert.dataset.help;
    },
    warning: (text) => { parts.warning.textContent = text; parts.warning.hidden = !text; },
    notes: (list) => parts.notes.replaceChildren(...list.map((text) => element("li", text))),
    buttons: (list) => parts.actions.replaceChildren(...list.map(buttonNode)),
    keypad: (list) => {
      parts.keypad.replaceChildren(...list.map(buttonNode));
      parts.keypad.hidden = list.length === 0;
    },
  };
  let screenButtons = [];

  // Updates the mirror from the screen the app draws; the keyboard focus stays on the same
  // control, or moves to the heading when a new step begins.
  function renderScreen(screen) {
    const active = document.activeElement;
    const focusedAction = active && mirror.contains(active) ? active.dataset.action : null;
    const newStep = mirror.dataset.step !== screen.step;
    mirror.lang = screen.lang;
    mirror.dataset.step = screen.step;
    screenButtons = screen.buttons;
    for (const [name, render] of Object.entries(renderers)) {
      const json = JSON.stringify(screen[name]);
      if (shown[name] === json) continue;
      shown[name] = json;
      render(screen[name]);
    }
    if (!focusedAction) return;
    const again = mirror.querySelector(`[data-action="${focusedAction}"]`);
    if (again) again.focus();
    else if (newStep) parts.heading.focus();
  }

  // Clipboard text pasted while no field of the page has the focus goes to the app, which
  // takes it only for the verification code.
  document.addEventListener("paste", (event) => {
    const target = event.target;
    if (target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement) return;
    const text = event.clipboardData ? event.clipboardData.getData("text") : "";
    if (text && running) Module.kamusmPaste(text);
  });

  // The reader is given back as soon as the page goes away.
  window.addEventListener("pagehide", () => { if (running) Module._kamusm_page_hide(); });

  function setVerificationCode(code, expiresIn) {
    if (!running) {
      pendingCode = [String(code), Number(expiresIn) || 0];
      return;
    }
    withString(String(code), (pointer) => Module._kamusm_set_verification_code(pointer, Number(expiresIn) || 0));
  }

  const config = {
    apiBase: data.apiBase || "",
    verificationCode: data.verificationCode || "",
  };
  if (data.codeExpiresIn) config.codeExpiresIn = Number(data.codeExpiresIn);
  if (data.demoReader) config.demoReader = data.demoReader;
  // Where the desktop helper's installers are: the app's own folder's downloads/ unless given.
  config.helperDownloads = new URL(data.helperDownloads || "downloads/", base).href;
  if (data.helpPage !== "") config.helpPage = new URL(data.helpPage || "help.html", base).href;
  config.kiosk = data.kiosk !== undefined;

  window.Module = {
    kamusmConfig: config,
    kamusmRenderScreen: renderScreen,
    kamusmSetState: (next) => {
      // Each step the app reaches, for measure.mjs's time per operation.
      if (!state || state.step !== next.step) performance.mark(`kamusm-step-${next.step}`);
      state = next;
    },
    kamusmTextSize: (pixels) => { mirror.dataset.textPx = String(pixels); },
    kamusmPaste: (text) => withString(String(text), (pointer) => Module._kamusm_paste(pointer)),
    locateFile: (path) => new URL(path, base).href,
    printErr: (text) => console.error(text),
    kamusmLoadDemo: loadDemo,
    instantiateWasm: (imports, receiveInstance) => {
      appModule
        .then((module) => WebAssembly.instantiate(module, imports).then((instance) => {
          performance.mark("kamusm-instantiated");
          receiveInstance(instance, module);
        }))
        .catch((error) => console.error(`kamusm: the app could not start: ${error.message}`));
      return {}; // the exports come through receiveInstance
    },
    onRuntimeInitialized: () => performance.mark("kamusm-runtime-ready"),
    // After main(): the app exists and takes calls.
    postRun: [() => {
      running = true;
      if (pendingCode) setVerificationCode(...pendingCode);
    }],
  };

  window.kamusmPin = {
    // {"step": "<id>", "error": null | "<code>"} (interfaces.md); null until the app runs.
    state: () => (state ? { ...state } : null),
    // The page issued (another) verification code.
    setVerificationCode,
    // The demo's virtual reader as a fake USBDevice, for tests that bring their own
    // navigator.usb: {model, pin: "not_set" | "set" | "blocked", protocol: "t1" | "t0"}; and
    // its virtual card alone, answering APDUs, for tests that bring their own
    // navigator.smartCard: {pin, protocol} → {atr(), transmit(), powerCycle(), state(), release()}.
    demo: {
      createReader: (options) => loadDemo().then((demo) => demo.createReader(options)),
      createCard: (options) => loadDemo().then((demo) => demo.createCard(options)),
    },
    // The desktop helper, where the KamuSM extension has announced it (present()), in
    // navigator.smartCard's shape: establishContext() → SmartCardContext. Any script of the page could reach the
    // extension's relay as well; the helper itself refuses every command that uses the PUK.
    helper: {
      present: () => !!(window.Module && Module.kamusmHelperPresent && Module.kamusmHelperPresent()),
      establishContext: () => Module.kamusmHelper.establishContext(),
    },
  };

  const appUrl = new URL("kamusm_app.js", base).href;
  const demoUrl = new URL("kamusm_demo.js", base).href;
  // Browsers without Trusted Types take the plain URL.
  const loaderPolicy = window.trustedTypes
    ? window.trustedTypes.createPolicy("kamusm-loader", {
      createScriptURL: (url) => {
        if (url !== appUrl && url !== demoUrl) throw new TypeError(`kamusm-loader: refusing ${url}`);
        return url;
      },
    })
    : { createScriptURL: (url) => url };

  // Adds <script src=url> (checked against its hash when the page gives one); resolves once run.
  function loadScript(url, integrity) {
    return new Promise((resolve, reject) => {
      const loader = document.createElement("script");
      if (integrity) {
        loader.integrity = integrity;
        loader.crossOrigin = "anonymous";
      }
      loader.src = loaderPolicy.createScriptURL(url);
      loader.async = true;
      loader.onload = resolve;
      loader.onerror = () => reject(new Error(`kamusm: ${url} could not be loaded`));
      document.body.appendChild(loader);
    });
  }

  // The demo module (the virtual reader and card), once, when the backend is in demo mode or a
  // test asks for a virtual reader: Module.kamusmDemo of its own module instance.
  let demoModule = null;
  function loadDemo() {
    if (!demoModule) {
      const wasm = compileStreaming("kamusm_demo.wasm", data.demoWasmIntegrity);
      wasm.catch(() => {}); // reported by instantiateWasm, or not needed when the script failed
      demoModule = loadScript(demoUrl, data.demoIntegrity)
        .then(() => window.kamusmDemoModule({
          kamusmConfig: config,
          printErr: (text) => console.error(text),
          instantiateWasm: (imports, receiveInstance) => {
            wasm.then((module) => WebAssembly.instantiate(module, imports)
              .then((instance) => receiveInstance(instance, module)))
              .catch((error) => console.error(`kamusm: the demo module could not start: ${error.message}`));
            return {};
          },
        }))
        .then((demo) => demo.kamusmDemo);
      demoModule.catch(() => { demoModule = null; }); // asked again, it is loaded again
    }
    return demoModule;
  }

  loadScript(appUrl, data.appIntegrity)
    .then(() => window.kamusmApp(window.Module))
    .catch((error) => console.error(error.message));
})();
