#!/usr/bin/env bash
# Builds the /try page: drape's engine compiled to WebAssembly (web/, with
# SIMD128) and the page's files, into one folder that `drape serve` serves
# at /try (by default target/web/try; give another as the first argument).
#
# Needs a Rust that builds for wasm32-unknown-unknown, either
#   rustup target add wasm32-unknown-unknown
# or, on Debian without rustup's targets,
#   apt-get install rustc-web cargo-web rust-web-src lld
# and wasm-bindgen at the version in Cargo.lock:
#   cargo install wasm-bindgen-cli --version <it>
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-target/web/try}"
target=wasm32-unknown-unknown

bindgen_version=$(awk '/^name = "wasm-bindgen"$/ {getline; gsub(/[^0-9.]/, ""); print; exit}' Cargo.lock)
if ! command -v wasm-bindgen >/dev/null || [ "$(wasm-bindgen --version | awk '{print $2}')" != "$bindgen_version" ]; then
  echo "build-web: wasm-bindgen $bindgen_version is needed (it must match Cargo.lock): cargo install wasm-bindgen-cli --version $bindgen_version" >&2
  exit 1
fi

export CARGO_TARGET_DIR=target/web-build
# SIMD128 for the CPU network; no debug info in the page's module.
# WEB_RUSTFLAGS adds flags (CI: -D warnings).
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="-C target-feature=+simd128 ${WEB_RUSTFLAGS:-}"
export CARGO_PROFILE_RELEASE_DEBUG=false
if command -v rustup >/dev/null && rustup target list --installed 2>/dev/null | grep -qx "$target"; then
  cargo build --locked --release -p drape-web --target "$target"
elif [ -x /usr/bin/rustc ] && [ -d "$(/usr/bin/rustc --print sysroot)/lib/rustlib/src/rust/library" ] && command -v wasm-ld >/dev/null; then
  # Debian's rustc-web: the standard library is built from its source.
  PATH="/usr/bin:$PATH" RUSTC_BOOTSTRAP=1 CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER=wasm-ld \
    /usr/bin/cargo build --locked --release -p drape-web --target "$target" -Zbuild-std=std,panic_abort
else
  echo "build-web: no Rust for $target: run \`rustup target add $target\`, or on Debian \`apt-get install rustc-web cargo-web rust-web-src lld\`" >&2
  exit 1
fi

mkdir -p "$out"
wasm-bindgen --target web --no-typescript --out-dir "$out" --out-name drape_web \
  "$CARGO_TARGET_DIR/$target/release/drape_web.wasm"
cp web/try/index.html web/try/try.js web/try/try.css "$out/"
echo "build-web: wrote $out ($(du -sh "$out" | cut -f1)); serve it with: drape serve --try-dir $out ..."
