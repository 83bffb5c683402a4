//! The room's light, estimated from the camera frame, so that garments are
//! shaded to match the person.
//!
//! # Model
//!
//! The camera faces the person. We treat the frame as a picture of the
//! light arriving at the person from the front: the background seen behind
//! them stands in for the unseen room on the camera's side (a mirror
//! through their frontal plane that keeps x and y). Pixel centre (u, v) in
//! [0, 1]² (u rightwards, v downwards) is the direction `d = p / |p|` with
//!
//! ```text
//! p = ((2u − 1)·k_x, (1 − 2v)·k_y, 1),   k_x = tan(fov_x / 2),  k_y = k_x · h / w
//! ```
//!
//! in garment/body space (metres, +X = image right, +Y up, +Z towards the
//! camera); `fov_x` is [`LightParams::horizontal_fov_deg`] (60° by default)
//! and pixels are square. So a bright left half of the image is light from
//! −X, a bright top is light from +Y.
//!
//! **Solid angle.** The picture is the plane z = 1; a patch dx·dy of it at
//! p subtends dω = cosθ·dx·dy / |p|² = dx·dy / |p|³ (cosθ = 1/|p|). One
//! pixel is dx = 2k_x/w by dy = 2k_y/h, so it subtends exactly
//! `4·k_x·k_y / (w·h·|p|³)` steradians (evaluated at its centre). Every
//! `stride_px`-th pixel in each direction is sampled and stands for the
//! stride × stride block it starts (fewer pixels at the far edges).
//!
//! **Radiance.** Texels are sRGB-encoded bytes, decoded to linear. With a
//! person mask (probability p of person per pixel) each pixel is weighted by
//! 1 − p: the person hides the light behind them.
//!
//! **The unseen sphere.** The frame covers a small cone (≈ 0.9 sr at 60°,
//! 16:9). Every direction outside it is assumed to radiate the frame's mean
//! radiance L̄ = Σ w·L / Σ w (w the weighted solid angles). Then the real SH
//! projections `L_lm = ∫ L·Y_lm dω` over the whole sphere are
//!
//! ```text
//! L_00 = 2√π · L̄                    (∫ Y_00 dω = 2√π over the sphere)
//! L_1m = Y₁ · Σ w·(L − L̄)·d_m       (Y₁ = √(3/4π); ∫ Y_1m dω = 0)
//! ```
//!
//! so a uniform frame has no band 1 at all, and band 1 is weak in general:
//! a 60° view of a room is mostly "the same as everywhere else" (a frame
//! bright on one half gives a dominant light of ~5% of the ambient). Band 1
//! measures how the frame deviates from its mean, so the dominant direction
//! lies near the image plane: a lamp in the middle of the frame only raises
//! the ambient. A renderer wanting more modelling may scale the dominant
//! light up.
//!
//! **Irradiance.** Convolving with the clamped cosine multiplies band 0 by
//! π and band 1 by 2π/3; folding in the basis constants (Y₀₀ = 1/(2√π),
//! Y₁ as above) the irradiance at unit normal n is
//!
//! ```text
//! E(n) = sh[0] + sh[1]·n.x + sh[2]·n.y + sh[3]·n.z
//! sh[0] = π·L̄,   sh[1+a] = ½ · Σ w·(L − L̄)·d_a    (a = x, y, z)
//! ```
//!
//! per colour channel. Note the order (1, x, y, z), not the usual m order
//! (y, z, x). A Lambertian surface of albedo ρ sends ρ/π·E(n).
//!
//! **Dominant light.** A directional light of irradiance D (at normal
//! incidence) from d projects to sh = (D/4, D·d/2) and a uniform ambient of
//! irradiance A to (A, 0). The direction is the luminance-weighted band-1
//! vector (+Z with no light when that is below 10⁻⁴ of band 0's luminance);
//! per channel `D = 2·(sh[1..4]·d)` and `A = sh[0] − D/4`, clamped at 0. So
//! `E(n) ≈ ambient_color + dominant_color·max(0, n·d)` matches the SH.
//!
//! **Over time.** The GPU estimator blends each frame's SH into the previous
//! estimate on the GPU (`sh ← sh + (sh_frame − sh)·new_frame_weight`, 0.2 by
//! default: about five frames), then derives the dominant light from the
//! blend; `AmbientLight::blended` is the CPU twin.
//!
//! Two twins do the arithmetic: [`estimate_cpu`] here and
//! shaders/render/light_estimate.wgsl ([`LightEstimator`]), whose result
//! stays on the GPU in [`LightEstimator::light_buffer`] for the garment
//! shader. tests/render_lighting.rs compares them.

mod gpu;

pub use gpu::{LightEstimator, LightUniform};

use crate::gpu::GpuError;
use glam::Vec3;

/// The frame format the estimator reads: sRGB-encoded bytes in a linear
/// format, as the working texture holds them.
pub const FRAME_FORMAT: wgpu::TextureFormat = wgpu::TextureFormat::Rgba8Unorm;

