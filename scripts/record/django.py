#!/usr/bin/env python3
"""Record whether the real OMERO.web starts, as Django judges it.

For every input of the examples (examples/), the differential corpus
(tests/differential/cases) and the real-world files the oracle can load
(../shared/realworld: scripts, properties, config.xml, .omero files; read in
place, never copied), this runs ../shared/oracle on the config.xml the input
produces and writes tests/django/GROUP/NAME.json:

  {"input": "realworld/NAME", "faked": [module, ...],
   "settings": {"ok": bool, "error": {"type", "key", "message"}?},
   "check": {"ok": bool, "stage"?, "error"?, "messages": [id, ...]} | null,
   "excluded"?: reason}

`settings` is the real settings import (`oracle settings`), `check` is
`django.setup()` and Django's system checks with `--deploy` (`oracle check`,
skipped when the import already failed). Apps of `omero.web.apps` that are
valid module names but not installed beside the oracle are faked with
`--fake-module` (gevent always is: a deployment choosing it installs it).
`excluded` says why a case cannot be judged (the oracle cannot run the
input, or a known limitation listed in EXCLUDED below).

    scripts/record/django.py [--oracle PATH] [--jobs N] [--missing] [--check [--sample N]] [GROUP/NAME ...]

--check re-records into memory and exits 1 when an answer differs from the
committed one (CI runs it on a random sample).
"""

import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading

import differential

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ANSWERS = os.path.join(ROOT, "tests", "django")
SHARED = os.path.join(ROOT, "..", "shared")
GROUPS = {
    "examples": os.path.join(ROOT, "examples"),
    "differential": os.path.join(ROOT, "tests", "differential", "cases"),
    "realworld": os.path.join(SHARED, "realworld"),
}
# Formats the oracle reads (a .omero file is `omero load` input: one CLI command a line).
LOADABLE = ("sh", "properties", "xml", "omero", "backup")
# Cases the oracle cannot judge as OMERO.web would run them: name -> reason.
EXCLUDED = {
    "realworld/omero-metrics__configuration_omero.sh": "the oracle does not interpret `if`, so it runs the "
    "`exit 1` of the script's argument check and stores nothing; bash (and omeroconf) skip it and run the "
    "`omero config` commands after it",
}
# Judgments by config.xml content (less its comments): many cases store the same.
JUDGED = {}
JUDGED_LOCK = threading.Lock()
MODULE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")


class Unloadable(Exception):
    """The oracle cannot run this input (its exit status 2)."""


def run(oracle, fakes, *args):
    fake_args = [a for name in ["gevent", *fakes] for a in ("--fake-module", name)]
    proc = subprocess.run([oracle, *fake_args, *args], capture_output=True, text=True)
    if proc.returncode == 2:
        raise Unloadable((proc.stdout + proc.stderr).strip().splitlines()[-1][:300])
    if proc.returncode not in (0, 1):
        raise RuntimeError("oracle %s failed (%d): %s" % (" ".join(args), proc.returncode, proc.stderr[-2000:]))
    return json.loads(proc.stdout)


def config_xml(oracle, path, tmp):
    """The config.xml the input leaves (None: nothing was written)."""
    xml = os.path.join(tmp, "config.xml")
    ext = path.rsplit(".", 1)[-1]
    if ext == "xml":
        shutil.copyfile(path, xml)
        return xml
    if ext == "omero":
        # `omero load FILE` runs each line as the arguments of one `omero` command.
        script = os.path.join(tmp, "load.sh")
        with open(path, encoding="utf-8") as src, open(script, "w", encoding="utf-8") as dst:
            for line in src:
                stripped = line.strip()
                dst.write("" if not stripped or stripped.startswith("#") else "omero " + stripped)
                dst.write("\n")
        path, ext = script, "sh"
    if ext == "sh":
        keep_going = [] if "errexit" in path else ["--keep-going"]
        # Every shell has a PATH (scripts prepend their venv to it); the oracle needs it given.
        run(oracle, [], "script", path, *keep_going, "--var", "PATH=/usr/local/bin:/usr/bin:/bin", "--xml-out", xml)
    else:
        run(oracle, [], "load", path, "--xml-out", xml)
    return xml if os.path.exists(xml) else None


