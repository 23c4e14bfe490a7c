// The JS half of the WebUSB bridge (src/platform/web/webusb.cpp): a table of USBDevice objects
// by handle, each call's Promise raced against its timeout and reported by request id, and
// navigator.usb's connect/disconnect events. Transfer data is never logged (PINs pass here).
mergeInto(LibraryManager.library, {
  $kamusmUsb__deps: ['$kamusmPromise'],
  $kamusmUsb__postset: 'kamusmUsb.init();',
  $kamusmUsb: {
    init: function () {
      this.entries = new Map(); // handle → {device, disconnected, waiting: Set of calls}
      this.nextHandle = 1;
      // USBDevice → Map(endpoint → transferIn Promise nobody has taken the result of yet):
      // a transfer cannot be cancelled, so the reply to one that timed out goes to the next.
      this.pendingIn = new WeakMap();
      this.listening = false;
    },
    register: function (device) {
      const handle = this.nextHandle++;
      this.entries.set(handle, { device: device, disconnected: false, waiting: new Set() });
      return handle;
    },
    pendingOf: function (device) {
      if (!this.pendingIn.has(device)) this.pendingIn.set(device, new Map());
      return this.pendingIn.get(device);
    },
    // WebUSB's own filter matching: every field given must match; classCode matches the
    // device class or any interface alternate's class.
    matches: function (device, filters) {
      const classes = [device.deviceClass];
      for (const configuration of device.configurations || [])
        for (const usbInterface of configuration.interfaces)
          for (const alternate of usbInterface.alternates) classes.push(alternate.interfaceClass);
      return filters.some((filter) =>
        (filter.vendorId === undefined || filter.vendorId === device.vendorId) &&
        (filter.productId === undefined || filter.productId === device.productId) &&
        (filter.classCode === undefined || classes.includes(filter.classCode)));
    },
    // Starts `start(device)` for request `id` on the device behind `handle`; a disconnect
    // settles the call at once.
    call: function (id, handle, timeoutMs, start, report) {
      const entry = this.entries.get(handle);
      const promise = entry ? kamusmPromise.attempt(() => start(entry.device))
                            : Promise.reject(new DOMException('no such device handle', 'NotFoundError'));
      const call = kamusmPromise.run(id, promise, timeoutMs, report);
      if (!entry || call.done) return call;
      entry.waiting.add(call);
      const finish = call.finish;
      call.finish = (...outcome) => { entry.waiting.delete(call); finish(...outcome); };
      return call;
    },
    // USBInTransferResult / USBOutTransferResult: status "ok", "stall" or "babble" as text.
    reportIn: function (result, finish) {
      const data = result.data ? new Uint8Array(result.data.buffer, result.data.byteOffset, result.data.byteLength)
                               : null;
      finish(kamusmPromise.Resolved, data ? data.length : 0, data, result.status);
    },
    reportOut: function (result, finish) {
      finish(kamusmPromise.Resolved, result.bytesWritten || 0, null, result.status);
    },
    // An OUT transfer's bytes (a CCID message may carry a PIN) are a copy out of wasm memory,
    // zeroed once the transfer has settled (the browser copies them at the call).
    sendOut: function (id, handle, timeoutMs, bytes, send) {
      let started = false;
      const start = (device) => {
        started = true;
        return kamusmPromise.attempt(() => send(device, bytes)).finally(() => bytes.fill(0));
      };
      this.call(id, handle, timeoutMs, start, this.reportOut);
      if (!started) bytes.fill(0); // no such handle: nothing was sent
    },
    reportDone: function (value, finish) {
      finish(kamusmPromise.Resolved, 0, null, '');
    },
    setup: function (requestType, recipient, request, value, index) {
      return { requestType: ['standard', 'class', 'vendor'][requestType >> 5],
               recipient: ['device', 'interface', 'endpoint'][recipient], request: request, value: value,
               index: index };
    },
    disconnect: function (device) {
      const handles = [];
      this.entries.forEach((entry, handle) => {
        if (entry.device !== device) return;
        entry.disconnected = true;
        for (const call of Array.from(entry.waiting))
          call.finish(kamusmPromise.Rejected, 0, null, 'NotFoundError: the device was disconnected');
        handles.push(handle);
      });
      this.pendingIn.delete(device);
      return handles;
    },
  },

  kamusm_usb_supported__deps: ['$kamusmUsb'],
  kamusm_usb_supported: function () {
    return typeof navigator !== 'undefined' && !!navigator.usb;
  },

  kamusm_usb_disconnected__deps: ['$kamusmUsb'],
  kamusm_usb_disconnected: function (handle) {
    const entry = kamusmUsb.entries.get(handle);
    return !entry || entry.disconnected;
  },

  kamusm_usb_forget__deps: ['$kamusmUsb'],
  kamusm_usb_forget: function (handle) {
    kamusmUsb.entries.delete(handle);
  },

  // The device's identity as JSON (an allocated C string the caller frees).
  kamusm_usb_info__deps: ['$kamusmUsb', 'malloc'],
  kamusm_usb_info: function (handle) {
    const entry = kamusmUsb.entries.get(handle);
    const device = entry ? entry.device : {};
    const text = JSON.stringify({
      vendorId: device.vendorId, productId: device.productId,
      deviceVersionMajor: device.deviceVersionMajor, deviceVersionMinor: device.deviceVersionMinor,
      deviceVersionSubminor: device.deviceVersionSubminor, manufacturerName: device.manufacturerName,
      productName: device.productName, serialNumber: device.serialNumber });
    const size = lengthBytesUTF8(text) + 1;
    const pointer = _malloc(size);
    stringToUTF8(text, pointer, size);
    return pointer;
  },

  kamusm_usb_request__deps: ['$kamusmUsb'],
  kamusm_usb_request: function (id, filtersJson) {
    const filters = JSON.parse(UTF8ToString(filtersJson));
    const promise = kamusmPromise.attempt(() => navigator.usb.requestDevice({ filters: filters }));
    kamusmPromise.run(id, promise, 0, (device, finish) =>
      finish(kamusmPromise.Resolved, kamusmUsb.register(device), null, ''));
  },

  // The granted devices that match the filters, registered; their handles as a JSON array.
  kamusm_usb_granted__deps: ['$kamusmUsb'],
  kamusm_usb_granted: function (id, filtersJson) {
    const filters = JSON.parse(UTF8ToString(filtersJson));
    const promise = kamusmPromise.attempt(() => navigator.usb.getDevices());
    kamusmPromise.run(id, promise, 0, (devices, finish) => {
      const handles = devices.filter((device) => kamusmUsb.matches(device, filters))
                             .map((device) => kamusmUsb.register(device));
      finish(kamusmPromise.Resolved, handles.length, null, JSON.stringify(handles));
    });
  },

  kamusm_usb_listen__deps: ['$kamusmUsb'],
  kamusm_usb_listen: function (filtersJson) {
    const filters = JSON.parse(UTF8ToString(filtersJson));
    if (kamusmUsb.listening || typeof navigator === 'undefined' || !navigator.usb) return;
    kamusmUsb.listening = true;
    navigator.usb.addEventListener('connect', (event) => {
      if (kamusmUsb.matches(event.device, filters)) _kamusm_usb_connected(kamusmUsb.register(event.device));
    });
    navigator.usb.addEventListener('disconnect', (event) => {
      for (const handle of kamusmUsb.disconnect(event.device)) _kamusm_usb_disconnected_event(handle);
    });
  },

  kamusm_usb_release_all__deps: ['$kamusmUsb'],
  kamusm_usb_release_all: function () {
    const devices = new Set(Array.from(kamusmUsb.entries.values(), (entry) => entry.device));
    for (const device of devices)
      if (device.opened) device.close().catch(() => {});
  },

  kamusm_usb_open__deps: ['$kamusmUsb'],
  kamusm_usb_open: function (id, handle, timeoutMs) {
    kamusmUsb.call(id, handle, timeoutMs, (device) => device.open(), kamusmUsb.reportDone);
  },

  // Closing cancels the device's transfers: no reply of theirs is waited for any more.
  kamusm_usb_close__deps: ['$kamusmUsb'],
  kamusm_usb_close: function (id, handle, timeoutMs) {
    kamusmUsb.call(id, handle, timeoutMs, (device) => {
      kamusmUsb.pendingIn.delete(device);
      return device.close();
    }, kamusmUsb.reportDone);
  },

  kamusm_usb_select_configuration__deps: ['$kamusmUsb'],
  kamusm_usb_select_configuration: function (id, handle, value, timeoutMs) {
    kamusmUsb.call(id, handle, timeoutMs, (device) => device.selectConfiguration(value), kamusmUsb.reportDone);
  },

  kamusm_usb_claim_interface__deps: ['$kamusmUsb'],
  kamusm_usb_claim_interface: function (id, handle, number, timeoutMs) {
    kamusmUsb.call(id, handle, timeoutMs, (device) => device.claimInterface(number), kamusmUsb.reportDone);
  },

  kamusm_usb_release_interface__deps: ['$kamusmUsb'],
  kamusm_usb_release_interface: function (id, handle, number, timeoutMs) {
    kamusmUsb.call(id, handle, timeoutMs, (device) => device.releaseInterface(number), kamusmUsb.reportDone);
  },

  kamusm_usb_control_in__deps: ['$kamusmUsb'],
  kamusm_usb_control_in: function (id, handle, requestType, recipient, request, value, index, length, timeoutMs) {
    const setup = kamusmUsb.setup(requestType, recipient, request, value, index);
    kamusmUsb.call(id, handle, timeoutMs, (device) => device.controlTransferIn(setup, length), kamusmUsb.reportIn);
  },

  kamusm_usb_control_out__deps: ['$kamusmUsb'],
  kamusm_usb_control_out: function (id, handle, requestType, recipient, request, value, index, data, size, timeoutMs) {
    const setup = kamusmUsb.setup(requestType, recipient, request, value, index);
    kamusmUsb.sendOut(id, handle, timeoutMs, HEAPU8.slice(data, data + size),
                      (device, bytes) => device.controlTransferOut(setup, bytes));
  },

  // A transferIn still outstanding on this endpoint (its caller timed out) is taken over rather
  // than a second one started.
  kamusm_usb_transfer_in__deps: ['$kamusmUsb'],
  kamusm_usb_transfer_in: function (id, handle, endpoint, length, timeoutMs) {
    let call = null;
    const start = (device) => {
      const pending = kamusmUsb.pendingOf(device);
      const transfer = pending.get(endpoint) || device.transferIn(endpoint, length);
      pending.set(endpoint, transfer);
      const take = () => {
        if (!call.done && pending.get(endpoint) === transfer) pending.delete(endpoint);
      };
      return transfer.then((result) => { take(); return result; }, (error) => { take(); throw error; });
    };
    call = kamusmUsb.call(id, handle, timeoutMs, start, kamusmUsb.reportIn);
  },

  kamusm_usb_transfer_out__deps: ['$kamusmUsb'],
  kamusm_usb_transfer_out: function (id, handle, endpoint, data, size, timeoutMs) {
    kamusmUsb.sendOut(id, handle, timeoutMs, HEAPU8.slice(data, data + size),
                      (device, bytes) => device.transferOut(endpoint, bytes));
  },

  kamusm_usb_clear_halt__deps: ['$kamusmUsb'],
  kamusm_usb_clear_halt: function (id, handle, isIn, endpoint, timeoutMs) {
    kamusmUsb.call(id, handle, timeoutMs, (device) => device.clearHalt(isIn ? 'in' : 'out', endpoint),
                   kamusmUsb.reportDone);
  },

  kamusm_usb_reset__deps: ['$kamusmUsb'],
  kamusm_usb_reset: function (id, handle, timeoutMs) {
    kamusmUsb.call(id, handle, timeoutMs, (device) => {
      kamusmUsb.pendingIn.delete(device);
      return device.reset();
    }, kamusmUsb.reportDone);
  },
});
