#!/usr/bin/env python3
"""Record what real OMERO makes of JSON and integer property values.

Writes tests/fixtures/python/{json,int,eq}_cases.json, which the unit tests
of src/python/{json,int}.rs check. Every expectation comes from the oracle
(shared/oracle, real omero-py/omero-web on CPython 3.11.7):

* verdicts and values: `oracle settings CASE.sh --per-key` after
  `omero config set omero.web.apps VALUE` (json.loads) or
  `omero.web.page_size` (int); `per_key` applies the real parser alone,
  `error` is the real settings import;
* `json.dumps` text: `omero config append case.N VALUE`, which stores
  json.dumps([json.loads(VALUE)]) (one script for all cases);
* equality: `omero config remove eq.N ITEM` on a stored list
  (`list.remove`, i.e. identity-or-==).

Two oracle limits are worked around and noted in each case's `source`:
its own output code recurses (values nested deeper than about 490 crash it
after OMERO parsed them) and cannot print lone surrogates; and a config.xml
cannot hold most C0 control characters, so those few `int()` inputs are
evaluated by the oracle venv's interpreter (the same CPython 3.11.7).

Usage: python3 scripts/record/python_cases.py [--oracle PATH] [--jobs N]
"""
import argparse
import concurrent.futures
import json
import os
import subprocess
import sys
import tempfile

from fixture_text import expand

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
FIXTURES = os.path.join(ROOT, "tests", "fixtures", "python")


def rep(*parts):
    """A long input as [[text, count], ...] (the fixture keeps it short)."""
    return [list(p) for p in parts]


