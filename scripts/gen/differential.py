#!/usr/bin/env python3
"""Generate the random part of the differential corpus.

Writes tests/differential/cases/gen-NNNN.sh (random `omero config` scripts)
and gen-NNNN.properties (files for `omero config load`) from
schema/catalog.json: sequences of set / append / append --set / remove /
unset over real keys (the latest release's omero.web.* keys, weighted
towards those whose parsing changes settings, nginx or gunicorn; omero.client
and other server keys, deprecated keys, app keys, typos and unknown keys)
with valid, invalid and tricky values.

The seed is fixed, so running it again writes the same files. A case whose
text changes loses its answer, and so does a case no longer generated; record
the missing answers afterwards:

    python3 scripts/gen/differential.py [--scripts N] [--properties N]
    python3 scripts/record/differential.py --missing
"""

import argparse
import json
import os
import random
import re

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CASES = os.path.join(ROOT, "tests", "differential", "cases")
ANSWERS = os.path.join(ROOT, "tests", "differential", "answers")
SEED = 20261127
PREFIX = "gen-"

# Values whose parsing is subtle, by catalog type. No lone surrogates
# ("\ud800"): the oracle cannot print them (exit 3).
BOOLS = ["true", "false", "True", "FALSE", " TRUE ", "1", "0", "t", "T", "yes", "on", "maybe", "",
         "tRuE", "\ttrue\n", "1.0", "ｔｒｕｅ", "true false"]
INTS = ["0", "1", "2", "5", "-1", "+3", " 42 ", "1_000", "1__000", "_1", "1_", "0x10", "010", "00", "1e3",
        "3.0", "", "abc", "99999999999999999999999", "٣", "\t7\n", "0_0", "-0", "１２", "4080", "-4080",
        "2147483648", "0b11"]
STRINGS = ["", "x", " spaced ", "it's", 'say "hi"', "back\\slash", "two\nlines", "tab\there", "é☃𝄞", "$HOME",
           "a=b", "#hash", "--", "*", "trailing\\", "%s %d", "{user}", "<b>html</b>", "\\n", "null"]
JSON_ANY = ["[]", "{}", '["a"]', '["a",]', "[1, 2,]", "[NaN]", "[Infinity, -Infinity]", '{"a": 1}', '"str"', "1",
            "null", "", "[", "[1e400]", "[12345678901234567890123]", '["\\u00e9"]', "['single']",
            "[true, false, null]", " [ ] ", "[1.0]", "[-0.0]", '["dup", "dup"]', '{"a": 1, "a": 2}', "[1_000]",
            '{"a": 1,}', "[01]", '["\\udbff\\udfff"]', "[.5]", '["tab\there"]', "true", "[[]]", "{'a': 1}"]
# Elements for append / remove (json.loads of the VALUE argument).
ELEMENTS = ['"omero_iviewer"', '"omero_figure"', '"x"', "1", "1.0", "true", "null", "NaN", "1e400",
            '{"index": 7, "class": "x.Y"}', '["h", 4064, "n"]', "omero_iviewer", "[1,", '"é"', '"\\u00e9"',
            "12345678901234567890", "'single'", '""', "{}", "[]", " 1 ", "-0", "Infinity"]

REGEXES = ["^/webgateway", "^/(webgateway|webclient)/", "(?P<name>x)", "(?<=a)b", "(?<=a+)b", "(?<!ab)c",
           "\\Z", "\\z", "(?>atomic)", "a*+", "a++b", "(?i)abc", "a(?i)b", "[", "(", "*a", "a{2,1}", "\\d+",
           "(?P=name)", "\\p{L}", "(?u)x", "(?L)x", "(?#just a comment)", "[[:alpha:]]", "\\1", "(a)\\1",
           "(?P<n>a)(?P=n)", "(?<n>a)", "(?i:x)", "(?-i:x)", "(?a)\\w", "\\N{DIGIT ONE}", "\\u00e9", "\\x4",
           "a{,3}", "x{3,}?", "[a-\\d]", "[z-a]", "(?P<1a>x)", "(?x) a b # c", "\\b\\B\\A", "", "a|",
           "(?s).", "\\G", "[\\]]", "^(?!/webadmin)", "\\/webgateway\\/", "(?(1)a|b)", "(a)(?(1)b|c)"]

