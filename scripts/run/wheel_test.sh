#!/usr/bin/env bash
# Builds the Python wheel (pyproject.toml: maturin, `bindings = "bin"`),
# installs it into a fresh venv and runs the `omeroconf` it puts on the
# venv's PATH, as an OMERO admin would after `pip install`. The build is the
# light one scripts/run/precommit_test.sh makes, in the same target/light/, so
# CI compiles the dependencies once for both (the release tests' build has
# other features and cannot be shared). Everything else lives in a temporary
# directory, removed on exit.
set -euo pipefail
repo_root="$(cd "$(dirname "$0")/../.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# shellcheck source=scripts/run/light_build.sh
. "$repo_root/scripts/run/light_build.sh"

python3 -m venv "$work/build"
"$work/build/bin/pip" install --quiet --disable-pip-version-check 'maturin==1.16.0'
"$work/build/bin/maturin" build --quiet --release --manifest-path "$repo_root/Cargo.toml" --out "$work/wheels"
wheel="$(ls "$work"/wheels/omeroconf-*.whl)"
echo "built $(basename "$wheel")"

python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet --disable-pip-version-check "$wheel"
installed="$work/venv/bin/omeroconf"
[ -x "$installed" ] || { echo "FAILED: the wheel put no omeroconf in the venv's bin/"; exit 1; }
# Found on PATH once the venv is active, as after `source venv/bin/activate`.
found="$(PATH="$work/venv/bin:$PATH" command -v omeroconf)"
[ "$found" = "$installed" ] || { echo "FAILED: omeroconf on PATH is $found"; exit 1; }

"$installed" --version
# A clean example passes; the walkthrough has real mistakes, so exits 1.
"$installed" lint "$repo_root/examples/omero-web.toml"
status=0
"$installed" lint --format short "$repo_root/examples/setup-web.sh" >"$work/out.txt" || status=$?
if [ "$status" -ne 1 ] || ! grep -q 'error\[' "$work/out.txt"; then
  echo "FAILED: the installed omeroconf should report the walkthrough's errors (exit 1), got $status"
  cat "$work/out.txt"
  exit 1
fi
echo "wheel test: ok"