/// The default horizontal field of view of the camera, in degrees: a
/// typical webcam.
pub const DEFAULT_HORIZONTAL_FOV_DEG: f32 = 60.0;

/// The default sampling step in pixels, both directions.
pub const DEFAULT_STRIDE_PX: u32 = 4;

/// The default weight of the newest frame in the running estimate.
pub const DEFAULT_NEW_FRAME_WEIGHT: f32 = 0.2;

/// Band 1 below this fraction of band 0 (in luminance) counts as no
/// direction. Keep in sync with FLAT_RELATIVE in light_estimate.wgsl.
const FLAT_RELATIVE: f32 = 1e-4;

/// Rec. 709 luminance of linear RGB. Keep in sync with LUMINANCE in
/// light_estimate.wgsl.
const LUMINANCE: [f32; 3] = [0.2126, 0.7152, 0.0722];

/// How the frame is read. Out-of-range values are clamped, not rejected:
/// these come from configuration, not from the camera.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LightParams {
    /// The camera's horizontal field of view in degrees, clamped to
    /// [1, 170]; the vertical one follows from the frame's aspect ratio.
    pub horizontal_fov_deg: f32,
    /// Sample every `stride_px`-th pixel in each direction (at least 1).
    pub stride_px: u32,
    /// The newest frame's weight in the exponential moving average, in
    /// [0, 1] (1: no smoothing). The GPU estimator only; the CPU twin is
    /// `AmbientLight::blended`.
    pub new_frame_weight: f32,
}

impl Default for LightParams {
    fn default() -> LightParams {
        LightParams {
            horizontal_fov_deg: DEFAULT_HORIZONTAL_FOV_DEG,
            stride_px: DEFAULT_STRIDE_PX,
            new_frame_weight: DEFAULT_NEW_FRAME_WEIGHT,
        }
    }
}

impl LightParams {
    /// The sampling step actually used.
    pub fn stride(&self) -> u32 {
        self.stride_px.max(1)
    }

    /// `[k_x, k_y]`: tan of half the field of view horizontally and
    /// vertically, for a `width`×`height` frame of square pixels.
    pub fn tan_half_fov(&self, width: u32, height: u32) -> [f32; 2] {
        let fov_deg = if self.horizontal_fov_deg.is_finite() {
            self.horizontal_fov_deg.clamp(1.0, 170.0)
        } else {
            DEFAULT_HORIZONTAL_FOV_DEG
        };
        let k_x = (fov_deg.to_radians() * 0.5).tan();
        [k_x, k_x * height as f32 / width.max(1) as f32]
    }

    /// The blend weight actually used.
    pub fn blend_weight(&self) -> f32 {
        if self.new_frame_weight.is_nan() {
            DEFAULT_NEW_FRAME_WEIGHT
        } else {
            self.new_frame_weight.clamp(0.0, 1.0)
        }
    }
}

/// The room's light as seen from the person, in garment space. All colours
/// are linear RGB irradiance (the frame's radiance units times steradians).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AmbientLight {
    /// Irradiance SH, already convolved with the cosine lobe and with the
    /// basis constants folded in:
    /// `E(n) = sh[0] + sh[1]·n.x + sh[2]·n.y + sh[3]·n.z`, per channel.
    /// Ordered (1, x, y, z).
    pub sh: [[f32; 3]; 4],
    /// Unit vector towards the dominant light; +Z when the light is flat.
    pub dominant_direction: Vec3,
    /// Irradiance at normal incidence from the dominant light.
    pub dominant_color: [f32; 3],
    /// Irradiance from the uniform remainder, the same for every normal.
    pub ambient_color: [f32; 3],
}

impl AmbientLight {
    /// No light at all (what a frame with no usable pixel gives).
    pub const DARK: AmbientLight = AmbientLight {
        sh: [[0.0; 3]; 4],
        dominant_direction: Vec3::Z,
        dominant_color: [0.0; 3],
        ambient_color: [0.0; 3],
    };

    /// The light with irradiance SH `sh` (ordered (1, x, y, z)), split into
    /// a dominant directional light and a uniform ambient as the module
    /// documentation derives.
    pub fn from_irradiance_sh(sh: [[f32; 3]; 4]) -> AmbientLight {
        let luminance = |c: [f32; 3]| -> f32 { (0..3).map(|i| LUMINANCE[i] * c[i]).sum() };
        let towards = Vec3::new(luminance(sh[1]), luminance(sh[2]), luminance(sh[3]));
        let strength = towards.length();
        if !(strength > FLAT_RELATIVE * luminance(sh[0]) && strength > 0.0) {
            return AmbientLight {
                sh,
                dominant_direction: Vec3::Z,
                dominant_color: [0.0; 3],
                ambient_color: sh[0],
            };
        }
        let d = towards / strength;
        let dominant: [f32; 3] = std::array::from_fn(|c| {
            (2.0 * (sh[1][c] * d.x + sh[2][c] * d.y + sh[3][c] * d.z)).max(0.0)
        });
        AmbientLight {
            sh,
            dominant_direction: d,
            dominant_color: dominant,
            ambient_color: std::array::from_fn(|c| (sh[0][c] - 0.25 * dominant[c]).max(0.0)),
        }
    }

