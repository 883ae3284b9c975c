"""Turns one oracle answer (JSON on stdin) into an emit fixture file.

`nginx OUT`: the oracle's `nginx --json` answer; stdout goes to OUT when
OMERO printed the file, "RC MESSAGE" to OUT.refused when it refused.
`gunicorn OUT`: the oracle's `gunicorn` answer; the gunicorn argv joined by
single spaces goes to OUT (and the SCRIPT_NAME it exports to OUT.env), a refusal to OUT.refused (a development server
runs Django's runserver, not gunicorn, which counts as a refusal here).

scripts/record/differential.py uses the same reading of the answers.
"""
import json
import sys


def last_line(text):
    lines = [l for l in (text or "").splitlines() if l.strip()]
    return lines[-1] if lines else ""


def nginx(answer):
    """(text, None) when OMERO printed the file, (None, "RC MESSAGE") otherwise."""
    if answer.get("rc") == 0:
        return answer["stdout"], None
    message = last_line(answer.get("stderr"))
    if "Error printing text" in message:
        message = last_line(answer.get("stdout"))
    return None, "%s %s" % (answer.get("rc"), message)


def gunicorn(answer):
    """(command, SCRIPT_NAME, None) when OMERO starts gunicorn, (None, None, "RC MESSAGE") otherwise."""
    argv = answer.get("argv") or []
    if answer.get("rc") == 0 and argv[:1] == ["gunicorn"]:
        return " ".join(argv), answer.get("env_SCRIPT_NAME"), None
    if answer.get("rc") == 0:
        return None, None, "0 omero web start runs " + " ".join(argv[1:3]) + ", not gunicorn"
    error = answer.get("error", answer)
    message = last_line(error.get("stderr")) or error.get("message", "")
    if "Error printing text" in message:
        message = last_line(error.get("stdout"))
    return None, None, "%s %s" % (error.get("rc"), message)


def main():
    kind, out = sys.argv[1], sys.argv[2]
    answer = json.load(sys.stdin)
    if kind == "nginx":
        text, refusal = nginx(answer)
        if text is not None:
            write(out, text)
        else:
            write(out + ".refused", refusal + "\n")
        return
    command, script_name, refusal = gunicorn(answer)
    if command is None:
        write(out + ".refused", refusal + "\n")
        return
    write(out, command + "\n")
    # `omero web start` also exports SCRIPT_NAME for a prefix.
    if script_name is not None:
        write(out + ".env", "SCRIPT_NAME=%s\n" % script_name)


def write(path, text):
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(text)


if __name__ == "__main__":
    main()
