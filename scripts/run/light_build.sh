# Sourced by scripts/run/wheel_test.sh and scripts/run/precommit_test.sh: a quick
# release build (no LTO, many codegen units, -O1) in target/light/, which
# both share so CI compiles the dependencies once. These builds check
# packaging and hooks, not speed.
export CARGO_TARGET_DIR="$repo_root/target/light"
export CARGO_PROFILE_RELEASE_LTO=off
export CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16
export CARGO_PROFILE_RELEASE_OPT_LEVEL=1
