#!/usr/bin/env python3
"""Times TFLite's own interpreter (PyPI `ai-edge-litert`, XNNPACK) on the
pose models: the yardstick for drape's executors (`drape bench nn`).

    python3 scripts/bench_litert.py                  detector and lite, 1 and 2 threads
    python3 scripts/bench_litert.py --models lite full --threads 1 2 4
    python3 scripts/bench_litert.py --json           machine-readable
    python3 scripts/bench_litert.py --serve          driven by `drape bench nn`

With `--serve` it first prints one JSON line `{"ready": ..., "peer": ...}`,
then answers each line `run <model> <threads> <n>` on stdin with one JSON
line `{"model": ..., "threads": ..., "times_ms": [n timings]}` (or
`{"error": ...}`), until `quit` or the end of input. Each (model,
threads) keeps its interpreter, warmed up `--warmup` times when made, so
drape can time its own batches in between and both sides see the same
load of a shared machine.

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
    invoke_times(interpreter, warmup)
    times_ms = invoke_times(interpreter, runs)
    return {
        "median_ms": statistics.median(times_ms),
        "min_ms": min(times_ms),
        "runs": runs,
        "warmup": warmup,
    }


def invoke_times(interpreter, runs):
    times_ms = []
    for _ in range(runs):
        start = time.perf_counter()
        interpreter.invoke()
        times_ms.append((time.perf_counter() - start) * 1e3)
    return times_ms


def serve(warmup):
    """The line protocol described at the top, on stdin and stdout."""
    interpreters = {}
    print(json.dumps({"ready": True, "peer": f"ai-edge-litert {ai_edge_litert.__version__}"}), flush=True)
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        if words == ["quit"]:
            return
        try:
            if len(words) != 4 or words[0] != "run" or words[1] not in FILES:
                raise ValueError(f"expected 'run <{'|'.join(FILES)}> <threads> <n>', got {line.strip()!r}")
            name, threads, runs = words[1], int(words[2]), int(words[3])
            if threads < 1 or runs < 1:
                raise ValueError("threads and n must be at least 1")
            key = (name, threads)
            if key not in interpreters:
                path = MODELS / FILES[name]
                if not path.exists():
                    raise ValueError(f"{path} is missing (scripts/fetch-models.sh fetches full and heavy)")
                interpreter = Interpreter(model_path=str(path), num_threads=threads)
                interpreter.allocate_tensors()
                (detail,) = interpreter.get_input_details()
                interpreter.set_tensor(detail["index"], gradient_input(detail["shape"]))
                invoke_times(interpreter, warmup)
                interpreters[key] = interpreter
            reply = {"model": name, "threads": threads, "times_ms": invoke_times(interpreters[key], runs)}
        except Exception as error:  # reported to drape, which goes on without
            reply = {"error": str(error)}
        print(json.dumps(reply), flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", nargs="+", choices=FILES, default=["detector", "lite"])
    parser.add_argument("--threads", nargs="+", type=int, default=[1, 2])
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--serve", action="store_true", help="answer 'run' lines on stdin (see above)")
    args = parser.parse_args()
    if args.runs < 1 or args.warmup < 0 or min(args.threads) < 1:
        parser.error("--runs and --threads must be at least 1, --warmup at least 0")
    if args.serve:
        serve(args.warmup)
        return

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
