#!/usr/bin/env python3
"""Writes the whole-model test vectors in tests/data/nn/: TFLite's own
interpreter (PyPI `ai-edge-litert`, XNNPACK, one thread) run on the pose
models with two fixed inputs. tests/nn_models.rs builds the same inputs in
Rust and compares drape's executors with these outputs.

    python3 scripts/nn_vectors.py           detector and lite landmark model
    python3 scripts/nn_vectors.py --full    also pose_landmark_full.tflite
                                            (scripts/fetch-models.sh first)

Needs: ai-edge-litert, numpy, pillow (only to decode the PNG).

The inputs (keep in sync with tests/nn_models.rs):

* gradient: byte(y, x, c) = (3x + 5y + 7c) mod 256, for row y, column x and
  channel c of the model's input.
* astronaut: assets/samples/astronaut.png (512x512 RGB) resampled to the
  input size by nearest neighbour at pixel centres:
  src = floor((2 * dst + 1) * 512 / (2 * size)), in integers, for rows and
  columns alike. This is not MediaPipe's preprocessing; the point is an
  input tensor that Python and Rust build bit for bit the same.

Bytes become the model's input range in f32: the detector takes
byte / 127.5 - 1 (in [-1, 1]), the landmark models byte / 255 (in [0, 1]).

Each output is written as raw little-endian f32 (`.f32`). The full model's
segmentation (256x256) and heatmap (64x64x39) are stored as IEEE float16
(`.f16`) instead, to keep the vectors under 3 MB; the detector and lite
model, which CI tests, keep full f32 so that no storage rounding hides an
executor's error. The manifest says which, and the test adds the float16
rounding (2^-11 relative) to the tolerance of those outputs.
manifest.json also records shapes, min/max/mean, a checksum of
each input tensor, and how far TFLite's reference kernels (BUILTIN_REF) are
from XNNPACK on each output, a floor for any tolerance.
"""

import argparse
import hashlib
import json
import sys
from pathlib import Path

import numpy as np
from PIL import Image

import ai_edge_litert
from ai_edge_litert.interpreter import Interpreter, OpResolverType

REPO = Path(__file__).resolve().parent.parent
MODELS = REPO / "assets" / "models"
PHOTO = REPO / "assets" / "samples" / "astronaut.png"
OUT = REPO / "tests" / "data" / "nn"

# (file, short name, input range); the short name prefixes the vector files.
DETECTOR = ("pose_detection.tflite", "detector", "signed")
LITE = ("pose_landmark_lite.tflite", "lite", "unit")
FULL = ("pose_landmark_full.tflite", "full", "unit")

# Outputs stored as float16: the full model's segmentation and heatmap.
F16_OUTPUTS = {("full", "Identity_2"), ("full", "Identity_3")}


def gradient_bytes(height, width):
    """byte(y, x, c) = (3x + 5y + 7c) mod 256, shape [height, width, 3]."""
    y = np.arange(height, dtype=np.int64)[:, None, None]
    x = np.arange(width, dtype=np.int64)[None, :, None]
    c = np.arange(3, dtype=np.int64)[None, None, :]
    return ((3 * x + 5 * y + 7 * c) % 256).astype(np.uint8)


def photo_bytes(height, width):
    """The photo resampled by nearest neighbour at pixel centres."""
    image = np.asarray(Image.open(PHOTO).convert("RGB"))
    src_h, src_w, _ = image.shape
    rows = (2 * np.arange(height) + 1) * src_h // (2 * height)
    cols = (2 * np.arange(width) + 1) * src_w // (2 * width)
    return image[rows][:, cols]


def to_input(pixels, input_range):
    """Bytes to the model's range, in f32 arithmetic (as Rust does it)."""
    b = pixels.astype(np.float32)
    if input_range == "signed":
        return b / np.float32(127.5) - np.float32(1.0)
    return b / np.float32(255.0)


def input_checksum(tensor):
    """sum over i of (i + 1) * bits(x_i), wrapping at 2^64: exact, and it
    changes when any value or its place changes."""
    bits = np.ascontiguousarray(tensor, dtype=np.float32).reshape(-1).view(np.uint32)
    weights = np.arange(1, bits.size + 1, dtype=np.uint64)
    with np.errstate(over="ignore"):
        return int(np.sum(bits.astype(np.uint64) * weights, dtype=np.uint64))


