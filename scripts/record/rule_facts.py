#!/usr/bin/env python3
"""Record the OMERO, gunicorn and Django behaviours the lint rules rely on.

Writes tests/fixtures/rules/facts.json; tests/rule_facts.rs checks that the
rules agree with what was observed. Sources:

* ../shared/oracle (the released omero-py and omero-web): what config.xml
  holds after a script, the Django MIDDLEWARE settings.py derives, and the
  SCRIPT_NAME `omero web start` gives gunicorn;
* the oracle's Python environment (Django and gunicorn as pinned there):
  how Django builds request paths and resolves URLs, and which settings and
  classes this Django still has; requests to the real OMERO.web (Django's
  test client, Ice stubbed) under a middleware list that replaces the
  default.

    scripts/record/rule_facts.py [--oracle PATH] [--check]

--check exits 1 when a fresh recording differs from the committed one.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FACTS = os.path.join(ROOT, "tests", "fixtures", "rules", "facts.json")
DEFAULT_ORACLE = os.path.join(ROOT, "..", "shared", "oracle", "oracle")
VENV = os.environ.get("ORACLE_VENV", os.path.expanduser("~/.cache/omeroconf-oracle/venv"))

APPEND_TWICE = """omero config append -- omero.web.middleware '{"index": 0, "class": "whitenoise.middleware.WhiteNoiseMiddleware"}'
omero config append -- omero.web.middleware '{"index": 0, "class": "whitenoise.middleware.WhiteNoiseMiddleware"}'
"""

# Runs in the oracle's Python: Django's request paths and URL resolution with
# a SCRIPT_NAME, and what this Django release still provides.
DJANGO_PROBE = r"""
import importlib, io, json, sys, types
import django
from django.conf import settings, global_settings
urls = types.ModuleType("probe_urls")
sys.modules["probe_urls"] = urls
settings.configure(ROOT_URLCONF="probe_urls", ALLOWED_HOSTS=["*"])
django.setup()
from django.urls import re_path, resolve, Resolver404
from django.core.handlers.wsgi import WSGIRequest
urls.urlpatterns = [re_path(r"^webclient/$", lambda request: None)]

def request(script_name, path_info):
    r = WSGIRequest({"REQUEST_METHOD": "GET", "SCRIPT_NAME": script_name, "PATH_INFO": path_info,
                     "wsgi.input": io.BytesIO(b""), "SERVER_NAME": "omero.example.org", "SERVER_PORT": "80"})
    try:
        resolve(r.path_info)
        resolves = True
    except Resolver404:
        resolves = False
    return {"path": r.path, "path_info": r.path_info, "resolves": resolves}

def has(module, name):
    try:
        return hasattr(importlib.import_module(module), name)
    except ImportError:
        return False

# gunicorn cuts SCRIPT_NAME off the start of the request path (gunicorn/http/wsgi.py).
full = "/omero/webclient/"
print(json.dumps({
    "django_version": django.get_version(),
    "prefix": request("/omero", full[len("/omero"):]),
    "prefix_trailing_slash": request("/omero/", full[len("/omero/"):]),
    "pickle_serializer": has("django.contrib.sessions.serializers", "PickleSerializer"),
    "memcached_cache": has("django.core.cache.backends.memcached", "MemcachedCache"),
    "staticfiles_storage_setting": hasattr(global_settings, "STATICFILES_STORAGE"),
}))
"""

# Runs in the oracle's Python with OMERODIR holding a config.xml: what a
# request to OMERO.web gets with the middleware list configured there.
REQUEST_PROBE = r"""
import json, logging, sys
sys.path.insert(0, sys.argv[1])
logging.disable(logging.CRITICAL)
import django
django.setup()
from django.conf import settings
from django.test import Client

def status(method, path):
    client = Client(raise_request_exception=True, enforce_csrf_checks=True)
    try:
        return getattr(client, method)(path, HTTP_HOST="localhost").status_code
    except Exception as e:
        return type(e).__name__

