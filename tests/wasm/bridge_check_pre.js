// Test doubles for src/platform/web/bridge_check.cpp, installed before the module runs: a fake
// navigator.usb (chooser, granted devices, connect/disconnect events), scripted USBDevices that
// count their calls, and a scripted fetch that logs its requests.
(function () {
  const reject = (name, message) => Promise.reject(new DOMException(message || name, name));
  // A Promise the test settles later (fake.deferreds keeps them in order of creation).
  const deferreds = [];
  const deferred = () => {
    let settle;
    const promise = new Promise((resolve, rejectWith) => { settle = { resolve, reject: rejectWith }; });
    deferreds.push(settle);
    return promise;
  };
  const inResult = (bytes, status) => ({ data: new DataView(new Uint8Array(bytes || []).buffer), status: status || 'ok' });
  const defaults = {
    open: () => Promise.resolve(), close: () => Promise.resolve(),
    selectConfiguration: () => Promise.resolve(), claimInterface: () => Promise.resolve(),
    releaseInterface: () => Promise.resolve(), clearHalt: () => Promise.resolve(), reset: () => Promise.resolve(),
    controlTransferIn: () => Promise.resolve(inResult([])),
    controlTransferOut: (setup, data) => Promise.resolve({ bytesWritten: data.byteLength, status: 'ok' }),
    transferIn: () => Promise.resolve(inResult([])),
    transferOut: (endpoint, data) => Promise.resolve({ bytesWritten: data.byteLength, status: 'ok' }),
  };

  // A USBDevice whose methods answer from `script` (else the defaults) and count their calls.
  function device(script, fields) {
    const interfaceClass = (fields && fields.interfaceClass) || 0x0B;
    const made = Object.assign({
      vendorId: 0x072F, productId: 0xB100, deviceClass: 0, deviceVersionMajor: 2, deviceVersionMinor: 1,
      deviceVersionSubminor: 6, manufacturerName: 'ACS', productName: 'ACR39U ICC Reader', serialNumber: 'R1',
      opened: false, calls: {},
      configurations: [{ configurationValue: 1, interfaces: [{ interfaceNumber: 0,
        alternates: [{ alternateSetting: 0, interfaceClass: interfaceClass, endpoints: [] }] }] }],
    }, fields || {});
    for (const name of Object.keys(defaults)) {
      made.calls[name] = 0;
      made[name] = (...args) => {
        made.calls[name]++;
        const answer = (script && script[name]) || defaults[name];
        const result = answer(...args);
        if (name === 'open') result.then(() => { made.opened = true; }, () => {});
        return result;
      };
    }
    return made;
  }

  class FakeUsb extends EventTarget {
    constructor() {
      super();
      this.granted = [];
      this.chosen = null; // requestDevice's answer; null: the user closes the chooser
      this.filters = null;
    }
    requestDevice(options) {
      this.filters = options.filters;
      return this.chosen ? Promise.resolve(this.chosen) : reject('NotFoundError', 'No device selected.');
    }
    getDevices() { return Promise.resolve(this.granted.slice()); }
    fire(type, usbDevice) {
      const event = new Event(type);
      event.device = usbDevice;
      this.dispatchEvent(event);
    }
  }

  // fetch: each request takes the next answer in fake.fetchAnswers (a function of url, init).
  const fetchLog = [];
  const fetchAnswers = [];
  const response = (status, body, headers) => ({
    status: status,
    headers: { forEach: (visit) => Object.entries(headers || {}).forEach(([name, value]) => visit(value, name)) },
    arrayBuffer: () => Promise.resolve(new TextEncoder().encode(body || '').buffer),
  });
  const fakeFetch = (url, init) => {
    fetchLog.push({ url: url, init: init });
    const answer = fetchAnswers.shift();
    return answer ? answer(url, init) : Promise.reject(new TypeError('Failed to fetch'));
  };

  const usb = new FakeUsb();
  globalThis.navigator = { usb: usb };
  globalThis.bridgeFake = { usb, device, reject, deferred, deferreds, inResult, response, fetchLog,
                            fetchAnswers, never: () => new Promise(() => {}),
                            hideUsb: () => { delete globalThis.navigator.usb; },
                            showUsb: () => { globalThis.navigator.usb = usb; } };
  // After the module has loaded its wasm (which Emscripten may fetch when fetch exists).
  Module.preRun = (Module.preRun || []).concat([() => { globalThis.fetch = fakeFetch; }]);
})();
