// The conformance kit: drives an implementation of src/server/openapi.yaml through every route
// and rule of the document and of card-profile.md, checking each answer against the document on
// the way. Prints one line per rule ("ok   <rule>" or "FAIL <rule>: <why>") and a closing
// "<n> passed, <n> failed" line; exits 1 when a rule fails. Usage: see run.sh.
import { execFileSync } from "node:child_process";
import { createCipheriv, randomBytes, randomInt } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { loadContract } from "./contract.mjs";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { "issuer-token": { type: "string" }, "issuer-url": { type: "string" } },
});
if (positionals.length !== 1 || !values["issuer-token"]) {
  console.error("usage: tests/contract/run.sh BASE_URL --issuer-token FILE [--issuer-url URL]");
  process.exit(2);
}
const baseUrl = positionals[0].replace(/\/$/, "");
const issuerUrl = (values["issuer-url"] ?? baseUrl).replace(/\/$/, "");
const token = readFileSync(values["issuer-token"], "utf8").split("\n")[0].trim();
// The longest the kit waits for a code, session or SMS code to expire, or for a resend.
const maxWaitSeconds = 30;
// card-profile.md: the demo master key, and the test vector.
const demoMasterKey = Buffer.from("000102030405060708090A0B0C0D0E0F", "hex");
const vector = { serial: "123456789012", challenge: "00112233445566778899AABBCCDDEEFF",
                 cryptogram: "90B1BE7C39156A510D670E597A0D7973" };

const contract = await loadContract();
const urn = (slug) => `urn:kamusm-pin:problem:${slug}`;

// One request; every answer is checked against the document before a rule looks at it.
async function call(method, path, { json, body, contentType = "application/json", auth, issuer } = {}) {
  if (json !== undefined) body = JSON.stringify(json);
  const headers = {};
  if (body !== undefined) headers["content-type"] = contentType;
  if (auth) headers.authorization = auth;
  const response = await fetch((issuer ? issuerUrl : baseUrl) + path, { method, headers, body });
  const answer = { status: response.status, headers: Object.fromEntries(response.headers), text: await response.text() };
  const violations = contract.check({
    method, path, request: { headers, body: body ?? "" }, status: answer.status, headers: answer.headers, body: answer.text,
  });
  if (violations.length) throw new Error(`not as the document says: ${violations.join("; ")}`);
  try {
    answer.body = JSON.parse(answer.text);
  } catch {
    answer.body = undefined;
  }
  return answer;
}
const issuerCall = (method, path, options = {}) => call(method, path, { auth: `Bearer ${token}`, issuer: true, ...options });

function expect(condition, why) {
  if (!condition) throw new Error(why);
}
function status(answer, wanted) {
  expect(answer.status === wanted, `${wanted} expected, got ${answer.status} ${answer.text.slice(0, 200)}`);
  return answer.body;
}
function problem(answer, wanted, slug) {
  expect(answer.status === wanted && answer.body?.type === urn(slug),
    `${wanted} ${slug} expected, got ${answer.status} ${answer.body?.type ?? answer.text.slice(0, 200)}`);
  return answer.body;
}
const sleep = (seconds) => new Promise((resolve) => setTimeout(resolve, seconds * 1000));
async function waitOut(seconds, what) {
  expect(seconds <= maxWaitSeconds, `${what} lasts ${seconds} s; the kit waits at most ${maxWaitSeconds} s (see run.sh)`);
  await sleep(seconds + 1);
}

