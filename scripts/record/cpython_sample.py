#!/usr/bin/env python3
"""Re-check a random sample of the recorded CPython answers with this
machine's CPython: json.loads (tests/fixtures/python/json_cases.json) and
re.compile (tests/fixtures/python/re_cases.json). The Rust tests compare
src/python/ with those files, so a stale answer would hide a difference;
this makes the comparison with CPython itself a differential sample.

The answers were recorded on CPython 3.11; another minor version may
answer differently, so the check is skipped there (with a note). Answers
that are RecursionErrors are left out: the limit depends on how deep in
OMERO's settings import the parser runs, not on the text alone.

Usage: python3 scripts/record/cpython_sample.py [--sample N] [--seed S]
"""
import argparse
import json
import os
import random
import re
import sys
import warnings

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIXTURES = os.path.join(ROOT, "tests", "fixtures", "python")


def expand(value):
    """A recorded input: text, or [[text, count], ...] repeated and joined."""
    return value if isinstance(value, str) else "".join(t * n for t, n in value)


def json_verdict(text):
    try:
        json.loads(text)
        return (True, None)
    except (ValueError, RecursionError) as e:
        return (False, type(e).__name__)


def re_verdict(pattern):
    try:
        re.compile(pattern)
        return (True, None)
    except (re.error, RecursionError, OverflowError, ValueError) as e:
        return (False, type(e).__name__)


def cases(name):
    with open(os.path.join(FIXTURES, name), encoding="utf-8") as f:
        return json.load(f)["cases"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=int, default=100, help="cases drawn from each file")
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args()
    if sys.version_info[:2] != (3, 11):
        print("note: the answers are CPython 3.11's; this is %d.%d, so the sample is not checked" % sys.version_info[:2])
        return 0
    # re.compile warns about future syntax; only its verdict matters here.
    warnings.simplefilter("ignore")
    rng = random.Random(args.seed)
    stale = []
    checked = 0
    for name, key, verdict, expected in [
        ("json_cases.json", "input", json_verdict, lambda c: (c["ok"], None if c["ok"] else c["error_type"])),
        ("re_cases.json", "pattern", re_verdict, lambda c: (c["accepted"], None if c["accepted"] else c["type"])),
    ]:
        pool = [c for c in cases(name) if expected(c)[1] != "RecursionError"]
        for case in rng.sample(pool, min(args.sample, len(pool))):
            checked += 1
            got = verdict(expand(case[key]))
            if got != expected(case):
                stale.append("%s: %r: recorded %r, CPython says %r" % (name, case.get("name", case.get("note")), expected(case), got))
    print("cpython sample: %d cases, %d stale" % (checked, len(stale)))
    for line in stale:
        print("  " + line)
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
