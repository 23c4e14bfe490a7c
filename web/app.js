// Loader glue for the KamuSM PIN app: starts kamusm_app.js on the page's #canvas, keeps the
// accessible mirror (#app-a11y) in step with the canvas and offers window.kamusmPin.
(function () {
  "use strict";
  performance.mark("kamusm-start");
  const canvas = document.getElementById("canvas");
  const mirror = document.getElementById("app-a11y");
  const script = document.currentScript;
  const base = new URL(".", script ? script.src : location.href);
  let state = null;

  // Keys meant for the page (links, the mirror's buttons, form fields) must not reach the
  // canvas: Emscripten's GLFW listens on window and swallows Tab and Backspace. This listener is
  // registered first, so it runs before GLFW's.
  for (const type of ["keydown", "keypress", "keyup"]) {
    window.addEventListener(type, (event) => {
      if (event.target !== canvas) event.stopImmediatePropagation();
    }, true);
  }

  function element(tag, text, attributes) {
    const node = document.createElement(tag);
    if (text) node.textContent = text;
    for (const [name, value] of Object.entries(attributes || {})) node.setAttribute(name, value);
    return node;
  }

  // Rebuilds the mirror from the screen the app draws; focus stays on the same action.
  function renderScreen(screen) {
    const focused = document.activeElement && mirror.contains(document.activeElement)
      ? document.activeElement.dataset.action : null;
    mirror.lang = screen.lang;
    mirror.dataset.step = screen.step;
    const nodes = [element("h2", screen.title)];
    for (const text of screen.paragraphs) nodes.push(element("p", text));
    if (screen.alert) nodes.push(element("p", screen.alert, { role: "alert", class: "alert" }));
    const actions = element("div", null, { class: "actions" });
    for (const button of screen.buttons) {
      const node = element("button", button.label, { type: "button", "data-action": button.id });
      node.addEventListener("click", () => Module._kamusm_a11y_press(button.action));
      actions.appendChild(node);
    }
    nodes.push(actions);
    mirror.replaceChildren(...nodes);
    const again = focused && mirror.querySelector(`[data-action="${focused}"]`);
    if (again) again.focus();
  }

  window.Module = {
    canvas,
    kamusmRenderScreen: renderScreen,
    kamusmSetState: (next) => { state = next; },
    locateFile: (path) => new URL(path, base).href,
    printErr: (text) => console.error(text),
  };

  window.kamusmPin = {
    // {"step": "<id>", "error": null | "<code>"} (interfaces.md); null until the app runs.
    state: () => (state ? { ...state } : null),
  };

  const app = document.createElement("script");
  app.src = new URL("kamusm_app.js", base).href;
  app.async = true;
  document.body.appendChild(app);
})();