# Keys whose parsing matters, with values specific to them (beside the
# generic values of their type).
FOCUS = {
    "omero.web.apps": ['["omero_iviewer"]', '["omero_figure", "omero_iviewer"]', "[]", '["omero_mapr"]',
                       "omero_iviewer", '"omero_iviewer"', '["omero_iviewer", "omero_iviewer"]'],
    "omero.web.middleware": ['[{"index": 7, "class": "x.Y"}]', '[{"index": 0.5, "class": "a.B"}]',
                             '[{"class": "a.B"}]', '[{"index": "1", "class": "a.B"}]', '{"index": 1}',
                             '[{"index": 1, "class": "a.B"}, {"index": 1, "class": "c.D"}]', "[]",
                             '[{"index": -1, "class": "a.B", "extra": true}]', '[["index", 1]]',
                             '[{"index": 1e400, "class": "a.B"}]', '[{"index": null, "class": "a.B"}]'],
    "omero.web.server_list": ['[["localhost", 4064, "omero"]]', '[["h", "4064"]]', '[["h", "x"]]', '[["h"]]',
                              "[]", '[["h", 4064.5]]', '[["h", true]]', '[["h", 4064, null]]', "[[1, 2]]",
                              '["ab"]', '["a12"]', '[["h", 4064], ["i", 4065, "second"]]', '[["h", " 12 "]]',
                              '[["h", "1_0"]]', '{"h": 4064}', '[["h", 4064, "n", "extra"]]'],
    "omero.web.secure_proxy_ssl_header": ['["HTTP_X_FORWARDED_PROTO", "https"]', "[]", '["a"]',
                                          '["a", "b", "c"]', '"HTTP_X_FORWARDED_PROTO"'],
    "omero.web.caches": ['{"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}', "{}", "[]",
                         '{"default": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": "redis://r:6379/0"}}'],
    "omero.web.cors_origin_whitelist": ['["https://a.example.org"]', '"https://x"', "[]", '["*"]'],
    "omero.web.cors_origin_allow_all": ["true", "false", " True", "yes"],
    "omero.web.csrf_trusted_origins": ['["https://a.example.org"]', '["a.example.org"]', "[]"],
    "omero.web.allowed_hosts": ['["*"]', '["omero.example.org", ".example.org"]', "[]", '"*"'],
    "omero.web.nginx_server_extra_config": ['["add_header X-A b;"]', '["location /x {", "}"]', '"string"',
                                            "[1, 2]", "[]", '["# é☃"]', '{"a": 1}', '["a\\nb"]', "[null]",
                                            '["a", ["b"]]'],
    "omero.web.django_additional_settings": ['[["X_A", 1]]', '[["A"]]', '[["A", 1, 2]]', "{}", '{"AB": 1}',
                                             '[["DEBUG", true]]', '["XY"]', '[["SESSION_COOKIE_AGE", "1"]]'],
    "omero.web.time_zone": ["Europe/London", "europe/london", "UTC", "Mars/Olympus", "", " UTC", "US/Pacific",
                            "Etc/GMT+5", "utc"],
    "omero.web.session_engine": ["django.contrib.sessions.backends.db", "django.contrib.sessions.backends.cache",
                                 "django.contrib.sessions.backends.cached_db", "omeroweb.filesessionstore",
                                 "bogus", "", "django.contrib.sessions.backends.file "],
    "omero.web.application_server": ["wsgi-tcp", "development", "wsgi", "WSGI-TCP", "", "wsgi-tcp ", "fastcgi"],
    "omero.web.application_server.host": ["127.0.0.1", "0.0.0.0", "::1", "", "localhost ", "[::1]", "é.example"],
    "omero.web.application_server.port": ["4080", "8080", "80", "0", "-1", "65536", "4_080", " 4081 ", "x", ""],
    "omero.web.application_server.max_requests": ["0", "500", "-1", "1_000", "", "1.5"],
    "omero.web.wsgi_worker_class": ["sync", "gevent", "eventlet", "Sync", "", " sync"],
    "omero.web.wsgi_workers": ["1", "5", "17", "0", "-2", "", "2_0", "x"],
    "omero.web.wsgi_threads": ["1", "4", "0", "", " 8 ", "2.0"],
    "omero.web.wsgi_timeout": ["60", "600", "-1", "", "1e2"],
    "omero.web.wsgi_worker_connections": ["1000", "10", "", "1_0"],
    "omero.web.wsgi_args": ["--log-level debug", "--access-logfile -", "  --foo   --bar  ",
                            '--error-logfile "/var/log/a b.log"', "", "\t--x\n", "--workers 2", "é ☃",
                            "--preload\u2003--daemon", "-D"],
    "omero.web.prefix": ["/omero", "/omero/", "omero", "/", "", "/a b", "/omé", "/a/b/", "//x", " /omero"],
    "omero.web.force_script_name": ["/omero", "/old/", "", "x"],
    "omero.web.static_url": ["/static/", "/static", "static/", "https://cdn.example.org/static/", "/", "",
                             "/omero/static/", "/st atic/"],
    "omero.web.static_root": ["/var/www/static", "rel/path", "/a//b/../c", "", "/", "/srv/é"],
    "omero.web.public.url_filter": REGEXES,
    "omero.web.public.enabled": ["true", "false", "1", "maybe", " TRUE "],
    "omero.web.public.server_id": ["1", "2", "", "x", "1_0"],
    "omero.web.public.user": ["public", "", "é"],
    "omero.web.public.password": ["secret", "", "p@ss w'rd"],
    "omero.web.debug": BOOLS,
    "omero.web.secure": ["true", "false", "t", "1", ""],
    "omero.web.session_cookie_age": ["86400", "0", "-1", "1_209_600", "1e5", ""],
    "omero.web.session_cookie_name": ["sessionid", "", "a b"],
    "omero.web.session_cookie_secure": ["true", "false", "TRUE "],
    "omero.web.session_expire_at_browser_close": ["true", "false", "f"],
    "omero.web.logdir": ["/var/log/omero", "", "rel", "/tmp/é"],
    "omero.web.secret_key": ["s3cr3t", "", "é☃", "$ecret"],
    "omero.web.databases": ["{}", '{"default": {}}', "[]"],
    "omero.web.template_dirs": ['["/opt/templates"]', '["rel/./x/"]', "[]", '"dir"'],
    "omero.web.staticfile_dirs": ['["/opt/static"]', '[["prefix", "/opt/static"]]', "[]"],
    "omero.web.login_redirect": ['{"redirect": ["webindex"], "viewname": "load_template", '
                                 '"args": ["userdata"], "query_string": "experimenter=-1"}', "{}", "[]"],
    "omero.web.open_with": ['[["Viewer", "webgateway", {"supported_objects": ["image"]}]]', "[]"],
    "omero.web.ui.top_links": ['[["Data", "webindex", {"title": "Browse"}]]', "[]", '[["Figure", "figure_index"]]'],
    "omero.web.x_frame_options": ["DENY", "SAMEORIGIN", "deny", "ALLOW-FROM x", ""],
    "omero.web.csrf_cookie_samesite": ["Lax", "Strict", "None", "none", ""],
    "omero.web.session_cookie_samesite": ["Lax", "Strict", "None", "bogus"],
    "omero.web.page_size": INTS,
    "omero.web.chunk_size": ["1048576", "0", "", "1_048_576"],
    "omero.web.use_x_forwarded_host": ["true", "false", "1"],
    "omero.web.root_application": ["", "webclient", "omero_iviewer"],
}

