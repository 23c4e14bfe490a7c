// The desktop helper in the page: navigator.smartCard's shape (WICG web-smart-card:
// SmartCardContext, SmartCardConnection, SmartCardError) over the KamuSM extension's relay
// (helper/extension/content.js) to the native host (src/helper/), so that the Web Smart Card
// bridge (smartcard.js) and everything above it use the helper exactly like the browser's API.
//
// Requests go to the extension by window.postMessage, answers come back by id. When the host
// cannot be started ("helper-not-installed") or stops ("helper-exited"), every call waiting on it
// fails with that name, and so does every later call on the contexts made before: a new host
// knows nothing of them. APDUs are never logged; the copies made here are zeroed once sent.
mergeInto(LibraryManager.library, {
  $kamusmHelper__deps: ['$kamusmPromise'],
  $kamusmHelper__postset: 'kamusmHelper.init();',
  $kamusmHelper: {
    channel: 'kamusm-pcsc-helper',

    init: function () {
      this.present = false;
      this.checking = false; // the extension said it is asking whether it serves this origin
      this.version = null;
      this.generation = 0; // counts the hosts that went away
      this.nextId = 1;
      this.pending = new Map(); // id → {resolve, reject}
      this.announced = []; // detect() calls waiting for the extension
      if (typeof window === 'undefined' || !window.addEventListener) return;
      window.addEventListener('message', (event) => this.receive(event));
      // The extension announces itself once it is allowed here; a page that loaded later than its
      // content script asks.
      this.post({ kind: 'probe' });
      this.smartCard = { establishContext: () => this.establishContext() };
      Module['kamusmHelper'] = this.smartCard; // kamusmPin.helper (web/app.js)
      Module['kamusmHelperPresent'] = () => this.present;
    },

    post: function (message) {
      window.postMessage(Object.assign({ channel: this.channel, from: 'page' }, message), window.location.origin);
    },

    receive: function (event) {
      const data = event.data;
      if (event.source !== window || event.origin !== window.location.origin) return;
      if (!data || data.channel !== this.channel || data.from !== 'extension') return;
      if (data.kind === 'checking') {
        this.checking = true;
      } else if (data.kind === 'present') {
        this.present = true;
        this.version = data.version;
        for (const resolve of this.announced.splice(0)) resolve(true);
      } else if (data.kind === 'answer' && data.answer) {
        const waiting = this.pending.get(data.answer.id);
        if (!waiting) return; // cancelled meanwhile, or not ours
        this.pending.delete(data.answer.id);
        if (data.answer.error) waiting.reject(this.errorOf(data.answer.error));
        else waiting.resolve(data.answer.result);
      } else if (data.kind === 'host-gone') {
        this.hostGone(data.reason === 'not-installed' ? 'helper-not-installed' : 'helper-exited', data.message);
      }
    },

    // Whether the extension is here: at once when it has announced itself, else after its
    // answer to the probe or `timeoutMs`. An extension still asking whether it serves this origin
    // ("checking") is waited for up to `checkingMs` more.
    detect: function (timeoutMs, checkingMs) {
      if (this.present || !this.smartCard) return Promise.resolve(this.present);
      return new Promise((resolve) => {
        const settle = () => {
          const at = this.announced.indexOf(resolve);
          if (at >= 0) this.announced.splice(at, 1);
          resolve(this.present);
        };
        this.announced.push(resolve);
        setTimeout(() => (this.checking ? setTimeout(settle, checkingMs) : settle()), timeoutMs);
        this.post({ kind: 'probe' });
      });
    },

    hostGone: function (name, message) {
      this.generation++;
      const waiting = Array.from(this.pending.values());
      this.pending.clear();
      for (const call of waiting) call.reject(new DOMException(message || name, name));
    },

    // SmartCardError for a responseCode, a DOMException otherwise.
    errorOf: function (error) {
      if (error.responseCode) {
        const failure = new DOMException(error.message || error.responseCode, 'SmartCardError');
        Object.defineProperty(failure, 'responseCode', { value: error.responseCode });
        return failure;
      }
      return new DOMException(error.message || error.name, error.name || 'UnknownError');
    },

    // Sends one request; `onId` learns its id (to cancel it).
    request: function (method, members, onId) {
      const id = this.nextId++;
      const request = Object.assign({ id: id, method: method }, members);
      const answer = new Promise((resolve, reject) => this.pending.set(id, { resolve: resolve, reject: reject }));
      if (onId) onId(id);
      this.post({ kind: 'request', request: request });
      return answer;
    },

    // A call on a context or connection of a host that has gone away fails at once, as the
    // calls that were waiting on it did.
    live: function (generation) {
      if (generation !== this.generation) {
        return Promise.reject(new DOMException('the helper stopped since this was made', 'helper-exited'));
      }
      return null;
    },

    bytes: function (source) {
      return Array.from(ArrayBuffer.isView(source)
        ? new Uint8Array(source.buffer, source.byteOffset, source.byteLength)
        : new Uint8Array(source));
    },

    buffer: function (array) {
      return new Uint8Array(array || []).buffer;
    },

    establishContext: function () {
      if (!this.present) {
        return Promise.reject(new DOMException('the KamuSM extension is not in this browser', 'NotSupportedError'));
      }
      const generation = this.generation;
      return this.request('establishContext', {}).then((result) => this.context(result.context, generation));
    },

    context: function (handle, generation) {
      const helper = this;
      const call = (method, members) => helper.live(generation) ||
        helper.request(method, Object.assign({ context: handle }, members));
      return {
        listReaders: () => call('listReaders', {}).then((result) => result.readers),
        getStatusChange: (readerStates, options) => {
          options = options || {};
          const signal = options.signal;
          if (signal && signal.aborted) return Promise.reject(signal.reason);
          const members = { readerStates: readerStates };
          if (options.timeout !== undefined) members.timeout = options.timeout;
          const dead = helper.live(generation);
          if (dead) return dead;
          let id = 0;
          const answer = helper.request('getStatusChange', Object.assign({ context: handle }, members), (sent) => { id = sent; });
          if (!signal) return answer.then((result) => helper.statesOut(result.readerStates));
          return new Promise((resolve, reject) => {
            const abort = () => {
              // The host ends the wait; its answer (AbortError) is not waited for.
              helper.pending.delete(id);
              helper.request('cancel', { request: id }).catch(() => {});
              reject(signal.reason);
            };
            signal.addEventListener('abort', abort, { once: true });
            answer.then((result) => resolve(helper.statesOut(result.readerStates)), reject)
              .finally(() => signal.removeEventListener('abort', abort));
          });
        },
        connect: (readerName, accessMode, options) => call('connect', {
          reader: readerName, accessMode: accessMode,
          preferredProtocols: (options && options.preferredProtocols) || [],
        }).then((result) => ({
          connection: helper.connection(result.connection, generation),
          activeProtocol: result.activeProtocol || undefined,
        })),
      };
    },

    statesOut: function (states) {
      return states.map((state) => Object.assign({}, state, { answerToReset: this.buffer(state.answerToReset) }));
    },

    connection: function (handle, generation) {
      const helper = this;
      const call = (method, members) => helper.live(generation) ||
        helper.request(method, Object.assign({ connection: handle }, members));
      return {
        transmit: (sendBuffer) => {
          const command = helper.bytes(sendBuffer);
          const answer = call('transmit', { command: command });
          command.fill(0); // a VERIFY's PIN: posted (copied) already
          return answer.then((result) => helper.buffer(result.response));
        },
        status: () => call('status', {}).then((status) =>
          Object.assign({}, status, { answerToReset: helper.buffer(status.answerToReset) })),
        control: (controlCode, data) => call('control', { controlCode: controlCode, data: helper.bytes(data || []) })
          .then((result) => helper.buffer(result.response)),
        getAttribute: () => Promise.reject(new DOMException('the helper reads no attributes', 'NotSupportedError')),
        setAttribute: () => Promise.reject(new DOMException('the helper sets no attributes', 'NotAllowedError')),
        disconnect: (disposition) => call('disconnect', { disposition: disposition || 'leave' }).then(() => undefined),
        // The transaction lasts while `transaction()` runs; what its Promise resolves with is the
        // disposition at its end ("reset" when nothing).
        startTransaction: (transaction, options) => {
          const signal = options && options.signal;
          if (signal && signal.aborted) return Promise.reject(signal.reason);
          return call('startTransaction', {}).then(() => kamusmPromise.attempt(transaction)).then(
            (disposition) => call('endTransaction', { disposition: disposition || 'reset' }),
            (error) => call('endTransaction', { disposition: 'reset' }).then(() => { throw error; }, () => { throw error; }))
            .then(() => undefined);
        },
      };
    },
  },

  // Whether the KamuSM extension announced the desktop helper here (within `timeoutMs`): settles
  // `id` with 1 or 0.
  kamusm_helper_detect__deps: ['$kamusmHelper', '$kamusmPromise'],
  kamusm_helper_detect: function (id, timeoutMs, checkingMs) {
    kamusmPromise.run(id, kamusmHelper.detect(timeoutMs, checkingMs), 0, (present, finish) =>
      finish(kamusmPromise.Resolved, present ? 1 : 0, null, ''));
  },

  kamusm_helper_present__deps: ['$kamusmHelper'],
  kamusm_helper_present: function () {
    return kamusmHelper.present ? 1 : 0;
  },
});