# (name, input or rep(...), options). context "settings_import" takes the
# verdict from the settings import (where the nesting limit is 986) instead
# of per_key (990).
JSON_CASES = [
    ("list of strings", '["a", "b"]', {}),
    ("nan in list", "[1,NaN]", {}),
    ("bare NaN", "NaN", {}),
    ("bare Infinity", "Infinity", {}),
    ("minus Infinity", "-Infinity", {}),
    ("minus NaN", "-NaN", {}),
    ("lowercase nan", "nan", {}),
    ("Infinity then junk", "Infinityx", {}),
    ("duplicate keys", '{"a": 1, "b": 2, "a": 3}', {}),
    ("nested order kept", '{"b": 1, "a": {"c": [true, false, null]}}', {}),
    ("empty containers with spaces", "[ [ ] , { } ]", {}),
    ("nesting 129", rep(["[", 129], ["]", 129]), {}),
    ("nesting 500", rep(["[", 500], ["]", 500]), {}),
    ("nesting 984 objects", rep(['{"a":', 984], ["1", 1], ["}", 984]), {"context": "settings_import"}),
    ("nesting 985", rep(["[", 985], ["]", 985]), {"context": "settings_import"}),
    ("nesting 986", rep(["[", 986], ["]", 986]), {"context": "settings_import"}),
    ("nesting 987", rep(["[", 987], ["]", 987]), {"context": "settings_import"}),
    ("nesting 987 objects", rep(['{"a":', 987], ["1", 1], ["}", 987]), {"context": "settings_import"}),
    ("nesting 986 then bad value", rep(["[", 986], ["x", 1]), {"context": "settings_import"}),
    ("100000 open brackets", rep(["[", 100000]), {"context": "settings_import"}),
    ("float overflow", "1e400", {}),
    ("negative float overflow", "-1e400", {}),
    ("minus zero int", "-0", {}),
    ("minus zero float", "-0.0", {}),
    ("one point zero", "1.0", {}),
    ("exponent only", "1E+2", {}),
    ("floats repr", "[1e16, 1e15, 1e-5, 0.0001, 123.0, 0.1, 1e22, 5e-324, 1.7976931348623157e308, "
     "1234567890123456789012345.5, 123456789.0, 2.5e-320, 640516715113068.2]", {}),
    ("big int", "123456789012345678901234567890", {}),
    ("int beyond 2**53", "[9007199254740993, 9007199254740993.0]", {}),
    ("int 4300 digits", rep(["1", 4300]), {}),
    ("int 4301 digits", rep(["1", 4301]), {}),
    ("negative int 4300 digits", rep(["-", 1], ["9", 4300]), {}),
    ("int 4301 digits in list", rep(["[0, ", 1], ["2", 4301], ["]", 1]), {}),
    ("lone surrogate", '"\\ud800"', {}),
    ("surrogate pair", '"\\ud83d\\ude00"', {}),
    ("reversed surrogates", '"\\udc00\\ud800"', {}),
    ("high surrogate then letter", '"\\ud800\\u0041"', {}),
    ("high surrogate at end of pair window", '"\\ud800\\udc00', {}),
    ("surrogate pair bad second hex", '"\\ud800\\udx00"', {}),
    ("raw non-ascii and escapes", '"caf\u00e9 \\u00e9 \\/ \\b\\f\\n\\r\\t \\" \\\\ \\u0000 \\u007f \\u2028"', {}),
    ("raw astral char", '"\U0001d11e"', {}),
    ("noncharacter U+FDD0", '"\ufdd0\\ufdd0"', {}),
    ("trailing comma in list", "[1,]", {}),
    ("trailing comma in object", '{"a": 1,}', {}),
    ("single quotes", "['a']", {}),
    ("single-quoted key", "{'a': 1}", {}),
    ("byte order mark", "\ufeff[]", {}),
    ("tab inside string", '["a\tb"]', {}),
    ("newline inside string", '"a\nb"', {}),
    ("extra data", "[] []", {}),
    ("two numbers", "1 2", {}),
    ("empty", "", {}),
    ("only spaces", "   ", {}),
    ("json whitespace around", " \t\n[1]\r\n ", {}),
    ("non-breaking space before", "\u00a0[1]", {}),
    ("ideographic space after", "[1]\u3000", {}),
    ("leading zero", "01", {}),
    ("leading dot", ".5", {}),
    ("trailing dot", "1.", {}),
    ("plus sign", "+1", {}),
    ("dangling exponent", "1e", {}),
    ("dangling exponent sign", "[1e+]", {}),
    ("lone minus", "-", {}),
    ("minus space digit", "- 1", {}),
    ("truncated true", "tru", {}),
    ("python True", "True", {}),
    ("python None", "None", {}),
    ("missing colon", '{"a" 1}', {}),
    ("number key", "{1: 2}", {}),
    ("missing comma", "[1 2]", {}),
    ("double comma", "[1,,2]", {}),
    ("unclosed list", "[1, 2", {}),
    ("unclosed object", '{"a": 1', {}),
    ("unterminated string", '"abc', {}),
    ("unterminated after backslash", '"abc\\', {}),
    ("invalid escape", '"\\x"', {}),
    ("short unicode escape", '"\\u12"', {}),
    ("bad unicode escape", '"\\u12g4"', {}),
    ("unicode escape then end", '"\\u1234', {}),
    ("error on line 3", "[1,\n 2,\n x]", {}),
    ("error after non-ascii", '["\u00e9\u00e9", x]', {}),
]

