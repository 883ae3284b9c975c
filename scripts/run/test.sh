#!/usr/bin/env bash
# Runs every test. Installs what the tests need when it is missing, so it
# works on a fresh machine and in CI (which runs it from .ci/run).
set -euo pipefail
cd "$(dirname "$0")/../.."

# pytz lets the catalog test regenerate schema/catalog.json and compare.
if ! python3 -c 'import pytz' 2>/dev/null; then
  python3 -m pip install --quiet --disable-pip-version-check 'pytz==2026.6' \
    || echo "note: pytz not installed; the catalog freshness test will be skipped"
fi

# nginx checks every emitted nginx file (`nginx -t`). Installed only where
# this script may change the machine: in CI, or when run as root.
# (/usr/sbin is not on every user's PATH.)
if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
  if [ -n "${CI:-}" ] || [ "$(id -u)" = 0 ]; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx) \
      || echo "note: nginx not installed; the nginx -t test fails in CI and is skipped elsewhere"
  else
    echo "note: nginx is not installed; the nginx -t test will be skipped (not root, CI unset)"
  fi
fi

# The hostile and write tests cap memory with prlimit and run as `nobody`
# with setpriv (both util-linux).
if ! command -v prlimit >/dev/null 2>&1 || ! command -v setpriv >/dev/null 2>&1; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq util-linux) \
    || echo "note: util-linux not installed; the memory-ceiling and permission tests fail"
fi

# Virtualenv layouts from real PyPI wheels (tests/wheels.rs), cached in
# target/wheels between runs. Downloaded only in CI or as root.
if [ -n "${CI:-}" ] || [ "$(id -u)" = 0 ]; then
  bash scripts/run/wheels.sh || echo "note: wheel layouts not built; tests/wheels.rs fails in CI and is skipped elsewhere"
else
  echo "note: not root and CI unset; tests/wheels.rs is skipped unless scripts/run/wheels.sh has run"
fi

# systemd-analyze (package systemd) checks the emitted unit statically.
if ! command -v systemd-analyze >/dev/null 2>&1; then
  if [ -n "${CI:-}" ] || [ "$(id -u)" = 0 ]; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq systemd) \
      || echo "note: systemd-analyze not installed; the systemd test fails in CI"
  else
    echo "note: systemd-analyze is missing; the systemd unit test will be skipped (not root, CI unset)"
  fi
fi

# taplo (npm @taplo/cli) checks the editor schema; kept under target/tools,
# so it is fetched once per checkout. No root needed: tried wherever npm is.
if [ ! -x target/tools/node_modules/.bin/taplo ]; then
  if command -v npm >/dev/null 2>&1; then
    npm install --silent --no-audit --no-fund --prefix target/tools '@taplo/cli@0.7.0' \
      || echo "note: taplo not installed; the taplo test fails in CI and is skipped elsewhere"
  elif [ -n "${CI:-}" ] || [ "$(id -u)" = 0 ]; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm \
      && npm install --silent --no-audit --no-fund --prefix target/tools '@taplo/cli@0.7.0') \
      || echo "note: taplo not installed; the taplo test fails in CI"
  else
    echo "note: npm is missing, so taplo is not installed; the taplo test will be skipped (not root, CI unset)"
  fi
fi

# Style and lints are part of the suite: a change that is not formatted or
# that clippy warns about fails here, as it would in review.
rustup component list --installed 2>/dev/null | grep -q '^rustfmt' || rustup component add rustfmt clippy
cargo fmt --check
cargo clippy --locked --all-targets -- -D warnings

cargo test --locked "$@"

# The recorded CPython answers the Python-semantics tests compare with must
# still be CPython's: a random sample is checked with this machine's python3.
python3 scripts/record/cpython_sample.py --sample 100

# The differential answers must still be what the real OMERO says: re-record a
# random sample with the oracle beside the checkout and fail when one is stale.
if [ -n "${CI:-}" ] || [ -n "${OMEROCONF_ORACLE_CHECK:-}" ]; then
  ../shared/oracle/setup.sh
  python3 scripts/record/differential.py --check --sample "${OMEROCONF_ORACLE_SAMPLE:-20}"
  # Django's judgment (tests/django.rs): a smaller sample, each case runs Django's checks.
  python3 scripts/record/django.py --check --sample "${OMEROCONF_DJANGO_SAMPLE:-12}"
  # What migrate writes must still be what OMERO.web accepted (target/debug/omeroconf is built by cargo test).
  python3 scripts/record/upgrades.py --check --sample "${OMEROCONF_UPGRADE_SAMPLE:-6}"
fi
# The 100 MB input is too slow for a debug build.
cargo test --locked --release --test hostile -- --ignored

# The Python wheel, built with maturin, installed into a fresh venv and run
# (its build in target/light/ is reused by the pre-commit test below).
if [ -n "${CI:-}" ] || [ -n "${OMEROCONF_WHEEL_TEST:-}" ]; then
  bash scripts/run/wheel_test.sh
fi

# The pre-commit hooks, installed for real (slow: builds omeroconf once more).
if [ -n "${CI:-}" ] || [ -n "${OMEROCONF_PRECOMMIT_TEST:-}" ]; then
  bash scripts/run/precommit_test.sh
fi
