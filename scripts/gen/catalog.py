#!/usr/bin/env python3
"""Generate schema/catalog.json, omeroconf's property catalog.

Inputs: the fact tables in ../shared/reference (extracted from every omero-web
release), schema/descriptions.tsv (our own one-line descriptions),
schema/shapes.json (machine-readable JSON shapes), schema/apps.json (apps
the reference lacks), schema/deprecated-values.json (deprecated values of
enumerated properties and their successors) and schema/legacy-defaults.json (default lists of
releases before 5.6.0, with their sources). Time zone names come from the pytz that
omero-web uses, so run this with a Python that has pytz (the oracle's venv:
~/.cache/omeroconf-oracle/venv/bin/python).

    python scripts/gen/catalog.py [--reference DIR] [--check]

--check exits 1 when the committed catalog differs from what would be
generated (the test suite runs it when the reference directory is present).
"""

import argparse
import json
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCHEMA = os.path.join(ROOT, "schema")

# OMERO's parser function -> the type omeroconf shows and checks.
PARSER_TYPES = {
    "parse_boolean": "bool",
    "int": "int",
    "leave_none_unset_int": "int",
    "check_threading": "int",
    "str": "string",
    "identity": "string",
    "leave_none_unset": "string",
    "str_slash": "string",
    "str_not_empty": "string",
    "os.path.normpath": "path",
    "json.loads": "json",
    "config_list_to_dict": "json",
    "re.compile": "regex",
    "check_server_type": "enum",
    "check_session_engine": "enum",
    "check_timezone": "timezone",
    "check_worker_class": "string",
    "bool": "truthy",
}

# Server-side value kinds (omero-client-properties.json) -> type.
VALUE_KIND_TYPES = {
    "boolean": "bool",
    "int": "int",
    "long": "int",
    "string": "string",
    "url": "string",
    "host": "string",
    "comma-list": "string",
}


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def requirement(requires, name):
    """The version specifier of `name` in a wheel's Requires-Dist list."""
    for req in requires:
        m = re.match(r"^%s\s*([<>=!~][^;]*)?(;.*)?$" % re.escape(name), req.strip(), re.I)
        if m and not m.group(2):
            return (m.group(1) or "").strip()
    return None


def releases(versions):
    out = []
    for v in versions["order"]:
        info = versions["versions"][v]
        requires = info.get("requires_dist", [])
        out.append({
            "version": v,
            "yanked": info["yanked"],
            "python": requirement(requires, "python"),
            "django": requirement(requires, "django"),
        })
    return out


def variants(prop, versions):
    """Default and parser per release range, where they changed."""
    history = prop.get("history") or []
    if not history:
        return []
    out = []
    for entry in history:
        info = versions["versions"][entry["from"]]
        differing = info["defaults_differing_from_latest"].get(prop["key"])
        if isinstance(differing, dict):
            default = differing["resolved"]
        elif differing is not None:
            default = differing
        else:
            default = prop["default_resolved"]
        out.append({"from": entry["from"], "default": default, "parser": entry["parser"]})
    return out


def release_range(key, versions):
    """First release with the key, and the first later release without it."""
    since = until = None
    for v in versions["order"]:
        present = key in versions["versions"][v]["keys"]
        if present and since is None:
            since = v
        elif not present and since is not None and until is None:
            until = v
    return since, until


def web_property(prop, versions, descriptions, shapes):
    key = prop["key"]
    since, until = release_range(key, versions)
    default = prop["default_resolved"]
    entry = {
        "key": key,
        "section": prop["section"],
        "type": PARSER_TYPES[prop["parser"]],
        "parser": prop["parser"],
        "default": default,
        "default_expr": None if prop["default_is_literal"] else prop["default"],
        "since": since,
        "until": until,
        "variants": variants(prop, versions),
        "deprecated_by": prop["deprecated_by"],
        "deprecated_honoured": bool(prop["deprecated_value_honoured"]),
        "secret": prop["secret"],
        "masked_by_get": prop["masked_by_omero_config_get"],
        "enforced_values": prop["enforced_values"],
        "advisory_values": prop["advisory_values"],
        "shape": shapes.get(key),
        "category": prop["category"],
        "app": None,
        "server_side": False,
        "description": descriptions[key],
    }
    if entry["type"] == "json" and entry["shape"] is None:
        raise SystemExit("no shape in schema/shapes.json for %s" % key)
    return entry


def unversioned_property(prop, descriptions, **fields):
    """A property of an app or of OMERO.server: no release range, variants
    or enforced values; `fields` fill in what differs (keeping the order)."""
    key = prop["key"]
    row = {
        "key": key,
        "section": None,
        "type": None,
        "parser": None,
        "default": None,
        "default_expr": None,
        "since": None,
        "until": None,
        "variants": [],
        "deprecated_by": prop["deprecated_by"],
        "deprecated_honoured": False,
        "secret": prop["secret"],
        "masked_by_get": prop["masked_by_omero_config_get"],
        "enforced_values": None,
        "advisory_values": None,
        "shape": None,
        "category": prop["category"],
        "app": None,
        "server_side": False,
        "description": descriptions[key],
    }
    row.update(fields)
    return row


