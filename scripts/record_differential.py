#!/usr/bin/env python3
"""Record the real OMERO's answers for the differential corpus.

For every input in tests/differential/cases (NAME.sh, NAME.properties,
NAME.xml) this runs ../shared/oracle (the released omero-py and omero-web)
and writes tests/differential/answers/NAME.json:

  {"stored": {key: value}, "rejected": {key: exception type},
   "import_error": {"key", "type"} | null}

`stored` is what config.xml holds afterwards (scripts run with --keep-going,
so a failing command changes nothing and the next one runs, except cases
named *errexit*, which stop like `set -e`); `rejected` is
OMERO.web's per-key verdict (`oracle settings --per-key`), `import_error` the
first failure of the real settings import.

    scripts/record_differential.py [--oracle PATH] [--check] [NAME ...]

--check re-records into memory and exits 1 when an answer differs from the
committed one (CI runs it on a random sample).
"""

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CASES = os.path.join(ROOT, "tests", "differential", "cases")
ANSWERS = os.path.join(ROOT, "tests", "differential", "answers")
DEFAULT_ORACLE = os.path.join(ROOT, "..", "shared", "oracle", "oracle")


def run(oracle, *args):
    proc = subprocess.run([oracle, "--fake-module", "gevent", *args], capture_output=True, text=True)
    if proc.returncode not in (0, 1):
        raise SystemExit("oracle %s failed (%d): %s" % (" ".join(args), proc.returncode, proc.stderr[-2000:]))
    return json.loads(proc.stdout)


def record(oracle, name):
    path = os.path.join(CASES, name)
    with tempfile.TemporaryDirectory() as tmp:
        xml = os.path.join(tmp, "config.xml")
        if name.endswith(".sh"):
            # Cases named *errexit* keep the oracle's stop at the first untested failure.
            keep_going = [] if "errexit" in name else ["--keep-going"]
            out = run(oracle, "script", path, *keep_going, "--xml-out", xml)
        elif name.endswith(".xml"):
            out = run(oracle, "xml", path)
            out = out["as_map"]
            out = {k: v for k, v in out.items() if k not in ("omero.config.version", "omero.config.profile")}
            with open(path, "rb") as src, open(xml, "wb") as dst:
                dst.write(src.read())
        else:
            out = run(oracle, "load", path, "--xml-out", xml)
        stored = out.get("properties", out) if "error" in out else out
        settings = run(oracle, "settings", xml, "--per-key") if os.path.exists(xml) else {"per_key": {}}
    rejected = {k: v["type"] for k, v in sorted(settings.get("per_key", {}).items()) if not v.get("ok", True)}
    error = settings.get("error")
    return {
        "stored": stored,
        "load_error": out["error"]["message"] if "error" in out and not name.endswith(".sh") else None,
        "rejected": rejected,
        "import_error": {"key": error.get("key"), "type": error.get("type")} if error else None,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--oracle", default=DEFAULT_ORACLE)
    parser.add_argument("--check", action="store_true")
    parser.add_argument("--sample", type=int, help="with --check: only this many random cases")
    parser.add_argument("names", nargs="*")
    args = parser.parse_args()
    names = args.names or sorted(n for n in os.listdir(CASES) if n.rsplit(".", 1)[-1] in ("sh", "properties", "xml"))
    if args.sample:
        names = random.sample(names, min(args.sample, len(names)))
    stale = []
    for name in names:
        answer = json.dumps(record(args.oracle, name), indent=1, ensure_ascii=False) + "\n"
        target = os.path.join(ANSWERS, name.rsplit(".", 1)[0] + ".json")
        if args.check:
            with open(target, encoding="utf-8") as f:
                if f.read() != answer:
                    stale.append(name)
        else:
            with open(target, "w", encoding="utf-8") as f:
                f.write(answer)
            print("recorded", name, file=sys.stderr)
    if stale:
        print("stale answers: " + ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
