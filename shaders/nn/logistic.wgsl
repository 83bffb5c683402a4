// LOGISTIC: 1 / (1 + e^-x), one vec4 per invocation. Pad lanes of the
// padded layout (src/nn/gpu/shape.rs) are computed too; nobody reads them.

// This must be kept in sync with CountParams in src/nn/gpu/ops.rs.
struct CountParams {
    // vec4s to write.
    count: u32,
    pad0: u32,
    pad1: u32,
    pad2: u32,
}

@group(0) @binding(0) var<uniform> p: CountParams;
@group(0) @binding(1) var<storage, read> x: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> y: array<vec4<f32>>;

@compute @workgroup_size(64)
fn logistic(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = gid.x + gid.y * groups.x * 64u;
    if i >= p.count {
        return;
    }
    // exp overflows to +inf for x < -88, giving exactly 0 as TFLite does.
    y[i] = 1.0 / (1.0 + exp(-x[i]));
}