INT_CASES = [
    ("plain", "42"),
    ("surrounding spaces", " 42 "),
    ("plus", "+7"),
    ("minus", "-7"),
    ("minus zero", "-0"),
    ("plus zero", "+0"),
    ("leading zeros", "007"),
    ("all zeros", "000"),
    ("underscore", "1_000"),
    ("underscores everywhere", "1_2_3_4"),
    ("zero underscore zero", "0_0"),
    ("double underscore", "1__0"),
    ("leading underscore", "_1"),
    ("trailing underscore", "1_"),
    ("sign then underscore", "+_1"),
    ("hex prefix", "0x10"),
    ("exponent", "1e3"),
    ("decimal point", "1.0"),
    ("empty", ""),
    ("only space", " "),
    ("arabic-indic three", "\u0663"),
    ("arabic-indic 123", "\u0661\u0662\u0663"),
    ("devanagari 12", "\u0967\u0968"),
    ("fullwidth 12", "\uff11\uff12"),
    ("mathematical bold digits", "\U0001d7cf\U0001d7ce"),
    ("mixed scripts digits", "1\u0662\u09e9"),
    ("superscript one", "\u00b9"),
    ("roman numeral", "\u216b"),
    ("no-break spaces", "\u00a042\u00a0"),
    ("em space", "\u200342"),
    ("ideographic spaces and sign", "\u3000-1_0\u3000"),
    ("line and paragraph separators", "\u2028 1 \u2029"),
    ("next line", "\u00851\u0085"),
    ("mongolian vowel separator", "\u180e1"),
    ("zero width space", "\u200b1"),
    ("tab newline cr", "\t+7\n\r"),
    ("space inside", "1 0"),
    ("space after sign", "- 1"),
    ("two signs", "+-1"),
    ("4300 digits", rep(["1", 4300])),
    ("4301 digits", rep(["1", 4301])),
    ("minus 4300 digits", rep(["-", 1], ["7", 4300])),
    ("4301 zeros", rep(["0", 4301])),
    ("4301 digits with underscores", rep(["1_", 4300], ["1", 1])),
    ("4301 digits then junk", rep(["1", 4301], ["x", 1])),
    ("4301 digits then trailing underscore", rep(["1", 4301], ["_", 1])),
    ("junk then 4301 digits", rep(["x", 1], ["1", 4301])),
    ("300 letters", rep(["x", 300])),
    ("apostrophe", "it's"),
    ("both quotes", "'\""),
    ("accented", "\u00e91"),
    ("delete char", "\u007f"),
    ("big", "99999999999999999999999999999"),
    ("vertical tab and form feed", "\x0b1\x0c"),
    ("file separator", "\x1c1"),
    ("unit separator after", "1\x1f"),
    ("nul after digit", "1\x00"),
]

# (list stored, item given to `omero config remove`)
EQ_CASES = [
    ("[1, 2]", "1.0"),
    ("[true, 1]", "1"),
    ("[0, false]", "false"),
    ("[1.0]", "true"),
    ("[NaN]", "NaN"),
    ("[1, NaN, 2]", "NaN"),
    ("[[NaN]]", "[NaN]"),
    ('[{"a": NaN}]', '{"a": NaN}'),
    ("[1e400]", "Infinity"),
    ("[-0.0]", "0"),
    ('[{"a": 1, "b": 2}]', '{"b": 2, "a": 1}'),
    ("[[1, 2]]", "[2, 1]"),
    ('["1"]', "1"),
    ("[null]", "null"),
    ("[9007199254740993]", "9007199254740992.0"),
    ("[9007199254740992]", "9007199254740993.0"),
    ("[100000000000000000000]", "1e20"),
    ("[1e23]", "100000000000000000000000"),
    ('["\\ud800"]', '"\\ud800"'),
    ('["\u00e9"]', '"\\u00e9"'),
    ("[[]]", "{}"),
    ('[{"a": [1]}]', '{"a": [1.0]}'),
    ('[{"a": 1}]', '{"a": 1, "b": 2}'),
    ('["a"]', "NaN"),
    ("[0.1]", "0.1000000000000000055511151231257827"),
]

# Inputs longer than this keep no import_error (nor, for JSON, value): the
# repr of the input would dominate the fixture.
LONG = 300

# XML 1.0 cannot carry these, so such values never reach OMERO intact.
XML_FORBIDDEN = {c for c in range(0x20) if c not in (0x9, 0xA, 0xD)}


def ansi_c(s):
    """Quote for the oracle's shell lexer: $'...' with escapes."""
    out = []
    for ch in s:
        o = ord(ch)
        if ch == "\\":
            out.append("\\\\")
        elif ch == "'":
            out.append("\\'")
        elif 0x20 <= o < 0x7F:
            out.append(ch)
        elif o < 0x80:
            out.append("\\x%02x" % o)
        elif o <= 0xFFFF:
            out.append("\\u%04x" % o)
        else:
            out.append("\\U%08x" % o)
    return "$'" + "".join(out) + "'"


class Oracle:
    def __init__(self, path, tmp):
        self.path = path
        self.tmp = tmp

    def run(self, args, script, name):
        f = os.path.join(self.tmp, name)
        with open(f, "w", encoding="utf-8") as fh:
            fh.write(script)
        r = subprocess.run([self.path] + args[:1] + [f] + args[1:], capture_output=True, text=True)
        out = None
        if r.returncode in (0, 1):
            out = json.loads(r.stdout)
        return r.returncode, out, r.stderr

    def settings(self, key, value, name):
        return self.run(["settings", "--per-key"], "omero config set -- %s %s\n" % (key, ansi_c(value)), name)