// AES-CMAC (RFC 4493) and the unblock cryptogram of card-profile.md.
function cmac(key, message) {
  const encrypt = (block) => createCipheriv("aes-128-ecb", key, null).setAutoPadding(false).update(block);
  const double = (block) => {
    const out = Buffer.alloc(16);
    for (let i = 0; i < 16; ++i) out[i] = ((block[i] << 1) | (i < 15 ? block[i + 1] >> 7 : 0)) & 0xff;
    if (block[0] & 0x80) out[15] ^= 0x87;
    return out;
  };
  const k1 = double(encrypt(Buffer.alloc(16)));
  const k2 = double(k1);
  const blocks = Math.max(1, Math.ceil(message.length / 16));
  const complete = message.length > 0 && message.length % 16 === 0;
  const last = Buffer.alloc(16);
  message.copy(last, 0, (blocks - 1) * 16);
  if (!complete) last[message.length - (blocks - 1) * 16] = 0x80;
  const tail = complete ? k1 : k2;
  let state = Buffer.alloc(16);
  for (let i = 0; i < blocks; ++i) {
    const block = i < blocks - 1 ? message.subarray(i * 16, i * 16 + 16) : last.map((b, j) => b ^ tail[j]);
    state = encrypt(state.map((b, j) => b ^ block[j]));
  }
  return state;
}
function unblockCryptogram(serial, challengeHex) {
  const serialBytes = Buffer.from(serial, "ascii");
  const key = cmac(demoMasterKey, Buffer.concat([Buffer.from([1]), Buffer.from("PINUNBLOCK"), Buffer.from([0]),
    serialBytes, Buffer.from([0, 0x80])]));
  return cmac(key, Buffer.concat([Buffer.from(challengeHex, "hex"), serialBytes, Buffer.from([0x2c, 0x81])]))
    .toString("hex").toUpperCase();
}

// Holders, cards and sessions of the kit's own (fresh numbers each run, so no per-holder limit
// carries over from an earlier run).
const digits = (n) => Array.from({ length: n }, () => randomInt(10)).join("");
const freshSerial = () => `7${digits(11)}`;
const hex = (bytes) => randomBytes(bytes).toString("hex").toUpperCase();

async function newHolder({ confirmation = "sms", tckn = `8${digits(10)}` } = {}) {
  const holder = { tckn, name: "KIT HOLDER", phone: `+90555${digits(7)}`, confirmation, password: `kit-${hex(8)}` };
  const { tckn: _, ...body } = holder;
  status(await issuerCall("PUT", `/internal/v1/holders/${tckn}`, { json: body }), 204);
  return holder;
}
// A card enrolled for the holder, its certificate from the demo CA.
async function newCard(holder, serial = freshSerial()) {
  const issued = status(await call("POST", "/demo/cards", { json: { tckn: holder.tckn, serial } }), 200);
  return { serial, certificate: issued.certificate };
}
async function newCode(holder, operation = "unblock", confirmation) {
  const json = { tckn: holder.tckn, operation, ...(confirmation ? { confirmation } : {}) };
  return status(await issuerCall("POST", "/internal/v1/verification-codes", { json }), 201);
}
async function openSession(holder, operation, confirmation) {
  const { code } = await newCode(holder, operation, confirmation);
  return status(await call("POST", "/api/v1/sessions", { json: { code } }), 201);
}
const step = (session, name, json) => call("POST", `/api/v1/sessions/${session.session}/${name}`, { json });
async function smsCode(holder) {
  const outbox = status(await call("GET", "/demo/outbox"), 200);
  const mine = outbox.filter((message) => message.to === holder.phone);
  expect(mine.length > 0, `no SMS to ${holder.phone} in /demo/outbox`);
  return mine.at(-1).code;
}
// A session whose card is checked: { holder, card, session }.
async function checked({ operation = "unblock", confirmation = "sms", serial } = {}) {
  const holder = await newHolder({ confirmation });
  const card = await newCard(holder, serial);
  const session = await openSession(holder, operation);
  status(await step(session, "card", { serial: card.serial, certificate: card.certificate }), 200);
  return { holder, card, session };
}
async function confirmed(options = {}) {
  const flow = await checked(options);
  if (flow.holder.confirmation === "sms") {
    status(await step(flow.session, "sms", {}), 200);
    status(await step(flow.session, "confirm", { sms_code: await smsCode(flow.holder) }), 200);
  } else {
    status(await step(flow.session, "confirm", { password: flow.holder.password }), 200);
  }
  return flow;
}
// A certificate naming the holder, from a CA that is not the implementation's.
function selfSigned(tckn) {
  const dir = mkdtempSync(join(tmpdir(), "kamusm-kit-"));
  try {
    execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30", "-keyout", join(dir, "key"),
      "-subj", `/C=TR/serialNumber=${tckn}/CN=KIT HOLDER`, "-outform", "DER", "-out", join(dir, "cert")], { stdio: "ignore" });
    return readFileSync(join(dir, "cert")).toString("base64");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// Malformed bodies for a route, from its schema in the document: each must be 400 invalid-request.