# Keys that are not in the catalog: typos, wrong case, unknown, illegal.
STRANGE_KEYS = ["omero.web.debgu", "omero.web.Debug", "omero.web.x.custom", "omero.webb.debug", "omero.web.apps.",
                "omero.web..x", "omero.web.my app", "omero.web.débug", "omero.web.foo/bar", "omero.web.wsgi-workers",
                "OMERO.web.debug", "omero.web.server_list ", "omero.web.prefix\t", "omero.web.static_url2",
                "omero.web.ui.top_links.x", "my.app.setting", "omero.web.nginx_server_extra_conf",
                "omero.web.application_server_port", "omero.web.session_engine.x", "omero.web.*"]

OPS = ["set"] * 40 + ["unset"] * 7 + ["empty"] * 4 + ["append"] * 15 + ["append-set"] * 10 + ["remove"] * 11 + \
      ["set--"] * 3 + ["report"] * 2 + ["equals"] * 2 + ["var"] * 3 + ["tolerated"] * 3


def catalog_keys(catalog):
    """Keys by kind for the latest release."""
    latest = tuple(int(p) for p in catalog["latest"].split("."))
    kinds = {"web": [], "server": [], "deprecated": [], "app": []}
    types = {}
    for p in catalog["properties"]:
        until = p.get("until")
        if until and tuple(int(x) for x in until.split(".")) <= latest:
            continue
        types[p["key"]] = p["type"]
        section = p["section"]
        if section.startswith("app:"):
            kinds["app"].append(p["key"])
        elif section == "deprecated":
            kinds["deprecated"].append(p["key"])
        elif p["key"].startswith("omero.web."):
            kinds["web"].append(p["key"])
        else:
            kinds["server"].append(p["key"])
    return kinds, types


