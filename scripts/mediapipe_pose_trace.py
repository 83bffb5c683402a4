#!/usr/bin/env python3
"""MediaPipe Pose 0.10.21's intermediate streams on a list of frames, in
tracking mode, as JSON lines: every detection after NMS (before the graph
keeps the first), the region used, the raw (unfiltered) landmarks and
auxiliary points, the filtered ones, and the region for the next frame.
For comparing drape's tracker stage by stage (tests/pose_parity).

Needs the `mediapipe==0.10.21` wheel in the running Python. Usage:
  python scripts/mediapipe_pose_trace.py --complexity 0 frame1.webp frame2.webp ...
Timestamps are MediaPipe's SolutionBase ones, 33333 us apart.
"""
import argparse
import json
import os

import numpy as np
from PIL import Image
import mediapipe
from mediapipe.framework import calculator_pb2
from mediapipe.python.solution_base import SolutionBase

# Streams of pose_landmark_cpu.binarypb exposed beyond its own outputs.
EXTRA = {
    'pose_detections': 'ALL_DETECTIONS',
    'pose_rect': 'POSE_RECT',
    'unfiltered_pose_landmarks': 'RAW_LANDMARKS',
    'unfiltered_auxiliary_landmarks': 'RAW_AUX',
    'auxiliary_landmarks': 'AUX',
    'pose_rect_from_landmarks': 'ROI_FROM_LANDMARKS',
    'pose_detection': 'DETECTION',
}


def graph(complexity):
    path = os.path.join(os.path.dirname(mediapipe.__file__),
                        'modules/pose_landmark/pose_landmark_cpu.binarypb')
    config = calculator_pb2.CalculatorGraphConfig()
    config.ParseFromString(open(path, 'rb').read())
    existing = {s.split(':')[-1] for s in config.output_stream}
    for name, tag in EXTRA.items():
        if name not in existing:
            config.output_stream.append(f'{tag}:{name}')
    return SolutionBase(
        graph_config=config,
        side_inputs={'model_complexity': complexity, 'smooth_landmarks': True,
                     'enable_segmentation': True, 'smooth_segmentation': True,
                     'use_prev_landmarks': True},
        outputs=list(EXTRA))


def landmarks(value):
    if value is None:
        return None
    return [[p.x, p.y, p.z, p.visibility, p.presence] for p in value.landmark]


def rect(value):
    if value is None:
        return None
    return [value.x_center, value.y_center, value.width, value.height, value.rotation]


def detection(d):
    box = d.location_data.relative_bounding_box
    return {'score': d.score[0], 'bbox_xywh': [box.xmin, box.ymin, box.width, box.height],
            'keypoints': [[k.x, k.y] for k in d.location_data.relative_keypoints]}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--complexity', type=int, default=0)
    parser.add_argument('frames', nargs='+')
    args = parser.parse_args()
    solution = graph(args.complexity)
    for index, path in enumerate(args.frames):
        rgb = np.asarray(Image.open(path).convert('RGB'))
        out = solution.process({'image': rgb})
        print(json.dumps({
            'frame': index,
            'file': path,
            'detections': [detection(d) for d in (out.pose_detections or [])],
            'pose_rect': rect(out.pose_rect),
            'raw_landmarks': landmarks(out.unfiltered_pose_landmarks),
            'raw_aux': landmarks(out.unfiltered_auxiliary_landmarks),
            'aux': landmarks(out.auxiliary_landmarks),
            'roi_from_landmarks': rect(out.pose_rect_from_landmarks),
        }), flush=True)


if __name__ == '__main__':
    main()
