#!/usr/bin/env bash
# Installs what scripts/build-web.sh needs to build the /try page: a Rust
# that builds for wasm32-unknown-unknown (rustup's target, or on Debian
# without it the rustc-web packages, whose standard library is built from
# source) and wasm-bindgen at the version in Cargo.lock.
set -euo pipefail
cd "$(dirname "$0")/.."
target=wasm32-unknown-unknown

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  sudo="sudo"
fi

if command -v rustup >/dev/null && rustup target add "$target" >/dev/null 2>&1; then
  echo "setup-web: rustup's $target target"
elif command -v apt-get >/dev/null; then
  # rustup cannot fetch targets here (or there is no rustup): Debian's own.
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    rustc-web cargo-web rust-web-src lld >/dev/null
  echo "setup-web: Debian's rustc-web, rust-web-src and lld"
else
  echo "setup-web: no way to get a Rust for $target: install rustup (https://rustup.rs) and rerun" >&2
  exit 1
fi

version=$(awk '/^name = "wasm-bindgen"$/ {getline; gsub(/[^0-9.]/, ""); print; exit}' Cargo.lock)
if command -v wasm-bindgen >/dev/null && [ "$(wasm-bindgen --version | awk '{print $2}')" = "$version" ]; then
  echo "setup-web: wasm-bindgen $version is installed"
else
  # Not --locked: its lock file names a crate version the registry no longer serves.
  cargo install wasm-bindgen-cli --version "$version"
fi
