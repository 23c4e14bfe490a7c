// The demo reader's JS half (src/platform/web/demo_reader.cpp): a fake USBDevice with the real
// WebUSB shape whose methods run the virtual reader compiled into the demo module, plus the page
// hook Module.kamusmDemo.createReader. Test controls on the fake: removeCard(), insertCard(), unplug().
// Module.kamusmDemo.createCard gives a virtual card on its own that answers APDUs, for fakes of
// PC/SC-level APIs (tests/browser/fake-smartcard.js).
mergeInto(LibraryManager.library, {
  $kamusmDemo__deps: ['malloc', 'free'],
  $kamusmDemo__postset: 'kamusmDemo.init();',
  $kamusmDemo: {
    init: function () {
      this.requests = new Map(); // createReader / createCard request id → {resolve, reject}
      this.nextRequest = 1;
      Module['kamusmDemo'] = {
        createReader: (options) => kamusmDemo.createReader(options || {}),
        createCard: (options) => kamusmDemo.createCard(options || {}),
      };
    },

    // The C++ half's statuses (DemoStatus): a count ≥ 0, or one of these.
    Stall: -1,
    NothingYet: -2,
    rejections: {
      '-3': ['NotFoundError', 'The device was disconnected or has no such interface or endpoint.'],
      '-4': ['InvalidStateError', 'The device must be opened first.'],
      '-5': ['NetworkError', 'A transfer error has occurred.'],
    },
    // An IN endpoint with nothing to send is asked again this often, as a real one would wait.
    pollMs: 50,

    // Calls `create(request, ...C strings)` and returns the Promise its settle function (by
    // request id) resolves or rejects.
    request: function (create, values) {
      const request = this.nextRequest++;
      const settled = new Promise((resolve, reject) => this.requests.set(request, { resolve, reject }));
      const text = (value) => {
        const size = lengthBytesUTF8(value) + 1;
        const pointer = _malloc(size);
        stringToUTF8(value, pointer, size);
        return pointer;
      };
      const strings = values.map(text);
      try {
        create(request, ...strings);
      } finally {
        strings.forEach((pointer) => _free(pointer));
      }
      return settled;
    },
    settled: function (request) {
      const pending = this.requests.get(request);
      this.requests.delete(request);
      return pending;
    },

    // The backend the app itself uses, unless the options name one (data-api-base: in an
    // Isolated Web App the page's own origin has no backend).
    apiBaseOf: function (options) {
      return options.apiBase || (Module.kamusmConfig && Module.kamusmConfig.apiBase) || '';
    },

    // {model, pin: "not_set" | "set" | "blocked" or operation: "create" | "change" | "unblock"
    // (the PIN state it starts from), protocol: "t1" | "t0", apiBase}: a fake USBDevice.
    createReader: function (options) {
      const pin = options.pin || (options.operation ? '' : 'set');
      return this.request(_kamusm_demo_create, [this.apiBaseOf(options), options.model || 'acr39u',
                                                pin, options.operation || '', options.protocol || 't1']);
    },

    // {pin: "not_set" | "set" | "blocked", protocol: "t1" | "t0", apiBase}: a demo card enrolled at
    // the backend, as {atr(), transmit(command), powerCycle(), state(), release()}.
    createCard: function (options) {
      return this.request(_kamusm_demo_card_create, [this.apiBaseOf(options), options.pin || 'set',
                                                     options.protocol || 't1']);
    },

    // The JS face of demo card `id`. transmit takes a BufferSource and returns the response as a
    // Uint8Array, synchronously (the card answers at once; a fake adds the latency). The copies
    // in wasm memory are zeroed after each command: PINs pass here.
    makeCard: function (id) {
      const responseSize = 65538; // the largest extended response APDU
      const gone = () => new DOMException('The demo card was released.', 'InvalidStateError');
      const read = (run, size) => {
        const out = _malloc(size);
        try {
          const count = run(out, size);
          if (count < 0) throw gone();
          return HEAPU8.slice(out, out + count);
        } finally {
          HEAPU8.fill(0, out, out + size);
          _free(out);
        }
      };
      return {
        atr: () => read((out, size) => _kamusm_demo_card_atr(id, out, size), 64),
        transmit: (command) => {
          const bytes = kamusmDemo.bytesOf(command);
          const data = _malloc(Math.max(bytes.length, 1));
          HEAPU8.set(bytes, data);
          try {
            return read((out, size) => _kamusm_demo_card_transmit(id, data, bytes.length, out, size),
                        responseSize);
          } finally {
            HEAPU8.fill(0, data, data + bytes.length);
            _free(data);
          }
        },
        powerCycle: () => {
          if (_kamusm_demo_card_power_cycle(id) < 0) throw gone();
          return read((out, size) => _kamusm_demo_card_atr(id, out, size), 64);
        },
        // {pin: "not_set" | "set" | "blocked", tries_left, verified, puk_commands}
        state: () => {
          const text = _kamusm_demo_card_state(id);
          if (!text) throw gone();
          try {
            return JSON.parse(UTF8ToString(text));
          } finally {
            _free(text);
          }
        },
        release: () => _kamusm_demo_card_release(id),
      };
    },

    bytesOf: function (data) {
      if (data instanceof ArrayBuffer) return new Uint8Array(data);
      return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    },

    // The fake USBDevice of demo reader `id`, from the C++ half's description of it.
    makeDevice: function (id, description) {
      const device = JSON.parse(description);
      for (const configuration of device.configurations)
        for (const usbInterface of configuration.interfaces) {
          usbInterface.alternate = usbInterface.alternates[0];
          usbInterface.claimed = false;
        }
      device.configuration = device.configurations[0];
      device.opened = false;
      let unplugged = false;
      const waiting = new Set(); // IN transfers waiting for data: {timer, reject}
      const fail = (name, message) => Promise.reject(new DOMException(message, name));
      const gone = () => fail('NotFoundError', 'The device was disconnected.');
      const rejection = (status) => fail(...kamusmDemo.rejections[status]);
      // The heap copy is zeroed before it is freed: the OUT transfers carry the PIN commands, and
      // a freed block keeps its bytes for the allocator's next taker.
      const withHeap = (size, use) => {
        const pointer = _malloc(Math.max(size, 1));
        try {
          return use(pointer);
        } finally {
          HEAPU8.fill(0, pointer, pointer + size);
          _free(pointer);
        }
      };
      // One synchronous call into the virtual reader; `done(count)` makes the result.
      const call = (run, done) => {
        if (unplugged) return gone();
        const status = run();
        if (status < 0 && status !== kamusmDemo.Stall) return rejection(status);
        return Promise.resolve(done(status));
      };
      const readCall = (run, length) => withHeap(length, (out) => {
        const status = run(out);
        const data = status >= 0 ? HEAPU8.slice(out, out + status) : new Uint8Array(0);
        return { status, data };
      });
      const inResult = (read) => () =>
        ({ data: new DataView(read.data.buffer), status: read.status === kamusmDemo.Stall ? 'stall' : 'ok' });
      const outResult = (status) =>
        ({ bytesWritten: status < 0 ? 0 : status, status: status === kamusmDemo.Stall ? 'stall' : 'ok' });
      const writeCall = (data, run) => {
        const bytes = kamusmDemo.bytesOf(data);
        return call(() => withHeap(bytes.length, (pointer) => {
          HEAPU8.set(bytes, pointer);
          return run(pointer, bytes.length);
        }), outResult);
      };
      const setupArgs = (setup) => [{ standard: 0x00, class: 0x20, vendor: 0x40 }[setup.requestType],
                                    { device: 0, interface: 1, endpoint: 2 }[setup.recipient],
                                    setup.request, setup.value, setup.index];
      const cancelWaiting = (error) => {
        for (const waiter of waiting) {
          clearTimeout(waiter.timer);
          waiter.reject(error);
        }
        waiting.clear();
      };
      const interfaceOf = (number) =>
        device.configuration.interfaces.find((usbInterface) => usbInterface.interfaceNumber === number);

      device.open = () => call(() => _kamusm_demo_open(id), () => { device.opened = true; });
      device.close = () => call(() => _kamusm_demo_close(id), () => {
        device.opened = false;
        device.configuration.interfaces.forEach((usbInterface) => { usbInterface.claimed = false; });
        cancelWaiting(new DOMException('The transfer was cancelled.', 'AbortError'));
      });
      device.selectConfiguration = (value) => call(() => _kamusm_demo_select_configuration(id, value), () => {});
      device.claimInterface = (number) => call(() => _kamusm_demo_claim_interface(id, number),
                                               () => { interfaceOf(number).claimed = true; });
      device.releaseInterface = (number) => call(() => _kamusm_demo_release_interface(id, number),
                                                 () => { interfaceOf(number).claimed = false; });
      device.controlTransferIn = (setup, length) => {
        const read = readCall((out) => _kamusm_demo_control_in(id, ...setupArgs(setup), out, length), length);
        return call(() => read.status, inResult(read));
      };
      device.controlTransferOut = (setup, data) =>
        writeCall(data || new Uint8Array(0), (pointer, size) =>
          _kamusm_demo_control_out(id, ...setupArgs(setup), pointer, size));
      // Waits until the endpoint has something, as a real endpoint does, rather than failing.
      device.transferIn = (endpoint, length) => {
        if (unplugged) return gone();
        return new Promise((resolve, reject) => {
          const waiter = { timer: 0, reject };
          const ask = () => {
            waiting.delete(waiter);
            const read = readCall((out) => _kamusm_demo_transfer_in(id, endpoint, out, length), length);
            if (read.status === kamusmDemo.NothingYet) {
              waiter.timer = setTimeout(ask, kamusmDemo.pollMs);
              waiting.add(waiter);
              return;
            }
            call(() => read.status, inResult(read)).then(resolve, reject);
          };
          ask();
        });
      };
      device.transferOut = (endpoint, data) =>
        writeCall(data, (pointer, size) => _kamusm_demo_transfer_out(id, endpoint, pointer, size));
      device.clearHalt = (direction, endpoint) =>
        call(() => _kamusm_demo_clear_halt(id, direction === 'in' ? 1 : 0, endpoint), () => {});
      device.reset = () => call(() => _kamusm_demo_reset(id), () => {});

      device.removeCard = (slot) => { _kamusm_demo_remove_card(id, slot || 0); };
      device.insertCard = (slot) => { _kamusm_demo_insert_card(id, slot || 0); };
      // Gone for good: every later call and every waiting one fails NotFoundError. The
      // navigator.usb disconnect event is for whoever owns navigator.usb to dispatch.
      device.unplug = () => {
        unplugged = true;
        device.opened = false;
        _kamusm_demo_unplug(id);
        cancelWaiting(new DOMException('The device was disconnected.', 'NotFoundError'));
      };
      return device;
    },
  },

  kamusm_demo_created__deps: ['$kamusmDemo'],
  kamusm_demo_created: function (request, id, description, error) {
    const pending = kamusmDemo.settled(request);
    if (!pending) return;
    if (id) pending.resolve(kamusmDemo.makeDevice(id, UTF8ToString(description)));
    else pending.reject(new Error('the demo reader could not be created: ' + UTF8ToString(error)));
  },

  kamusm_demo_card_created__deps: ['$kamusmDemo'],
  kamusm_demo_card_created: function (request, id, error) {
    const pending = kamusmDemo.settled(request);
    if (!pending) return;
    if (id) pending.resolve(kamusmDemo.makeCard(id));
    else pending.reject(new Error('the demo card could not be created: ' + UTF8ToString(error)));
  },
});
