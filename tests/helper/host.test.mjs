// kamusm-pcsc-host against the real pcscd with the virtual card in vpcd's reader (tests/helper/
// run.sh starts pcscd): the caller check, the framing as Chrome writes it, garbage, the PUK never
// reaching the card, transactions between two hosts, cancelled waits, a card pulled out, and
// every card reset when the browser closes the port.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { Card, Host, extensionOrigin, frame, reader } from "./host-client.mjs";

const selectDf = "00A4040C08F04B414D55534D01";
const pinStatus = "00200081";
const verifyPin = "0020008106313233343536"; // the demo card's PIN 123456

let card;
before(async () => {
  card = new Card();
  const host = new Host();
  const { context } = await host.call({ method: "establishContext" });
  await host.untilCard(context, true);
  await host.close();
});
after(async () => {
  await Host.stopAll();
  await card.stop();
});

test("only the KamuSM extension may start the host", async () => {
  for (const args of [[], ["chrome-extension://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/"], ["https://evil.example"]]) {
    const host = new Host(args);
    const { code } = await host.exited;
    assert.equal(code, 2, `args ${args}`);
    assert.match(host.stderr, /not\s+meant to be run by hand/);
    if (args.length) assert.match(host.stderr, /refusing caller/);
  }
});

test("messages split at every byte, several in one write, garbage answered and survived", async () => {
  const host = new Host();
  const bytes = frame({ id: 1, method: "establishContext" });
  for (const byte of bytes) host.write(Buffer.from([byte]));
  const { result } = await host.answerTo(1);
  assert.ok(result.context > 0);
  host.write(Buffer.concat([frame("not json"), frame({ id: 2, method: "listReaders", context: result.context })]));
  const garbage = await host.answerTo(null);
  assert.equal(garbage.error.name, "SyntaxError");
  const listed = await host.answerTo(2);
  assert.ok(listed.result.readers.includes(reader));
  host.write(frame({ id: 3, method: "reboot" }));
  assert.equal((await host.answerTo(3)).error.name, "NotSupportedError");
  assert.deepEqual(await host.close(), { code: 0, signal: null });
});

test("a length over the limit ends the host with a clear error", async () => {
  const host = new Host();
  const length = Buffer.alloc(4);
  length.writeUInt32LE(0xfffffff0);
  host.write(length);
  const answer = await host.answerTo(null);
  assert.equal(answer.error.name, "QuotaExceededError");
  assert.deepEqual(await host.exited, { code: 1, signal: null });
  assert.match(host.stderr, /limit/);
});

test("a message cut off by the browser closing the port is reported, nothing crashes", async () => {
  const host = new Host();
  host.write(frame({ id: 1, method: "establishContext" }).subarray(0, 10));
  assert.deepEqual(await host.close(), { code: 1, signal: null });
  assert.match(host.stderr, /ended inside a message/);
});

test("no command that uses the PUK reaches the card; the authorized reset does", async () => {
  const host = new Host();
  const { connection } = await host.connect();
  assert.equal(await host.apdu(connection, selectDf), "9000");
  for (const puk of ["002C0081103132333435363738" + "3132333435363738", "002C0181083132333435363738",
                     "0020008208" + "3132333435363738", "0024018210" + "31323334353637383132333435363738",
                     "802C008110" + "31323334353637383132333435363738", "FF00000009002C00810431323334"]) {
    assert.equal(await host.apdu(connection, puk), "NotAllowedError", puk);
  }
  assert.equal(await host.apdu(connection, "002C0281083132333435363738"), "6982");
  assert.equal(await host.apdu(connection, pinStatus), "63C3");
  await host.close();
});