def app_property(prop, descriptions, shapes):
    return unversioned_property(
        prop,
        descriptions,
        section=prop["section"],
        type=PARSER_TYPES[prop["parser"]],
        parser=prop["parser"],
        default=prop["default_resolved"],
        default_expr=None if prop["default_is_literal"] else prop["default"],
        shape=shapes.get(prop["key"]),
        app=prop["app_module"],
    )


def server_property(prop, descriptions):
    return unversioned_property(
        prop,
        descriptions,
        section="server",
        type=VALUE_KIND_TYPES.get(prop["value_kind"], "string"),
        default=prop["default"],
        # `web and server` keys set in OMERO.web's config.xml win over the
        # server's for OMERO.web; only `server` ones do nothing there.
        server_side=prop["effective_in"] == "server",
    )


def app_rename(rename):
    """An old `omero.web.apps` module name, what replaced it, and the UI
    plugin entries whose template paths changed with it."""
    ui = [
        {"key": old["key"], "old": old["value"], "new": new["value"]}
        for old, new in zip(rename["old_ui_entries"], rename["new_ui_entries"])
        if old["key"] == new["key"] and old["value"] != new["value"]
    ]
    return {
        "old": rename["old_module"],
        "new": rename["new_module"],
        "distribution": rename["distribution"],
        "first_version": rename["first_version"],
        "ui": ui,
    }


def time_zones():
    try:
        import pytz
    except ImportError:
        raise SystemExit("pytz is needed: run with the oracle's Python (see the docstring)")
    return {"pytz_version": pytz.__version__, "names": sorted(pytz.all_timezones)}


def read_descriptions():
    out = {}
    with open(os.path.join(SCHEMA, "descriptions.tsv"), encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line:
                continue
            key, _, text = line.partition("\t")
            if not text:
                raise SystemExit("descriptions.tsv:%d: no description for %s" % (number, key))
            out[key] = text
    return out


def generate(reference):
    web = load(os.path.join(reference, "omero-web-properties.json"))
    versions = load(os.path.join(reference, "omero-web-versions.json"))
    server = load(os.path.join(reference, "omero-client-properties.json"))
    apps = load(os.path.join(reference, "omero-web-apps-properties.json"))
    descriptions = read_descriptions()
    shapes = load(os.path.join(SCHEMA, "shapes.json"))
    app_data = load(os.path.join(SCHEMA, "apps.json"))
    legacy = load(os.path.join(SCHEMA, "legacy-defaults.json"))
    deprecated_values = load(os.path.join(SCHEMA, "deprecated-values.json"))

    properties = [web_property(p, versions, descriptions, shapes) for p in web["properties"]]
    properties += [app_property(p, descriptions, shapes) for p in apps["properties"]]
    known = {p["key"] for p in properties}
    # Keys OMERO.web itself reads keep their web record; the rest are server-side.
    properties += [server_property(p, descriptions) for p in server["properties"] if p["key"] not in known]
    properties.sort(key=lambda p: p["key"])

    return {
        "comment": "Generated by scripts/gen/catalog.py from ../shared/reference; do not edit by hand.",
        "latest": versions["latest"],
        "releases": releases(versions),
        "properties": properties,
        "apps": [
            {
                "module": a["app_module"],
                "distribution": a["distribution"],
                "version": a["version"],
                "label": a["django_label"],
                # omeroweb.settings imports `<app>.settings` and processes its
                # mappings, so a bad value there stops OMERO.web's settings.
                "settings_at_import": any(m["processed"].startswith("omeroweb.settings import") for m in a["settings_mappings"]),
            }
            for a in apps["apps"]
        ] + app_data["extra_apps"],
        "app_renames": [app_rename(r) for r in apps["module_renames"]],
        "legacy_defaults": legacy["defaults"],
        # Every field, in the order of src/catalog.rs's DeprecatedValue (the embedded form is positional).
        "deprecated_values": [
            {field: v.get(field) for field in ("key", "member", "value", "successor", "since", "reported_by", "note", "source")}
            for v in deprecated_values["values"]
        ],
        "time_zones": time_zones(),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reference", default=os.path.join(ROOT, "..", "shared", "reference"))
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    text = json.dumps(generate(args.reference), indent=1, ensure_ascii=False) + "\n"
    target = os.path.join(SCHEMA, "catalog.json")
    if args.check:
        with open(target, encoding="utf-8") as f:
            if f.read() != text:
                print("schema/catalog.json is stale: run scripts/gen/catalog.py", file=sys.stderr)
                return 1
        return 0
    with open(target, "w", encoding="utf-8") as f:
        f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