print(json.dumps({
    "middleware": list(settings.MIDDLEWARE),
    "get_webclient": status("get", "/webclient/"),
    "get_webclient_login_without_slash": status("get", "/webclient/login"),
    "post_logout_without_csrf_token": status("post", "/webclient/logout/"),
}))
"""

# A whole list set where `append` was meant: whitenoise alone, then one that
# keeps the session (and messages) but drops CSRF and the common middleware.
MIDDLEWARE_LISTS = {
    "default": None,
    "whitenoise_only": '[{"index": 0, "class": "whitenoise.middleware.WhiteNoiseMiddleware"}]',
    "session_and_messages_only": '[{"index": 1, "class": "django.contrib.sessions.middleware.SessionMiddleware"}, '
    '{"index": 2, "class": "django.contrib.messages.middleware.MessageMiddleware"}]',
}


def requests_with(oracle_path, tmp, name, middleware):
    omerodir = os.path.join(tmp, name)
    os.makedirs(os.path.join(omerodir, "etc", "grid"))
    os.makedirs(os.path.join(omerodir, "var", "log"))
    properties = os.path.join(tmp, name + ".properties")
    with open(properties, "w") as f:
        f.write("omero.web.server_list=[[\"localhost\", 4064, \"omero\"]]\n")
        if middleware:
            f.write("omero.web.middleware=%s\n" % middleware)
    oracle(oracle_path, "load", properties, "-q", "--xml-out", os.path.join(omerodir, "etc", "grid", "config.xml"))
    env = dict(os.environ, OMERODIR=omerodir, DJANGO_SETTINGS_MODULE="omeroweb.settings")
    stubs = os.path.join(os.path.dirname(os.path.realpath(oracle_path)), "ice_stubs")
    probe = subprocess.run([os.path.join(VENV, "bin", "python"), "-c", REQUEST_PROBE, stubs],
                           capture_output=True, text=True, check=True, env=env)
    return dict(json.loads(probe.stdout.strip().splitlines()[-1]), stored=middleware)


def oracle(path, *args):
    proc = subprocess.run([path, *args], capture_output=True, text=True)
    if proc.returncode not in (0, 1):
        raise SystemExit("oracle %s failed (%d): %s" % (" ".join(args), proc.returncode, proc.stderr[-2000:]))
    return json.loads(proc.stdout)


def record(oracle_path):
    with tempfile.TemporaryDirectory() as tmp:
        script = os.path.join(tmp, "append-twice.sh")
        with open(script, "w") as f:
            f.write(APPEND_TWICE)
        stored = oracle(oracle_path, "script", script)
        settings = oracle(oracle_path, "settings", script)
        prefix = os.path.join(tmp, "prefix.properties")
        with open(prefix, "w") as f:
            f.write("omero.web.prefix=/omero/\n")
        start = oracle(oracle_path, "gunicorn", prefix)
        storage = os.path.join(tmp, "storage.properties")
        with open(storage, "w") as f:
            f.write("omero.web.pipeline_staticfile_storage=pipeline.storage.PipelineManifestStorage\n")
        storage_settings = oracle(oracle_path, "settings", storage)
        replaced = {name: requests_with(oracle_path, tmp, name, mw) for name, mw in MIDDLEWARE_LISTS.items()}
    probe = subprocess.run([os.path.join(VENV, "bin", "python"), "-c", DJANGO_PROBE], capture_output=True, text=True, check=True)
    return {
        "middleware_replaced": replaced,
        "middleware_appended_twice": {
            "script": APPEND_TWICE,
            "stored": stored,
            "derived_middleware": settings["derived"]["MIDDLEWARE"],
        },
        "prefix_trailing_slash": {
            "properties": "omero.web.prefix=/omero/\n",
            "gunicorn_script_name": start["env_SCRIPT_NAME"],
        },
        "pipeline_staticfile_storage_setting": storage_settings["settings"]["omero.web.pipeline_staticfile_storage"]["setting"],
        "django": json.loads(probe.stdout),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--oracle", default=DEFAULT_ORACLE)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    facts = record(args.oracle)
    text = json.dumps(facts, indent=1, sort_keys=True) + "\n"
    if args.check:
        with open(FACTS) as f:
            if f.read() != text:
                print("facts differ from %s" % FACTS, file=sys.stderr)
                return 1
        return 0
    os.makedirs(os.path.dirname(FACTS), exist_ok=True)
    with open(FACTS, "w") as f:
        f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