class Generator:
    def __init__(self, catalog):
        self.rng = random.Random(SEED)
        self.kinds, self.types = catalog_keys(catalog)
        self.defaults = {p["key"]: p["default"] for p in catalog["properties"]}

    def key(self):
        roll = self.rng.random()
        if roll < 0.55:
            return self.rng.choice(sorted(FOCUS))
        kind = ("web", "web", "web", "server", "deprecated", "deprecated", "app", "strange")[int((roll - 0.55) / 0.45 * 8)]
        if kind == "strange":
            return self.rng.choice(STRANGE_KEYS)
        return self.rng.choice(self.kinds[kind])

    def value(self, key):
        pool = FOCUS.get(key)
        by_type = {"bool": BOOLS, "truthy": BOOLS, "int": INTS, "json": JSON_ANY, "regex": REGEXES}
        generic = by_type.get(self.types.get(key), STRINGS)
        roll = self.rng.random()
        if pool and roll < 0.6:
            return self.rng.choice(pool)
        if roll < 0.9:
            return self.rng.choice(generic)
        return self.rng.choice(BOOLS + INTS + STRINGS + JSON_ANY)

    def element(self, key, appended):
        """A VALUE for append/remove: one appended earlier, one of the default list, or any."""
        roll = self.rng.random()
        if appended.get(key) and roll < 0.35:
            return self.rng.choice(appended[key])
        default = self.defaults.get(key)
        if isinstance(default, str) and roll < 0.55:
            try:
                items = json.loads(default)
            except ValueError:
                items = None
            if isinstance(items, list) and items:
                return json.dumps(self.rng.choice(items), ensure_ascii=self.rng.random() < 0.5)
        return self.rng.choice(ELEMENTS)

    def quote(self, s):
        """`s` as one bash word, in one of the quoting styles bash allows."""
        if s and re.fullmatch(r"[A-Za-z0-9_./:@%+,=-]+", s) and self.rng.random() < 0.6:
            return s
        if any(ord(c) < 32 or ord(c) == 127 for c in s):
            return ansi_c(s)
        style = self.rng.random()
        if style < 0.5 and "'" not in s:
            return "'" + s + "'"
        if style < 0.8:
            return '"' + re.sub(r'([\\"$`])', r"\\\1", s) + '"'
        if style < 0.9:
            return "'" + s.replace("'", "'\"'\"'") + "'"
        return ansi_c(s)

    def script(self, number):
        rng = self.rng
        keys = [self.key() for _ in range(rng.randint(2, 5))]
        lines = ["#!/bin/bash", "# generated by scripts/gen/differential.py (seed %d, case %d)" % (SEED, number)]
        omero = rng.choice(["omero"] * 6 + ["/opt/omero/web/venv3/bin/omero", "sudo -u omero-web omero"])
        appended = {}
        variables = 0
        for _ in range(rng.randint(3, 15)):
            key = rng.choice(keys)
            op = rng.choice(OPS)
            k = self.quote(key)
            if op == "set":
                line = "config set %s %s" % (k, self.quote(self.value(key)))
            elif op == "unset":
                line = "config set %s" % k
            elif op == "empty":
                line = "config set %s ''" % k
            elif op in ("append", "append-set", "remove"):
                element = self.element(key, appended)
                if op != "remove":
                    appended.setdefault(key, []).append(element)
                verb = {"append": "append", "append-set": "append --set", "remove": "remove"}[op]
                line = "config %s %s %s" % (verb, k, self.quote(element))
            elif op == "set--":
                line = "config set -- %s %s" % (k, self.quote(self.value(key)))
            elif op == "report":
                line = "config set --report %s %s" % (k, self.quote(self.value(key)))
            elif op == "equals":
                line = "config set %s" % self.quote("%s=%s" % (key, self.value(key)))
            elif op == "var":
                variables += 1
                name = "VALUE%d" % variables
                lines.append("%s=%s" % (name, self.quote(self.value(key))))
                line = 'config set %s "$%s"' % (k, name)
            else:
                line = "config set %s %s || true" % (k, self.quote(self.value(key)))
            lines.append("%s %s" % (omero, line))
        return "\n".join(lines) + "\n"

    def properties(self, number):
        rng = self.rng
        lines = ["# generated by scripts/gen/differential.py (seed %d, case %d)" % (SEED, number)]
        for _ in range(rng.randint(3, 15)):
            key = self.key()
            # One illegal key makes `load` store nothing: keep them rare.
            if not re.fullmatch(r"[A-Za-z0-9._-]+", key) and rng.random() < 0.7:
                continue
            value = self.value(key)
            # A properties line cannot hold a line break.
            value = value.replace("\n", " ").replace("\r", " ")
            roll = rng.random()
            if roll < 0.08 and value:
                cut = rng.randint(0, len(value))
                lines.append("%s=%s\\" % (key, value[:cut]))
                lines.append(rng.choice(["", "    ", "\t"]) + value[cut:])
            elif roll < 0.12:
                lines.append(rng.choice(["", "  ", "# comment", "! not a comment", "=no key", "novalue"]))
                lines.append("%s=%s" % (key, value))
            elif roll < 0.16:
                lines.append("%s=%s" % (key, value))
                lines.append("%s=%s" % (key, self.value(key).replace("\n", " ")))
            elif roll < 0.2:
                lines.append("  %s=%s  " % (key, value))
            else:
                lines.append("%s=%s" % (key, value))
        newline = "\r\n" if rng.random() < 0.1 else "\n"
        return newline.join(lines) + newline


