#!/usr/bin/env bash
# Runs omeroconf's pre-commit hooks for real: a throwaway repository whose
# .pre-commit-config.yaml names a local clone of this checkout (at its
# committed HEAD) as `repo:`, with pre-commit from PyPI in a temporary venv.
# A bad file must fail the commit, good files must pass. Everything lives in
# one temporary directory, removed on exit. pre-commit builds omeroconf with
# `cargo install --path .` with the light build of scripts/run/light_build.sh
# (shared with scripts/run/wheel_test.sh): a few minutes on two cores.
set -euo pipefail
repo_root="$(cd "$(dirname "$0")/../.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

git clone --quiet "$repo_root" "$work/omeroconf"
rev="$(git -C "$work/omeroconf" rev-parse HEAD)"

python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet --disable-pip-version-check 'pre-commit==4.7.0'
export PRE_COMMIT_HOME="$work/pre-commit-cache"
# shellcheck source=scripts/run/light_build.sh
. "$repo_root/scripts/run/light_build.sh"

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
check() { # NAME EXPECTED(pass|fail) FILE CONTENT [TEXT the output must show]
  local name="$1" expected="$2" file="$3" shown="${5:-}"
  mkdir -p "$(dirname "$file")"
  printf '%s' "$4" > "$file"
  git add "$file"
  if git commit --quiet -m "$name" >"$work/out.txt" 2>&1; then outcome=pass; else outcome=fail; fi
  if [ "$outcome" = "$expected" ] && { [ -z "$shown" ] || grep -qF -- "$shown" "$work/out.txt"; }; then
    passed=$((passed + 1))
    echo "ok: $name ($outcome)"
  else
    failed=$((failed + 1))
    echo "FAILED: $name: the commit should $expected${shown:+ and show $shown}"
    cat "$work/out.txt"
  fi
  git reset --quiet --hard HEAD
}

bad_workers='omero.web.wsgi_workers: `five` is not an integer'
check "good env file" pass deploy/web.env $'CONFIG_omero_web_prefix=/omero\nCONFIG_omero_web_wsgi__workers=4\n'
check "bad env file" fail deploy/web.env $'CONFIG_omero_web_wsgi__workers=five\n' "$bad_workers"
check "bad properties backup" fail properties.backup $'omero.web.public.password=********\n'
check "bad .omero file" fail web.omero $'config set omero.web.wsgi_workers five\n' "$bad_workers"
check "bad config.xml" fail etc/grid/config.xml '<?xml version="1.0" encoding="UTF-8"?>
<icegrid>
  <properties id="__ACTIVE__">
    <property name="omero.config.profile" value="default"/>
    <property name="omero.config.version" value="5.1.0"/>
  </properties>
  <properties id="default">
    <property name="omero.config.version" value="5.1.0"/>
    <property name="omero.web.wsgi_workers" value="five"/>
  </properties>
</icegrid>
' "$bad_workers"
check "bad Ansible vars" fail group_vars/omero-web.yml $'omero_web_config_set:\n  omero.web.wsgi_workers: five\n' "$bad_workers"
check "bad Kubernetes manifest" fail k8s/omero-web.yaml 'apiVersion: apps/v1
kind: Deployment
metadata:
  name: omero-web
spec:
  template:
    spec:
      containers:
        - name: omero-web
          image: openmicroscopy/omero-web-standalone:5.28.0
          env:
            - name: CONFIG_omero_web_wsgi__workers
              value: "five"
' "$bad_workers"
check "bad compose file" fail docker-compose.yml 'services:
  omeroweb:
    image: openmicroscopy/omero-web-standalone
    environment:
      CONFIG_omero_web_wsgi__workers: five
' "$bad_workers"
check "bad TOML" fail omero-web.toml $'[omero.web]\nwsgi_workers = "five"\n' "$bad_workers"
check "bad Dockerfile" fail docker/web/Dockerfile $'FROM openmicroscopy/omero-web-standalone:5.28.0\nENV CONFIG_omero_web_wsgi__workers=five\n' "$bad_workers"
check "bad script" fail setup-web.sh $'#!/bin/sh\nomero config set omero.web.wsgi_workers five\n' "$bad_workers"
# Warnings do not fail a commit, but the hook shows them (verbose: true).
check "warning shown" pass omero-web.properties $'omero.web.debug=yes\n' "TY006"
# Files the broad patterns match that are not OMERO.web configuration.
check "CI workflow YAML" pass .github/workflows/ci.yml $'name: CI\non: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo hi\n'
check "Cargo.toml" pass Cargo.toml $'[package]\nname = "x"\nversion = "0.1.0"\n'
check "log4j.properties" pass src/main/resources/log4j.properties $'log4j.rootLogger=INFO, stdout\nlog4j.appender.stdout=org.apache.log4j.ConsoleAppender\n'
check "Maven pom.xml" pass pom.xml $'<?xml version="1.0"?>\n<project/>\n'
check "Dockerfile of something else" pass app/Dockerfile $'FROM python:3.12\nRUN pip install flask\n'
check "script without omero" pass backup.sh $'#!/bin/sh\ntar czf /tmp/backup.tgz /srv\n'
# The project configuration is checked as one, never linted as OMERO.web TOML,
# and its `exclude` holds for the files pre-commit names.
check "project configuration" pass .omeroconf.toml $'# the omero.web release this repository runs\nomero-web-version = "5.33.2"\n'
check "wrong project configuration" fail .omeroconf.toml $'selct = ["SC"]\n' 'unknown key `selct`'
printf 'exclude = ["legacy/"]\n' > .omeroconf.toml
git add .omeroconf.toml
git commit --quiet -m "project configuration" >"$work/out.txt" 2>&1 || { cat "$work/out.txt"; exit 1; }
check "file the project excludes" pass legacy/web.omero $'config set omero.web.wsgi_workers five\n'
check "script the project excludes" pass legacy/setup-web.sh $'#!/bin/sh\nomero config set omero.web.wsgi_workers five\n'
check "file the project does not exclude" fail web.omero $'config set omero.web.wsgi_workers five\n' "$bad_workers"

echo "pre-commit hook test: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
