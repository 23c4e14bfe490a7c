#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets that take exchanges, from real traces of the
stack: `pinctl sim ... --trace` (every CCID message and APDU between the host stack and the
virtual readers and cards) and the request bodies pinctl sends to a demo kamusm-server (through a
recording proxy). Run from the repository with build/native built:

    python3 fuzz/seeds/from-traces.py

The issuer API's bodies are those of src/server/openapi.yaml (no client of ours sends them)."""
import http.server
import json
import os
import re
import subprocess
import sys
import threading
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PINCTL = os.path.join(ROOT, "build/native/pinctl")
SERVER = os.path.join(ROOT, "build/native/kamusm-server")
SEEDS = os.path.join(ROOT, "fuzz/seeds")
MODELS = ["acr39u", "connect2sign", "extended", "twoslot"]  # ccid::knownReaders() order


def write(corpus, name, data):
    os.makedirs(os.path.join(SEEDS, corpus), exist_ok=True)
    with open(os.path.join(SEEDS, corpus, name), "wb") as out:
        out.write(bytes(data))


def trace(model, card, operation, stdin=""):
    run = subprocess.run([PINCTL, "sim", model, "--card", card, operation, "--trace"],
                         input=stdin, capture_output=True, text=True, check=True)
    lines = []
    for line in run.stdout.splitlines():
        match = re.match(r"(ccid [<>]|apdu [<>]|intr <) ((?:[0-9A-F]{2} ?)*)$", line)
        if match:
            lines.append((match.group(1), bytes.fromhex(match.group(2))))
    return lines


def le16(n):
    return [n & 0xFF, n >> 8]


def ccid_reader_seeds():
    # The fuzzer's first exchange is a GetSlotStatus: the virtual reader's answer for a card
    # that is in and not powered.
    slot_status = [0x08, 0x81, 0x01, 0x00, 0x01, 0]
    for index, model in enumerate(MODELS):
        for card in ("t1", "t0"):
            seed = [index] + slot_status
            for kind, message in trace(model, card, "certificates") + trace(model, card, "pin-status"):
                if kind != "ccid <":
                    continue
                data = list(message[10:])
                header = [message[0]] + list(message[7:10])
                seed += ([0x0F] + header + le16(len(data)) if len(data) > 255
                         else [0x08] + header + [len(data)]) + data
            write("ccid_reader", f"{model}-{card}", seed)


def t0_procedure_seeds():
    # The TPDUs of the T=0 card and its answers; the procedure bytes are those a T=0 card sends:
    # the ACK (INS) before the data, or a NULL (60) or a one-byte ACK (INS ^ FF) on the way.
    pairs, command = [], None
    for kind, message in trace("acr39u", "t0", "certificates") + trace("acr39u", "t0", "pin-status"):
        if kind == "ccid >" and message[0] == 0x6F:
            command = message[10:]
        elif kind == "ccid <" and command is not None and message[0] == 0x80:
            pairs.append((command, message[10:]))
            command = None
    for number, (tpdu, answer) in enumerate(pairs):
        ins, p3 = tpdu[1], tpdu[4]
        if len(tpdu) > 5:
            seed = [ins, 2, p3, ins] + list(answer)
        elif len(answer) > 2:
            seed = [ins, 1, p3, 0x60, ins] + list(answer)
        else:
            seed = [ins, 0, 0] + list(answer)
        write("t0_procedure", f"tpdu-{number:02d}", seed)
    write("t0_procedure", "one-byte-acks", [0x20, 2, 3, ins ^ 0xFF, ins ^ 0xFF, 0x20, 0x90, 0x00])


def vpcd_seeds():
    # What vpcd sends a card: GET ATR polls, power on, the APDUs of a session, power off.
    def frame(payload):
        return [len(payload) >> 8, len(payload) & 0xFF] + list(payload)
    apdus = [message for kind, message in trace("acr39u", "t1", "certificates") if kind == "apdu >"]
    stream = frame([0x04]) + frame([0x01]) + frame([0x04])
    for apdu in apdus:
        stream += frame(apdu)
    stream += frame(bytes.fromhex("0020008106") + b"000000") + frame([0x00])
    write("vpcd", "session", [0] + stream)
    write("vpcd", "pulled-at-third-apdu", [3] + stream)


def card_data_seeds():
    answers = []
    for operation in ("serial", "pin-status", "certificates"):
        for kind, message in trace("acr39u", "t1", operation):
            if kind == "apdu <":
                data = list(message[:-2])
                answers += list(message[-2:]) + le16(len(data)) + data
    write("card_data", "answers", answers)
    for name in ("signing-cert.der", "encryption-cert.der"):
        with open(os.path.join(ROOT, "assets/sim", name), "rb") as der:
            write("card_data", "file-" + name, [0xFF] + list(der.read()))


ROUTES = ["/api/v1/sessions", "card", "sms", "confirm", "authorization", "outcome",
          "/demo/verification-codes", "/demo/cards", "holders", "cards",
          "/internal/v1/verification-codes"]  # fuzz_server_routes' table


def route_index(path):
    for index, route in enumerate(ROUTES):
        if path == route or path.endswith("/" + route):
            return index
    return None


def server_route_seeds():
    """Runs pinctl create, change and unblock against a demo server through a proxy that keeps
    each request body, and writes them as seeds (a live session in the path)."""
    server = subprocess.Popen([SERVER, "--demo", "--port", "0", "--data-dir",
                               os.path.join(ROOT, "build/seed-server")],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    upstream = re.search(r"http://[0-9.:]+", server.stdout.readline()).group(0)
    bodies = []

    class Proxy(http.server.BaseHTTPRequestHandler):
        def forward(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            bodies.append((self.path, body))
            request = urllib.request.Request(upstream + self.path, data=body or None,
                                             method=self.command, headers=dict(self.headers))
            try:
                answer = urllib.request.urlopen(request)
            except urllib.error.HTTPError as error:
                answer = error
            payload = answer.read()
            self.send_response(answer.status)
            for name, value in answer.headers.items():
                if name.lower() not in ("transfer-encoding", "connection", "content-length"):
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        do_GET = do_POST = do_PUT = forward

        def log_message(self, *args):
            pass

    proxy = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Proxy)
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{proxy.server_address[1]}"
    try:
        for operation, pins in (("create", "24681357\n24681357\n"),
                                ("change", "123456\n24681357\n24681357\n"),
                                ("unblock", "97531864\n97531864\n")):
            subprocess.run([PINCTL, operation, "--demo", "--sim", "acr39u", "--server", url],
                           input=pins, capture_output=True, text=True, check=True)
    finally:
        proxy.shutdown()
        server.terminate()
        server.wait()
    seen = set()
    for path, body in bodies:
        index = route_index(path)
        if index is None or body in seen:
            continue
        seen.add(body)
        write("server_routes", f"{ROUTES[index].strip('/').replace('/', '-')}-{len(seen):02d}",
              [index, 0x01] + list(body))
    issuer = {
        8: {"name": "DEMO KULLANICI", "phone": "+905550000012", "confirmation": "sms",
            "password": "demo-parola", "birth_year": "1980"},
        9: {"tckn": "10000000146"},
        10: {"tckn": "10000000146", "operation": "unblock", "confirmation": "password"},
    }
    for index, body in issuer.items():
        write("server_routes", f"issuer-{index}", [index, 0x01] + list(json.dumps(body).encode()))


if __name__ == "__main__":
    for make in (ccid_reader_seeds, t0_procedure_seeds, vpcd_seeds, card_data_seeds,
                 server_route_seeds):
        make()
    print("seeds written under", SEEDS, file=sys.stderr)
