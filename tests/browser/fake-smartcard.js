// A fake navigator.smartCard following the Web Smart Card API (WICG web-smart-card, index.bs):
// SmartCardResourceManager, SmartCardContext and SmartCardConnection with the spec's method steps
// (one operation in progress per context, [[activeReaderTransactions]], transactions by callback
// with the disposition it resolves with, getStatusChange with its AbortSignal and timeout), and
// SmartCardError with its responseCode. Behind it, a PC/SC-like world of readers and cards; a
// card is the app's virtual card at the APDU level (kamusmPin.demo.createCard) or any object with
// atr(), transmit(bytes) and powerCycle().
//
// The browser tests install it before the page loads (harness.mjs); the bridge's node check
// loads it as a --pre-js. Test hooks: window.__fakeSmartCard (globalThis under node), see the
// end of this file. APDU bytes are never logged, and no copy of a command is kept once the card
// has answered (PINs pass here). Emscripten 3.1.6's acorn reads it too (as a --pre-js): no object
// spread.
(function () {
  "use strict";
  const root = globalThis;
  const pnpNotification = "\\\\?PnP?\\Notification";

  class SmartCardError extends DOMException {
    constructor(message = "", options) {
      super(message, "SmartCardError");
      if (!options || typeof options.responseCode !== "string") {
        throw new TypeError("SmartCardErrorOptions.responseCode is required");
      }
      Object.defineProperty(this, "responseCode", { value: options.responseCode, enumerable: true });
    }
  }
  if (!root.SmartCardError) root.SmartCardError = SmartCardError;

  const enums = {
    accessMode: ["shared", "exclusive", "direct"],
    protocol: ["raw", "t0", "t1"],
    disposition: ["leave", "reset", "unpower", "eject"],
  };
  // What the fake's PC/SC stack answers with, as Chromium words it.
  const messages = {
    "no-service": "No smart card service available in the system.",
    "no-smartcard": "The operation requires a smart card, but no smart card is currently in the device.",
    "reader-unavailable": "The specified reader is not currently available for use.",
    "removed-card": "The smart card has been removed, so further communication is not possible.",
    "reset-card": "The smart card has been reset, so any shared state information is invalid.",
    "sharing-violation": "The smart card cannot be accessed because of other connections outstanding.",
    "proto-mismatch": "The requested protocols are incompatible with the protocol currently in use with the smart card.",
    "unknown-reader": "The specified reader name is not recognized.",
    "unresponsive-card": "The smart card is not responding to a reset.",
    "unsupported-feature": "This smart card does not support the requested feature.",
  };
  const scardError = (code) => new SmartCardError(messages[code] || code, { responseCode: code });
  const domError = (name, message) => new DOMException(message, name);
  const invalidState = (why) => domError("InvalidStateError", why);
  const later = (steps, delayMs) => setTimeout(steps, delayMs || 0);
  const enumValue = (kind, value) => {
    if (!enums[kind].includes(value)) throw new TypeError(`'${value}' is not a valid SmartCard${kind} value`);
    return value;
  };
  // A BufferSource copied, as the API copies sendBuffer before it goes on.
  const copyOf = (source) => {
    if (source instanceof ArrayBuffer) return new Uint8Array(source.slice(0));
    if (ArrayBuffer.isView(source)) {
      return new Uint8Array(source.buffer.slice(source.byteOffset, source.byteOffset + source.byteLength));
    }
    throw new TypeError("parameter 1 is not of type '(ArrayBuffer or ArrayBufferView)'");
  };
  const bufferOf = (bytes) => new Uint8Array(bytes).buffer;

  // ---- the PC/SC world: readers, cards, another program -------------------------------------
  const world = {
    service: true,
    policy: true, // false: the permissions policy does not allow "smart-card" (SecurityError)
    permission: "granted", // "denied": connect rejects NotAllowedError, as a refused prompt does
    transmitDelayMs: 0,
    readers: new Map(), // name → {name, card, removedCard, eventCount, connections, otherExclusive, transaction}
    pnpEvents: 0, // readers added or removed (the watchers are told)
    calls: [], // {method, reader, accessMode, disposition, ins}: never APDU data
    triggers: [], // {ins, when, reader}: removeCardOn
    failures: [], // {method, error}: failNext
    watchers: new Set(), // re-run on every change (waiting getStatusChange, BeginTransaction)
  };
  const notify = () => later(() => { for (const watch of Array.from(world.watchers)) watch(); });
  const log = (entry) => world.calls.push(entry);

  // A card put into a reader, which powers it (a card taken out lost its power, and with it the
  // verified PIN): its backend, and the count of resets that tells connections made before one.
  function seat(reader, backend, options) {
    reader.card = {
      backend, protocol: options.protocol === "t0" ? "t0" : "t1", mute: !!options.mute,
      powered: true, resets: 0, atr: new Uint8Array(backend.powerCycle()),
    };
    reader.eventCount++;
    notify();
  }

  // SCARD_E_* a call meets in the world now, for a connection made to `card` (null: any).
  function worldError(readerName, connection) {
    if (!world.service) return scardError("no-service");
    const reader = world.readers.get(readerName);
    if (!reader) return scardError("reader-unavailable");
    if (connection && connection.direct) return null;
    if (!reader.card || (connection && reader.card !== connection.card)) return scardError("removed-card");
    if (connection && connection.resets !== reader.card.resets) {
      connection.resets = reader.card.resets;
      return scardError("reset-card");
    }
    return null;
  }

  // What a disposition does to the card (SCARD_LEAVE_CARD … SCARD_EJECT_CARD); `by` keeps its
  // own view of the card, the other connections see a reset.
  function dispose(card, disposition, by) {
    if (!card || disposition === "leave") return;
    if (disposition === "reset") {
      card.atr = new Uint8Array(card.backend.powerCycle());
      card.powered = true;
    } else {
      card.backend.powerCycle(); // unpower, eject: the card's volatile state is gone
      card.powered = false;
    }
    card.resets++;
    if (by) by.resets = card.resets;
  }

  // The connections to the card now in the reader (those to a card taken out hold nothing).
  function holders(reader) {
    return Array.from(reader.connections).filter((state) => state.direct || state.card === reader.card);
  }

  function flagsOf(reader) {
    const card = reader.card;
    const current = holders(reader);
    const exclusive = reader.otherExclusive || current.some((connection) => connection.mode !== "shared");
    return {
      unavailable: false, empty: !card, present: !!card, exclusive: !!card && exclusive,
      inuse: !!card && (current.length > 0 || reader.otherExclusive),
      mute: !!card && card.mute, unpowered: !!card && !card.powered,
    };
  }

  // One SmartCardReaderStateOut for a SmartCardReaderStateIn, and whether it differs.
  function stateOut(stateIn) {
    const current = stateIn.currentState || {};
    if (current.ignore) {
      return { changed: false, out: { readerName: stateIn.readerName, eventState: { ignore: true }, eventCount: 0 } };
    }
    // As pcsc-lite (the Smart Card Connector's stack) counts it: the PnP reader's count is the
    // number of readers, and it changed when the caller knows another number.
    if (stateIn.readerName === pnpNotification) {
      const readers = world.readers.size;
      const changed = (stateIn.currentCount || 0) !== readers;
      return { changed, out: { readerName: stateIn.readerName, eventState: { changed }, eventCount: readers } };
    }
    const reader = world.readers.get(stateIn.readerName);
    if (!reader) {
      return { changed: true, out: { readerName: stateIn.readerName,
                                     eventState: { unknown: true, changed: true, ignore: true }, eventCount: 0 } };
    }
    const flags = flagsOf(reader);
    const changed = !!current.unaware ||
      Object.keys(flags).some((name) => !!current[name] !== flags[name]) ||
      (stateIn.currentCount !== undefined && stateIn.currentCount !== reader.eventCount);
    const out = { readerName: reader.name, eventState: Object.assign({}, flags, { changed }), eventCount: reader.eventCount };
    if (reader.card) out.answerToReset = bufferOf(reader.card.atr);
    return { changed, out };
  }

  // ---- the API's objects ------------------------------------------------------------------
  const slots = new WeakMap(); // API object → its internal slots

  // "Clear the operationInProgress": then end any settled transaction of the context's
  // connections.
  function clearOperation(context) {
    const slot = slots.get(context);
    slot.operationInProgress = false;
    for (const connection of slot.connections) {
      endAnySettledTransaction(connection);
      if (slot.operationInProgress) return;
    }
  }

  // The failure failNext() queued for `method`, as the error the API would reject with.
  function injectedFailure(method) {
    const index = world.failures.findIndex((failure) => failure.method === method);
    if (index < 0) return null;
    const { error } = world.failures.splice(index, 1)[0];
    if (error.responseCode) return scardError(error.responseCode);
    if (error.name === "TypeError") return new TypeError(error.message || "bad parameter");
    return domError(error.name, error.message || error.name);
  }

  // Runs one PC/SC operation `method` on `context`: `steps()` after the fake's latency, its result
  // (or a thrown error) settling the returned Promise, with the operation cleared first.
  function operation(context, method, steps, delayMs) {
    const slot = slots.get(context);
    if (slot.operationInProgress) return Promise.reject(invalidState("An operation is in progress."));
    slot.operationInProgress = true;
    return new Promise((resolve, reject) => later(() => {
      let result;
      let failure = null;
      try {
        const injected = injectedFailure(method);
        if (injected) throw injected;
        result = steps();
      } catch (error) {
        failure = error;
      }
      clearOperation(context);
      if (failure) reject(failure);
      else resolve(result);
    }, delayMs));
  }

  class SmartCardResourceManager {
    establishContext() {
      log({ method: "establishContext" });
      // The "smart-card" permissions policy: checked before anything else.
      if (!world.policy) {
        return Promise.reject(domError("SecurityError", "Access to the feature \"smart-card\" is disallowed by permissions policy."));
      }
      const failure = injectedFailure("establishContext") || (world.service ? null : scardError("no-service"));
      if (failure) return new Promise((resolve, reject) => later(() => reject(failure)));
      const context = Object.create(SmartCardContext.prototype);
      slots.set(context, { operationInProgress: false, connections: new Set(), activeReaderTransactions: new Map() });
      return new Promise((resolve) => later(() => resolve(context)));
    }
  }

  class SmartCardContext {
    constructor() { throw new TypeError("Illegal constructor"); }

    listReaders() {
      log({ method: "listReaders" });
      return operation(this, "listReaders", () => {
        if (!world.service) throw scardError("no-service");
        return Array.from(world.readers.keys());
      });
    }

    getStatusChange(readerStates, options = {}) {
      const slot = slots.get(this);
      if (slot.operationInProgress) return Promise.reject(invalidState("An operation is in progress."));
      const signal = options.signal;
      if (signal && signal.aborted) return Promise.reject(signal.reason);
      let states;
      try {
        states = Array.from(readerStates, (state) => {
          if (typeof state.readerName !== "string" || typeof state.currentState !== "object") {
            throw new TypeError("SmartCardReaderStateIn needs readerName and currentState");
          }
          return { readerName: state.readerName, currentState: Object.assign({}, state.currentState),
                   currentCount: state.currentCount };
        });
      } catch (error) {
        return Promise.reject(error);
      }
      log({ method: "getStatusChange", readers: states.map((state) => state.readerName) });
      slot.operationInProgress = true;
      const context = this;
      return new Promise((resolve, reject) => {
        let timer = 0;
        let done = false;
        const finish = (settle) => {
          if (done) return;
          done = true;
          world.watchers.delete(check);
          clearTimeout(timer);
          if (signal) signal.removeEventListener("abort", cancel);
          clearOperation(context);
          settle();
        };
        // The tracker's Cancel(): SCARD_E_CANCELLED, rejected with the signal's reason.
        const cancel = () => finish(() => reject(signal.reason));
        function check() {
          if (done) return;
          const injected = injectedFailure("getStatusChange");
          if (injected) return finish(() => reject(injected));
          if (!world.service) return finish(() => reject(scardError("no-service")));
          const outs = states.map(stateOut);
          if (outs.some((state) => state.changed)) finish(() => resolve(outs.map((state) => state.out)));
        }
        if (signal) signal.addEventListener("abort", cancel);
        // As PC/SC: the states are looked at first, and the timeout counts only while nothing
        // has changed (0: the states as they are now).
        const expire = () => finish(() => reject(domError("TimeoutError", "The operation timed out.")));
        world.watchers.add(check);
        later(() => {
          check();
          if (!done && options.timeout !== undefined) timer = setTimeout(expire, options.timeout);
        });
      });
    }

    connect(readerName, accessMode, options = {}) {
      const slot = slots.get(this);
      if (slot.operationInProgress) return Promise.reject(invalidState("An operation is in progress."));
      if (slot.activeReaderTransactions.has(readerName)) {
        return Promise.reject(invalidState("A transaction is active on this reader."));
      }
      let mode;
      let preferred;
      try {
        mode = enumValue("accessMode", accessMode);
        preferred = Array.from(options.preferredProtocols || [], (value) => enumValue("protocol", value));
      } catch (error) {
        return Promise.reject(error);
      }
      log({ method: "connect", reader: readerName, accessMode: mode });
      const context = this;
      return operation(this, "connect", () => {
        if (!world.service) throw scardError("no-service");
        const reader = world.readers.get(readerName);
        if (!reader) throw scardError("unknown-reader");
        if (world.permission !== "granted") throw domError("NotAllowedError", "The user has denied permission.");
        const card = reader.card;
        if (mode !== "direct") {
          if (!card) throw scardError("no-smartcard");
          if (card.mute) throw scardError("unresponsive-card");
        }
        const others = holders(reader);
        if (reader.otherExclusive || others.some((other) => other.mode !== "shared") ||
            (mode !== "shared" && others.length > 0)) {
          throw scardError("sharing-violation");
        }
        let activeProtocol;
        if (mode !== "direct") {
          if (preferred.length === 0) throw domError("UnknownError", "An unexpected card error has occurred.");
          if (!preferred.includes(card.protocol)) throw scardError("proto-mismatch");
          if (!card.powered) {
            card.atr = new Uint8Array(card.backend.powerCycle());
            card.powered = true;
          }
          activeProtocol = card.protocol;
        }
        const connection = Object.create(SmartCardConnection.prototype);
        const state = { context, readerName, mode, direct: mode === "direct", card, resets: card ? card.resets : 0,
                        activeProtocol, comm: true, transactionState: null };
        slots.set(connection, state);
        slot.connections.add(connection);
        reader.connections.add(state);
        notify();
        const result = { connection };
        if (activeProtocol) result.activeProtocol = activeProtocol;
        return result;
      });
    }
  }

  // The checks every SmartCardConnection method starts with; null when the call may go on.
  function refusal(connection, transaction) {
    const state = slots.get(connection);
    const context = slots.get(state.context);
    if (context.operationInProgress) return invalidState("An operation is in progress.");
    const holder = context.activeReaderTransactions.get(state.readerName);
    if (holder && (transaction || holder !== connection)) {
      return invalidState("A transaction is active on this reader.");
    }
    if (!state.comm) return invalidState("The connection is disconnected.");
    if (transaction && state.transactionState) return invalidState("A transaction is already active.");
    return null;
  }

  function forget(state) {
    state.comm = false;
    const reader = world.readers.get(state.readerName);
    if (reader) {
      reader.connections.delete(state);
      if (reader.transaction === state) reader.transaction = null;
    }
    notify();
  }

  // "End the transaction" of `connection` with `disposition`.
  function endTransaction(connection, disposition) {
    const state = slots.get(connection);
    const transaction = state.transactionState;
    const context = slots.get(state.context);
    if (!state.comm) {
      transaction.reject(invalidState("The connection is disconnected."));
      state.transactionState = null;
      return;
    }
    context.operationInProgress = true;
    later(() => {
      const error = worldError(state.readerName, state);
      if (!error) dispose(state.card, disposition, state);
      log({ method: "endTransaction", reader: state.readerName, disposition });
      clearOperation(state.context);
      context.activeReaderTransactions.delete(state.readerName);
      const reader = world.readers.get(state.readerName);
      if (reader && reader.transaction === state) reader.transaction = null;
      state.transactionState = null;
      notify();
      if (transaction.pendingException) transaction.reject(transaction.pendingException);
      else if (error) transaction.reject(error);
      else transaction.resolve();
    });
  }

  function endAnySettledTransaction(connection) {
    const transaction = slots.get(connection).transactionState;
    if (!transaction || !transaction.pendingDisposition) return;
    const disposition = transaction.pendingDisposition;
    transaction.pendingDisposition = null;
    endTransaction(connection, disposition);
  }

  class SmartCardConnection {
    constructor() { throw new TypeError("Illegal constructor"); }

    disconnect(disposition = "leave") {
      const refused = refusal(this);
      if (refused) return Promise.reject(refused);
      try {
        enumValue("disposition", disposition);
      } catch (error) {
        return Promise.reject(error);
      }
      const state = slots.get(this);
      log({ method: "disconnect", reader: state.readerName, disposition });
      return operation(state.context, "disconnect", () => {
        if (!worldError(state.readerName, state)) dispose(state.card, disposition, state);
        const context = slots.get(state.context);
        if (context.activeReaderTransactions.get(state.readerName) === this) {
          context.activeReaderTransactions.delete(state.readerName);
        }
        forget(state);
      });
    }

    transmit(sendBuffer, options = {}) {
      const refused = refusal(this);
      if (refused) return Promise.reject(refused);
      const state = slots.get(this);
      const protocol = options.protocol === undefined ? state.activeProtocol : options.protocol;
      if (!enums.protocol.includes(protocol)) return Promise.reject(invalidState("No protocol is active."));
      let command;
      try {
        command = copyOf(sendBuffer);
      } catch (error) {
        return Promise.reject(error);
      }
      const ins = command.length > 1 ? command[1] : undefined;
      log({ method: "transmit", reader: state.readerName, ins });
      return operation(state.context, "transmit", () => {
        try {
          const error = worldError(state.readerName, state);
          if (error) throw error;
          const trigger = takeTrigger(state.readerName, ins);
          if (trigger && trigger.when === "before") {
            removeCard(state.readerName);
            throw scardError("removed-card");
          }
          const answer = state.card.backend.transmit(command);
          const response = bufferOf(answer);
          if (answer.fill) answer.fill(0);
          if (trigger && trigger.when === "during") {
            removeCard(state.readerName);
            throw scardError("removed-card");
          }
          if (trigger) later(() => removeCard(state.readerName));
          return response;
        } finally {
          command.fill(0);
        }
      }, world.transmitDelayMs);
    }

    startTransaction(transaction, options = {}) {
      const refused = refusal(this, true);
      if (refused) return Promise.reject(refused);
      if (typeof transaction !== "function") return Promise.reject(new TypeError("The callback is not a function."));
      const signal = options.signal;
      if (signal && signal.aborted) return Promise.reject(signal.reason);
      const state = slots.get(this);
      const context = slots.get(state.context);
      const connection = this;
      log({ method: "startTransaction", reader: state.readerName });
      context.operationInProgress = true;
      return new Promise((resolve, reject) => {
        // BeginTransaction waits while another connection holds the card's transaction.
        const attempt = () => {
          if (done) return;
          const reader = world.readers.get(state.readerName);
          const error = injectedFailure("startTransaction") || worldError(state.readerName, state) ||
            (reader.otherExclusive ? scardError("sharing-violation") : null);
          if (!error && reader.transaction && reader.transaction !== state) return;
          finish(error);
        };
        const cancel = () => finish("cancelled");
        let done = false;
        const finish = (error) => {
          if (done) return;
          done = true;
          world.watchers.delete(attempt);
          if (signal) signal.removeEventListener("abort", cancel);
          clearOperation(state.context);
          if (error === "cancelled") return reject(signal.reason);
          if (error) return reject(error);
          begun();
        };
        // "Process the result of a BeginTransaction" once it succeeded.
        const begun = () => {
          const transactionState = { resolve, reject, pendingDisposition: null, pendingException: null };
          state.transactionState = transactionState;
          context.activeReaderTransactions.set(state.readerName, connection);
          world.readers.get(state.readerName).transaction = state;
          let callbackPromise;
          try {
            callbackPromise = Promise.resolve(transaction());
          } catch (error) {
            callbackPromise = Promise.reject(error);
          }
          callbackPromise.then((value) => {
            let disposition = value === undefined || value === null ? "reset" : value;
            if (!enums.disposition.includes(disposition)) {
              transactionState.pendingException = new TypeError(`'${value}' is not a valid SmartCardDisposition value`);
              disposition = "reset";
            }
            if (context.operationInProgress) {
              transactionState.pendingException = transactionState.pendingException || invalidState("An operation is in progress.");
              transactionState.pendingDisposition = disposition;
            } else {
              endTransaction(connection, disposition);
            }
          }, (reason) => {
            transactionState.pendingException = reason;
            if (context.operationInProgress) transactionState.pendingDisposition = "reset";
            else endTransaction(connection, "reset");
          });
        };
        if (signal) signal.addEventListener("abort", cancel);
        world.watchers.add(attempt);
        later(attempt);
      });
    }

    status() {
      const refused = refusal(this);
      if (refused) return Promise.reject(refused);
      const state = slots.get(this);
      log({ method: "status", reader: state.readerName });
      return operation(state.context, "status", () => {
        const error = worldError(state.readerName, state);
        if (error) throw error;
        const card = state.card;
        const status = { readerName: state.readerName, state: card && card.powered ? state.activeProtocol || "powered" : "swallowed" };
        if (card) status.answerToReset = bufferOf(card.atr);
        return status;
      });
    }

    control() { return this.unsupported("control"); }
    getAttribute() { return this.unsupported("getAttribute"); }
    setAttribute() { return this.unsupported("setAttribute"); }
    // The fake's readers have no control codes or attributes.
    unsupported(method) {
      const refused = refusal(this);
      if (refused) return Promise.reject(refused);
      const state = slots.get(this);
      log({ method, reader: state.readerName });
      return operation(state.context, method, () => { throw scardError("unsupported-feature"); });
    }
  }

  // ---- test hooks -------------------------------------------------------------------------
  function readerNamed(name) {
    const reader = name === undefined ? world.readers.values().next().value : world.readers.get(name);
    if (!reader) throw new Error(`fake smart card: no reader ${name === undefined ? "at all" : `"${name}"`}`);
    return reader;
  }

  function takeTrigger(readerName, ins) {
    const index = world.triggers.findIndex((trigger) =>
      trigger.ins === ins && (trigger.reader === undefined || trigger.reader === readerName));
    return index < 0 ? null : world.triggers.splice(index, 1)[0];
  }

  function removeCard(name) {
    const reader = readerNamed(name);
    if (!reader.card) return;
    reader.removedCard = reader.card;
    reader.card = null;
    reader.eventCount++;
    notify();
  }

  // Waits until the page's app runs (its virtual card needs the wasm module), then makes a card.
  function demoCard(options) {
    const end = Date.now() + 30000;
    return new Promise((resolve, reject) => {
      const poll = () => {
        const pin = root.kamusmPin;
        if (pin && pin.demo && pin.demo.createCard && pin.state && pin.state()) {
          pin.demo.createCard(options).then(resolve, reject);
        } else if (typeof Module !== "undefined" && Module.kamusmDemo && !root.kamusmPin && Module.calledRun) {
          Module.kamusmDemo.createCard(options).then(resolve, reject);
        } else if (Date.now() > end) {
          reject(new Error("fake smart card: the app did not start, so there is no virtual card"));
        } else {
          setTimeout(poll, 50);
        }
      };
      poll();
    });
  }

  const hooks = {
    // A reader appears (the PnP reader's count goes up).
    addReader(name) {
      if (!world.readers.has(name)) {
        world.readers.set(name, { name, card: null, removedCard: null, eventCount: 0, connections: new Set(),
                                  otherExclusive: false, transaction: null });
        world.pnpEvents++;
        notify();
      }
      return name;
    },
    // The reader is unplugged: its card goes with it, its connections fail reader-unavailable.
    removeReader(name) {
      const reader = readerNamed(name);
      world.readers.delete(reader.name);
      world.pnpEvents++;
      notify();
    },
    // {pin: "not_set" | "set" | "blocked", protocol, mute, card}: a new demo card (or `card`, an
    // object with atr(), transmit(), powerCycle()); with no options the card taken out last goes
    // back in. Resolves when the card is in.
    async insertCard(name, options) {
      const reader = readerNamed(name);
      if (!options && reader.removedCard) {
        const card = reader.removedCard;
        reader.removedCard = null;
        seat(reader, card.backend, card);
        return reader.name;
      }
      const settings = options || {};
      const backend = settings.card || await hooks.cardFactory({ pin: settings.pin || "set", protocol: settings.protocol || "t1" });
      seat(reader, backend, settings);
      return reader.name;
    },
    removeCard(name) { removeCard(name); },
    // The card is taken out when a command with instruction byte `ins` comes: "before" the card
    // sees it, "during" (the card acts on it, the answer is lost) or "after" its answer.
    removeCardOn(ins, when = "during", name) {
      world.triggers.push({ ins, when, reader: name });
    },
    // "denied": connect() rejects NotAllowedError (the user refused the permission prompt).
    setPermission(permission) { world.permission = permission; },
    // Another program holds the card exclusively: connect() rejects sharing-violation.
    holdExclusively(name, held = true) {
      readerNamed(name).otherExclusive = held;
      notify();
    },
    // No PC/SC service (false): establishContext() and every call reject no-service.
    setService(available) {
      world.service = available;
      notify();
    },
    // The next call of `method` ("transmit", "connect" …) fails with `error`: {responseCode} for a
    // SmartCardError, else {name, message} for a DOMException (or a TypeError).
    failNext(method, error) { world.failures.push({ method, error }); },
    // The page's permissions policy does not allow "smart-card" (false): SecurityError.
    setPolicy(allowed) { world.policy = allowed; },
    // Every transmit takes this long before the card answers.
    setTransmitDelay(milliseconds) { world.transmitDelayMs = milliseconds; },
    // The calls made so far: {method, reader, accessMode, disposition, ins}, never APDU data.
    get calls() { return world.calls.slice(); },
    clearCalls() { world.calls.length = 0; },
    readers() {
      return Array.from(world.readers.values(), (reader) => ({
        name: reader.name, card: !!reader.card, connections: reader.connections.size,
        transaction: !!reader.transaction, powered: !!reader.card && reader.card.powered }));
    },
    // The demo card's own state: {pin, tries_left, verified, puk_commands}.
    cardState(name) {
      const reader = readerNamed(name);
      const card = reader.card || reader.removedCard;
      return card && card.backend.state ? card.backend.state() : null;
    },
    // Makes the card insertCard() puts in; the app's virtual card by default.
    cardFactory: demoCard,
    // The set-up a test asks for before the page loads: {readers: [names], card: {reader, pin,
    // protocol} | null, service, policy, permission, exclusive: reader, transmitDelayMs}.
    configure(config) {
      for (const name of config.readers || []) hooks.addReader(name);
      if (config.service === false) hooks.setService(false);
      if (config.policy === false) hooks.setPolicy(false);
      if (config.permission) hooks.setPermission(config.permission);
      if (config.transmitDelayMs) hooks.setTransmitDelay(config.transmitDelayMs);
      if (config.exclusive) hooks.holdExclusively(config.exclusive);
      if (config.card) {
        hooks.insertCard(config.card.reader, config.card).catch((error) => console.error(error.message));
      }
    },
  };
  root.__fakeSmartCard = hooks;

  const manager = Object.create(SmartCardResourceManager.prototype);
  if (typeof Navigator !== "undefined" && root.navigator instanceof Navigator) {
    Object.defineProperty(Navigator.prototype, "smartCard", { get: () => manager, configurable: true });
  } else {
    root.navigator = root.navigator || {};
    root.navigator.smartCard = manager;
  }
})();