    /// The irradiance (linear RGB) on a surface with unit `normal` in
    /// garment space, from the SH; clamped at 0.
    pub fn irradiance(&self, normal: Vec3) -> [f32; 3] {
        std::array::from_fn(|c| {
            let sh = &self.sh;
            (sh[0][c] + sh[1][c] * normal.x + sh[2][c] * normal.y + sh[3][c] * normal.z).max(0.0)
        })
    }

    /// The running estimate after a new frame: `previous` moved towards
    /// `current` by `new_frame_weight` (clamped to [0, 1]) in SH, the
    /// dominant light derived again. The CPU twin of the GPU's blending.
    pub fn blended(
        previous: &AmbientLight,
        current: &AmbientLight,
        new_frame_weight: f32,
    ) -> AmbientLight {
        let t = new_frame_weight.clamp(0.0, 1.0);
        let sh = std::array::from_fn(|m| {
            std::array::from_fn(|c| previous.sh[m][c] + (current.sh[m][c] - previous.sh[m][c]) * t)
        });
        AmbientLight::from_irradiance_sh(sh)
    }
}

/// The plain-Rust twin of the GPU estimate for one frame (no blending over
/// time): `rgba` is `width`×`height` tightly packed sRGB-encoded RGBA
/// bytes, `mask` an optional person probability per pixel (row-major, the
/// same size). Accumulates in f64.
pub fn estimate_cpu(
    rgba: &[u8],
    width: u32,
    height: u32,
    mask: Option<&[f32]>,
    params: &LightParams,
) -> Result<AmbientLight, GpuError> {
    let pixels = width as usize * height as usize;
    if pixels == 0 || rgba.len() != pixels * 4 {
        return Err(GpuError::InvalidFrame(format!(
            "{} RGBA bytes for a {width}x{height} frame (expected {})",
            rgba.len(),
            pixels * 4
        )));
    }
    if let Some(mask) = mask {
        if mask.len() != pixels {
            return Err(GpuError::InvalidFrame(format!(
                "a person mask of {} values for a {width}x{height} frame",
                mask.len()
            )));
        }
    }
    let to_linear: [f64; 256] =
        std::array::from_fn(|b| crate::render::srgb::srgb_byte_to_linear(b as u8) as f64);
    let stride = params.stride();
    let [k_x, k_y] = params.tan_half_fov(width, height).map(f64::from);
    let pixel_solid_angle = 4.0 * k_x * k_y / pixels as f64;
    // Σ w·(r, g, b, 1)·f for f = 1, d.x, d.y, d.z, as the shader's partials.
    let mut sums = [[0.0f64; 4]; 4];
    for y in (0..height).step_by(stride as usize) {
        for x in (0..width).step_by(stride as usize) {
            let covered = stride.min(width - x) as f64 * stride.min(height - y) as f64;
            let u = (x as f64 + 0.5) / width as f64;
            let v = (y as f64 + 0.5) / height as f64;
            let p = [(2.0 * u - 1.0) * k_x, (1.0 - 2.0 * v) * k_y, 1.0];
            let length_p = (p[0] * p[0] + p[1] * p[1] + 1.0).sqrt();
            let index = y as usize * width as usize + x as usize;
            let person = mask.map_or(0.0, |m| m[index].clamp(0.0, 1.0) as f64);
            let weight = pixel_solid_angle * covered / length_p.powi(3) * (1.0 - person);
            let texel = &rgba[index * 4..index * 4 + 3];
            let value = [
                to_linear[texel[0] as usize] * weight,
                to_linear[texel[1] as usize] * weight,
                to_linear[texel[2] as usize] * weight,
                weight,
            ];
            for (f, row) in [1.0, p[0] / length_p, p[1] / length_p, 1.0 / length_p]
                .into_iter()
                .zip(&mut sums)
            {
                for (sum, v) in row.iter_mut().zip(value) {
                    *sum += v * f;
                }
            }
        }
    }
    Ok(AmbientLight::from_irradiance_sh(irradiance_sh_from_sums(
        &sums,
    )))
}

/// The irradiance SH from the weighted sums (module documentation).
fn irradiance_sh_from_sums(sums: &[[f64; 4]; 4]) -> [[f32; 3]; 4] {
    let total = sums[0][3];
    let mean: [f64; 3] =
        std::array::from_fn(|c| if total > 0.0 { sums[0][c] / total } else { 0.0 });
    std::array::from_fn(|m| {
        std::array::from_fn(|c| {
            if m == 0 {
                (std::f64::consts::PI * mean[c]) as f32
            } else {
                (0.5 * (sums[m][c] - mean[c] * sums[m][3])) as f32
            }
        })
    })
}
