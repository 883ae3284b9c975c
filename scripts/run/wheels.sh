#!/usr/bin/env bash
# Builds virtualenv-like layouts from real PyPI wheels for tests/wheels.rs:
# `pip download --no-deps` into a cache kept between runs, then
# `pip install --no-deps --target DIR/lib/pythonX.Y/site-packages`.
# Nothing is imported or run; some distributions are left out on purpose.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=${OMEROCONF_WHEELS:-target/wheels}
cache=$root/cache
python=$(python3 -c 'import sys; print("python%d.%d" % sys.version_info[:2])')
pip=(python3 -m pip --disable-pip-version-check --quiet)

# layout: the distributions it holds (pinned, so the answers do not drift).
declare -A layouts=(
  [old]="omero-web==5.6.0 Django==1.11.29 omero-iviewer==0.19.1 django-redis==7.0.0"
  [new]="omero-web==5.33.2 Django==5.2.19 omero-iviewer==0.19.1 django-cors-headers==4.9.0 whitenoise==6.12.0"
)
mkdir -p "$cache"
for name in "${!layouts[@]}"; do
  site=$root/$name/lib/$python/site-packages
  [ -d "$site" ] && continue
  for requirement in ${layouts[$name]}; do
    "${pip[@]}" download --no-deps --only-binary=:all: --dest "$cache" "$requirement"
  done
  wheels=()
  for requirement in ${layouts[$name]}; do
    dist=${requirement%%==*}
    version=${requirement##*==}
    pattern=$(echo "$dist" | tr '-' '_')
    wheels+=("$(find "$cache" -maxdepth 1 -iname "${pattern}-${version}-*.whl" | head -n 1)")
  done
  "${pip[@]}" install --root-user-action=ignore --no-deps --no-compile --target "$site.tmp" "${wheels[@]}"
  mv "$site.tmp" "$site"
done
echo "wheel layouts in $root: ${!layouts[*]}"
