#!/usr/bin/env bash
# Re-records what the real OMERO.web prints for every emit fixture: the
# output of `omero web config nginx|nginx-location|nginx-development` and the
# gunicorn command `omero web start` runs, through ../shared/oracle.
#
# Each tests/fixtures/emit/NAME.properties starts with `# emit: OPTIONS`
# (omeroconf's own options: --omerodir, --http, --servername,
# --max-body-size). Outputs land beside it: NAME.TYPE on success,
# NAME.TYPE.refused ("RC MESSAGE") when OMERO refuses.
#
# Usage: scripts/record/emit_fixtures.sh [NAME...]
set -euo pipefail
cd "$(dirname "$0")/../.."
oracle=${ORACLE:-../shared/oracle/oracle}
dir=tests/fixtures/emit
[ -x "$oracle" ] || { echo "oracle not found at $oracle (set ORACLE)" >&2; exit 2; }

if [ $# -eq 0 ]; then
  set -- $(cd "$dir" && ls *.properties | sed 's/\.properties$//')
fi

for name in "$@"; do
  input=$dir/$name.properties
  options=$(sed -n '1s/^# emit://p' "$input")
  omerodir=/opt/omero/web/OMERO.web
  nginx_options=()
  set -- $options
  while [ $# -gt 0 ]; do
    case $1 in
      --omerodir) omerodir=$2; shift 2 ;;
      *) nginx_options+=("$1" "$2"); shift 2 ;;
    esac
  done
  rm -f "$dir/$name".nginx* "$dir/$name".gunicorn*
  # gevent is not installed in the oracle; model a deployment that has it.
  global=(--omerodir-label "$omerodir" --fake-module gevent)
  for type in nginx nginx-location nginx-development; do
    # The oracle exits 1 when OMERO refuses; the answer is recorded all the same.
    { "$oracle" "${global[@]}" nginx "$input" --type "$type" "${nginx_options[@]}" --json || true; } \
      | python3 scripts/record/emit_fixture.py nginx "$dir/$name.$type"
  done
  { "$oracle" "${global[@]}" gunicorn "$input" || true; } | python3 scripts/record/emit_fixture.py gunicorn "$dir/$name.gunicorn"
  echo "recorded $name"
done
if [ -x "${ORACLE_VENV:-$HOME/.cache/omeroconf-oracle/venv}/bin/python" ]; then
  cargo build -q
  "${ORACLE_VENV:-$HOME/.cache/omeroconf-oracle/venv}/bin/python" scripts/record/check_gunicorn_conf.py \
    "${CARGO_TARGET_DIR:-target}/debug/omeroconf"
fi
