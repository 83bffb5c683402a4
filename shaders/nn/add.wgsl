// ADD with TFLite broadcasting and a fused activation.
//
// Tensors use the padded layout of src/nn/gpu/shape.rs (channels in vec4
// groups). One invocation writes one output vec4. An input broadcast along
// a dimension has stride 0 there; one broadcast along channels (a single
// channel) has channel stride 0 and its value is splatted.

// This must be kept in sync with AddParams in src/nn/gpu/ops.rs.
struct AddParams {
    // Output batch, height, width and channel groups.
    out_dims: vec4<u32>,
    // vec4 strides of each input per output dimension (0: broadcast).
    a_strides: vec4<u32>,
    b_strides: vec4<u32>,
    // Output vec4s.
    count: u32,
    pad0: u32,
    pad1: u32,
    pad2: u32,
}

// #import nn_activation

@group(0) @binding(0) var<uniform> p: AddParams;
@group(0) @binding(1) var<storage, read> a: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> b: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read_write> y: array<vec4<f32>>;


fn fetch_a(at: vec4<u32>) -> vec4<f32> {
    let v = a[dot(at, p.a_strides)];
    return select(vec4<f32>(v.x), v, p.a_strides.w != 0u);
}

fn fetch_b(at: vec4<u32>) -> vec4<f32> {
    let v = b[dot(at, p.b_strides)];
    return select(vec4<f32>(v.x), v, p.b_strides.w != 0u);
}

@compute @workgroup_size(64)
fn add(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = gid.x + gid.y * groups.x * 64u;
    if i >= p.count {
        return;
    }
    let d = p.out_dims;
    let c4 = i % d.w;
    let pixel = i / d.w;
    let at = vec4<u32>(pixel / (d.y * d.z), (pixel / d.z) % d.y, pixel % d.z, c4);
    y[i] = activate(fetch_a(at) + fetch_b(at));
}
