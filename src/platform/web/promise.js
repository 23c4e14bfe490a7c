// The JS half of include/kamusm/platform/promise.hpp: reports how a bridge's Promise ended to
// the C++ awaiter waiting under a request id, and races a Promise against a timeout.
mergeInto(LibraryManager.library, {
  $kamusmPromise__deps: ['malloc', 'free'],
  $kamusmPromise: {
    Resolved: 0,
    Rejected: 1,
    TimedOut: 2,
    calls: null, // id → the call still running for it (made on first use: library objects are copied as source)

    // Hands the outcome to C++: `bytes` (a Uint8Array or null) and `text` are copied in.
    settle: function (id, kind, number, bytes, text) {
      const size = bytes ? bytes.length : 0;
      const data = size ? _malloc(size) : 0;
      if (size) HEAPU8.set(bytes, data);
      const textSize = lengthBytesUTF8(text || '') + 1;
      const textPointer = _malloc(textSize);
      stringToUTF8(text || '', textPointer, textSize);
      try {
        _kamusm_promise_settled(id, kind, number, data, size, textPointer);
      } finally {
        if (data) _free(data);
        _free(textPointer);
      }
    },

    // "<name>: <message>" for a rejection reason (DOMException, TypeError or anything else).
    errorText: function (error) {
      const name = (error && error.name) || 'Error';
      const message = (error && error.message) || String(error);
      return name + ': ' + message;
    },

    // Settles `id` once: from `promise` via `report(value, finish)`, or TimedOut after
    // `timeoutMs` (0: no limit). Returns the call's `finish`, which later settles nothing twice.
    run: function (id, promise, timeoutMs, report) {
      const call = { done: false, timer: 0 };
      call.finish = (kind, number, bytes, text) => {
        if (call.done) return;
        call.done = true;
        clearTimeout(call.timer);
        kamusmPromise.calls.delete(id);
        kamusmPromise.settle(id, kind, number, bytes, text);
      };
      if (!kamusmPromise.calls) kamusmPromise.calls = new Map();
      kamusmPromise.calls.set(id, call);
      if (timeoutMs > 0) call.timer = setTimeout(() => call.finish(kamusmPromise.TimedOut, 0, null, ''), timeoutMs);
      promise.then(
        (value) => { if (!call.done) report(value, call.finish); },
        (error) => call.finish(kamusmPromise.Rejected, 0, null, kamusmPromise.errorText(error)));
      return call;
    },

    // The C++ side stopped waiting (its task was cancelled): the call ends as after a timeout,
    // so that what the Promise still brings (a late IN transfer) is kept as after one.
    abandon: function (id) {
      const call = kamusmPromise.calls && kamusmPromise.calls.get(id);
      if (!call) return;
      call.done = true;
      clearTimeout(call.timer);
      kamusmPromise.calls.delete(id);
    },

    // A Promise for `start()`, which may also throw synchronously.
    attempt: function (start) {
      try {
        return Promise.resolve(start());
      } catch (error) {
        return Promise.reject(error);
      }
    },
  },

  kamusm_promise_abandon__deps: ['$kamusmPromise'],
  kamusm_promise_abandon: function (id) {
    kamusmPromise.abandon(id);
  },
});
