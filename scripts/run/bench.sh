#!/usr/bin/env bash
# Times the release binary as a whole process against `true` (the
# process-start floor) and OMERO's own check (`oracle settings`), and a
# generated 100 k / 1 M-line script for throughput, linearity and peak
# memory. Prints the ratios; asserts nothing. Installs nothing globally
# (hyperfine through apt when missing and run as root).
set -euo pipefail
cd "$(dirname "$0")/../.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target}"
cargo build --release --quiet
bin=$(realpath "$CARGO_TARGET_DIR/release/omeroconf")
oracle=../shared/oracle/oracle
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if ! command -v hyperfine >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq hyperfine) >/dev/null 2>&1 || true
fi

# Mean wall time in seconds of a command (hyperfine when present).
mean() {
  if command -v hyperfine >/dev/null 2>&1; then
    hyperfine -N --warmup 3 --runs "${RUNS:-20}" -i --export-json "$work/h.json" "$1" >/dev/null 2>&1
    python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["results"][0]["mean"])' "$work/h.json"
  else
    python3 - "$1" <<'PY'
import shlex, subprocess, sys, time
argv = shlex.split(sys.argv[1]); runs = 20; subprocess.run(argv, capture_output=True)
t = time.perf_counter()
for _ in range(runs): subprocess.run(argv, capture_output=True)
print((time.perf_counter() - t) / runs)
PY
  fi
}
ratio() { python3 -c "import sys; print(f'{float(sys.argv[1]) / float(sys.argv[2]):.1f}')" "$1" "$2"; }

example=examples/setup-web.sh
floor=$(mean "true")
ours=$(mean "$bin lint $example")
echo "install walkthrough: omeroconf $(ratio "$ours" 1e-3) ms, true $(ratio "$floor" 1e-3) ms: $(ratio "$ours" "$floor")x the process-start floor (target <= 3x)"
if [ -x "$oracle" ]; then
  "$bin" convert --to xml "$example" -o "$work/config.xml" --force 2>/dev/null
  theirs=$(RUNS=3 mean "$oracle settings $work/config.xml")
  echo "OMERO's own check (oracle settings): $(ratio "$theirs" 1e-3) ms: omeroconf is $(ratio "$theirs" "$ours")x faster (target >= 200x)"
else
  echo "OMERO's own check: $oracle missing (run ../shared/oracle/setup.sh)"
fi

# The generated script: settings, other commands and comments in turn.
python3 - "$work" <<'PY'
import sys
for lines, name in ((100_000, "100k.sh"), (1_000_000, "1m.sh")):
    with open(f"{sys.argv[1]}/{name}", "w") as f:
        f.write("#!/bin/bash\n")
        for i in range(1, lines):
            f.write((f"omero config set omero.web.server_list '[[\"localhost\", 4064, \"omero{i}\"]]'\n",
                     f"echo step {i}\n",
                     f"omero config set omero.web.debug {'true' if i % 8 == 2 else 'yes'}\n",
                     f"# comment {i}\n")[i % 4])
PY
small=$(RUNS=5 mean "$bin lint --format json $work/100k.sh")
big=$(RUNS=3 mean "$bin lint --format json $work/1m.sh")
echo "1 M-line script: $(ratio "$big" 1e-3) ms: $(ratio 1 "$big") M lines/s (target >= 1)"
echo "linearity: 10x input takes $(ratio "$big" "$small")x the time (target <= 11x)"
size=$(stat -c %s "$work/1m.sh")
peak=$(/usr/bin/time -f %M "$bin" lint --format json "$work/1m.sh" 2>&1 >/dev/null | tail -1)
echo "peak memory: $((peak / 1024)) MB for a $((size / 1048576)) MB input: $(ratio "$((peak * 1024))" "$size")x (target <= 3x)"

# Hostile shapes (issue: bounded memory and time). Each is linted once;
# the time and peak memory are printed for the README's reliability table.
python3 - "$work" <<'PY'
import json, sys
w = sys.argv[1]
mw = ",".join(['{"index": 1, "class": "django.middleware.common.CommonMiddleware"}'] * 20000)
open(f"{w}/middleware.properties", "w").write(f"omero.web.middleware=[{mw}]\n")
open(f"{w}/wide.json", "w").write(json.dumps({f"omero.web.k{i}": "x" for i in range(100000)}))
open(f"{w}/many.env", "w").write("".join(f"CONFIG_omero_web_k{i}=v\n" for i in range(50000)))
open(f"{w}/compose.yml", "w").write("services:\n  web:\n    image: openmicroscopy/omero-web-standalone\n    environment:\n"
                                      + "".join(f"      CONFIG_omero_web_k{i}: v\n" for i in range(50000)))
levels = ["a0: &a0 [x,x,x,x,x,x,x,x,x]"] + [f"a{i}: &a{i} [" + ",".join([f"*a{i-1}"] * 9) + "]" for i in range(1, 9)]
open(f"{w}/laughs.yml", "w").write("\n".join(levels) + "\nomero_web_config_set:\n  omero.web.apps: *a8\n")
public = "omero.web.public.enabled=true\nomero.web.public.user=public\nomero.web.public.password=pw\n"
for size in (10_000, 100_000):
    open(f"{w}/prefix{size // 1000}k.properties", "w").write(
        f"{public}omero.web.prefix=/{'p' * size}\nomero.web.public.url_filter=(?!x).*/webadmin/\n")
open(f"{w}/parens.sh", "w").write("omero config set omero.web.debug true\n" + "(" * 2_000_000 + "\n")
open(f"{w}/substitutions.sh", "w").write('omero config set omero.web.debug "' + "$(" * 1_000_000 + '"\n')
alternation = "|".join(f"w{i}" for i in range(600_000))
open(f"{w}/alternation.properties", "w").write(f"{public}omero.web.public.url_filter=^/({alternation})/\n")
PY
mkdir -p "$work/tree/etc" && cp "$work/many.env" "$work/tree/etc/web.env"
mkfifo "$work/tree/pipe.properties" && ln -s / "$work/tree/root" && ln -s . "$work/tree/etc/loop"
for shape in "20 k duplicate middleware entries:middleware.properties" \
  "one-line JSON, 100 k keys:wide.json" "50 k env variables:many.env" "50 k compose variables:compose.yml" \
  "nine levels of YAML aliases:laughs.yml --from ansible" "a tree with a FIFO, a link to / and a loop:tree" \
  "2 M ( on one script line:parens.sh" "1 M \$( on one script line:substitutions.sh" \
  "URL filter under a 10 KB prefix:prefix10k.properties" "URL filter under a 100 KB prefix:prefix100k.properties" \
  "URL filter of 600 k alternatives:alternation.properties"; do
  name=${shape%%:*}
  args=${shape#*:}
  size=$(du -sb "$work/${args%% *}" | cut -f1)
  # Findings exit 1; the figures are what matters here.
  # shellcheck disable=SC2086 # the input path and its flags
  stats=$(cd "$work" && { /usr/bin/time -f "%e s, %M KB" timeout 120 "$bin" lint --format json $args 2>&1 >/dev/null || true; } | tail -1)
  echo "$name ($((size / 1024)) KB): $stats"
done
