"""Writes tiny_all_ops.tflite: a small TFLite model with every op drape's
reader handles (fp16 weights behind DEQUANTIZE, CSR and block-sparse weights
behind DENSIFY, PAD, CONV_2D, DEPTHWISE_CONV_2D, ADD, MAX_POOL_2D,
RESIZE_BILINEAR, CONCATENATION, DEPTH_TO_SPACE, RESHAPE, LOGISTIC).

It is the fuzzer's seed and a test input (small, so each fuzz run is fast).
Built with the flatbuffers object API that ships in ai_edge_litert; run it
with `python3 fuzz/seeds/make_seed.py OUT.tflite`, and it checks that TFLite
itself runs the model and prints the densified weights."""
import sys
import warnings

import flatbuffers
import numpy as np
from ai_edge_litert import schema_py_generated as s

warnings.filterwarnings("ignore")
rng = np.random.default_rng(7)
model = s.ModelT()
model.version = 3
model.buffers = [s.BufferT()]  # buffer 0: the empty sentinel
graph = s.SubGraphT()
graph.tensors, graph.operators = [], []
model.operatorCodes = []
codes = {}


def buffer(array):
    b = s.BufferT()
    b.data = np.frombuffer(array.tobytes(), np.uint8)
    model.buffers.append(b)
    return len(model.buffers) - 1


def tensor(name, shape, dtype=s.TensorType.FLOAT32, data=None, sparsity=None):
    t = s.TensorT()
    t.name, t.shape, t.type = name, list(shape), dtype
    t.buffer = 0 if data is None else buffer(data)
    t.sparsity = sparsity
    graph.tensors.append(t)
    return len(graph.tensors) - 1


def op(code, inputs, outputs, options_type=0, options=None):
    if code not in codes:
        c = s.OperatorCodeT()
        c.builtinCode, c.deprecatedBuiltinCode, c.version = code, min(code, 127), 1
        codes[code] = len(model.operatorCodes)
        model.operatorCodes.append(c)
    o = s.OperatorT()
    o.opcodeIndex, o.inputs, o.outputs = codes[code], inputs, outputs
    o.builtinOptionsType, o.builtinOptions = options_type, options
    graph.operators.append(o)


B = s.BuiltinOperator


def fp16_weight(name, shape):
    half = tensor(name + "_fp16", shape, s.TensorType.FLOAT16, (0.3 * rng.normal(size=shape)).astype("<f2"))
    out = tensor(name, shape)
    op(B.DEQUANTIZE, [half], [out])
    return out


def dim(fmt, size=0, segments=None, indices=None):
    d = s.DimensionMetadataT()
    d.format, d.denseSize = fmt, size
    if segments is not None:
        d.arraySegmentsType, d.arraySegments = s.SparseIndexVector.Int32Vector, s.Int32VectorT()
        d.arraySegments.values = list(segments)
        d.arrayIndicesType, d.arrayIndices = s.SparseIndexVector.Uint8Vector, s.Uint8VectorT()
        d.arrayIndices.values = list(indices)
    return d


def sparse_weight(name, dense, block=None):
    """CSR over the last dimension; with `block`, in blocks of that size."""
    shape = dense.shape
    rows = int(np.prod(shape[:-1]))
    flat = dense.reshape(rows, -1)
    p = s.SparsityParametersT()
    if block is None:
        segments, indices, values = [0], [], []
        for row in flat:
            nz = np.nonzero(row)[0]
            indices += list(nz)
            values += list(row[nz])
            segments.append(len(indices))
        p.traversalOrder = list(range(len(shape)))
        p.dimMetadata = [dim(0, n) for n in shape[:-1]] + [dim(1, 0, segments, indices)]
    else:
        blocks = flat.reshape(rows, -1, block)
        segments, indices, values = [0], [], []
        for row in blocks:
            nz = [i for i, b in enumerate(row) if np.any(b)]
            indices += nz
            for i in nz:
                values += list(row[i])
            segments.append(len(indices))
        p.traversalOrder = list(range(len(shape) + 1))
        p.blockMap = [len(shape) - 1]
        p.dimMetadata = [dim(0, n) for n in shape[:-1]] + [dim(1, 0, segments, indices), dim(0, block)]
    stored = tensor(name + "_sparse", shape, s.TensorType.FLOAT16, np.array(values, "<f2"), p)
    densified = tensor(name + "_dense16", shape, s.TensorType.FLOAT16)
    op(B.DENSIFY, [stored], [densified])
    out = tensor(name, shape)
    op(B.DEQUANTIZE, [densified], [out])
    return out


def conv_options(cls, stride, padding, act, multiplier=None):
    o = cls()
    o.padding, o.strideW, o.strideH, o.fusedActivationFunction = padding, stride, stride, act
    o.dilationWFactor = o.dilationHFactor = 1
    if multiplier is not None:
        o.depthMultiplier = multiplier
    return o


