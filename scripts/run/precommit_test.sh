#!/usr/bin/env bash
# Runs omeroconf's pre-commit hooks for real: a throwaway repository whose
# .pre-commit-config.yaml names a local clone of this checkout (at its
# committed HEAD) as `repo:`, with pre-commit from PyPI in a temporary venv.
# A bad file must fail the commit, good files must pass. Everything lives in
# one temporary directory, removed on exit. pre-commit builds omeroconf with
# `cargo install --path .` (release profile lightened below): one install,
# a few minutes on two cores.
set -euo pipefail
repo_root="$(cd "$(dirname "$0")/../.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

git clone --quiet "$repo_root" "$work/omeroconf"
rev="$(git -C "$work/omeroconf" rev-parse HEAD)"

python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet --disable-pip-version-check 'pre-commit==4.7.0'
export PRE_COMMIT_HOME="$work/pre-commit-cache"
# The hook's build: its own target dir, no LTO, so one install stays short.
export CARGO_TARGET_DIR="$work/target"
export CARGO_PROFILE_RELEASE_LTO=off
export CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16
export CARGO_PROFILE_RELEASE_OPT_LEVEL=1

site="$work/site"
git init --quiet "$site"
cd "$site"
git config user.email "ci@example.org"
git config user.name "omeroconf CI"
git config commit.gpgsign false
cat > .pre-commit-config.yaml <<YAML
repos:
  - repo: $work/omeroconf
    rev: $rev
    hooks:
      - id: omeroconf
      - id: omeroconf-scripts
YAML
git add .pre-commit-config.yaml
git commit --quiet --no-verify -m "pre-commit config"
"$work/venv/bin/pre-commit" install --install-hooks >/dev/null

passed=0
failed=0
check() { # NAME EXPECTED(pass|fail) FILE CONTENT
  local name="$1" expected="$2" file="$3"
  mkdir -p "$(dirname "$file")"
  printf '%s' "$4" > "$file"
  git add "$file"
  if git commit --quiet -m "$name" >"$work/out.txt" 2>&1; then outcome=pass; else outcome=fail; fi
  if [ "$outcome" = "$expected" ]; then
    passed=$((passed + 1))
    echo "ok: $name ($outcome)"
  else
    failed=$((failed + 1))
    echo "FAILED: $name: the commit should $expected"
    cat "$work/out.txt"
  fi
  git reset --quiet --hard HEAD
}

check "good env file" pass deploy/web.env $'CONFIG_omero_web_prefix=/omero\nCONFIG_omero_web_wsgi__workers=4\n'
check "bad env file" fail deploy/web.env $'CONFIG_omero_web_wsgi__workers=five\n'
check "bad properties backup" fail properties.backup $'omero.web.public.password=********\n'
check "script without omero" pass backup.sh $'#!/bin/sh\ntar czf /tmp/backup.tgz /srv\n'

echo "pre-commit hook test: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
