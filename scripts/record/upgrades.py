#!/usr/bin/env python3
"""Record whether the real OMERO.web accepts what `omeroconf migrate` writes.

For every example (examples/), every file of ../shared/realworld and every
generated upgrade case (tests/upgrades/cases, written from the upgrade facts
of schema/catalog.json by --generate: each row of the deprecated-values
table, each app rename with its UI entries, each removed or deprecated key,
origins without a scheme, lists frozen at an old default) this runs

    omeroconf migrate INPUT --to-version 5.33.2 -o OUT --to properties
    omeroconf lint --omero-web-version 5.33.2 OUT
    ../shared/oracle/oracle settings OUT
    ../shared/oracle/oracle [--fake-module APP ...] check OUT

and writes tests/upgrades/answers/NAME.json:

  {"input": "examples/x" | "realworld/x" | "cases/x",
   "migrate": exit status, "refused": message | null,
   "migrated_keys": [...], "lint_errors": [codes of OUT's errors],
   "left_errors": [codes migrate's report leaves to a person as errors],
   "source_errors": [codes of INPUT's errors at the source release],
   "settings": {"ok", "error"}, "check": {"ok", "stage", "error"}, "fake_modules": [...]}

An input with errors of its own (the examples show them on purpose) keeps
them: migrate lists them for a person, and the oracle then refuses OUT too.
A refused input (a value only known when a script runs, a format migrate
cannot write) records the refusal and no oracle answer. Realworld inputs are
read in place and never copied; their answers hold keys and codes only.
Apps the oracle does not install (it has omero-iviewer and omero-figure) are
faked with --fake-module, as is gevent.

    scripts/record/upgrades.py [--generate] [--oracle PATH] [--omeroconf PATH] [--jobs N] [--check [--sample N]] [NAME ...]

--check re-records into memory and exits 1 when an answer differs from the
committed one (CI runs it on a random sample).
"""

import argparse
import concurrent.futures
import json
import os
import random
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CASES = os.path.join(ROOT, "tests", "upgrades", "cases")
ANSWERS = os.path.join(ROOT, "tests", "upgrades", "answers")
EXAMPLES = os.path.join(ROOT, "examples")
REALWORLD = os.path.join(ROOT, "..", "shared", "realworld")
DEFAULT_ORACLE = os.path.join(ROOT, "..", "shared", "oracle", "oracle")
DEFAULT_OMEROCONF = os.path.join(ROOT, "target", "debug", "omeroconf")
TARGET = "5.33.2"
# Installed beside the oracle's venv (requirements-extras.txt), or part of OMERO.web and Django.
INSTALLED_APPS = {"omero_iviewer", "omero_figure"}
# Modules migrate writes or OMERO.web needs: a missing one is a real failure.
NEVER_FAKED = ("django", "omero", "pymemcache", "redis", "whitenoise", "corsheaders")


def inputs():
    """NAME -> (label, path) of every input."""
    found = {}
    for folder, label in ((EXAMPLES, "examples"), (REALWORLD, "realworld"), (CASES, "cases")):
        if not os.path.isdir(folder):
            continue
        for name in sorted(os.listdir(folder)):
            path = os.path.join(folder, name)
            if os.path.isfile(path):
                found["%s__%s" % (label, name)] = ("%s/%s" % (label, name), path)
    return found


def generate():
    """The upgrade cases, one properties file each, from the catalog's upgrade facts."""
    catalog = json.load(open(os.path.join(ROOT, "schema", "catalog.json")))
    cases = {}
    for row in catalog["deprecated_values"]:
        value = row["value"]
        if row["member"]:
            location = "127.0.0.1:6379:1" if "redis" in value.lower() else "127.0.0.1:11211"
            value = json.dumps({"default": {row["member"]: row["value"], "LOCATION": location}})
        cases["value-%s-%s" % (row["key"].split(".")[-1], row["value"])] = {row["key"]: value}
    for rename in catalog["app_renames"]:
        case = {"omero.web.apps": json.dumps([rename["old"]])}
        for ui in rename["ui"]:
            case[ui["key"]] = json.dumps([ui["old"]])
        cases["app-%s" % rename["old"]] = case
    by_key = {p["key"]: p for p in catalog["properties"]}
    for prop in catalog["properties"]:
        if prop.get("until"):
            cases["removed-%s" % prop["key"]] = {prop["key"]: prop["default"] or "/var/cache/omero"}
        if prop.get("deprecated_by"):
            successor = by_key.get(prop["deprecated_by"], {})
            value = {"bool": "true", "int": "25"}.get(successor.get("type"))
            if value is None:
                value = "/omero" if prop["deprecated_by"] == "omero.web.prefix" else "omero@example.org"
            cases["deprecated-%s" % prop["key"]] = {prop["key"]: value}
    cases["origins-without-scheme"] = {"omero.web.csrf_trusted_origins": json.dumps([".example.org", "omero.example.org:4080"])}
    for legacy in catalog["legacy_defaults"]:
        items = json.loads(legacy["default"])
        cases["frozen-%s" % legacy["key"]] = {legacy["key"]: json.dumps(items + [["Figure", "figure_index"]])}
    os.makedirs(CASES, exist_ok=True)
    for name in os.listdir(CASES):
        os.remove(os.path.join(CASES, name))
    for name, values in cases.items():
        with open(os.path.join(CASES, name + ".properties"), "w") as f:
            f.write("".join("%s=%s\n" % (k, v) for k, v in values.items()))
    print("generated %d cases" % len(cases), file=sys.stderr)


