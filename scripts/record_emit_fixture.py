"""Turns one oracle answer (JSON on stdin) into an emit fixture file.

`nginx OUT`: the oracle's `nginx --json` answer; stdout goes to OUT when
OMERO printed the file, "RC MESSAGE" to OUT.refused when it refused.
`gunicorn OUT`: the oracle's `gunicorn` answer; the gunicorn argv joined by
single spaces goes to OUT (and the SCRIPT_NAME it exports to OUT.env), a refusal to OUT.refused (a development server
runs Django's runserver, not gunicorn, which counts as a refusal here).
"""
import json
import sys


def last_line(text):
    lines = [l for l in (text or "").splitlines() if l.strip()]
    return lines[-1] if lines else ""


def main():
    kind, out = sys.argv[1], sys.argv[2]
    answer = json.load(sys.stdin)
    if kind == "nginx":
        if answer.get("rc") == 0:
            with open(out, "w", encoding="utf-8", newline="") as f:
                f.write(answer["stdout"])
            return
        message = last_line(answer.get("stderr"))
        if "Error printing text" in message:
            message = last_line(answer.get("stdout"))
        refused(out, answer.get("rc"), message)
        return
    argv = answer.get("argv") or []
    if answer.get("rc") == 0 and argv[:1] == ["gunicorn"]:
        with open(out, "w", encoding="utf-8", newline="") as f:
            f.write(" ".join(argv) + "\n")
        # `omero web start` also exports SCRIPT_NAME for a prefix.
        if answer.get("env_SCRIPT_NAME") is not None:
            with open(out + ".env", "w", encoding="utf-8", newline="") as f:
                f.write("SCRIPT_NAME=%s\n" % answer["env_SCRIPT_NAME"])
    elif answer.get("rc") == 0:
        refused(out, 0, "omero web start runs " + " ".join(argv[1:3]) + ", not gunicorn")
    else:
        error = answer.get("error", answer)
        message = last_line(error.get("stderr")) or error.get("message", "")
        if "Error printing text" in message:
            message = last_line(error.get("stdout"))
        refused(out, error.get("rc"), message)


def refused(out, rc, message):
    with open(out + ".refused", "w", encoding="utf-8", newline="") as f:
        f.write("%s %s\n" % (rc, message))


if __name__ == "__main__":
    main()
