// The JS half of the fetch bridge (src/platform/web/fetch.cpp): one fetch() per request id,
// aborted after its timeout; the answer is reported as status, body bytes and the headers as
// JSON with lower-case names.
mergeInto(LibraryManager.library, {
  kamusm_fetch__deps: ['$kamusmPromise'],
  kamusm_fetch: function (id, url, method, headersJson, body, bodySize, timeoutMs) {
    const controller = new AbortController();
    const init = { method: UTF8ToString(method), headers: JSON.parse(UTF8ToString(headersJson)),
                   signal: controller.signal, credentials: 'same-origin', cache: 'no-store' };
    if (bodySize > 0) init.body = UTF8ToString(body, bodySize);
    const answer = kamusmPromise.attempt(() => fetch(UTF8ToString(url), init)).then((response) =>
      response.arrayBuffer().then((bytes) => {
        const headers = {};
        response.headers.forEach((value, name) => { headers[name.toLowerCase()] = value; });
        return { status: response.status, body: new Uint8Array(bytes), headers: headers };
      }));
    const call = kamusmPromise.run(id, answer, timeoutMs, (result, finish) =>
      finish(kamusmPromise.Resolved, result.status, result.body, JSON.stringify(result.headers)));
    // The timeout settled the call: stop the request too.
    answer.catch(() => {});
    const finish = call.finish;
    call.finish = (kind, ...rest) => {
      if (kind === kamusmPromise.TimedOut) controller.abort();
      finish(kind, ...rest);
    };
  },
});