test("a transaction keeps a second host out until it ends", async () => {
  const first = new Host();
  const second = new Host();
  const a = await first.connect();
  const b = await second.connect();
  await first.call({ method: "startTransaction", connection: a.connection });
  let secondBegan = false;
  const waiting = second.call({ method: "startTransaction", connection: b.connection })
    .then(() => { secondBegan = true; });
  await new Promise((resolve) => setTimeout(resolve, 700));
  assert.equal(secondBegan, false, "the second began inside the first's transaction");
  assert.equal(await first.apdu(a.connection, selectDf), "9000");
  await first.call({ method: "endTransaction", connection: a.connection, disposition: "leave" });
  await waiting;
  assert.equal(secondBegan, true);
  await second.call({ method: "endTransaction", connection: b.connection, disposition: "leave" });
  await Promise.all([first.close(), second.close()]);
});

test("a wait with nothing to report ends at once when cancelled; the context goes on", async () => {
  const host = new Host();
  const { context } = await host.call({ method: "establishContext" });
  const present = await host.untilCard(context, true);
  const known = { readerName: reader, currentState: { present: true }, currentCount: present.eventCount };
  const wait = host.send({ id: 500, method: "getStatusChange", context, readerStates: [known] });
  await new Promise((resolve) => setTimeout(resolve, 300));
  const started = Date.now();
  assert.deepEqual(await host.call({ method: "cancel", request: 500 }), { cancelled: true });
  assert.equal((await wait).error.name, "AbortError");
  assert.ok(Date.now() - started < 400, `the cancel took ${Date.now() - started} ms`);
  const { readers } = await host.call({ method: "listReaders", context });
  assert.ok(readers.includes(reader));
  const timedOut = await host.send({ method: "getStatusChange", context, readerStates: [known], timeout: 200 });
  assert.equal(timedOut.error.name, "TimeoutError");
  await host.close();
});

test("a card pulled out ends a wait and fails the next command with removed-card", async () => {
  const host = new Host();
  const { context, connection } = await host.connect();
  const present = await host.untilCard(context, true);
  const known = { readerName: reader, currentState: { present: true }, currentCount: present.eventCount };
  const wait = host.call({ method: "getStatusChange", context, readerStates: [known] });
  card.remove();
  const { readerStates } = await wait;
  assert.equal(readerStates[0].eventState.present, false);
  assert.equal(readerStates[0].eventState.changed, true);
  const failed = await host.transmit(connection, pinStatus);
  assert.equal(failed.error.responseCode, "removed-card");
  assert.equal(failed.error.scard, 0x80100069);
  card.insert();
  await host.untilCard(context, true);
  await host.close();
});

test("the browser closing the port resets the card: no verified PIN outlives the page", async () => {
  const host = new Host();
  const { connection } = await host.connect();
  await host.call({ method: "startTransaction", connection });
  assert.equal(await host.apdu(connection, selectDf), "9000");
  assert.equal(await host.apdu(connection, verifyPin), "9000");
  assert.equal(await host.apdu(connection, pinStatus), "9000"); // verified
  assert.deepEqual(await host.close(), { code: 0, signal: null });
  const next = new Host();
  const again = await next.connect();
  assert.equal(await next.apdu(again.connection, selectDf), "9000");
  assert.equal(await next.apdu(again.connection, pinStatus), "63C3"); // set, not verified
  await next.close();
});

test("a host killed inside a transaction leaves no verified PIN and no held card", async () => {
  const host = new Host();
  const { connection } = await host.connect();
  await host.call({ method: "startTransaction", connection });
  assert.equal(await host.apdu(connection, selectDf), "9000");
  assert.equal(await host.apdu(connection, verifyPin), "9000");
  await host.kill();
  const next = new Host();
  const { context } = await next.call({ method: "establishContext" });
  await next.untilFree(context);
  const { connection: fresh } = await next.call({ method: "connect", context, reader, accessMode: "shared",
                                                 preferredProtocols: ["t1", "t0"] });
  const again = { connection: fresh };
  await next.call({ method: "startTransaction", connection: again.connection }); // not held
  assert.equal(await next.apdu(again.connection, selectDf), "9000");
  assert.equal(await next.apdu(again.connection, pinStatus), "63C3");
  await next.close();
});

test("the card never saw a PUK command", async () => {
  const report = await card.stop();
  assert.ok(report.apdus > 10, JSON.stringify(report));
  assert.equal(report.puk, 0);
  card = new Card(); // for after()
});