function malformed(template, method, valid) {
  const schema = contract.document.paths[template][method].requestBody.content["application/json"].schema;
  const alternatives = schema.oneOf ?? [schema];
  const properties = Object.assign({}, ...alternatives.map((s) => s.properties ?? {}));
  const required = alternatives[0].required ?? [];
  const text = JSON.stringify(valid);
  const first = Object.keys(valid)[0];
  const cases = [
    ["not JSON", text.slice(0, -1)],
    ["not an object", "[]"],
    ["another Content-Type", text, "text/plain"],
    ["an unknown member", JSON.stringify({ ...valid, kit_unknown: "x" })],
    ["a member named like a PIN", JSON.stringify({ ...valid, new_pin: "123456" })],
    ["a member named like a PUK", JSON.stringify({ ...valid, PUK: "12345678" })],
  ];
  if (first) cases.push(["a repeated member", `{${JSON.stringify(first)}:${JSON.stringify(valid[first])},${text.slice(1)}`]);
  if (schema.oneOf) cases.push(["both alternatives", JSON.stringify(Object.fromEntries(alternatives.map((s) => {
    const name = s.required[0];
    return [name, name in valid ? valid[name] : "123456"];
  })))]);
  for (const name of required) {
    const { [name]: _, ...rest } = valid;
    cases.push([`no ${name}`, JSON.stringify(rest)]);
  }
  for (const [name, property] of Object.entries(properties)) {
    cases.push([`${name} a number`, JSON.stringify({ ...valid, [name]: 12 })]);
    const wrong = property.enum ? "kit" : property.pattern ? "x!" : property.format === "byte" ? "%%%%"
      : property.maxLength !== undefined ? "a".repeat(property.maxLength + 1) : null;
    if (wrong !== null) cases.push([`${name} out of its format`, JSON.stringify({ ...valid, [name]: wrong })]);
  }
  return cases;
}
async function refusesMalformed(template, method, path, valid, issuer) {
  const send = issuer ? issuerCall : call;
  for (const [what, body, contentType] of malformed(template, method, valid)) {
    const answer = await send(method.toUpperCase(), path, { body, contentType });
    expect(answer.status === 400 && answer.body?.type === urn("invalid-request"),
      `${what}: 400 invalid-request expected, got ${answer.status} ${answer.body?.type ?? ""}`);
  }
  const large = JSON.stringify({ ...valid, [Object.keys(valid)[0] ?? "padding"]: "a".repeat(17 * 1024) });
  problem(await send(method.toUpperCase(), path, { body: large }), 413, "payload-too-large");
}

const rules = [];
const rule = (name, run, options = {}) => rules.push({ name, run, ...options });

