// The demo module's JS half on the app's side (src/platform/web/demo_module.cpp): the demo's
// virtual reader (Module.kamusmDemo, src/platform/web/demo_reader.js) comes from the demo
// module the page loads (Module.kamusmLoadDemo, web/app.js), or from this module itself when
// the demo reader is compiled in (the bridges' node check). Not named kamusmDemoModule: the
// loaders' top-level names are the page's globals, and that one is the demo module's factory.
mergeInto(LibraryManager.library, {
  $kamusmDemoApi: function () {
    if (Module['kamusmDemo']) return Promise.resolve(Module['kamusmDemo']);
    if (Module['kamusmLoadDemo']) return Module['kamusmLoadDemo']();
    return Promise.reject(new Error('this page has no demo module'));
  },

  kamusm_demo_module_preload__deps: ['$kamusmDemoApi'],
  kamusm_demo_module_preload: function () {
    kamusmDemoApi().catch(() => {}); // the virtual card's button reports a failure
  },

  kamusm_demo_reader_create__deps: ['$kamusmDemoApi', '$kamusmPromise', '$kamusmUsb'],
  kamusm_demo_reader_create: function (id, model, operation, protocol) {
    const options = { model: UTF8ToString(model), operation: UTF8ToString(operation),
                      protocol: UTF8ToString(protocol) };
    const device = kamusmDemoApi().then((demo) => demo.createReader(options));
    kamusmPromise.run(id, device, 0, (created, finish) =>
      finish(kamusmPromise.Resolved, kamusmUsb.register(created), null, ''));
  },
});