def record(oracle, case):
    group, name = case.split("/", 1)
    path = os.path.join(GROUPS[group], name)
    answer = {"input": case}
    if case in EXCLUDED:
        answer["excluded"] = EXCLUDED[case]
        return answer
    with tempfile.TemporaryDirectory() as tmp:
        try:
            xml = config_xml(oracle, path, tmp)
        except Unloadable as e:
            answer["excluded"] = "the oracle cannot run it: %s" % e
            return answer
        if xml is None:
            # Nothing was written: OMERO.web runs on its defaults.
            xml = os.path.join(tmp, "empty.properties")
            open(xml, "w").close()
        with open(xml, encoding="utf-8", errors="replace") as f:
            content = re.sub(r"<!--.*?-->", "", f.read(), flags=re.S)
        with JUDGED_LOCK:
            known = JUDGED.get(content)
        if known is None:
            known = judge(oracle, xml)
            with JUDGED_LOCK:
                JUDGED[content] = known
    answer.update(json.loads(known))
    return answer


def judge(oracle, xml):
    """Django's judgment of a config.xml, as JSON text."""
    answer = {}
    settings = run(oracle, [], "settings", xml)
    answer["settings"] = {"ok": settings["ok"]}
    if not settings["ok"]:
        error = settings.get("error") or {}
        answer["settings"]["error"] = {k: error.get(k) for k in ("type", "key", "message")}
        answer["check"] = None
        answer["faked"] = []
        return json.dumps(answer)
    apps = settings["settings"].get("omero.web.apps", {}).get("value")
    # Only the entries of a list are apps the file means to install.
    apps = apps if isinstance(apps, list) else []
    fakes = []
    while True:
        check = run(oracle, fakes, "check", xml)
        missing = re.match(r"No module named '([^']+)'", (check.get("error") or {}).get("message", ""))
        if check["ok"] or not missing:
            break
        module = missing.group(1)
        # Only an app the file lists under a valid name stands in for an installed one.
        listed = [a for a in apps if isinstance(a, str) and (a == module or a.startswith(module + "."))]
        if not listed or not MODULE.match(module) or module in fakes:
            break
        fakes.append(module)
    answer["faked"] = fakes
    answer["check"] = {"ok": check["ok"]}
    if not check["ok"]:
        answer["check"]["stage"] = check.get("stage")
        answer["check"]["error"] = {k: (check.get("error") or {}).get(k) for k in ("type", "message")}
    # Every message's id: an error-level one (e.g. 4_0.E001) does not stop a WSGI start.
    answer["check"]["messages"] = sorted({m["id"] for m in check.get("messages", [])})
    return json.dumps(answer)


def all_cases():
    cases = []
    for group, folder in GROUPS.items():
        if not os.path.isdir(folder):
            print("missing %s (%s): skipped" % (group, folder), file=sys.stderr)
            continue
        for name in sorted(os.listdir(folder)):
            if name.rsplit(".", 1)[-1] in LOADABLE and os.path.isfile(os.path.join(folder, name)):
                cases.append(group + "/" + name)
    return cases


def answer_path(case):
    return os.path.join(ANSWERS, case.rsplit(".", 1)[0] + ".json")


def answer_text(oracle, case):
    return json.dumps(record(oracle, case), indent=1, ensure_ascii=False, sort_keys=True) + "\n"


def main():
    parser = differential.options(__doc__)
    parser.add_argument("cases", nargs="*", help="GROUP/NAME, e.g. examples/production.properties")
    args = parser.parse_args()
    if not os.access(args.oracle, os.X_OK):
        print("oracle not found at %s (see ../shared/oracle/README.md, or pass --oracle)" % args.oracle, file=sys.stderr)
        return 2
    cases = args.cases or all_cases()
    if args.missing:
        cases = [c for c in cases if not os.path.exists(answer_path(c))]
    if args.sample:
        cases = sorted(random.sample(cases, min(args.sample, len(cases))))
        print("sampled: " + " ".join(cases), file=sys.stderr)
    return differential.record_all(
        cases, lambda case: answer_text(args.oracle, case), answer_path, args, "record/django.py"
    )

if __name__ == "__main__":
    sys.exit(main())
