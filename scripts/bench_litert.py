#!/usr/bin/env python3
"""Times TFLite's own interpreter (PyPI `ai-edge-litert`, XNNPACK) on the
pose models: the yardstick for drape's executors (`drape bench nn`).

    python3 scripts/bench_litert.py                  detector and lite, 1 and 2 threads
    python3 scripts/bench_litert.py --models lite full --threads 1 2 4
    python3 scripts/bench_litert.py --json           machine-readable

Each (model, thread count) gets its own interpreter, `--warmup` untimed
inferences, then `--runs` timed ones; it reports the median and the fastest
in milliseconds. Only `invoke()` is timed: the input is set once, as drape's
benchmark feeds the same input every run. The input is the deterministic
gradient of scripts/nn_vectors.py (the speed does not depend on the values).

Needs: ai-edge-litert, numpy.
"""

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np

import ai_edge_litert
from ai_edge_litert.interpreter import Interpreter

REPO = Path(__file__).resolve().parent.parent
MODELS = REPO / "assets" / "models"

FILES = {
    "detector": "pose_detection.tflite",
    "lite": "pose_landmark_lite.tflite",
    "full": "pose_landmark_full.tflite",
    "heavy": "pose_landmark_heavy.tflite",
}


def gradient_input(shape):
    """byte(y, x, c) = (3x + 5y + 7c) mod 256, scaled to [0, 1]."""
    _, height, width, channels = shape
    y = np.arange(height)[:, None, None]
    x = np.arange(width)[None, :, None]
    c = np.arange(channels)[None, None, :]
    pixels = (3 * x + 5 * y + 7 * c) % 256
    return (pixels.astype(np.float32) / np.float32(255.0))[None]


def time_model(path, threads, warmup, runs):
    interpreter = Interpreter(model_path=str(path), num_threads=threads)
    interpreter.allocate_tensors()
    (detail,) = interpreter.get_input_details()
    interpreter.set_tensor(detail["index"], gradient_input(detail["shape"]))
    for _ in range(warmup):
        interpreter.invoke()
    times_ms = []
    for _ in range(runs):
        start = time.perf_counter()
        interpreter.invoke()
        times_ms.append((time.perf_counter() - start) * 1e3)
    return {
        "median_ms": statistics.median(times_ms),
        "min_ms": min(times_ms),
        "runs": runs,
        "warmup": warmup,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", nargs="+", choices=FILES, default=["detector", "lite"])
    parser.add_argument("--threads", nargs="+", type=int, default=[1, 2])
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args()
    if args.runs < 1 or args.warmup < 0 or min(args.threads) < 1:
        parser.error("--runs and --threads must be at least 1, --warmup at least 0")

    load_before = os.getloadavg()[0]
    results = []
    for name in args.models:
        path = MODELS / FILES[name]
        if not path.exists():
            sys.exit(f"bench_litert: {path} is missing (scripts/fetch-models.sh fetches full and heavy)")
        for threads in args.threads:
            result = time_model(path, threads, args.warmup, args.runs)
            results.append({"model": name, "file": FILES[name], "threads": threads, **result})

    if args.json:
        report = {
            "ai_edge_litert": ai_edge_litert.__version__,
            "machine": platform.machine(),
            "cpus": os.cpu_count(),
            "load_average_1min": load_before,
            "results": results,
        }
        print(json.dumps(report, indent=1))
        return
    print(f"TFLite (ai-edge-litert {ai_edge_litert.__version__}, XNNPACK), "
          f"median of {args.runs} runs after {args.warmup} warm-up")
    if load_before > 0.5:
        # Other processes share the cores: the times are then upper bounds.
        print(f"note: load average {load_before:.1f} before the run "
              f"({os.cpu_count()} CPUs); other work slows these times")
    print(f"{'model':<10} {'threads':>7} {'median ms':>10} {'min ms':>8}")
    for r in results:
        print(f"{r['model']:<10} {r['threads']:>7} {r['median_ms']:>10.2f} {r['min_ms']:>8.2f}")


if __name__ == "__main__":
    main()
