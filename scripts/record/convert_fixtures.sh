#!/usr/bin/env bash
# Records how the real OMERO reads back what `omeroconf convert` writes,
# for every map in tests/fixtures/convert/NAME.json:
#   NAME.xml                   config.xml written by omero-py's ConfigXml.save()
#                              (fixed "generated at" time), compared byte for byte
#   NAME.xml.readback.json     ConfigXml's reading of it
#   NAME.sh                    omeroconf's script (--to script)
#   NAME.sh.readback.json      what `omero config set` stored running it
#   NAME.omero                 omeroconf's command file (--to omero), when it can carry the map
#   NAME.omero.readback.json   the map Python's shlex.split gives, as `omero load` does
#
# Usage: scripts/record/convert_fixtures.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
oracle=${ORACLE:-../shared/oracle/oracle}
dir=tests/fixtures/convert
[ -x "$oracle" ] || { echo "oracle not found at $oracle (set ORACLE)" >&2; exit 2; }
cargo build -q
omeroconf=${CARGO_TARGET_DIR:-target}/debug/omeroconf
# The stored properties of an oracle answer, without ConfigXml's bookkeeping keys.
map() {
  python3 -c 'import json,sys; d=json.load(sys.stdin); d=d.get("as_map", d)
for k in ("omero.config.version", "omero.config.profile"): d.pop(k, None)
print(json.dumps(d, ensure_ascii=False, indent=2))'
}

for input in "$dir"/*.json; do
  case $input in *.readback.json) continue ;; esac
  name=${input%.json}
  rm -f "$name.xml" "$name".*.readback.json "$name.sh" "$name.omero"
  "$oracle" write-xml "$input" "$name.xml" --ctime "Thu Jan  1 00:00:00 1970" >/dev/null
  "$oracle" xml "$name.xml" | map > "$name.xml.readback.json"
  "$omeroconf" convert "$input" --to script -o "$name.sh"
  "$oracle" script "$name.sh" | map > "$name.sh.readback.json"
  if "$omeroconf" convert "$input" --to omero -o "$name.omero" 2>/dev/null; then
    python3 - "$name.omero" <<'PY' | map > "$name.omero.readback.json"
import json, re, shlex, sys
stored = {}
for line in open(sys.argv[1], encoding="utf-8"):
    if re.match(r"\s*#", line):
        continue
    words = shlex.split(line)
    assert words[:3] == ["config", "set", "--"] and len(words) == 5, words
    stored[words[3]] = words[4]
print(json.dumps(stored))
PY
  fi
  echo "recorded $(basename "$name")"
done
