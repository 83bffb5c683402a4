#!/usr/bin/env bash
# Builds the CPU runtime's tests for aarch64 and runs them under QEMU's user
# mode, so that the NEON kernels are compiled and checked against the
# portable ones on an x86-64 machine (ARM kiosks and Macs run them for real).
#
#   scripts/test-aarch64.sh              tests/nn_cpu_isa.rs, tests/nn_cpu_ops
#                                        and the library's nn::cpu unit tests
#   scripts/test-aarch64.sh --install    first installs the cross compiler,
#                                        QEMU and the Rust target (Debian)
#
# The build goes to target/aarch64 (its own folder: a first build takes
# about 15 minutes on two cores). QEMU emulates one instruction at a time,
# so the tests run some ten times slower than natively.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${1:-}" = "--install" ]; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    sudo="sudo"
  fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user >/dev/null
  rustup target add aarch64-unknown-linux-gnu
fi

for tool in aarch64-linux-gnu-gcc qemu-aarch64; do
  if ! command -v "$tool" >/dev/null; then
    echo "test-aarch64: $tool not found: run scripts/test-aarch64.sh --install" >&2
    exit 1
  fi
done
if ! rustup target list --installed | grep -qx aarch64-unknown-linux-gnu; then
  echo "test-aarch64: the Rust target is missing: run scripts/test-aarch64.sh --install" >&2
  exit 1
fi

export CC_aarch64_unknown_linux_gnu=aarch64-linux-gnu-gcc
export CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER=aarch64-linux-gnu-gcc
export CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_RUNNER="qemu-aarch64 -L /usr/aarch64-linux-gnu"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target/aarch64}"

target=aarch64-unknown-linux-gnu
cargo test --locked --target "$target" --test nn_cpu_isa --test nn_cpu_ops
cargo test --locked --target "$target" --lib nn::cpu
