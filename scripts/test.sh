#!/usr/bin/env bash
# Runs every test. Installs what the tests need when it is missing, so it
# works on a fresh machine and in CI (which runs it from .ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."

# pytz lets the catalog test regenerate schema/catalog.json and compare.
if ! python3 -c 'import pytz' 2>/dev/null; then
  python3 -m pip install --quiet --disable-pip-version-check 'pytz==2026.6' \
    || echo "note: pytz not installed; the catalog freshness test will be skipped"
fi

cargo test --locked "$@"

# The pre-commit hooks, installed for real (slow: builds omeroconf once more).
if [ -n "${CI:-}" ] || [ -n "${OMEROCONF_PRECOMMIT_TEST:-}" ]; then
  bash scripts/precommit_test.sh
fi