rule("health answers 200 with status, version and mode", async () => {
  const health = status(await call("GET", "/api/v1/health"), 200);
  expect(health.status === "ok", `status ${health.status}`);
  expect(health.demo === true, "the kit needs demo mode (the demo routes and master key)");
});
rule("an unknown path is 404 not-found, another method 405", async () => {
  problem(await call("GET", "/api/v1/kit-nothing"), 404, "not-found");
  const answer = await call("GET", "/api/v1/sessions");
  expect(answer.status === 405 && answer.body?.type === urn("invalid-request"), `405 expected, got ${answer.status}`);
});
rule("a session id that is not 32 upper-case hex digits matches no route (404, or 405)", async () => {
  for (const id of [hex(16).toLowerCase(), "KIT"]) {
    const answer = await call("POST", `/api/v1/sessions/${id}/sms`, { json: {} });
    expect([404, 405].includes(answer.status), `404 not-found expected, got ${answer.status}`);
  }
});
rule("issuer API: no or a wrong token is 401 unauthorized", async () => {
  const json = { tckn: "10000000146", operation: "unblock" };
  problem(await call("POST", "/internal/v1/verification-codes", { json, issuer: true }), 401, "unauthorized");
  problem(await call("POST", "/internal/v1/verification-codes", { json, issuer: true, auth: `Bearer x${token}` }), 401, "unauthorized");
});
rule("issuer API: holders (204), cards (204) and verification codes (201)", async () => {
  const holder = await newHolder();
  const other = await newCard(holder);
  // A serial enrolled through the issuer API takes the holder's certificate.
  const serial = freshSerial();
  status(await issuerCall("PUT", `/internal/v1/cards/${serial}`, { json: { tckn: holder.tckn } }), 204);
  const code = await newCode(holder, "create");
  expect(/^[0-9]{15}$/.test(code.code) && code.expires_in > 0, JSON.stringify(code));
  const session = status(await call("POST", "/api/v1/sessions", { json: { code: code.code } }), 201);
  status(await step(session, "card", { serial, certificate: other.certificate }), 200);
});
rule("issuer API: a card or a code for an unknown holder is 404 not-found", async () => {
  problem(await issuerCall("PUT", `/internal/v1/cards/${freshSerial()}`, { json: { tckn: `8${digits(10)}` } }), 404, "not-found");
  problem(await issuerCall("POST", "/internal/v1/verification-codes", { json: { tckn: `8${digits(10)}`, operation: "unblock" } }), 404, "not-found");
});
rule("session: a verification code opens a session of its holder and operation", async () => {
  for (const [operation, confirmation] of [["create", "sms"], ["change", "password"], ["unblock", "sms"]]) {
    const holder = await newHolder({ confirmation });
    const session = await openSession(holder, operation);
    expect(session.operation === operation, `operation ${session.operation}, not ${operation}`);
    expect(session.confirmation === confirmation, `confirmation ${session.confirmation}, not ${confirmation}`);
    expect(session.holder.name === holder.name, `holder ${session.holder.name}`);
    expect(session.holder.tckn_masked === `${holder.tckn.slice(0, 3)}******${holder.tckn.slice(9)}`,
      `tckn_masked ${session.holder.tckn_masked}`);
  }
});
rule("session: the code's confirmation overrides the holder's", async () => {
  const holder = await newHolder({ confirmation: "sms" });
  const session = await openSession(holder, "unblock", "password");
  expect(session.confirmation === "password", `confirmation ${session.confirmation}`);
});
rule("session: a code is single use (409 code-used)", async () => {
  const holder = await newHolder();
  const { code } = await newCode(holder);
  status(await call("POST", "/api/v1/sessions", { json: { code } }), 201);
  problem(await call("POST", "/api/v1/sessions", { json: { code } }), 409, "code-used");
});
rule("session: an unknown code is 404 code-unknown", async () => {
  problem(await call("POST", "/api/v1/sessions", { json: { code: digits(15) } }), 404, "code-unknown");
});
rule("session: an expired code is 410 code-expired", async () => {
  const holder = await newHolder();
  const { code, expires_in } = await newCode(holder);
  await waitOut(expires_in, "a verification code");
  problem(await call("POST", "/api/v1/sessions", { json: { code } }), 410, "code-expired");
});
rule("session: an unknown session is 404 session-unknown", async () => {
  problem(await step({ session: hex(16) }, "sms", {}), 404, "session-unknown");
  problem(await step({ session: hex(16) }, "outcome", { result: "cancelled" }), 404, "session-unknown");
});
rule("session: an expired session is 410 session-expired; its outcome is still taken", async () => {
  const { holder, card, session } = await checked();
  await waitOut(session.expires_in, "a session");
  problem(await step(session, "card", { serial: card.serial, certificate: card.certificate }), 410, "session-expired");
  problem(await step(session, "sms", {}), 410, "session-expired");
  problem(await step(session, "confirm", { password: holder.password }), 410, "session-expired");
  problem(await step(session, "authorization", { serial: card.serial, challenge: hex(16) }), 410, "session-expired");
  status(await step(session, "outcome", { result: "cancelled" }), 204);
});
rule("session: too many for one holder is 429 rate-limited with Retry-After; the code is kept", async () => {
  const holder = await newHolder();
  for (let i = 0; i < 30; ++i) {
    const { code } = await newCode(holder);
    const answer = await call("POST", "/api/v1/sessions", { json: { code } });
    if (answer.status === 201) continue;
    const body = problem(answer, 429, "rate-limited");
    expect(Number(answer.headers["retry-after"]) === body.retry_after, "Retry-After and retry_after differ");
    problem(await call("POST", "/api/v1/sessions", { json: { code } }), 429, "rate-limited");
    return;
  }
  throw new Error("30 sessions for one holder were all opened (the per-holder limit must be below 30)");
});
rule("card: the holder's enrolled card is checked (200)", async () => {
  await checked();
});
rule("card: a card of another holder is 403 wrong-holder", async () => {
  const holder = await newHolder();
  const stranger = await newCard(await newHolder());
  status(await issuerCall("PUT", `/internal/v1/cards/${stranger.serial}`, { json: { tckn: holder.tckn } }), 204);
  const session = await openSession(holder, "unblock");
  problem(await step(session, "card", stranger), 403, "wrong-holder");
});
rule("card: a serial not enrolled for the holder is 403 unknown-card", async () => {
  const holder = await newHolder();
  const card = await newCard(holder);
  const session = await openSession(holder, "unblock");
  problem(await step(session, "card", { ...card, serial: freshSerial() }), 403, "unknown-card");
});
rule("card: a certificate from another CA, or none at all, is 403 untrusted-certificate", async () => {
  const holder = await newHolder();
  const card = await newCard(holder);
  const session = await openSession(holder, "unblock");
  problem(await step(session, "card", { serial: card.serial, certificate: selfSigned(holder.tckn) }), 403, "untrusted-certificate");
  problem(await step(session, "card", { serial: card.serial, certificate: randomBytes(300).toString("base64") }), 403, "untrusted-certificate");
});
rule("card: later steps before the card check are 409 card-not-checked", async () => {
  const holder = await newHolder();
  const session = await openSession(holder, "unblock");
  problem(await step(session, "sms", {}), 409, "card-not-checked");
  problem(await step(session, "confirm", { sms_code: "123456" }), 409, "card-not-checked");
  problem(await step(session, "authorization", { serial: freshSerial(), challenge: hex(16) }), 409, "card-not-checked");
});
rule("sms: the code goes to the holder's phone, shown masked", async () => {
  const { holder, session } = await checked();
  const sent = status(await step(session, "sms", {}), 200);
  expect(sent.sent_to.endsWith(holder.phone.slice(-2)) && !sent.sent_to.includes(holder.phone.slice(-7, -2)),
    `sent_to ${sent.sent_to} for ${holder.phone}`);
  expect(/^[0-9]{6}$/.test(await smsCode(holder)), "the SMS code is not 6 digits");
});
rule("sms: a resend within resend_in is 429 rate-limited with Retry-After", async () => {
  const { session } = await checked();
  const sent = status(await step(session, "sms", {}), 200);
  const answer = await step(session, "sms", {});
  const body = problem(answer, 429, "rate-limited");
  expect(Number(answer.headers["retry-after"]) <= sent.resend_in, `Retry-After ${answer.headers["retry-after"]} > resend_in ${sent.resend_in}`);
  expect(body.retry_after === Number(answer.headers["retry-after"]), "Retry-After and retry_after differ");
});
rule("sms: a new SMS replaces the code before it", async () => {
  const { holder, session } = await checked();
  const sent = status(await step(session, "sms", {}), 200);
  const first = await smsCode(holder);
  await waitOut(sent.resend_in, "the resend interval");
  status(await step(session, "sms", {}), 200);
  const second = await smsCode(holder);
  if (second !== first) problem(await step(session, "confirm", { sms_code: first }), 403, "wrong-sms-code");
  status(await step(session, "confirm", { sms_code: second }), 200);
});
rule("sms: a password holder's session sends none (400 wrong-confirmation-kind)", async () => {
  const { session } = await checked({ confirmation: "password" });
  problem(await step(session, "sms", {}), 400, "wrong-confirmation-kind");
});
rule("confirm: the SMS code before any SMS is 409 sms-not-sent", async () => {
  const { session } = await checked();
  problem(await step(session, "confirm", { sms_code: "123456" }), 409, "sms-not-sent");
});
rule("confirm: the SMS code confirms (200), and again (200)", async () => {
  const { holder, session } = await checked();
  status(await step(session, "sms", {}), 200);
  const code = await smsCode(holder);
  status(await step(session, "confirm", { sms_code: code }), 200);
  status(await step(session, "confirm", { sms_code: code }), 200);
});
rule("confirm: the web password confirms (200)", async () => {
  await confirmed({ confirmation: "password" });
});
rule("confirm: the other kind is 400 wrong-confirmation-kind", async () => {
  const sms = await checked();
  problem(await step(sms.session, "confirm", { password: sms.holder.password }), 400, "wrong-confirmation-kind");
  const password = await checked({ confirmation: "password" });
  problem(await step(password.session, "confirm", { sms_code: "123456" }), 400, "wrong-confirmation-kind");
});
rule("confirm: an expired SMS code is 410 sms-code-expired", async () => {
  const { holder, session } = await checked();
  const sent = status(await step(session, "sms", {}), 200);
  expect(session.expires_in > sent.expires_in + 3, `the session (${session.expires_in} s) must outlive the SMS code (${sent.expires_in} s) by 3 s`);
  const code = await smsCode(holder);
  await waitOut(sent.expires_in, "an SMS code");
  problem(await step(session, "confirm", { sms_code: code }), 410, "sms-code-expired");
});
for (const kind of ["sms", "password"]) {
  rule(`confirm: three wrong ${kind === "sms" ? "SMS codes" : "passwords"} (403, tries_left 2 1 0) lock the session (423)`, async () => {
    const { holder, card, session } = await checked({ confirmation: kind });
    let right = holder.password;
    if (kind === "sms") {
      status(await step(session, "sms", {}), 200);
      right = await smsCode(holder);
    }
    const wrong = kind === "sms" ? { sms_code: right === "000000" ? "111111" : "000000" } : { password: `${right}x` };
    for (const triesLeft of [2, 1, 0]) {
      const body = problem(await step(session, "confirm", wrong), 403, kind === "sms" ? "wrong-sms-code" : "wrong-password");
      expect(body.tries_left === triesLeft, `tries_left ${body.tries_left}, not ${triesLeft}`);
    }
    problem(await step(session, "confirm", kind === "sms" ? { sms_code: right } : { password: right }), 423, "session-locked");
    problem(await step(session, "card", { serial: card.serial, certificate: card.certificate }), 423, "session-locked");
    problem(await step(session, "authorization", { serial: card.serial, challenge: hex(16) }), 423, "session-locked");
    status(await step(session, "outcome", { result: "cancelled" }), 204);
  });
}
rule("authorization: before the confirmation is 409 not-confirmed", async () => {
  const { card, session } = await checked();
  problem(await step(session, "authorization", { serial: card.serial, challenge: hex(16) }), 409, "not-confirmed");
});
rule("authorization: the card-profile.md test vector (serial 123456789012) gives 90B1BE7C…", async () => {
  // The test vector's serial belongs to one fixed kit holder on every run.
  const holder = await newHolder({ confirmation: "password", tckn: "80000000000" });
  status(await issuerCall("PUT", `/internal/v1/cards/${vector.serial}`, { json: { tckn: holder.tckn } }), 204);
  const card = await newCard(holder, vector.serial);
  const session = await openSession(holder, "unblock");
  status(await step(session, "card", card), 200);
  status(await step(session, "confirm", { password: holder.password }), 200);
  const { cryptogram } = status(await step(session, "authorization", { serial: vector.serial, challenge: vector.challenge }), 200);
  expect(unblockCryptogram(vector.serial, vector.challenge) === vector.cryptogram, "the kit's own AES-CMAC is wrong");
  expect(cryptogram === vector.cryptogram, `cryptogram ${cryptogram}, not ${vector.cryptogram}`);
});
for (const operation of ["create", "unblock"]) {
  rule(`authorization: a ${operation} gets C = AES-CMAC(K, R || serial || 2C 81) once; the same R again, another R 409`, async () => {
    const { card, session } = await confirmed({ operation });
    const challenge = hex(16);
    const { cryptogram } = status(await step(session, "authorization", { serial: card.serial, challenge }), 200);
    expect(cryptogram === unblockCryptogram(card.serial, challenge), `cryptogram ${cryptogram} is not card-profile.md's`);
    const again = status(await step(session, "authorization", { serial: card.serial, challenge: challenge.toLowerCase() }), 200);
    expect(again.cryptogram === cryptogram, "the same challenge got another cryptogram");
    problem(await step(session, "authorization", { serial: card.serial, challenge: hex(16) }), 409, "authorization-used");
  });
}
rule("authorization: another card than the one checked is 403 card-mismatch", async () => {
  const { holder, card, session } = await confirmed();
  const other = await newCard(holder);
  problem(await step(session, "authorization", { serial: other.serial, challenge: hex(16) }), 403, "card-mismatch");
  status(await step(session, "authorization", { serial: card.serial, challenge: hex(16) }), 200);
  // Once the cryptogram is out, the session takes no other card.
  problem(await step(session, "card", other), 403, "card-mismatch");
});
rule("authorization: a PIN change has none (409 operation-not-authorized)", async () => {
  const { card, session } = await confirmed({ operation: "change" });
  problem(await step(session, "authorization", { serial: card.serial, challenge: hex(16) }), 409, "operation-not-authorized");
});
rule("outcome: each result is taken once (204); then every step is 409 outcome-reported", async () => {
  for (const result of ["success", "wrong_state", "card_removed", "card_error", "cancelled"]) {
    const { card, session } = await confirmed();
    status(await step(session, "outcome", { result, detail: `kit ${result}` }), 204);
    problem(await step(session, "outcome", { result }), 409, "outcome-reported");
    problem(await step(session, "card", card), 409, "outcome-reported");
    problem(await step(session, "sms", {}), 409, "outcome-reported");
    problem(await step(session, "confirm", { sms_code: "123456" }), 409, "outcome-reported");
    problem(await step(session, "authorization", { serial: card.serial, challenge: hex(16) }), 409, "outcome-reported");
  }
});
rule("demo: a card serial of another holder is 400 invalid-request", async () => {
  const card = await newCard(await newHolder());
  problem(await call("POST", "/demo/cards", { json: { tckn: (await newHolder()).tckn, serial: card.serial } }), 400, "invalid-request");
  problem(await call("POST", "/demo/verification-codes", { json: { tckn: `8${digits(10)}`, operation: "unblock" } }), 404, "not-found");
});
rule("docs: GET /api/docs is the rendered reference (demo mode)", async () => {
  const answer = await call("GET", "/api/docs");
  status(answer, 200);
  expect(answer.text.includes("/api/v1/sessions/{id}/authorization"), "the page does not list the routes");
});

