#!/usr/bin/env python3
"""Sums the outputs of wrk --latency runs made side by side (one per server instance) into one
table row: requests/s (summed), p50 and p99 latency in ms (the worst of the runs), and errors
(non-2xx answers and socket errors, summed).

usage: wrk_summary.py OUTPUT...   prints "<requests/s> <p50 ms> <p99 ms> <errors>"
"""
import re
import sys

UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def milliseconds(text):
    number, unit = re.fullmatch(r"([0-9.]+)(us|ms|s|m)", text).groups()
    return float(number) * UNITS[unit]


def parse(path):
    text = open(path).read()
    rate = float(re.search(r"Requests/sec:\s+([0-9.]+)", text).group(1))
    p50 = milliseconds(re.search(r"^\s+50%\s+(\S+)", text, re.M).group(1))
    p99 = milliseconds(re.search(r"^\s+99%\s+(\S+)", text, re.M).group(1))
    errors = 0
    if match := re.search(r"Non-2xx or 3xx responses: (\d+)", text):
        errors += int(match.group(1))
    if match := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)",
                          text):
        errors += sum(int(group) for group in match.groups())
    return rate, p50, p99, errors


def main():
    runs = [parse(path) for path in sys.argv[1:]]
    print(f"{sum(r[0] for r in runs):.0f} {max(r[1] for r in runs):.2f} "
          f"{max(r[2] for r in runs):.2f} {sum(r[3] for r in runs)}")


if __name__ == "__main__":
    main()