def run(model_path, tensor, resolver):
    interpreter = Interpreter(
        model_path=str(model_path),
        num_threads=1,
        experimental_op_resolver_type=resolver,
    )
    interpreter.allocate_tensors()
    (detail,) = interpreter.get_input_details()
    interpreter.set_tensor(detail["index"], tensor)
    interpreter.invoke()
    outputs = [
        (d["name"], interpreter.get_tensor(d["index"]).copy())
        for d in interpreter.get_output_details()
    ]
    # With the default delegate applied, the execution plan gains DELEGATE
    # nodes (XNNPACK, the only default delegate on CPU).
    delegated = sum(op["op_name"] == "DELEGATE" for op in interpreter._get_ops_details())
    return detail["name"], outputs, delegated


def vectors_for(model, input_name, pixels_of, manifest_cases):
    file_name, short, input_range = model
    model_path = MODELS / file_name
    if not model_path.exists():
        sys.exit(f"nn_vectors: {model_path} is missing (scripts/fetch-models.sh)")
    probe = Interpreter(model_path=str(model_path), num_threads=1)
    shape = [int(v) for v in probe.get_input_details()[0]["shape"]]
    _, height, width, _ = shape
    tensor = to_input(pixels_of(height, width), input_range)[None]

    tensor_name, outputs, delegated = run(model_path, tensor, OpResolverType.AUTO)
    if delegated == 0:
        sys.exit(f"nn_vectors: the XNNPACK delegate took no part of {file_name}")
    _, reference, _ = run(model_path, tensor, OpResolverType.BUILTIN_REF)

    case = {
        "model": file_name,
        "model_sha256": hashlib.sha256(model_path.read_bytes()).hexdigest(),
        "input": input_name,
        "input_tensor": tensor_name,
        "input_shape": shape,
        "input_range": [-1.0, 1.0] if input_range == "signed" else [0.0, 1.0],
        "input_checksum": input_checksum(tensor),
        "xnnpack_delegate_nodes": delegated,
        "outputs": [],
    }
    for index, ((name, value), (_, ref_value)) in enumerate(zip(outputs, reference)):
        dtype = "f16" if (short, name) in F16_OUTPUTS else "f32"
        vector_file = f"{short}_{input_name}_out{index}.{dtype}"
        stored = value.astype("<f2" if dtype == "f16" else "<f4")
        (OUT / vector_file).write_bytes(stored.tobytes())
        case["outputs"].append(
            {
                "index": index,
                "name": name,
                "shape": [int(v) for v in value.shape],
                "file": vector_file,
                "dtype": dtype,
                "min": float(value.min()),
                "max": float(value.max()),
                "mean": float(value.mean()),
                "reference_kernels_max_abs_diff": float(np.max(np.abs(value - ref_value))),
            }
        )
    manifest_cases.append(case)
    print(f"{file_name} / {input_name}: {len(outputs)} outputs")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--full", action="store_true", help="also pose_landmark_full.tflite")
    args = parser.parse_args()

    OUT.mkdir(parents=True, exist_ok=True)
    models = [DETECTOR, LITE] + ([FULL] if args.full else [])
    cases = []
    for model in models:
        vectors_for(model, "gradient", gradient_bytes, cases)
        vectors_for(model, "astronaut", photo_bytes, cases)

    manifest = {
        "generator": "scripts/nn_vectors.py",
        "ai_edge_litert": ai_edge_litert.__version__,
        "numpy": np.__version__,
        "num_threads": 1,
        "delegate": "XNNPACK (the interpreter's default)",
        "inputs": {
            "gradient": "byte(y, x, c) = (3x + 5y + 7c) mod 256",
            "astronaut": "assets/samples/astronaut.png, nearest neighbour at "
            "pixel centres: src = floor((2 dst + 1) * 512 / (2 size))",
            "ranges": "detector byte / 127.5 - 1, landmark byte / 255, in f32",
            "input_checksum": "sum of (i + 1) * f32 bits of element i, mod 2^64",
        },
        "f16": "the full model's segmentation and heatmap are IEEE float16, little-endian",
        "cases": cases,
    }
    (OUT / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    total = sum(p.stat().st_size for p in OUT.iterdir() if p.is_file())
    print(f"wrote {OUT.relative_to(REPO)}: {total / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
