#!/usr/bin/env bash
# Runs cargo-fuzz targets one after another, each for SECONDS (default 120),
# with its seeds and dictionary. Needs nightly and cargo-fuzz. From anywhere:
#
#   fuzz/run.sh                   # every target, 120 s each
#   fuzz/run.sh 30 y4m_reader     # one target, 30 s
#
# New corpus entries go to fuzz/corpus/<target>/, crashes to
# fuzz/artifacts/<target>/ (neither is committed). A crash: fix it in the
# library, copy the input to tests/data/fuzz/<target>/ (tests/fuzz.rs
# replays it) and add a test named for it.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-120}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(y4m_reader raw_reader gltf_loader catalog photo_anchors tflite_reader)
fi

status=0
for target in "${targets[@]}"; do
    seeds=fuzz/seeds/$target
    [ "$target" = tflite_reader ] && seeds=tests/data/nn_reader
    dict=()
    [ -f "fuzz/dict/$target.dict" ] && dict=(-dict="fuzz/dict/$target.dict")
    mkdir -p "fuzz/corpus/$target"
    echo "== $target: $seconds s"
    # -O: optimised, without overflow checks (the stable smoke run in
    # tests/fuzz.rs has them).
    cargo +nightly fuzz run -O "$target" "fuzz/corpus/$target" "$seeds" -- \
        "${dict[@]}" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 || status=1
done
exit $status
