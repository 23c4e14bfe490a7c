// Talks to kamusm-pcsc-host as Chrome does: the extension's origin as the argument, messages
// framed with a 32-bit little-endian length on its standard input and output. Also starts the
// virtual card in vpcd's reader (kamusm-vpcd-card) for the tests.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { once } from "node:events";
import { readFileSync } from "node:fs";

// The extension's id as Chrome derives it from the key in its manifest: the first 32 hex digits
// of SHA-256 over the public key, written a–p.
const manifest = JSON.parse(readFileSync(new URL("../../helper/extension/manifest.json", import.meta.url)));
export const extensionId = createHash("sha256").update(Buffer.from(manifest.key, "base64")).digest("hex")
  .slice(0, 32).replace(/[0-9a-f]/g, (digit) => String.fromCharCode(97 + parseInt(digit, 16)));
export const extensionOrigin = `chrome-extension://${extensionId}/`;
export const reader = "Virtual PCD 00 00";
const hostPath = process.env.KAMUSM_HOST;
const cardPath = process.env.KAMUSM_VPCD_CARD;
const vpcdPort = process.env.KAMUSM_VPCD_PORT ?? "29963"; // tests/pcsc/rig.sh

export function frame(message) {
  const body = Buffer.from(typeof message === "string" ? message : JSON.stringify(message));
  const length = Buffer.alloc(4);
  length.writeUInt32LE(body.length);
  return Buffer.concat([length, body]);
}

const running = new Set(); // hosts not exited yet, ended by Host.stopAll()

export class Host {
  // Ends every host a test left running (one that failed before it closed its host).
  static async stopAll() {
    await Promise.all(Array.from(running, (host) => host.kill()));
  }

  constructor(args = [extensionOrigin]) {
    this.process = spawn(hostPath, args, { stdio: ["pipe", "pipe", "pipe"] });
    running.add(this);
    this.answers = new Map(); // id → answer, for answers not waited for yet
    this.waiting = new Map(); // id → resolve
    this.stderr = "";
    this.nextId = 1;
    let buffer = Buffer.alloc(0);
    this.process.stdout.on("data", (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      while (buffer.length >= 4 && buffer.length >= 4 + buffer.readUInt32LE(0)) {
        const length = buffer.readUInt32LE(0);
        const answer = JSON.parse(buffer.subarray(4, 4 + length).toString());
        buffer = buffer.subarray(4 + length);
        const resolve = this.waiting.get(answer.id);
        if (resolve) {
          this.waiting.delete(answer.id);
          resolve(answer);
        } else {
          this.answers.set(answer.id, answer);
        }
      }
    });
    this.process.stderr.on("data", (chunk) => { this.stderr += chunk; });
    this.exited = once(this.process, "exit").then(([code, signal]) => {
      running.delete(this);
      return { code, signal };
    });
    this.process.stdin.on("error", () => {}); // writes after the host exited
  }

  // Sends `request` with a fresh id (unless it has one); the answer's Promise.
  send(request) {
    const message = { id: this.nextId++, ...request };
    this.write(frame(message));
    return this.answerTo(message.id);
  }
  write(bytes) {
    this.process.stdin.write(bytes);
  }
  answerTo(id, timeoutMs = 10000) {
    if (this.answers.has(id)) {
      const answer = this.answers.get(id);
      this.answers.delete(id);
      return Promise.resolve(answer);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer to ${id}; stderr: ${this.stderr}`)), timeoutMs);
      this.waiting.set(id, (answer) => { clearTimeout(timer); resolve(answer); });
    });
  }
  // The result, or a thrown Error naming the failure.
  async call(request) {
    const answer = await this.send(request);
    if (answer.error) throw Object.assign(new Error(JSON.stringify(answer.error)), answer.error);
    return answer.result;
  }
  close() {
    this.process.stdin.end();
    return this.exited;
  }
  kill() {
    this.process.kill("SIGKILL");
    return this.exited;
  }

  // A context and a shared T=1/T=0 connection to the card in the first reader.
  async connect() {
    const { context } = await this.call({ method: "establishContext" });
    const { connection } = await this.call({ method: "connect", context, reader, accessMode: "shared",
                                             preferredProtocols: ["t1", "t0"] });
    return { context, connection };
  }
  transmit(connection, hex) {
    return this.send({ method: "transmit", connection, command: [...Buffer.from(hex.replace(/ /g, ""), "hex")] });
  }
  // The card's answer as hex, or the error's name.
  async apdu(connection, hex) {
    const answer = await this.transmit(connection, hex);
    if (answer.error) return answer.error.responseCode ?? answer.error.name;
    return Buffer.from(answer.result.response).toString("hex").toUpperCase();
  }
  // Waits until no program holds a connection to the card (pcscd has cleaned up after a host
  // that was killed: a connection made before then may find the card mid-reset).
  async untilFree(context, timeoutMs = 20000) {
    for (const end = Date.now() + timeoutMs; Date.now() < end;) {
      const { readerStates } = await this.call({ method: "getStatusChange", context,
        readerStates: [{ readerName: reader, currentState: { unaware: true } }], timeout: 0 });
      if (!readerStates[0].eventState.inuse) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error("the card stayed in use");
  }

  // Waits until the first reader shows a card (present) or none.
  async untilCard(context, present, timeoutMs = 20000) {
    const end = Date.now() + timeoutMs;
    let known = { readerName: reader, currentState: { unaware: true } };
    while (Date.now() < end) {
      const { readerStates } = await this.call({ method: "getStatusChange", context,
                                                 readerStates: [known], timeout: 1000 }).catch((error) => {
        if (error.name === "TimeoutError") return { readerStates: [] };
        throw error;
      });
      if (readerStates.length) {
        const state = readerStates[0];
        if (!!state.eventState.present === present) return state;
        known = { readerName: reader, currentState: { ...state.eventState, changed: undefined, unknown: undefined },
                  currentCount: state.eventCount };
      }
    }
    throw new Error(`the card did not become ${present ? "present" : "absent"}`);
  }
}

// The virtual card served to vpcd; `options` are kamusm-vpcd-card's ("--pin", "blocked" …).
export class Card {
  constructor(options = []) {
    this.process = spawn(cardPath, ["--port", vpcdPort, ...options], { stdio: ["ignore", "pipe", "pipe"] });
    this.output = "";
    this.process.stdout.on("data", (chunk) => { this.output += chunk; });
    this.process.stderr.on("data", (chunk) => { this.output += chunk; });
    this.exited = once(this.process, "exit");
  }
  remove() { this.process.kill("SIGUSR1"); }
  insert() { this.process.kill("SIGUSR2"); }
  // Stops the card; its report: { apdus, puk }.
  async stop() {
    this.process.kill("SIGTERM");
    await this.exited;
    const seen = this.output.match(/(\d+) APDUs, (\d+) PUK commands seen/);
    return seen ? { apdus: Number(seen[1]), puk: Number(seen[2]) } : null;
  }
}