def json_verdict(case_opts, rc, out, err):
    """(verdict dict, source text) from one `oracle settings` run."""
    if rc == 3:
        if "RecursionError" in err and "to_json" in err:
            return {"ok": True}, "settings: parsed; the oracle's own recursive output code then overflowed"
        if "surrogates not allowed" in err:
            return {"ok": True}, "settings: parsed; the oracle cannot print a lone surrogate"
        raise RuntimeError("oracle failed:\n" + err[-2000:])
    if case_opts.get("context") == "settings_import":
        e = out.get("error")
        if e is None:
            v = out["settings"]["omero.web.apps"]
            return {"ok": True, "value": v.get("value")}, "settings import"
        if e.get("key") != "omero.web.apps":
            raise RuntimeError("unexpected import error %r" % e)
        if e["type"] == "RecursionError":
            return {"ok": False, "error_type": e["type"], "message": e["message"]}, "settings import"
        # A ValueError is wrapped ("Invalid ADDITIONAL_APPS (...). MSG. ...");
        # per_key has the bare one from the same json.loads.
        pk = out["per_key"]["omero.web.apps"]
        if pk["ok"] or ". %s. " % pk["message"] not in e["message"]:
            raise RuntimeError("import and per_key disagree: %r / %r" % (e, pk))
        return {"ok": False, "error_type": pk["type"], "message": pk["message"]}, "settings import"
    pk = out["per_key"]["omero.web.apps"]
    if pk["ok"]:
        return {"ok": True, "value": pk["value"]}, "settings --per-key"
    if pk["type"] == "RecursionError" and "while decoding" not in pk["message"]:
        return {"ok": True}, "settings --per-key: parsed; the oracle's own recursive output code then overflowed"
    return {"ok": False, "error_type": pk["type"], "message": pk["message"]}, "settings --per-key"


def import_error(out, key, setting):
    e = (out or {}).get("error")
    if e and e.get("key") == key and e["message"].startswith("Invalid %s (" % setting):
        return e["message"]
    return None


def record_json(oracle, jobs):
    def one(i):
        name, value, opts = JSON_CASES[i]
        rc, out, err = oracle.settings("omero.web.apps", expand(value), "json%d.sh" % i)
        verdict, source = json_verdict(opts, rc, out, err)
        case = {"name": name, "input": value}
        if opts.get("context"):
            case["context"] = opts["context"]
        if len(expand(value)) > LONG:
            verdict.pop("value", None)  # the cli dumps text has it already
        case.update(verdict)
        wrapped = import_error(out, "omero.web.apps", "ADDITIONAL_APPS")
        if wrapped and len(expand(value)) <= LONG:
            case["import_error"] = wrapped
        case["source"] = source
        return case

    with concurrent.futures.ThreadPoolExecutor(jobs) as ex:
        cases = list(ex.map(one, range(len(JSON_CASES))))

    # One script appends every value to its own key: stored text is
    # json.dumps([value]).
    lines = ["omero config append -- case.%d %s" % (i, ansi_c(expand(v))) for i, (_, v, _) in enumerate(JSON_CASES)]
    rc, out, err = oracle.run(["script", "--keep-going", "--trace"], "\n".join(lines) + "\n", "append.sh")
    if out is None:
        raise RuntimeError("append script failed:\n" + err[-2000:])
    for i, case in enumerate(cases):
        stored = out["properties"].get("case.%d" % i)
        if stored is not None:
            if not (stored.startswith("[") and stored.endswith("]")):
                raise RuntimeError("unexpected stored list %r" % stored[:100])
            case["cli"] = {"ok": True, "dumps": stored[1:-1]}
        else:
            cmd = out["commands"][i]
            exc = cmd.get("uncaught_exception") or cmd.get("message")
            etype, _, msg = exc.partition(": ")
            case["cli"] = {"ok": False, "error_type": etype.rsplit(".", 1)[-1], "message": msg}
    return cases


