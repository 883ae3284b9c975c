#!/usr/bin/env python3
"""Record the fixtures for src/python/re/.

* tests/fixtures/python/re_cases.json: does the real OMERO.web (omero-web
  5.33.2 on CPython 3.11.7, through the oracle) accept each
  `omero.web.public.url_filter`, and with which exception?
* tests/fixtures/python/re_match_cases.json: `re.search(pattern, subject)`
  spans from python3 (must be 3.11, like the oracle's interpreter);
  re_random_match_cases.json: the same for random patterns.
* tests/fixtures/python/re_risk_cases.json: does `re.search` on an
  adversarial subject finish within a time limit (`timeout` + python3)?

Patterns no config.xml can carry (XML 1.0 forbids most control characters)
are compiled by this python3 (3.11, as the oracle) instead.

Usage: scripts/record/re_cases.py [--only validity|match|risk] [--jobs N]
Needs the oracle (../shared/oracle/oracle, or $ORACLE) for validity cases.
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
import time

from fixture_text import expand

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIXTURES = os.path.join(ROOT, "tests", "fixtures", "python")
ORACLE = os.environ.get(
    "ORACLE", os.path.join(ROOT, "..", "shared", "oracle", "oracle")
)
KEY = "omero.web.public.url_filter"
RISK_TIMEOUT = 5  # seconds; exponential cases run far longer

# A pattern is either a string or a list of [text, repeat] parts (for the
# very long nesting cases); the Rust tests understand both forms.
VALIDITY = [
    # Ordinary public URL filters.
    ("^/webgateway/(?!archived_files|download_as)", "OMERO docs example"),
    ("^/(webgateway|webclient)/.*", "alternation"),
    ("^/iviewer/.*", "plain"),
    ("(?#This regular expression matches nothing)a^", "omero-web default"),
    ("", "empty pattern"),
    # Groups, references, conditionals.
    (r"(?P<id>\d+)/(?P=id)", "named group and reference"),
    (r"(a)\1", "numeric back-reference"),
    (r"(a\1)", "reference to an open group"),
    (r"(?P<a>(?P=a))", "named reference to an open group"),
    (r"(?P=a)", "unknown named reference"),
    (r"(?P<1>a)", "group name must be an identifier"),
    (r"(?P<a b>x)", "space in group name"),
    ("(?P<n\u00e4me>x)", "non-ASCII identifier is fine"),
    (r"(?P<a>x)(?P<a>y)", "duplicate group name"),
    (r"(?P<a", "unterminated group name"),
    (r"(?P<>a)", "empty group name"),
    (r"(?Px)", "unknown ?P extension"),
    (r"(?P", "?P at the end"),
    (r"\8", "\\8 is a group reference, not an escape"),
    (r"(a)\2", "reference to a missing group"),
    (r"(?(1)a|b)", "conditional on a group that never exists"),
    (r"(a)?(?(1)b|c)", "conditional"),
    (r"(?P<x>a)?(?(x)b)", "named conditional"),
    (r"(?(x)a)", "conditional on unknown name"),
    (r"(?(0)a)", "conditional on group 0"),
    (r"(?(1a)x)", "bad conditional name"),
    (r"(a)(?(1)b|c|d)", "three branches in a conditional"),
    ("(a)(?(+1)b)", "int() accepts a sign"),
    ("(a)(?(\u0661)b)", "int() accepts Arabic-Indic digits (DeprecationWarning)"),
    ("(a)(?(\x1c1)a)", "int() strips only C whitespace, not every str.isspace()"),
    (r"(?(2)a)(b)", "forward conditional reference"),
    # Look-arounds.
    (r"(?<=a|b)c", "look-behind folded to a set"),
    (r"(?<=a+)b", "variable-width look-behind"),
    (r"(?<=ab|c)d", "unequal alternatives in look-behind"),
    (r"(?<=a{3})b", "fixed repeat in look-behind"),
    (r"(?<=a{1,3})b", "bounded repeat in look-behind"),
    (r"(a)(?<=\1)", "back-reference in look-behind"),
    (r"(?<=(a)\1)", "reference inside the same look-behind"),
    (r"(?<!x)(?<=\d\w)y", "negative and positive look-behind"),
    (r"(?<x>a)", "(?<name>...) is not Python 3.11 syntax"),
    (r"(?<", "look-behind at the end"),
    (r"(?=a)*", "a look-ahead can be repeated"),
    # Atomic groups and possessive quantifiers (3.11).
    (r"(?>a+)b", "atomic group"),
    (r"a*+b", "possessive star"),
    (r"a++b", "possessive plus"),
    (r"a?+b", "possessive optional"),
    (r"a{1,3}+b", "possessive bounded"),
    (r"a*++", "possessive then +"),
    # Quantifier errors and literal braces.
    (r"*a", "nothing to repeat"),
    (r"^*", "repeat of an anchor"),
    (r"\b+", "repeat of \\b"),
    (r"a|*", "repeat at the start of an alternative"),
    (r"a**", "multiple repeat"),
    (r"a{2}{3}", "multiple repeat of braces"),
    (r"a{2,1}", "min greater than max"),
    (r"a{4294967295}", "MAXREPEAT"),
    (r"a{4294967294}", "largest repeat count"),
    (r"a{,4294967295}", "MAXREPEAT as upper bound"),
    ([["a{1", 1], ["1", 4400], ["}", 1]], "int() digit limit"),
    (r"a{,5}", "open lower bound"),
    (r"a{,}", "both bounds open"),
    (r"x{", "lone brace"),
    (r"x{1", "unterminated brace"),
    (r"x{a}", "brace with a letter"),
    (r"x{1,2", "unterminated range"),
    (r"{", "brace at the start"),
    (r"{}", "empty braces"),
    (r"{3}", "real repeat at the start"),
    (r"x(?#c)*", "comments are skipped before a repeat"),
    (r"(?#c)*", "nothing before the comment"),
    ("(?x)a # comment\n*", "verbose: repeat after a comment"),
    # Escapes.
    (r"\q", "unknown letter escape"),
    (r"[\8]", "digit escape in a set"),
    (r"\z", "\\z is not Python"),
    (r"a\Z", "\\Z"),
    ("\\", "trailing backslash"),
    ("[a\\", "trailing backslash in a set"),
    (r"\x4", "short \\x"),
    (r"\u12", "short \\u"),
    (r"\U00110000", "beyond U+10FFFF"),
    (r"\x41\u00e9\U0001F600", "hex escapes"),
    (r"\400", "octal escape too large"),
    (r"\377\0\07\0777", "octal escapes"),
    (r"[\400]", "octal escape too large in a set"),
    (r"\N{DIGIT ONE}", "named character"),
    (r"\N{digit one}", "names are case-insensitive"),
    (r"\N{EM DASH}", "named character outside Latin-1"),
    (r"\N{NOT A CHARACTER NAME}", "unknown name"),
    (r"\N{bogus!}", "impossible name"),
    (r"\N", "\\N without braces"),
    (r"\N{}", "empty name"),
    (r"\N{DIGIT ONE", "unterminated name"),
    (r"[\N{DIGIT ONE}-\N{DIGIT NINE}]", "named range"),
    # Character sets.
    (r"[z-a]", "reversed range"),
    (r"[\w-z]", "category as range start"),
    (r"[a-\d]", "category as range end"),
    (r"[\x41-\x40]", "message uses the escape tokens"),
    (r"[abc", "unterminated set"),
    (r"[]", "empty set"),
    (r"[]a]", "] first is literal"),
    (r"[^]]", "negated ] first"),
    (r"[[a]", "nested set warning"),
    (r"[a--b]", "set difference warning"),
    (r"[a&&b]", "set intersection warning"),
    (r"[\d-]", "category then -"),
    # Flags.
    (r"(?x) a b # c", "verbose"),
    (r"(?L)a", "locale flag on a str"),
    (r"(?au)a", "a and u together"),
    (r"(?a)(?u)a", "a and u in separate groups"),
    (r"a(?i)b", "global flag not at the start"),
    (r"(?i)a", "global flag"),
    (r"(?#c)(?i)a", "global flag after a comment"),
    (r"(?x) (?i)a", "global flag after verbose whitespace"),
    (r"a|(?i)b", "global flag in a later alternative"),
    (r"(?i:a)b(?-i:c)(?s-m:.)", "scoped flags"),
    (r"(?i-i:a)", "flag on and off"),
    (r"(?-a:x)", "turning off a type flag"),
    (r"(?a:x)", "scoped ASCII"),
    (r"(?t:x)", "scoped template flag"),
    (r"(?t)a*", "global template flag with a repeat"),
    (r"(?t)ab", "global template flag, no repeat"),
    (r"(?z)", "unknown extension"),
    (r"(?iz)", "unknown flag"),
    (r"(?i", "unterminated flags"),
    (r"(?i!)", "bad character after flags"),
    (r"(?-", "missing flag"),
    (r"(?-i)", "global flags cannot be turned off"),
    # Structure.
    (r"(abc", "unterminated group"),
    (r"abc)", "unbalanced parenthesis"),
    ("a\n(b", "error position with line and column"),
    (r"(?", "group at the end"),
    (r"(?#unterminated", "unterminated comment"),
    (r"(|a)*", "empty alternative under a repeat"),
    # Nesting limits (RecursionError depth as in OMERO's settings import).
    ([["(", 491], [")", 491]], "deepest nesting that compiles"),
    ([["(", 492], [")", 492]], "one level too deep"),
    ([["(?:", 492], [")", 492]], "non-capturing, one level too deep"),
    ([["(a)", 1], ["(?(1)", 982], [")", 982]], "deepest conditional nesting"),
    ([["(a)", 1], ["(?(1)", 983], [")", 983]], "one conditional too deep"),
    ([["(a)", 1], ["(", 490], ["(?(1)", 2], [")", 492]], "mixed nesting at the limit"),
    ([["(a)", 1], ["(", 490], ["(?(1)", 3], [")", 493]], "mixed nesting one frame too deep"),
    ([["(a)", 1], ["(?(1)", 980], ["(", 1], [")", 981]], "group inside deep conditionals"),
    ([["(", 100000]], "100000 open parentheses"),
]

MATCH = [
    # OMERO filters on request paths.
    ("^/webgateway/(?!archived_files|download_as)", "/webgateway/render_image/1/0/0/"),
    ("^/webgateway/(?!archived_files|download_as)", "/webgateway/archived_files/download/1/"),
    ("^/(webgateway|webclient)/.*", "/webclient/?show=image-1"),
    ("^/(webgateway|webclient)/.*", "/api/v0/"),
    ("^/iviewer/.*", "/iviewer/?images=1"),
    ("(?#This regular expression matches nothing)a^", "/webclient/"),
    ("(?#This regular expression matches nothing)a^", "a"),
    # $ and \Z.
    ("a$", "a\n"),
    ("a$", "a\n\n"),
    ("a\\Z", "a\n"),
    ("a\\Z", "xa"),
    ("$", "ab\n"),
    ("(?m)a$", "a\nb"),
    ("(?m)^b", "a\nb"),
    ("^b", "a\nb"),
    ("\\Aa", "ba"),
    # Unicode classes.
    ("\\d+", "x\u0661\u0662\u0663y"),
    ("(?a)\\d+", "\u0661\u0662\u066312"),
    ("\\s+", "a\x1c\x1d b"),
    ("(?a)\\s+", "a\x1c\x1d b"),
    ("\\w+", "caf\u00e9!"),
    ("\\w+", "e\u0301x"),
    ("\\w+", "\u00bd\u2167"),
    ("(?a)\\w+", "caf\u00e9"),
    ("\\W", "a\u0301"),
    ("\\bx", "\u00e9x x"),
    ("\\Bx", "\u00e9x"),
    ("\\b", ""),
    ("\\B", ""),
    ("\\B", "a"),
    ("(?a)\\bx", "\u00e9x"),
    ("[^\\W\\d]+", "a1b\u00e9"),
    # Case-insensitivity.
    ("(?i)k", "\u212a"),
    ("(?i)ss", "SS"),
    ("(?i)\u00df", "\u1e9e"),
    ("(?i)[a-z]+", "ABCxyz"),
    ("(?i)[^k]", "K\u212ak"),
    ("(?ai)k", "K"),
    ("(?ai)[a-z]+", "ABC\u00e9"),
    ("(?i:a)b", "AB Ab"),
    ("(?i)(a)\\1", "aA"),
    # Dot and flags.
    ("a.c", "a\nc abc"),
    ("(?s)a.c", "a\nc"),
    ("(?x) a b # c", "xab"),
    ("(?x)a\\ b", "a b"),
    ("(?x)[ ]", "a b"),
    # Repeats, laziness, atomic, possessive.
    ("a{2,3}", "aaaa"),
    ("a{2,3}?", "aaaa"),
    ("a{,2}b", "aaab"),
    ("x{", "ax{"),
    ("x{1", "x{1"),
    ("x{a}", "x{a}"),
    ("{}", "a{}"),
    ("a*+a", "aaa"),
    ("a++b", "aab"),
    ("(?>a+)a", "aaa"),
    ("(?>a|ab)c", "abc"),
    ("(ab)*+c", "ababc"),
    ("(?:)*a", "ba"),
    ("(|a)*b", "aab"),
    ("(a|)+?b", "aab"),
    # Groups, references, conditionals, look-arounds.
    ("(?P<id>\\d+)/(?P=id)", "12/13 12/12"),
    ("(a)?(?(1)b|c)", "xc ab"),
    ("(?P<x>a)?(?(x)b|c)", "c"),
    ("(a)?x(?(1)b)", "xb"),
    ("(?<=a)b", "ab cb"),
    ("(?<!a)b", "ab cb"),
    ("(?<=\\d{3})x", "12x123x"),
    ("(?=ab)a", "aab"),
    ("(a)|b\\1", "b"),
    # Escapes and sets that other engines read differently.
    ("\\x41\\u00e9\\U0001F600", "A\u00e9\U0001F600"),
    ("\\101\\0", "A\x00"),
    ("\\1018", "A8"),
    ("[&&]+", "a&&b"),
    ("[a-c--]+", "x-b--"),
    ("[~~]+", "a~~"),
    ("[a||b]+", "x|a"),
    ("[[a]+", "[a["),
    ("[]a]+", "a]"),
    ("[\\d-]+", "1-2x"),
    ("[\\b]", "a\x08"),
    ("\\N{DIGIT ONE}", "x1"),
    ("[\\N{DIGIT ONE}-\\N{DIGIT THREE}]+", "0123"),
    ("\u00e9+", "caf\u00e9\u00e9"),
    ("\\u00e9", "\u00e9"),
    ("\\ud800|x", "x"),
    ("[\\ud800-\\udfffa]", "za"),
    ("a|b|", "c"),
    # Backtracking as _sre does it (python::re::search).
    ("(?:a|ab){2}+c", "abac"),
    ("(?:a|ab){2}+c", "aac"),
    ("(a|ab)*?c", "abac"),
    ("(?:a{2,3}){2}?", "aaaaaaa"),
    ("(a+?){2,}b", "aaab"),
    ("(?:(a)|b)*\\1", "aba"),
    ("(a)?(?:(b)x|b)(?(2)1|2)", "ab2"),
    ("(?<=ab|cd)x", "abx cdx"),
    ("(?<!^)x", "xax"),
    ("(?!x).*/webadmin/", "/omero/webadmin/"),
    ("(?i)(k)\\1", "k\u212a"),
    ("(?ai)(k)\\1", "k\u212a"),
    ("(?i)(\u0130)\\1", "\u0130i"),
    ("(?i)(s)\\1", "s\u017f"),
    ("(?i)[r-t]", "\u017f"),
    ("(?i)\\W", "\u0345"),
]

# Random patterns over every construct python::re::search runs (groups,
# alternatives, greedy, lazy and possessive repeats, look-arounds, atomic
# groups, back-references, conditionals, sets, anchors, scoped flags) on
# short subjects: a differential test of the matcher. Only cases CPython
# answers within RANDOM_SECONDS are kept.
RANDOM_SEED = 13
RANDOM_CASES = 1000
RANDOM_SECONDS = 0.01
RANDOM_ATOMS = ["a", "b", "A", "/", "\\n", ".", "\\w", "\\W", "\\d", "\\s", "[ab]", "[^a]",
                "[a-z]", "[\\w/]", "\u00e9", "\u00c9", "K", "k", "i", "I", "\u0131", "\u0130",
                "\\b", "\\B", "^", "$", "\\A", "\\Z", "1", "[^\\W\\d]", "\u00df", "s", "S"]
RANDOM_QUANTIFIERS = ["", "", "", "*", "+", "?", "*?", "+?", "??", "*+", "++", "?+", "{2}",
                      "{1,3}", "{0,2}?", "{2,}", "{1,2}+"]
RANDOM_ALPHABET = "ab/\nA\u00c9\u00e9_1K\u212a\u0130\u0131i \u00df"


def random_pattern(rnd, depth=0):
    def atom(d):
        if d > 2 or rnd.random() < 0.4:
            return rnd.choice(RANDOM_ATOMS)
        inner = random_pattern(rnd, d + 1)
        return rnd.choice([
            "(%s)", "(?:%s)", "(?=%s)", "(?!%s)", "(?>%s)", "(?i:%s)", "(?s:%s)", "(?m:%s)",
            "(?a:%s)", "(?(1)%s|b)", "(?<=a)%s", "(?<!/)%s", "(?<=[ab]\\w)%s",
        ]) % inner if rnd.random() < 0.85 else rnd.choice(["\\1", "(?i:\\1)"])
    def piece(d):
        a = atom(d)
        return a if a in ("^", "$", "\\A", "\\Z", "\\b", "\\B") else a + rnd.choice(RANDOM_QUANTIFIERS)
    def seq(d):
        return "".join(piece(d) for _ in range(rnd.randint(0, 3)))
    text = seq(depth)
    if rnd.random() < 0.3:
        text += "|" + seq(depth)
    return text


def random_match_cases():
    rnd = random.Random(RANDOM_SEED)
    cases = []
    while len(cases) < RANDOM_CASES:
        pattern = rnd.choice(["", "", "(a)?", "(?i)", "(?a)", "(?m)", "(?s)"]) + random_pattern(rnd)
        subject = "".join(rnd.choice(RANDOM_ALPHABET) for _ in range(rnd.randint(0, 8)))
        if len(pattern) > 80:
            continue
        try:
            compiled = re.compile(pattern)
        except (re.error, RecursionError, OverflowError, ValueError):
            continue
        start = time.monotonic()
        m = compiled.search(subject)
        if time.monotonic() - start > RANDOM_SECONDS:
            continue
        cases.append({"pattern": pattern, "subject": subject, "span": list(m.span()) if m else None})
    return cases

RISK = [
    # Known to hang CPython (exponential).
    ("(a+)+$", "a" * 40 + "!"),
    ("(a*)*$", "a" * 40 + "!"),
    (r"(\w+\s?)+$", "a" * 40 + "!"),
    (r"(\d+|\d+\.)*$", "1" * 40 + "!"),
    ("(a|a)*$", "a" * 40 + "!"),
    ("(a|b|ab)*c", "ab" * 30),
    ("(a|aa)+$", "a" * 40 + "!"),
    ("(a|a?)+$", "a" * 40 + "!"),
    ("(x+x+)+y", "x" * 40),
    ("(.*/)+$", "/" * 40 + "\n!"),
    ("(.*a){12}$", "a" * 40 + "!"),
    ("(.*a){12}b", "a" * 40),
    ("(a+){4}$", "a" * 200 + "!"),
    ("(a(?:|))*$", "a" * 40 + "!"),
    ("(?>(a+)+$)", "a" * 40 + "!"),
    ("(?=(a+)+$)", "a" * 40 + "!"),
    ("((a+)+$)*", "a" * 40 + "!"),
    ("^/webclient/(\\w+/?)+$", "/webclient/" + "a" * 40 + "!"),
    # Look similar but are fast.
    ("(a+)+", "a" * 40 + "!"),
    ("(.*a){12}", "a" * 11 + "b" * 3000),
    ("(a|ab)*c", "ab" * 40),
    ("(?>(a+)+)$", "a" * 40 + "!"),
    ("(a++)+$", "a" * 40 + "!"),
    ("(?:[ab]|[bc])*$", "b" * 40 + "!"),
    (r"(\w|_)+$", "_" * 40 + "!"),
    (r"^(\d{1,3}\.){3}\d{1,3}$", "1.1.1." + "1" * 50),
    ("^/webgateway/(?!archived_files|download_as)", "/webgateway/" + "a" * 5000),
    ("^/(webgateway|webclient)/.*", "/webclient/" + "x" * 5000),
    ("^/iviewer/.*", "/iviewer/" + "x" * 5000),
    (r"^/webclient/(\w+/)+$", "/webclient/" + "a/" * 40 + "!"),
]


def xml_escape(value):
    out = []
    for ch in value:
        o = ord(ch)
        if ch == "&":
            out.append("&amp;")
        elif ch == "<":
            out.append("&lt;")
        elif ch == ">":
            out.append("&gt;")
        elif ch == '"':
            out.append("&quot;")
        elif o < 0x20 or o == 0x7F:
            out.append("&#%d;" % o)
        else:
            out.append(ch)
    return "".join(out)


def config_xml(value):
    # A config.xml keeps the value byte for byte (a .properties file would
    # reinterpret backslashes).
    prop = '<property name="%s" value="%s" />' % (KEY, xml_escape(value))
    ver = '<property name="omero.config.version" value="5.1.0" />'
    return (
        '<icegrid><properties id="__ACTIVE__">'
        '<property name="omero.config.profile" value="default" />'
        + ver + prop + '</properties><properties id="default">' + ver + prop
        + "</properties></icegrid>"
    )


POS_RE = re.compile(r"^(.*) at position (\d+)(?: \(line \d+, column \d+\))?$", re.S)


def xml_can_hold(value):
    """Whether XML 1.0 (so a config.xml) can carry `value` at all."""
    return all(
        ch in "\t\n\r" or 0x20 <= ord(ch) <= 0xD7FF or 0xE000 <= ord(ch) <= 0xFFFD
        or ord(ch) >= 0x10000
        for ch in value
    )


def record_compile(spec, note, pattern):
    # What OMERO.web's settings import runs on the value, on this CPython.
    case = {"pattern": spec, "note": note, "recorded_with": "python3 re.compile (no config.xml can hold it)"}
    try:
        re.compile(pattern)
    except Exception as e:  # record whatever CPython raises
        case["accepted"] = False
        case["type"] = type(e).__name__
        case["str"] = str(e)
        case["message"] = getattr(e, "msg", None) or str(e)
        case["position"] = getattr(e, "pos", None)
    else:
        case["accepted"] = True
    return case


def record_validity(item):
    spec, note = item
    pattern = expand(spec)
    if not xml_can_hold(pattern):
        return record_compile(spec, note, pattern)
    with tempfile.NamedTemporaryFile("w", suffix=".xml", delete=False, encoding="utf-8") as f:
        f.write(config_xml(pattern))
        path = f.name
    try:
        proc = subprocess.run(
            [ORACLE, "settings", path, "--per-key"], capture_output=True, text=True
        )
    finally:
        os.unlink(path)
    data = json.loads(proc.stdout)
    setting = data["settings"][KEY]
    if setting["raw"] != pattern:
        raise SystemExit("value did not reach OMERO unchanged: %r" % (pattern[:80],))
    case = {"pattern": spec, "note": note, "accepted": bool(data["ok"])}
    if not data["ok"]:
        err = data["error"]
        per_key = data["per_key"][KEY]
        # settings.py wraps ValueError text; the per-key run has it bare.
        message = per_key["message"] if err["type"] == "ValueError" else err["message"]
        case["type"] = err["type"]
        case["str"] = message
        m = POS_RE.match(message) if err["type"] == "error" else None
        case["message"] = m.group(1) if m else message
        case["position"] = int(m.group(2)) if m else None
        case["omero_error"] = err["message"]
    return case


def record_match(item):
    pattern, subject = item
    m = re.search(pattern, subject)
    return {"pattern": pattern, "subject": subject, "span": list(m.span()) if m else None}


def record_risk(item):
    pattern, subject = item
    start = time.monotonic()
    proc = subprocess.run(
        ["timeout", str(RISK_TIMEOUT), sys.executable, "-c",
         "import re, sys; re.search(sys.argv[1], sys.argv[2])", pattern, subject]
    )
    elapsed = time.monotonic() - start
    return {
        "pattern": pattern,
        "subject": subject,
        "hangs": proc.returncode == 124,
        "seconds": round(min(elapsed, RISK_TIMEOUT), 1),
    }


def write(name, what, cases):
    doc = {
        "generated_by": "scripts/record/re_cases.py",
        "python": sys.version.split()[0],
        "what": what,
        "cases": cases,
    }
    os.makedirs(FIXTURES, exist_ok=True)
    with open(os.path.join(FIXTURES, name), "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=1, ensure_ascii=True)
        f.write("\n")
    print("wrote %d cases to %s" % (len(cases), name))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", choices=["validity", "match", "risk"])
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()
    if sys.version_info[:2] != (3, 11):
        raise SystemExit("record with CPython 3.11 (the oracle's version)")
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        if args.only in (None, "validity"):
            write("re_cases.json",
                  "omero.web.public.url_filter accepted by omero-web 5.33.2 (oracle settings --per-key)",
                  list(pool.map(record_validity, VALIDITY)))
        if args.only in (None, "match"):
            write("re_match_cases.json", "re.search(pattern, subject).span() in characters",
                  [record_match(c) for c in MATCH])
            write("re_random_match_cases.json",
                  "re.search(pattern, subject).span() in characters, random patterns (seed %d)" % RANDOM_SEED,
                  random_match_cases())
        if args.only in (None, "risk"):
            write("re_risk_cases.json",
                  "re.search(pattern, subject) killed after %ds (hangs) or not" % RISK_TIMEOUT,
                  list(pool.map(record_risk, RISK)))


if __name__ == "__main__":
    main()