def stored(path):
    """The key=value lines omeroconf's properties writer produced."""
    out = {}
    with open(path) as f:
        for line in f:
            if "=" in line and not line.startswith("#"):
                key, value = line.rstrip("\n").split("=", 1)
                out[key] = value
    return out


def oracle_json(command):
    proc = subprocess.run(command, capture_output=True, text=True)
    if proc.returncode not in (0, 1):
        raise RuntimeError("%s failed (%d): %s" % (" ".join(command), proc.returncode, proc.stderr[-2000:]))
    return json.loads(proc.stdout)


def lint_errors(args, path, release):
    lint = subprocess.run(
        [args.omeroconf, "lint", "--format", "json", "--omero-web-version", release, path],
        capture_output=True,
        text=True,
    )
    diagnostics = json.loads(lint.stdout)["files"][0]["diagnostics"]
    return sorted(d["code"] for d in diagnostics if d["severity"] == "error")


def record(args, label, path):
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "migrated.properties")
        proc = subprocess.run(
            [args.omeroconf, "migrate", path, "--to-version", TARGET, "-o", out, "--to", "properties"],
            capture_output=True,
            text=True,
        )
        answer = {"input": label, "migrate": proc.returncode, "refused": None}
        if proc.returncode not in (0, 1):
            # Named by its label: the checkout's own path differs in CI.
            refusal = proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else ""
            answer["refused"] = refusal.replace(path, label)
            return answer
        values = stored(out)
        answer["migrated_keys"] = sorted(values)
        answer["lint_errors"] = lint_errors(args, out, TARGET)
        report = json.loads(
            subprocess.run(
                [args.omeroconf, "migrate", path, "--to-version", TARGET, "--format", "json"],
                capture_output=True,
                text=True,
            ).stdout
        )
        answer["left_errors"] = sorted(l["rule"] for l in report["left"] if l["severity"] == "error")
        answer["source_errors"] = lint_errors(args, path, report["from"])
        settings = oracle_json([args.oracle, "settings", out])
        answer["settings"] = {"ok": settings["ok"], "error": (settings.get("error") or {}).get("type")}
        try:
            apps = json.loads(values.get("omero.web.apps", "[]"))
        except ValueError:
            apps = []
        fake = sorted({a for a in apps if isinstance(a, str) and a not in INSTALLED_APPS})
        text = "\n".join(values.values())
        for _ in range(5):
            command = [args.oracle, "--fake-module", "gevent"]
            for module in fake:
                command += ["--fake-module", module]
            check = oracle_json(command + ["check", out])
            # A site's own module named by a value (omero.web.viewer.view) is
            # faked like an app; what migrate itself writes never is.
            missing = re.match(r"No module named '([\w.]+)'", (check.get("error") or {}).get("message", ""))
            module = missing and missing.group(1).split(".")[0]
            if not module or module in fake or module.startswith(NEVER_FAKED) or module + "." not in text:
                break
            fake.append(module)
        message = (check.get("error") or {}).get("message", "")
        answer["check"] = {
            "ok": check["ok"],
            "stage": check.get("stage"),
            "error": (check.get("error") or {}).get("type"),
            # An empty stand-in has no views: a failure there says nothing of migrate.
            "in_faked_module": any(re.search(r"\b%s\." % re.escape(m), message) for m in fake),
        }
        answer["fake_modules"] = fake
        return answer


def answer_path(name):
    return os.path.join(ANSWERS, name + ".json")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--generate", action="store_true", help="rewrite tests/upgrades/cases first")
    parser.add_argument("--oracle", default=DEFAULT_ORACLE)
    parser.add_argument("--omeroconf", default=DEFAULT_OMEROCONF)
    parser.add_argument("--check", action="store_true")
    parser.add_argument("--sample", type=int, help="with --check: only this many random cases")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("names", nargs="*")
    args = parser.parse_args()
    if args.generate:
        generate()
        if not args.names:
            return 0
    found = inputs()
    names = args.names or sorted(found)
    unknown = [n for n in names if n not in found]
    if unknown:
        parser.error("no input named " + ", ".join(unknown))
    if args.check:
        # A realworld answer is checked only where the files are.
        names = [n for n in names if n in found and os.path.exists(answer_path(n))]
    if args.sample:
        names = sorted(random.sample(names, min(args.sample, len(names))))
        print("sampled: " + " ".join(names), file=sys.stderr)
    os.makedirs(ANSWERS, exist_ok=True)
    stale = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        jobs = {pool.submit(record, args, *found[n]): n for n in names}
        for job in concurrent.futures.as_completed(jobs):
            name = jobs[job]
            text = json.dumps(job.result(), indent=1, sort_keys=True) + "\n"
            if args.check:
                with open(answer_path(name)) as f:
                    same = f.read() == text
                stale += not same
                print("checked", name, "ok" if same else "stale", file=sys.stderr)
            else:
                with open(answer_path(name), "w") as f:
                    f.write(text)
                print("recorded", name, file=sys.stderr)
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
