// The fused activation of the nn kernels (convolutions, add, max-pool,
// concatenation import it with `// #import nn_activation`, see
// src/gpu/compose.rs), chosen per pipeline by an override constant so
// the branch folds away.

// 0 none, 1 relu, 2 relu_n1_to_1, 3 relu6, 4 tanh (src/nn/gpu/pipelines.rs).
override ACTIVATION: u32 = 0u;

fn activate(v: vec4<f32>) -> vec4<f32> {
    switch ACTIVATION {
        case 1u: { return max(v, vec4<f32>(0.0)); }
        case 2u: { return clamp(v, vec4<f32>(-1.0), vec4<f32>(1.0)); }
        case 3u: { return clamp(v, vec4<f32>(0.0), vec4<f32>(6.0)); }
        case 4u: { return tanh(v); }
        default: { return v; }
    }
}