// Malformed input on every route that takes a body: the document's schema, broken each way.
rule("malformed input: POST /api/v1/sessions is 400 invalid-request (413 when too large)", async () => {
  const { code } = await newCode(await newHolder());
  await refusesMalformed("/api/v1/sessions", "post", "/api/v1/sessions", { code });
});
for (const [name, valid] of [
  ["card", (flow) => ({ serial: flow.card.serial, certificate: flow.card.certificate })],
  ["sms", () => ({})],
  ["confirm", () => ({ sms_code: "123456" })],
  ["authorization", (flow) => ({ serial: flow.card.serial, challenge: hex(16) })],
  ["outcome", () => ({ result: "cancelled" })],
]) {
  rule(`malformed input: POST /api/v1/sessions/{id}/${name} is 400 invalid-request (413 when too large)`, async () => {
    const flow = await checked();
    await refusesMalformed(`/api/v1/sessions/{id}/${name}`, "post", `/api/v1/sessions/${flow.session.session}/${name}`, valid(flow));
  });
}
rule("malformed input: the issuer API is 400 invalid-request (413 when too large)", async () => {
  const holder = await newHolder();
  await refusesMalformed("/internal/v1/holders/{tckn}", "put", `/internal/v1/holders/${holder.tckn}`,
    { name: holder.name, phone: holder.phone, confirmation: "sms", password: holder.password }, true);
  await refusesMalformed("/internal/v1/cards/{serial}", "put", `/internal/v1/cards/${freshSerial()}`, { tckn: holder.tckn }, true);
  await refusesMalformed("/internal/v1/verification-codes", "post", "/internal/v1/verification-codes",
    { tckn: holder.tckn, operation: "unblock" }, true);
});
rule("malformed input: the demo routes are 400 invalid-request (413 when too large)", async () => {
  const holder = await newHolder();
  await refusesMalformed("/demo/verification-codes", "post", "/demo/verification-codes", { tckn: holder.tckn, operation: "unblock" });
  await refusesMalformed("/demo/cards", "post", "/demo/cards", { tckn: holder.tckn, serial: freshSerial() });
});
// Last: it shuts the kit's address out of the issuer API for the rate window.
rule("issuer API: repeated failures from one address are 429 rate-limited with Retry-After, even with the token", async () => {
  const json = { tckn: "10000000146", operation: "unblock" };
  for (let i = 0; i < 100; ++i) {
    const answer = await call("POST", "/internal/v1/verification-codes", { json, issuer: true, auth: "Bearer kit-wrong" });
    if (answer.status === 401) continue;
    const body = problem(answer, 429, "rate-limited");
    expect(body.retry_after === Number(answer.headers["retry-after"]), "Retry-After and retry_after differ");
    problem(await issuerCall("POST", "/internal/v1/verification-codes", { json }), 429, "rate-limited");
    return;
  }
  throw new Error("100 requests without the token were all answered 401");
}, { last: true });

// The rules run a few at a time (the waits overlap); the lines come out in the order above.
async function run(entry) {
  try {
    await entry.run();
    return `ok   ${entry.name}`;
  } catch (error) {
    return `FAIL ${entry.name}: ${error.message}`;
  }
}
const started = Date.now();
console.log("ok   the OpenAPI document is valid (@apidevtools/swagger-parser)");
const lines = [];
const ordinary = rules.filter((entry) => !entry.last);
const results = new Array(ordinary.length);
let next = 0;
await Promise.all(Array.from({ length: 6 }, async () => {
  while (next < ordinary.length) {
    const index = next++;
    results[index] = run(ordinary[index]);
    await results[index];
  }
}));
for (const result of results) lines.push(await result);
for (const entry of rules.filter((e) => e.last)) lines.push(await run(entry));
for (const line of lines) console.log(line);
const failed = lines.filter((line) => line.startsWith("FAIL")).length;
console.log(`${lines.length + 1 - failed} passed, ${failed} failed (${((Date.now() - started) / 1000).toFixed(1)} s)`);
process.exit(failed ? 1 : 0);
