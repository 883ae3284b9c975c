"""Checks with the real gunicorn that `omeroconf emit gunicorn --style conf`
is equivalent to the recorded command line of `omero web start`.

For every tests/fixtures/emit/NAME.gunicorn, gunicorn's own Config is built
twice: from the recorded argv (its command-line parser, plus the SCRIPT_NAME
that `omero web start` exported, NAME.gunicorn.env) and from the conf file
omeroconf writes; every setting must be equal.

Run with a Python that has gunicorn (the oracle's venv has it):
    ~/.cache/omeroconf-oracle/venv/bin/python scripts/record/check_gunicorn_conf.py [OMEROCONF]
"""
import glob
import os
import runpy
import subprocess
import sys
import tempfile

from gunicorn.config import Config

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "..", "..", "tests", "fixtures", "emit")


def from_argv(argv, environment):
    cfg = Config()
    args = cfg.parser().parse_args(argv[1:])
    for name, value in vars(args).items():
        if value is not None and name != "args":
            cfg.set(name.lower(), value)
    # The environment `omero web start` exports comes first.
    cfg.set("raw_env", environment + (cfg.settings["raw_env"].get() or []))
    cfg.set("wsgi_app", args.args[0])
    return cfg


def from_conf(path):
    cfg = Config()
    for name, value in runpy.run_path(path).items():
        if name in cfg.settings:
            cfg.set(name, value)
    return cfg


def main():
    omeroconf = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.environ.get("CARGO_TARGET_DIR", "target"), "debug", "omeroconf")
    failures = 0
    checked = 0
    for recorded in sorted(glob.glob(os.path.join(FIXTURES, "*.gunicorn"))):
        name = os.path.basename(recorded)[: -len(".gunicorn")]
        properties = os.path.join(FIXTURES, name + ".properties")
        options = open(properties, encoding="utf-8").readline().replace("# emit:", "").split()
        omerodir = options[options.index("--omerodir") + 1] if "--omerodir" in options else None
        command = [omeroconf, "emit", "gunicorn", properties, "--style", "conf"]
        if omerodir:
            command += ["--omerodir", omerodir]
        conf = subprocess.run(command, check=True, capture_output=True, text=True).stdout
        env_file = recorded + ".env"
        environment = open(env_file, encoding="utf-8").read().split("\n")[:-1] if os.path.exists(env_file) else []
        with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as f:
            f.write(conf)
        try:
            ours = from_conf(f.name)
        finally:
            os.unlink(f.name)
        theirs = from_argv(open(recorded, encoding="utf-8").read().split(), environment)
        diffs = [k for k in sorted(theirs.settings) if theirs.settings[k].get() != ours.settings[k].get()]
        checked += 1
        if diffs:
            failures += 1
            for k in diffs:
                print("%s: %s: argv %r, conf %r" % (name, k, theirs.settings[k].get(), ours.settings[k].get()))
    print("%d passed, %d failed" % (checked - failures, failures))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
