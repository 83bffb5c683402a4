"""Writes hand-made broken variants of tiny_all_ops.tflite to
tests/data/nn_reader/hostile-*.tflite; tests/nn_reader.rs expects each to be
refused with a specific message. Run from the repository root:
`python3 fuzz/seeds/make_hostile.py`."""
import flatbuffers
from ai_edge_litert import schema_py_generated as s

FOLDER = "tests/data/nn_reader/"
SOURCE = open(FOLDER + "tiny_all_ops.tflite", "rb").read()


def variant(name, change):
    model = s.ModelT.InitFromPackedBuf(SOURCE, 0)
    graph = model.subgraphs[0]
    tensors = {t.name.decode(): i for i, t in enumerate(graph.tensors)}
    change(model, graph, tensors)
    builder = flatbuffers.Builder(1024)
    builder.Finish(model.Pack(builder), file_identifier=b"TFL3")
    open(FOLDER + "hostile-" + name + ".tflite", "wb").write(bytes(builder.Output()))


def set_shape(tensor, shape):
    return lambda m, g, t: setattr(g.tensors[t[tensor]], "shape", shape)


def ops_writing(g, t, tensor):
    return next(o for o in g.operators if t[tensor] in list(o.outputs))


def swap_add_and_conv(m, g, t):
    add, conv = ops_writing(g, t, "add"), ops_writing(g, t, "conv2")
    i, j = g.operators.index(add), g.operators.index(conv)
    g.operators[i], g.operators[j] = conv, add


def self_loop(m, g, t):
    op = ops_writing(g, t, "add")
    op.outputs = [t["conv2"]]


def multiplier(m, g, t):
    ops_writing(g, t, "dw").builtinOptions.depthMultiplier = 3


def segments(m, g, t):
    dims = g.tensors[t["conv1_w_sparse"]].sparsity.dimMetadata
    dims[-1].arraySegments.values = list(reversed(dims[-1].arraySegments.values))


def missing_buffer(m, g, t):
    g.tensors[t["dw_b"]].buffer = 9999


variant("huge-shape", set_shape("conv0", [1, 65536, 65536, 8]))
variant("negative-dim", set_shape("input", [1, -1, 8, 3]))
variant("out-of-order", swap_add_and_conv)
variant("self-loop", self_loop)
variant("depth-multiplier", multiplier)
variant("bad-segments", segments)
variant("missing-buffer", missing_buffer)
variant("conv-shape", set_shape("conv0", [1, 5, 5, 8]))
