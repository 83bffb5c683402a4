#!/usr/bin/env python3
"""Times Google's MediaPipe Pose (PyPI `mediapipe==0.10.21`, the legacy
`mediapipe.solutions.pose`, CPU) on the reference panning clip in video
mode: the yardstick for `drape bench pose`.

    python3 scripts/bench_mediapipe.py                 lite, segmentation on
    python3 scripts/bench_mediapipe.py --model full --passes 5 --json
    python3 scripts/bench_mediapipe.py --serve         driven by `drape bench pose`

With `--serve` it first prints one JSON line `{"ready": ..., "peer": ...}`,
then answers each line `run <model> <passes>` on stdin with one JSON line
`{"model": ..., "times_ms": [one timing per frame of every pass],
"frames_with_pose": k}` (or `{"error": ...}`), until `quit` or the end of
input, so drape can time its own passes in between and both sides see the
same load of a shared machine. One untimed pass warms each model up.

The clip is tests/data/reference/media/basketball1.png cropped to 600x480 at
x0 = round(20 - 20 cos(2 pi t / 30)), 60 frames, as drape's bench builds it.
Each pass makes a fresh solution (so the first frame runs the detector),
then times every process() call; the report is the median over all frames
of all passes, after one untimed warm-up pass.

MediaPipe's wheel carries only the full landmark model; lite and heavy are
copied into its package folder from assets/models/ when missing (same
sha256 as MediaPipe's own files).

Needs: mediapipe==0.10.21 (with numpy<2), pillow. In a virtual
environment: `pip install mediapipe==0.10.21 pillow`, then point
`drape bench pose` at it with DRAPE_MEDIAPIPE_PYTHON=/path/to/python.
"""

import argparse
import json
import math
import os
import shutil
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image

REPO = Path(__file__).resolve().parent.parent
PHOTO = REPO / "tests" / "data" / "reference" / "media" / "basketball1.png"
COMPLEXITY = {"lite": 0, "full": 1, "heavy": 2}


def ensure_model(model):
    import mediapipe

    name = f"pose_landmark_{model}.tflite"
    target = Path(mediapipe.__file__).parent / "modules" / "pose_landmark" / name
    if not target.exists():
        source = REPO / "assets" / "models" / name
        if not source.exists():
            sys.exit(f"{source} is missing (scripts/fetch-models.sh fetches it)")
        shutil.copyfile(source, target)


def clip():
    photo = np.asarray(Image.open(PHOTO).convert("RGB"))
    frames = []
    for t in range(60):
        x0 = round(20 - 20 * math.cos(2 * math.pi * t / 30))
        frames.append(np.ascontiguousarray(photo[0:480, x0:x0 + 600]))
    return frames


def time_passes(mp_pose, model, segmentation, frames, passes):
    """Per-frame times of `passes` passes, each from a fresh solution (its
    first frame runs the detector), and how many frames found a pose."""
    times_ms = []
    found = 0
    for _ in range(passes):
        with mp_pose.Pose(
            static_image_mode=False,
            model_complexity=COMPLEXITY[model],
            enable_segmentation=segmentation,
        ) as pose:
            for frame in frames:
                started = time.perf_counter()
                result = pose.process(frame)
                times_ms.append((time.perf_counter() - started) * 1e3)
                found += result.pose_landmarks is not None
    return times_ms, found


def serve(segmentation):
    """The line protocol described at the top, on stdin and stdout."""
    import mediapipe
    from mediapipe.python.solutions import pose as mp_pose

    frames = clip()
    warm = set()
    print(json.dumps({"ready": True, "peer": f"MediaPipe {mediapipe.__version__}"}), flush=True)
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        if words == ["quit"]:
            return
        try:
            if len(words) != 3 or words[0] != "run" or words[1] not in COMPLEXITY:
                raise ValueError(f"expected 'run <{'|'.join(sorted(COMPLEXITY))}> <passes>', got {line.strip()!r}")
            model, passes = words[1], int(words[2])
            if passes < 1:
                raise ValueError("passes must be at least 1")
            if model not in warm:
                ensure_model(model)
                time_passes(mp_pose, model, segmentation, frames, 1)
                warm.add(model)
            times_ms, found = time_passes(mp_pose, model, segmentation, frames, passes)
            reply = {"model": model, "times_ms": times_ms, "frames_with_pose": found}
        except (SystemExit, Exception) as error:  # a missing model file, a bad line
            reply = {"error": str(error)}
        print(json.dumps(reply), flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", choices=sorted(COMPLEXITY), default="lite")
    parser.add_argument("--passes", type=int, default=3)
    parser.add_argument("--no-segmentation", action="store_true")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--serve", action="store_true", help="answer 'run' lines on stdin (see above)")
    args = parser.parse_args()
    if args.serve:
        serve(not args.no_segmentation)
        return

    import mediapipe
    from mediapipe.python.solutions import pose as mp_pose

    ensure_model(args.model)
    frames = clip()
    times_ms = []
    found = 0
    for p in range(args.passes + 1):
        with mp_pose.Pose(
            static_image_mode=False,
            model_complexity=COMPLEXITY[args.model],
            enable_segmentation=not args.no_segmentation,
        ) as pose:
            for frame in frames:
                started = time.perf_counter()
                result = pose.process(frame)
                elapsed = (time.perf_counter() - started) * 1e3
                if p > 0:  # the first pass warms up
                    times_ms.append(elapsed)
                    found += result.pose_landmarks is not None
    report = {
        "mediapipe": mediapipe.__version__,
        "model": args.model,
        "segmentation": not args.no_segmentation,
        "frames": len(times_ms),
        "frames_with_pose": found,
        "median_ms": statistics.median(times_ms),
        "min_ms": min(times_ms),
        "cpu_count": os.cpu_count(),
    }
    if args.json:
        print(json.dumps(report))
    else:
        print(
            f"MediaPipe {report['mediapipe']} {args.model}: median {report['median_ms']:.2f} ms, "
            f"min {report['min_ms']:.2f} ms over {report['frames']} frames "
            f"({found} with a pose)"
        )


if __name__ == "__main__":
    main()