def record_int(oracle, jobs, venv_python):
    def one(i):
        name, value = INT_CASES[i]
        text = expand(value)
        case = {"name": name, "input": value}
        if any(ord(c) in XML_FORBIDDEN for c in text):
            code = ("import json,sys\ns=json.loads(sys.stdin.read())\ntry:\n print(json.dumps({'ok':True,"
                    "'value':str(int(s))}))\nexcept ValueError as e:\n print(json.dumps({'ok':False,"
                    "'error_type':type(e).__name__,'message':str(e)}))\n")
            r = subprocess.run([venv_python, "-c", code], input=json.dumps(text), capture_output=True,
                               text=True, check=True)
            case.update(json.loads(r.stdout))
            case["source"] = "oracle venv CPython int() directly: a config.xml cannot hold this value"
            return case
        rc, out, err = oracle.settings("omero.web.page_size", text, "int%d.sh" % i)
        if out is None:
            raise RuntimeError("oracle failed on %r:\n%s" % (name, err[-2000:]))
        pk = out["per_key"]["omero.web.page_size"]
        if pk["ok"]:
            case.update({"ok": True, "value": str(pk["value"])})
        else:
            case.update({"ok": False, "error_type": pk["type"], "message": pk["message"]})
        wrapped = import_error(out, "omero.web.page_size", "PAGE")
        if wrapped and len(text) <= LONG:
            case["import_error"] = wrapped
        case["source"] = "settings --per-key"
        return case

    with concurrent.futures.ThreadPoolExecutor(jobs) as ex:
        return list(ex.map(one, range(len(INT_CASES))))


def record_eq(oracle):
    lines = []
    for i, (lst, item) in enumerate(EQ_CASES):
        lines.append("omero config set -- eq.%d %s" % (i, ansi_c(lst)))
        lines.append("omero config remove -- eq.%d %s" % (i, ansi_c(item)))
    rc, out, err = oracle.run(["script", "--keep-going", "--trace"], "\n".join(lines) + "\n", "remove.sh")
    if out is None:
        raise RuntimeError("remove script failed:\n" + err[-2000:])
    cases = []
    for i, (lst, item) in enumerate(EQ_CASES):
        cmd = out["commands"][2 * i + 1]
        case = {"list": lst, "item": item}
        if cmd["rc"] in (0, None) and "uncaught_exception" not in cmd:
            case.update({"found": True, "after": out["properties"]["eq.%d" % i]})
        elif cmd["rc"] == 513:
            case.update({"found": False, "message": cmd["message"]})
        else:
            raise RuntimeError("unexpected remove result %r" % cmd)
        case["source"] = "script: omero config remove"
        cases.append(case)
    return cases


def write(name, header, cases):
    path = os.path.join(FIXTURES, name)
    with open(path, "w", encoding="utf-8") as f:
        f.write('{"about": %s,\n "cases": [\n' % json.dumps(header))
        f.write(",\n".join("  " + json.dumps(c, ensure_ascii=True) for c in cases))
        f.write("\n]}\n")
    print("wrote %s (%d cases)" % (os.path.relpath(path, ROOT), len(cases)))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--oracle", default=os.path.join(ROOT, "..", "shared", "oracle", "oracle"))
    ap.add_argument("--jobs", type=int, default=2)
    a = ap.parse_args()
    venv = os.environ.get("ORACLE_VENV") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "omeroconf-oracle", "venv")
    os.makedirs(FIXTURES, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        oracle = Oracle(os.path.abspath(a.oracle), tmp)
        about = ("Recorded by scripts/record/python_cases.py from the OMERO oracle (omero-web 5.33.2, "
                 "CPython 3.11.7). input: text, or [[piece, count], ...] to concatenate. "
                 "import_error: the settings import's wrapped message (short inputs only).")
        write("json_cases.json", about + " Verdict: json.loads on omero.web.apps; cli: "
              "omero config append (json.dumps text, or its error).", record_json(oracle, a.jobs))
        write("int_cases.json", about + " Verdict: int() on omero.web.page_size.",
              record_int(oracle, a.jobs, os.path.join(venv, "bin", "python")))
        write("eq_cases.json", about + " omero config remove ITEM from a stored list "
              "(list.remove: identity or ==).", record_eq(oracle))


if __name__ == "__main__":
    sys.exit(main())
