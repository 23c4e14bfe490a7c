#!/usr/bin/env python3
"""Prepares bench data in a kamusm-server database: verification codes for the session-start
runs, or sessions whose card is checked and whose SMS code is known for the SMS-confirm runs,
spread over many holders (PER_HOLDER each), as real traffic is. Writes them straight into the
tables (issuing 100,000 codes through the API would take longer than the run) and prints the
requests for bench/replay.lua, one per line.

usage: prepare.py codes|sessions COUNT DATABASE   (DATABASE: sqlite:<file> or postgresql://…)
"""
import hashlib
import os
import secrets
import subprocess
import sys
import tempfile
import time

PER_HOLDER = 200
SERIAL = "900000000001"
SMS_CODE = "123456"


def holder(index):
    return f"2{index // PER_HOLDER:010d}"


def holders(count):
    return [("holders", ("tckn", "name", "phone", "confirmation"),
             (holder(i), f"BENCH {i}", "+905550000000", "sms"))
            for i in range(0, count, PER_HOLDER)]


def rows(kind, count, now):
    for index in range(count):
        if kind == "codes":
            code = "".join(secrets.choice("0123456789") for _ in range(15))
            digest = hashlib.sha256(code.encode()).hexdigest().upper()
            yield ("verification_codes",
                   ("code_hash", "tckn", "operation", "confirmation", "expires_at"),
                   (digest, holder(index), "unblock", "sms", now + 3600),
                   f'/api/v1/sessions\t{{"code":"{code}"}}')
        else:
            session = secrets.token_hex(16).upper()
            yield ("sessions",
                   ("id", "tckn", "operation", "confirmation", "expires_at", "card_serial",
                    "sms_code", "sms_expires_at", "sms_sent_at", "tries_left"),
                   (session, holder(index), "unblock", "sms", now + 3600, SERIAL, SMS_CODE,
                    now + 3600, now, 3),
                   f'/api/v1/sessions/{session}/confirm\t{{"sms_code":"{SMS_CODE}"}}')


def insert(database, table, columns, values):
    if database.startswith("sqlite:"):
        import sqlite3
        connection = sqlite3.connect(database[len("sqlite:"):], timeout=30)
        marks = ", ".join("?" for _ in columns)
        connection.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",
                               values)
        connection.commit()
        return
    with tempfile.NamedTemporaryFile("w", suffix=".tsv", delete=False) as data:
        for row in values:
            data.write("\t".join(str(value) for value in row) + "\n")
    script = f"\\copy {table} ({', '.join(columns)}) FROM '{data.name}'\n"
    subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", database], input=script, text=True,
                   check=True)
    os.unlink(data.name)


def main():
    kind, count, database = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    prepared = list(rows(kind, count, int(time.time())))
    for batch in (holders(count), prepared):
        insert(database, batch[0][0], batch[0][1], [row[2] for row in batch])
    for row in prepared:
        print(row[3])


if __name__ == "__main__":
    main()