x = tensor("input", [1, 8, 8, 3])
paddings = tensor("paddings", [4, 2], s.TensorType.INT32, np.array([[0, 0], [1, 1], [1, 1], [0, 0]], "<i4"))
padded = tensor("padded", [1, 10, 10, 3])
op(B.PAD, [x, paddings], [padded])
w0, b0 = fp16_weight("conv0_w", [8, 3, 3, 3]), fp16_weight("conv0_b", [8])
c0 = tensor("conv0", [1, 4, 4, 8])
op(B.CONV_2D, [padded, w0, b0], [c0], s.BuiltinOptions.Conv2DOptions, conv_options(s.Conv2DOptionsT, 2, s.Padding.VALID, s.ActivationFunctionType.RELU6))
dw = fp16_weight("dw_w", [1, 3, 3, 16])
dwb = tensor("dw_b", [16], data=rng.normal(size=16).astype("<f4"))
d0 = tensor("dw", [1, 4, 4, 16])
op(B.DEPTHWISE_CONV_2D, [c0, dw, dwb], [d0], s.BuiltinOptions.DepthwiseConv2DOptions, conv_options(s.DepthwiseConv2DOptionsT, 1, s.Padding.SAME, s.ActivationFunctionType.NONE, 2))
csr = 0.3 * rng.normal(size=(16, 1, 1, 16)) * (rng.random((16, 1, 1, 16)) < 0.3)
w1 = sparse_weight("conv1_w", csr.astype(np.float16))
c1 = tensor("conv1", [1, 4, 4, 16])
op(B.CONV_2D, [d0, w1, fp16_weight("conv1_b", [16])], [c1], s.BuiltinOptions.Conv2DOptions, conv_options(s.Conv2DOptionsT, 1, s.Padding.SAME, s.ActivationFunctionType.RELU))
blocky = 0.3 * rng.normal(size=(16, 1, 1, 16)) * np.repeat(rng.random((16, 1, 1, 4)) < 0.5, 4, axis=3)
w2 = sparse_weight("conv2_w", blocky.astype(np.float16), block=4)
b2 = fp16_weight("conv2_b", [16])
c2 = tensor("conv2", [1, 4, 4, 16])
op(B.CONV_2D, [c1, w2, b2], [c2], s.BuiltinOptions.Conv2DOptions, conv_options(s.Conv2DOptionsT, 1, s.Padding.SAME, s.ActivationFunctionType.NONE))
add_options = s.AddOptionsT()
add_options.fusedActivationFunction = s.ActivationFunctionType.RELU
a0 = tensor("add", [1, 4, 4, 16])
op(B.ADD, [c2, d0], [a0], s.BuiltinOptions.AddOptions, add_options)
pool = s.Pool2DOptionsT()
pool.padding, pool.strideW, pool.strideH, pool.filterWidth, pool.filterHeight = s.Padding.VALID, 2, 2, 2, 2
p0 = tensor("pool", [1, 2, 2, 16])
op(B.MAX_POOL_2D, [a0], [p0], s.BuiltinOptions.Pool2DOptions, pool)
size = tensor("size", [2], s.TensorType.INT32, np.array([4, 4], "<i4"))
resize = s.ResizeBilinearOptionsT()
resize.alignCorners, resize.halfPixelCenters = False, True
r0 = tensor("resize", [1, 4, 4, 16])
op(B.RESIZE_BILINEAR, [p0, size], [r0], s.BuiltinOptions.ResizeBilinearOptions, resize)
concat = s.ConcatenationOptionsT()
concat.axis = -1
j0 = tensor("concat", [1, 4, 4, 32])
op(B.CONCATENATION, [r0, a0], [j0], s.BuiltinOptions.ConcatenationOptions, concat)
d2s = s.DepthToSpaceOptionsT()
d2s.blockSize = 2
s0 = tensor("depth_to_space", [1, 8, 8, 8])
op(B.DEPTH_TO_SPACE, [j0], [s0], s.BuiltinOptions.DepthToSpaceOptions, d2s)
shape = tensor("shape", [2], s.TensorType.INT32, np.array([1, -1], "<i4"))
f0 = tensor("flat", [1, 512])
op(B.RESHAPE, [s0, shape], [f0], s.BuiltinOptions.ReshapeOptions, s.ReshapeOptionsT())
y = tensor("output", [1, 512])
op(B.LOGISTIC, [f0], [y])
graph.inputs, graph.outputs = [x], [y]
model.subgraphs = [graph]

builder = flatbuffers.Builder(1024)
builder.Finish(model.Pack(builder), file_identifier=b"TFL3")
data = bytes(builder.Output())
open(sys.argv[1], "wb").write(data)

from ai_edge_litert.interpreter import Interpreter, OpResolverType  # noqa: E402

it = Interpreter(model_content=data, experimental_preserve_all_tensors=True,
                 experimental_op_resolver_type=OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES)
it.allocate_tensors()
it.set_tensor(x, np.linspace(-1, 1, 192, dtype=np.float32).reshape(1, 8, 8, 3))
it.invoke()
print(len(data), "bytes; output[:4]", it.get_tensor(y)[0, :4])
for name, weight, dense in (("conv1_w", w1, csr), ("conv2_w", w2, blocky)):
    got = it.get_tensor(weight)
    assert np.array_equal(got, dense.astype(np.float16).astype(np.float32)), name
    print(name, "densified by TFLite as expected; [3,0,0,:8] =", got[3, 0, 0, :8].tolist())
