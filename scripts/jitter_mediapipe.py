#!/usr/bin/env python3
"""Runs Google's MediaPipe Pose (PyPI `mediapipe==0.10.21`, the legacy
`mediapipe.solutions.pose`, CPU, video mode) on the frames that
`drape bench jitter` wrote, and prints its landmarks: the MediaPipe half of
that bench.

    python3 scripts/jitter_mediapipe.py --frames-dir DIR --count 90 --models lite full

DIR holds still_0000.png ... and moving_0000.png ... (COUNT of each). Each
model runs twice, smoothed (MediaPipe's default) and not, each clip with a
fresh solution (so its first frame runs the detector); frames are stamped
at 30 fps by the solution itself. Segmentation is off (it does not change
the landmarks).

The report is one JSON line:
{"mediapipe": version, "runs": [{"model", "smooth", "still", "moving"}]}
where each clip is a list of frames, each null (no person) or 33
[x, y, visibility], x and y normalised to the frame.

Needs mediapipe==0.10.21 (with numpy<2) and pillow; MediaPipe's lite and
heavy models are copied into its package from assets/models/ when missing
(see bench_mediapipe.py).
"""

import argparse
import json
import sys
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_mediapipe import COMPLEXITY, ensure_model  # noqa: E402


def load(frames_dir, clip, count):
    return [
        np.asarray(Image.open(frames_dir / f"{clip}_{t:04d}.png").convert("RGB"))
        for t in range(count)
    ]


def track(mp_pose, model, smooth, frames):
    out = []
    with mp_pose.Pose(
        static_image_mode=False,
        model_complexity=COMPLEXITY[model],
        smooth_landmarks=smooth,
        enable_segmentation=False,
    ) as pose:
        for frame in frames:
            result = pose.process(frame)
            if result.pose_landmarks is None:
                out.append(None)
            else:
                out.append(
                    [[p.x, p.y, p.visibility] for p in result.pose_landmarks.landmark]
                )
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames-dir", type=Path, required=True)
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--models", nargs="+", choices=sorted(COMPLEXITY), default=["lite"])
    args = parser.parse_args()

    import mediapipe
    from mediapipe.python.solutions import pose as mp_pose

    clips = {clip: load(args.frames_dir, clip, args.count) for clip in ("still", "moving")}
    runs = []
    for model in args.models:
        ensure_model(model)
        for smooth in (True, False):
            runs.append(
                {
                    "model": model,
                    "smooth": smooth,
                    "still": track(mp_pose, model, smooth, clips["still"]),
                    "moving": track(mp_pose, model, smooth, clips["moving"]),
                }
            )
    print(json.dumps({"mediapipe": mediapipe.__version__, "runs": runs}))


if __name__ == "__main__":
    main()
