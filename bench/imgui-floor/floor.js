// Loads the floor (main.cpp) as web/app.js loads the app: the wasm fetched and compiled while it
// streams in, before the loader kamusm_floor.js (the next script tag) runs; the same marks.
"use strict";
performance.mark("kamusm-start");
const floorModule = WebAssembly.compileStreaming(fetch("kamusm_floor.wasm"));
floorModule.then(() => performance.mark("kamusm-compiled"), () => {});
var Module = {
  instantiateWasm: (imports, receiveInstance) => {
    floorModule
      .then((module) => WebAssembly.instantiate(module, imports).then((instance) => {
        performance.mark("kamusm-instantiated");
        receiveInstance(instance, module);
      }))
      .catch((error) => console.error(`floor: ${error.message}`));
    return {};
  },
  onRuntimeInitialized: () => performance.mark("kamusm-runtime-ready"),
};