def ansi_c(s):
    """Bash's $'...' form."""
    out = []
    for c in s:
        if c == "\\":
            out.append("\\\\")
        elif c == "'":
            out.append("\\'")
        elif c == "\n":
            out.append("\\n")
        elif c == "\t":
            out.append("\\t")
        elif c == "\r":
            out.append("\\r")
        elif ord(c) < 32 or ord(c) == 127:
            out.append("\\x%02x" % ord(c))
        else:
            out.append(c)
    return "$'" + "".join(out) + "'"


def read(path):
    try:
        with open(path, encoding="utf-8", newline="") as f:
            return f.read()
    except FileNotFoundError:
        return None


def answer_path(name):
    return os.path.join(ANSWERS, name.rsplit(".", 1)[0] + ".json")


def remove(path):
    if os.path.exists(path):
        os.remove(path)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scripts", type=int, default=250)
    parser.add_argument("--properties", type=int, default=50)
    args = parser.parse_args()
    with open(os.path.join(ROOT, "schema", "catalog.json"), encoding="utf-8") as f:
        generator = Generator(json.load(f))
    total = args.scripts + args.properties
    names = set()
    for number in range(1, total + 1):
        if number <= args.scripts:
            name, text = "%s%04d.sh" % (PREFIX, number), generator.script(number)
        else:
            name, text = "%s%04d.properties" % (PREFIX, number), generator.properties(number)
        names.add(name)
        path = os.path.join(CASES, name)
        if read(path) != text:
            with open(path, "w", encoding="utf-8", newline="") as f:
                f.write(text)
            remove(answer_path(name))
    # Cases of an earlier, longer run go, with their answers.
    for name in os.listdir(CASES):
        if name.startswith(PREFIX) and name not in names:
            remove(os.path.join(CASES, name))
            remove(answer_path(name))
    print("wrote %d cases (%d scripts, %d properties files) to %s" % (total, args.scripts, args.properties, CASES))


if __name__ == "__main__":
    main()
