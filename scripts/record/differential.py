#!/usr/bin/env python3
"""Record the real OMERO's answers for the differential corpus.

For every input in tests/differential/cases (NAME.sh, NAME.properties,
NAME.xml) this runs ../shared/oracle (the released omero-py and omero-web)
and writes tests/differential/answers/NAME.json:

  {"stored": {key: value}, "load_error": message | null,
   "rejected": {key: exception type}, "import_errors": [{"key", "type"}],
   "nginx": {"text": ...} | {"refused": "RC MESSAGE"},
   "gunicorn": {"command": ..., "script_name": ...} | {"refused": "RC MESSAGE"}}

`stored` is what config.xml holds afterwards, in config.xml's order (scripts
run with --keep-going, so a failing command changes nothing and the next one
runs, except cases named *errexit*, which stop like `set -e`); `rejected` is
OMERO.web's per-key verdict (`oracle settings --per-key`), `import_errors` the
failures of the real settings import (the first, then those it meets once
the failing keys are removed one by one); `nginx` is what `omero web config
nginx` prints and `gunicorn` the command `omero web start` runs (gevent
counts as installed), both for that config.xml.

    scripts/record/differential.py [--oracle PATH] [--jobs N] [--missing] [--check [--sample N]] [NAME ...]

--check re-records into memory and exits 1 when an answer differs from the
committed one (CI runs it on a random sample).
"""

import argparse
import concurrent.futures
import json
import os
import random
import subprocess
import sys
import tempfile

import emit_fixture

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CASES = os.path.join(ROOT, "tests", "differential", "cases")
ANSWERS = os.path.join(ROOT, "tests", "differential", "answers")
# The oracle lives beside the checkout (../shared/oracle from the repo root).
DEFAULT_ORACLE = os.path.join(ROOT, "..", "shared", "oracle", "oracle")


def run(oracle, *args):
    # gevent is not installed in the oracle; model a deployment that has it.
    proc = subprocess.run([oracle, "--fake-module", "gevent", *args], capture_output=True, text=True)
    if proc.returncode not in (0, 1):
        raise RuntimeError("oracle %s failed (%d): %s" % (" ".join(args), proc.returncode, proc.stderr[-2000:]))
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
        if not os.path.exists(xml):
            # Nothing was written: OMERO.web runs on its defaults.
            xml = os.path.join(tmp, "empty.properties")
            open(xml, "w").close()
        settings = run(oracle, "settings", xml, "--per-key")
        nginx_text, nginx_refusal = emit_fixture.nginx(run(oracle, "nginx", xml, "--json"))
        command, script_name, gunicorn_refusal = emit_fixture.gunicorn(run(oracle, "gunicorn", xml))
        import_errors = later_failures(oracle, tmp, stored, settings.get("error"))
    rejected = {k: v["type"] for k, v in sorted(settings.get("per_key", {}).items()) if not v.get("ok", True)}
    # Top-level keys sorted; `stored` keeps config.xml's order, which the test compares too.
    return {
        "gunicorn": {"refused": gunicorn_refusal} if command is None else {"command": command, "script_name": script_name},
        "import_errors": import_errors,
        "load_error": out["error"]["message"] if "error" in out and not name.endswith(".sh") else None,
        "nginx": {"refused": nginx_refusal} if nginx_text is None else {"text": nginx_text},
        "rejected": rejected,
        "stored": stored,
    }


def later_failures(oracle, tmp, stored, error):
    """The settings import's failure, then each one it hits once the failing
    key is removed: `--per-key` runs only the parsers, so a key that fails
    in the module code after them (server_list, middleware,
    django_additional_settings) shows only when nothing fails before it."""
    failures = []
    stored = dict(stored)
    while error:
        key = error.get("key") or culprit(oracle, tmp, stored, error)
        failures.append({"key": key, "type": error.get("type")})
        if key not in stored:
            break
        del stored[key]
        error = import_error(oracle, tmp, stored)
    return failures


def import_error(oracle, tmp, stored):
    """The settings import's failure for a config.xml holding `stored`."""
    spec, xml = os.path.join(tmp, "rest.json"), os.path.join(tmp, "rest.xml")
    with open(spec, "w", encoding="utf-8") as f:
        json.dump(stored, f)
    subprocess.run([oracle, "write-xml", spec, xml], check=True, capture_output=True)
    return run(oracle, "settings", xml).get("error")


def culprit(oracle, tmp, stored, error):
    """The key whose removal ends `error`, which the oracle could not
    attribute (a module-level line naming no setting, such as the import
    of each app's settings)."""
    for key in stored:
        rest = {k: v for k, v in stored.items() if k != key}
        other = import_error(oracle, tmp, rest)
        if not other or (other.get("type"), other.get("message")) != (error.get("type"), error.get("message")):
            return key
    return None


def answer_path(name):
    return os.path.join(ANSWERS, name.rsplit(".", 1)[0] + ".json")


def answer_text(oracle, name):
    return json.dumps(record(oracle, name), indent=1, ensure_ascii=False) + "\n"


def main():
    parser = options(__doc__)
    parser.add_argument("names", nargs="*")
    args = parser.parse_args()
    if not os.access(args.oracle, os.X_OK):
        print("oracle not found at %s (see ../shared/oracle/README.md, or pass --oracle)" % args.oracle, file=sys.stderr)
        return 2
    names = args.names or sorted(n for n in os.listdir(CASES) if n.rsplit(".", 1)[-1] in ("sh", "properties", "xml"))
    if args.missing:
        names = [n for n in names if not os.path.exists(answer_path(n))]
    if args.sample:
        names = sorted(random.sample(names, min(args.sample, len(names))))
        print("sampled: " + " ".join(names), file=sys.stderr)
    return record_all(names, lambda name: answer_text(args.oracle, name), answer_path, args, "record/differential.py")


def options(doc):
    """The options both recorders take (the cases are added by each)."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--oracle", default=DEFAULT_ORACLE)
    parser.add_argument("--check", action="store_true")
    parser.add_argument("--sample", type=int, help="with --check: only this many random cases")
    parser.add_argument("--jobs", type=int, default=2, help="oracle runs in parallel (default 2)")
    parser.add_argument("--missing", action="store_true", help="only the cases without an answer")
    return parser


def record_all(cases, answer_text, answer_path, args, recorder):
    """Records each case's answer (`answer_text(case)`) at `answer_path(case)`,
    or with `args.check` compares it with the recorded one: 0 when all are
    current, 1 when some are stale, 2 when the oracle could not run."""
    stale, failed = [], []
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        answers = {pool.submit(answer_text, name): name for name in cases}
        for future in concurrent.futures.as_completed(answers):
            name = answers[future]
            try:
                answer = future.result()
            except RuntimeError as e:
                failed.append(name)
                print("%s: %s" % (name, e), file=sys.stderr)
                continue
            target = answer_path(name)
            if args.check:
                try:
                    with open(target, encoding="utf-8") as f:
                        recorded = f.read()
                except FileNotFoundError:
                    recorded = None
                if recorded != answer:
                    stale.append(name)
                print("checked", name, "stale" if recorded != answer else "ok", file=sys.stderr)
            else:
                os.makedirs(os.path.dirname(target), exist_ok=True)
                with open(target, "w", encoding="utf-8", newline="") as f:
                    f.write(answer)
                print("recorded", name, file=sys.stderr)
    if failed:
        print("the oracle could not run: " + ", ".join(sorted(failed)), file=sys.stderr)
        return 2
    if stale:
        print("stale answers (re-record with scripts/%s): %s" % (recorder, ", ".join(sorted(stale))), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
