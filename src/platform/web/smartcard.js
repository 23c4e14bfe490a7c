// The JS half of the Web Smart Card bridge (src/platform/web/smartcard.cpp): the contexts and
// connections of navigator.smartCard (or of the desktop helper, which has its shape) in a table
// by handle, each call's Promise reported by request id.
// The API serves one operation at a time per context, so the calls on a context start one after
// another; a getStatusChange waiting there is aborted through its AbortSignal. APDUs are never
// logged, and the copies made of them are zeroed once the card has answered (PINs pass here).
mergeInto(LibraryManager.library, {
  $kamusmSmartCard__deps: ['$kamusmPromise'],
  $kamusmSmartCard__postset: 'kamusmSmartCard.init();',
  $kamusmSmartCard: {
    init: function () {
      // handle → {object, context: the context's own entry, transaction, disconnected}; a
      // context's entry also has queue (the Promise of its last call) and waits (the
      // getStatusChange calls in flight: {aborted, abort()}).
      this.entries = new Map();
      this.nextHandle = 1;
      this.calls = new Map(); // request id → {call, abandon}: what kamusm_sc_abort ends
    },
    register: function (object, context) {
      const handle = this.nextHandle++;
      const entry = { object: object, transaction: null, disconnected: false };
      entry.context = context || entry;
      if (!context) Object.assign(entry, { queue: Promise.resolve(), waits: new Set() });
      this.entries.set(handle, entry);
      return handle;
    },
    invalidState: function (message) {
      return new DOMException(message, 'InvalidStateError');
    },
    // A SmartCardError's name is "SmartCardError" whatever went wrong: its responseCode names it
    // for the C++ side ("removed-card: …"); other errors keep their own name.
    named: function (error) {
      if (error && typeof error.responseCode === 'string')
        return { name: error.responseCode, message: error.message || error.responseCode };
      return error;
    },
    // Settles `id` from `start(object, entry)`, started once the context's calls before it have
    // ended; a call given up meanwhile (timed out, cancelled) is not started at all. A
    // getStatusChange still waiting on the context refuses the call at once, as the API would.
    // `abandon()` runs when the C++ side gives up on the call. The call's `promise` settles when
    // the JS call has ended (or was refused).
    call: function (id, handle, timeoutMs, start, report, abandon) {
      const entry = this.entries.get(handle);
      const holder = {};
      let promise;
      if (!entry) {
        promise = Promise.reject(this.invalidState('no such smart card handle (released)'));
      } else if (Array.from(entry.context.waits).some((wait) => !wait.aborted)) {
        promise = Promise.reject(this.invalidState(
          'a getStatusChange is waiting on this context: connections need a context of their own'));
      } else {
        promise = entry.context.queue.then(() => {
          if (holder.call.done) throw new DOMException('given up before it started', 'AbortError');
          return start(entry.object, entry);
        });
        entry.context.queue = promise.then(() => {}, () => {});
      }
      holder.call = this.run(id, promise, timeoutMs, report, abandon);
      holder.call.promise = promise.then(() => {}, () => {});
      return holder.call;
    },
    // kamusmPromise.run with SmartCardErrors named by their code. The call stays findable by id
    // (for kamusm_sc_abort) until it is settled; one that times out is abandoned first, so that
    // C++, resumed by the settle, finds the context free.
    run: function (id, promise, timeoutMs, report, abandon) {
      const named = promise.catch((error) => { throw kamusmSmartCard.named(error); });
      const call = kamusmPromise.run(id, named, timeoutMs, report);
      if (call.done) return call;
      this.calls.set(id, { call: call, abandon: abandon });
      const finish = call.finish;
      call.finish = (kind, ...rest) => {
        kamusmSmartCard.calls.delete(id);
        if (kind === kamusmPromise.TimedOut && abandon && !call.done) abandon();
        finish(kind, ...rest);
      };
      return call;
    },
    reportDone: function (value, finish) {
      finish(kamusmPromise.Resolved, 0, null, '');
    },
    bytesOf: function (buffer) {
      return buffer ? new Uint8Array(buffer) : new Uint8Array(0);
    },
    // A connection the C++ side no longer holds: the transaction ended and the card reset.
    release: function (entry) {
      const transaction = entry.transaction;
      entry.transaction = null;
      let released = Promise.resolve();
      if (transaction) {
        transaction.end('reset');
        released = transaction.done.catch(() => {});
      }
      if (entry.disconnected) return released;
      entry.disconnected = true;
      return released.then(() => entry.object.disconnect('reset')).catch(() => {});
    },
  },

  kamusm_sc_supported__deps: ['$kamusmSmartCard'],
  kamusm_sc_supported: function () {
    return typeof navigator !== 'undefined' && !!navigator.smartCard;
  },

  // The C++ object is gone. A context's waits are aborted; a connection is released after the
  // calls still running on its context.
  kamusm_sc_forget__deps: ['$kamusmSmartCard'],
  kamusm_sc_forget: function (handle) {
    const entry = kamusmSmartCard.entries.get(handle);
    if (!entry) return;
    kamusmSmartCard.entries.delete(handle);
    if (entry.context === entry) {
      for (const wait of entry.waits) wait.abort();
      return;
    }
    const context = entry.context;
    context.queue = context.queue.then(() => kamusmSmartCard.release(entry));
  },

  // pagehide: every connection released (transaction ended, card reset) after the calls running
  // on its context; the entries stay, so that later calls fail InvalidStateError.
  kamusm_sc_release_all__deps: ['$kamusmSmartCard'],
  kamusm_sc_release_all: function () {
    for (const entry of kamusmSmartCard.entries.values()) {
      if (entry.context === entry) continue;
      entry.context.queue = entry.context.queue.then(() => kamusmSmartCard.release(entry));
    }
  },

  // The C++ side stops waiting for `id` (its task was cancelled) and settles it itself: the call
  // reports nothing more, and what it started is given up.
  kamusm_sc_abort__deps: ['$kamusmSmartCard'],
  kamusm_sc_abort: function (id) {
    const pending = kamusmSmartCard.calls.get(id);
    if (!pending) return;
    kamusmSmartCard.calls.delete(id);
    pending.call.done = true;
    if (pending.abandon) pending.abandon();
  },

  // `api`: 0 navigator.smartCard, 1 the desktop helper (helper.js), which has the same shape.
  kamusm_sc_establish__deps: ['$kamusmSmartCard', '$kamusmHelper'],
  kamusm_sc_establish: function (id, timeoutMs, api) {
    const smartCard = api === 1 ? kamusmHelper.smartCard : navigator.smartCard;
    const promise = kamusmPromise.attempt(() => smartCard.establishContext());
    kamusmSmartCard.run(id, promise, timeoutMs, (context, finish) =>
      finish(kamusmPromise.Resolved, kamusmSmartCard.register(context), null, ''));
  },

  // The reader names as a JSON array.
  kamusm_sc_list_readers__deps: ['$kamusmSmartCard'],
  kamusm_sc_list_readers: function (id, handle, timeoutMs) {
    kamusmSmartCard.call(id, handle, timeoutMs, (context) => context.listReaders(), (names, finish) =>
      finish(kamusmPromise.Resolved, names.length, null, JSON.stringify(Array.from(names))));
  },

  // `statesJson`: the SmartCardReaderStateIn sequence. Answered with the SmartCardReaderStateOut
  // sequence as JSON (answerToReset as an array of bytes). `apiTimeoutMs` (-1: none) goes to the
  // API, as PC/SC's own timeout (0: the states now); `timeoutMs` is the bridge's: it aborts the
  // wait and reports TimedOut.
  kamusm_sc_get_status_change__deps: ['$kamusmSmartCard'],
  kamusm_sc_get_status_change: function (id, handle, statesJson, apiTimeoutMs, timeoutMs) {
    const readerStates = JSON.parse(UTF8ToString(statesJson));
    const entry = kamusmSmartCard.entries.get(handle);
    const controller = new AbortController();
    const wait = { aborted: false };
    wait.abort = () => {
      wait.aborted = true;
      controller.abort(new DOMException('the wait was cancelled', 'AbortError'));
    };
    // The wait is over as soon as the API's Promise settles, before C++ hears of it (and may
    // call again at once).
    const over = () => entry.context.waits.delete(wait);
    const start = (context) => {
      if (wait.aborted) throw new DOMException('the wait was cancelled', 'AbortError');
      const options = { signal: controller.signal };
      if (apiTimeoutMs >= 0) options.timeout = apiTimeoutMs;
      return context.getStatusChange(readerStates, options)
        .then((states) => { over(); return states; }, (error) => { over(); throw error; });
    };
    const report = (states, finish) => {
      const out = Array.from(states, (state) => ({
        readerName: state.readerName, eventState: state.eventState, eventCount: state.eventCount,
        answerToReset: Array.from(kamusmSmartCard.bytesOf(state.answerToReset)) }));
      finish(kamusmPromise.Resolved, out.length, null, JSON.stringify(out));
    };
    const call = kamusmSmartCard.call(id, handle, timeoutMs, start, report, wait.abort);
    if (!entry || call.done) return;
    // Waiting from now until the JS call has ended: other calls on the context are refused.
    entry.context.waits.add(wait);
    call.promise.then(over);
  },

  // Answered with the connection's handle and the active protocol ("" when none) as text. A
  // connection that arrives after the C++ side gave up is disconnected at once.
  kamusm_sc_connect__deps: ['$kamusmSmartCard'],
  kamusm_sc_connect: function (id, handle, readerName, accessMode, protocolsJson, timeoutMs) {
    const reader = UTF8ToString(readerName);
    const mode = UTF8ToString(accessMode);
    const options = { preferredProtocols: JSON.parse(UTF8ToString(protocolsJson)) };
    let call = null;
    let context = null;
    const start = (object, entry) => {
      context = entry;
      return object.connect(reader, mode, options).then((result) => {
        if (call.done) result.connection.disconnect('reset').catch(() => {});
        return result;
      });
    };
    call = kamusmSmartCard.call(id, handle, timeoutMs, start, (result, finish) =>
      finish(kamusmPromise.Resolved, kamusmSmartCard.register(result.connection, context), null,
             result.activeProtocol || ''));
  },

  // The command is copied out of wasm memory for the call and zeroed as soon as the card has
  // answered (or the call was refused, or given up before it started); the response is zeroed
  // once copied into wasm memory.
  kamusm_sc_transmit__deps: ['$kamusmSmartCard'],
  kamusm_sc_transmit: function (id, handle, data, size, timeoutMs) {
    const command = HEAPU8.slice(data, data + size);
    const zero = () => command.fill(0);
    const start = (connection) => kamusmPromise.attempt(() => connection.transmit(command))
      .then((response) => { zero(); return response; }, (error) => { zero(); throw error; });
    const call = kamusmSmartCard.call(id, handle, timeoutMs, start, (buffer, finish) => {
      const response = kamusmSmartCard.bytesOf(buffer);
      try {
        finish(kamusmPromise.Resolved, response.length, response, '');
      } finally {
        response.fill(0);
      }
    });
    call.promise.then(zero);
  },

  // startTransaction(callback): settled once the callback runs, which then waits for
  // kamusm_sc_end_transaction. A callback that runs after the C++ side gave up ends at once.
  kamusm_sc_begin_transaction__deps: ['$kamusmSmartCard'],
  kamusm_sc_begin_transaction: function (id, handle, timeoutMs) {
    let call = null;
    const start = (connection, entry) => new Promise((resolve, reject) => {
      const transaction = { end: null, done: null };
      const callback = () => new Promise((end) => {
        transaction.end = end;
        if (call.done) {
          end('leave');
          return;
        }
        entry.transaction = transaction;
        resolve();
      });
      transaction.done = kamusmPromise.attempt(() => connection.startTransaction(callback));
      transaction.done.then(() => {}, (error) => {
        if (entry.transaction === transaction) entry.transaction = null;
        reject(error); // before the callback ran: the transaction never began
      });
    });
    call = kamusmSmartCard.call(id, handle, timeoutMs, start, kamusmSmartCard.reportDone);
  },

  kamusm_sc_end_transaction__deps: ['$kamusmSmartCard'],
  kamusm_sc_end_transaction: function (id, handle, disposition, timeoutMs) {
    const value = UTF8ToString(disposition);
    kamusmSmartCard.call(id, handle, timeoutMs, (connection, entry) => {
      const transaction = entry.transaction;
      if (!transaction) throw kamusmSmartCard.invalidState('no transaction is open on this connection');
      entry.transaction = null;
      transaction.end(value);
      return transaction.done;
    }, kamusmSmartCard.reportDone);
  },

  // SmartCardConnectionStatus as JSON (answerToReset as an array of bytes).
  kamusm_sc_status__deps: ['$kamusmSmartCard'],
  kamusm_sc_status: function (id, handle, timeoutMs) {
    kamusmSmartCard.call(id, handle, timeoutMs, (connection) => connection.status(), (status, finish) =>
      finish(kamusmPromise.Resolved, 0, null, JSON.stringify({
        readerName: status.readerName, state: status.state,
        answerToReset: Array.from(kamusmSmartCard.bytesOf(status.answerToReset)) })));
  },

  kamusm_sc_disconnect__deps: ['$kamusmSmartCard'],
  kamusm_sc_disconnect: function (id, handle, disposition, timeoutMs) {
    const value = UTF8ToString(disposition);
    kamusmSmartCard.call(id, handle, timeoutMs, (connection, entry) =>
      connection.disconnect(value).then(() => { entry.disconnected = true; }), kamusmSmartCard.reportDone);
  },
});
