#!/usr/bin/env bash
# Records what the real OMERO does with each script under tests/fixtures/script/.
#
#   scripts/record/script_fixtures.sh            # every NAME.sh
#   scripts/record/script_fixtures.sh NAME ...   # only these
#   KEEP=1 scripts/record/script_fixtures.sh ... # keep the work directory
#
# A fixture must never pass `omero --path DIR` with a directory that exists:
# omero-py executes every `.py` file below it.
#
# NAME.oracle.json gets two views of the same run:
#   "oracle": the output of `oracle script --trace --keep-going NAME.sh`
#             (../shared/oracle), or {"unsupported": MESSAGE} for a script it
#             cannot emulate (here-documents, `su -c`, command substitution).
#   "bash":   real bash running the script, with a fake `omero` on PATH that
#             runs the real omero-py CLI (all plugins, its own argparse) from
#             the oracle's venv and logs every command it parses:
#             {"line", "argv" | "text", "verb", "key", "value", "unique"} for
#             `config set|append|remove` ("value": null for a set without
#             VALUE, the file's text for `-f FILE`), {"line", ..., "exit": 2}
#             for a usage error. "line" is the script line that started the
#             omero process (`omero load` for the lines it reads; "text" is
#             then the line read). `sudo` and `su` are faked: they run the
#             command as the current user with a reset environment. The
#             fake omero always uses its own temporary OMERODIR, whatever
#             the script exports, and `$VENV_WEB/bin/omero` finds it too.
# The unit tests in src/source/script/ compare omeroconf's operations
# against "bash".
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
oracle=${ORACLE:-$root/../shared/oracle/oracle}
venv=${ORACLE_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/omeroconf-oracle/venv}
stubs=$(dirname "$(readlink -f "$oracle")")/ice_stubs
fixtures=$root/tests/fixtures/script
work=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
mkdir -p "$work/bin"

cat > "$work/fake_omero.py" <<'PY'
import json, os, sys
sys.path.insert(0, os.environ["OMEROCONF_ICE_STUBS"])
os.environ["OMERODIR"] = os.environ["OMEROCONF_OMERODIR"]
import omero.cli

line = int(os.environ.get("OMEROCONF_LINE", "0"))
depth = [0]
original = omero.cli.Parser.parse_args


def log(record):
    with open(os.environ["OMEROCONF_TRACE"], "a") as f:
        f.write(json.dumps(record) + "\n")


def where(args):
    # A list for a command line, a str for a line read by `omero load`.
    if isinstance(args, str):
        return {"line": line, "text": args}
    return {"line": line, "argv": list(args)}


def parse_args(self, args=None, namespace=None):
    depth[0] += 1
    try:
        ns = original(self, args, namespace)
    except SystemExit as e:
        if depth[0] == 1:
            log(dict(where(current[0]), exit=e.code))
        raise
    finally:
        depth[0] -= 1
    verb = getattr(getattr(ns, "func", None), "__name__", None)
    if depth[0] == 0 and verb in ("set", "append", "remove") and hasattr(ns, "KEY"):
        record = dict(where(current[0]), verb=verb, key=ns.KEY, value=ns.VALUE)
        if verb == "append":
            record["unique"] = ns.set
        if verb == "set" and getattr(ns, "file", None) not in (None, "-"):
            with open(ns.file.name) as f:
                record["value"] = f.read().rstrip()
        log(record)
    return ns


current = [None]
original_execute = omero.cli.CLI.execute


def execute(self, text, previous_args):
    current[0] = text
    return original_execute(self, text, previous_args)


omero.cli.Parser.parse_args = parse_args
omero.cli.CLI.execute = execute
try:
    sys.exit(omero.cli.argv(["omero"] + sys.argv[1:]))
except SystemExit as e:
    # argv() parses `--path` before any command runs.
    if current[0] is None and e.code == 2:
        log(dict(where(sys.argv[1:]), exit=2))
    raise
PY

cat > "$work/bin/omero" <<EOF
#!/bin/sh
exec "$venv/bin/python" "$work/fake_omero.py" "\$@"
EOF

# The environment a fake sudo or su keeps: what the fake omero needs.
keep='PATH="$PATH" OMEROCONF_OMERODIR="$OMEROCONF_OMERODIR" OMEROCONF_TRACE="$OMEROCONF_TRACE" OMEROCONF_LINE="${OMEROCONF_LINE:-0}" OMEROCONF_ICE_STUBS="$OMEROCONF_ICE_STUBS" OMEROCONF_OUTER=1'
cat > "$work/bin/sudo" <<EOF
#!/bin/bash
while [ \$# -gt 0 ]; do
    case "\$1" in
        --) shift; break ;;
        -[CDghpRrtTUu]) shift 2 ;;
        -*) shift ;;
        *=*) shift ;;
        *) break ;;
    esac
done
exec env -i $keep "\$@"
EOF
cat > "$work/bin/su" <<EOF
#!/bin/bash
command=
while [ \$# -gt 0 ]; do
    case "\$1" in
        -c|--command) command=\$2; shift 2 ;;
        -s|-g|-G|-w) shift 2 ;;
        *) shift ;;
    esac
done
[ -n "\$command" ] && exec env -i $keep bash -c "\$command"
EOF
chmod +x "$work/bin/omero" "$work/bin/sudo" "$work/bin/su"
mkdir -p "$work/venv/bin"
ln -s "$work/bin/omero" "$work/venv/bin/omero"

# Line numbers: a DEBUG trap exports the line of every command of the script
# itself (not of the shells it starts).
cat > "$work/trace-lines.sh" <<'EOF'
if [ -z "${OMEROCONF_OUTER:-}" ]; then
    export OMEROCONF_OUTER=1
    set -T
    trap 'export OMEROCONF_LINE=$LINENO' DEBUG
fi
EOF

record() {
    local script=$1 name
    name=$(basename "$script" .sh)
    local trace=$work/$name.trace oracle_out=$work/$name.oracle
    : > "$trace"
    rm -rf "$work/omerodir"
    mkdir -p "$work/omerodir"
    (cd "$fixtures" && env -i HOME="$work" LANG=C.UTF-8 PATH="$work/bin:/usr/bin:/bin" \
        OMEROCONF_OMERODIR="$work/omerodir" VENV_WEB="$work/venv" OMEROCONF_TRACE="$trace" OMEROCONF_ICE_STUBS="$stubs" \
        BASH_ENV="$work/trace-lines.sh" bash "$script" > "$work/$name.stdout" 2> "$work/$name.stderr" < /dev/null) || true
    if ! "$oracle" script --trace --keep-going "$script" > "$oracle_out" 2> "$work/$name.oracle-err"; then
        if ! python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$oracle_out" 2> /dev/null; then
            python3 -c 'import json,sys; print(json.dumps({"unsupported": open(sys.argv[1]).read().strip()}))' \
                "$work/$name.oracle-err" > "$oracle_out"
        fi
    fi
    python3 - "$oracle_out" "$trace" "$fixtures/$name.oracle.json" <<'PY'
import json, sys
oracle = json.load(open(sys.argv[1]))
bash = [json.loads(l) for l in open(sys.argv[2]) if l.strip()]
with open(sys.argv[3], "w") as f:
    json.dump({"oracle": oracle, "bash": bash}, f, indent=1, ensure_ascii=False)
    f.write("\n")
PY
    echo "recorded $name: $(wc -l < "$trace") omero commands"
}

if [ $# -gt 0 ]; then
    for name in "$@"; do record "$fixtures/${name%.sh}.sh"; done
else
    for script in "$fixtures"/*.sh; do record "$script"; done
fi
