//! The two synthetic clips of `drape bench jitter`, made from one photo so
//! anyone can run it: a still person under camera noise, and the same
//! photo panned along a known path (so every landmark's true motion is
//! known exactly).

/// A small seeded generator (SplitMix64): the same seed gives the same
/// noise on every machine.
#[derive(Debug, Clone)]
pub struct NoiseRng {
    state: u64,
    /// The second value of the last Box–Muller pair, not yet given out.
    spare: Option<f64>,
}

impl NoiseRng {
    /// The generator for `seed`.
    pub fn new(seed: u64) -> NoiseRng {
        NoiseRng {
            state: seed,
            spare: None,
        }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in (0, 1]: never 0, so its logarithm is finite.
    fn unit(&mut self) -> f64 {
        ((self.next_u64() >> 11) + 1) as f64 / (1u64 << 53) as f64
    }

    /// A standard normal value (Box–Muller).
    pub fn gaussian(&mut self) -> f64 {
        if let Some(spare) = self.spare.take() {
            return spare;
        }
        let radius = (-2.0 * self.unit().ln()).sqrt();
        let angle = std::f64::consts::TAU * self.unit();
        self.spare = Some(radius * angle.sin());
        radius * angle.cos()
    }
}

/// Camera noise on an RGBA8 frame: each colour value times `gain` (the
/// frame's brightness flicker) plus Gaussian noise of `sigma_levels`
/// (8-bit levels), rounded and clamped; alpha is left alone.
pub fn add_camera_noise(rgba: &mut [u8], sigma_levels: f64, gain: f64, rng: &mut NoiseRng) {
    for pixel in rgba.chunks_exact_mut(4) {
        for value in &mut pixel[..3] {
            let noisy = f64::from(*value) * gain + sigma_levels * rng.gaussian();
            *value = noisy.round().clamp(0.0, 255.0) as u8;
        }
    }
}

/// How the clips are made.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClipSettings {
    /// Frames in each clip.
    pub frames: usize,
    /// Sensor noise, standard deviation in 8-bit levels.
    pub noise_levels: f64,
    /// Brightness flicker, standard deviation of the frame's gain in percent.
    pub flicker_percent: f64,
    /// Seeds the noise.
    pub seed: u64,
}

/// The crop's size: the photo less the pan's travel.
const PAN_X_PX: f64 = 32.0;
const PAN_Y_PX: f64 = 24.0;
/// The pan's period, in frames (2 s at 30 fps).
const PAN_PERIOD_FRAMES: f64 = 60.0;

/// Frame `t`'s crop corner in the photo, in whole pixels: out and back
/// along a diagonal, x = 32·(1 − cos 2πt/60), y = 24·(1 − cos 2πt/60)
/// (up to 3.4 px a frame across), starting at the photo's corner.
pub fn pan_offset_px(t: usize) -> [usize; 2] {
    let phase = 1.0 - (std::f64::consts::TAU * t as f64 / PAN_PERIOD_FRAMES).cos();
    [
        (PAN_X_PX * phase).round() as usize,
        (PAN_Y_PX * phase).round() as usize,
    ]
}

/// The two clips, RGBA8 frames of `width`×`height`.
#[derive(Debug, Clone)]
pub struct JitterClips {
    /// Frame width, in pixels.
    pub width: u32,
    /// Frame height, in pixels.
    pub height: u32,
    /// The photo's corner crop, unmoved, each frame with its own noise.
    pub still: Vec<Vec<u8>>,
    /// The photo panned (`pan_offset_px`), with noise as the still clip.
    pub moving: Vec<Vec<u8>>,
    /// How far each moving frame's content sits from the still clip's, in
    /// the frame's pixels (minus the crop's offset): a landmark's true
    /// position is its resting one plus this.
    pub motion_px: Vec<[f64; 2]>,
}

/// Both clips from an RGBA8 photo of `photo_width`×`photo_height` (it
/// must exceed the pan's 64×48 px travel).
pub fn make_clips(
    photo: &[u8],
    photo_width: u32,
    photo_height: u32,
    settings: &ClipSettings,
) -> Result<JitterClips, crate::output::OutputError> {
    let (pw, ph) = (photo_width as usize, photo_height as usize);
    let travel = [2 * PAN_X_PX as usize, 2 * PAN_Y_PX as usize];
    if photo.len() != pw * ph * 4 || pw <= travel[0] + 16 || ph <= travel[1] + 16 {
        return Err(crate::output::OutputError::BadSpec(format!(
            "the photo ({pw}x{ph}) must be RGBA and larger than the pan's {}x{} px travel",
            travel[0], travel[1]
        )));
    }
    let (w, h) = (pw - travel[0], ph - travel[1]);
    let crop = |[x0, y0]: [usize; 2]| -> Vec<u8> {
        let mut data = Vec::with_capacity(w * h * 4);
        for y in y0..y0 + h {
            let row = (y * pw + x0) * 4;
            data.extend_from_slice(&photo[row..row + w * 4]);
        }
        data
    };
    let mut rng = NoiseRng::new(settings.seed);
    let mut noisy = |mut frame: Vec<u8>| {
        let gain = 1.0 + settings.flicker_percent / 100.0 * rng.gaussian();
        add_camera_noise(&mut frame, settings.noise_levels, gain, &mut rng);
        frame
    };
    let rest = crop([0, 0]);
    let still = (0..settings.frames).map(|_| noisy(rest.clone())).collect();
    let offsets: Vec<[usize; 2]> = (0..settings.frames).map(pan_offset_px).collect();
    let moving = offsets.iter().map(|&o| noisy(crop(o))).collect();
    let motion_px = offsets
        .iter()
        .map(|&[x, y]| [-(x as f64), -(y as f64)])
        .collect();
    Ok(JitterClips {
        width: w as u32,
        height: h as u32,
        still,
        moving,
        motion_px,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn noise_is_the_same_for_a_seed_and_gaussian() {
        let gray = vec![128u8; 200 * 200 * 4];
        let noisy = |seed| {
            let mut frame = gray.clone();
            add_camera_noise(&mut frame, 3.0, 1.0, &mut NoiseRng::new(seed));
            frame
        };
        assert_eq!(noisy(7), noisy(7));
        assert_ne!(noisy(7), noisy(8));
        let frame = noisy(7);
        let values: Vec<f64> = frame
            .chunks_exact(4)
            .flat_map(|p| p[..3].iter().map(|&v| f64::from(v) - 128.0))
            .collect();
        assert!(frame.chunks_exact(4).all(|p| p[3] == 128), "alpha kept");
        let n = values.len() as f64;
        let mean = values.iter().sum::<f64>() / n;
        let sd = (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n).sqrt();
        // 120 000 values: the mean within 0.03 levels, σ within 1.5 %
        // (rounding to levels adds 1/12 to the variance).
        assert!(mean.abs() < 0.03, "{mean}");
        let expected = (9.0f64 + 1.0 / 12.0).sqrt();
        assert!((sd / expected - 1.0).abs() < 0.015, "{sd} vs {expected}");
    }

    #[test]
    fn the_moving_clip_is_the_photo_panned_by_its_motion() {
        // A photo whose every pixel says where it is.
        let (pw, ph) = (100u32, 80u32);
        let photo: Vec<u8> = (0..ph)
            .flat_map(|y| (0..pw).flat_map(move |x| [x as u8, y as u8, 0, 255]))
            .collect();
        let settings = ClipSettings {
            frames: 20,
            noise_levels: 0.0,
            flicker_percent: 0.0,
            seed: 1,
        };
        let clips = make_clips(&photo, pw, ph, &settings).unwrap();
        assert_eq!((clips.width, clips.height), (36, 32));
        assert!(clips.still.iter().all(|f| f == &clips.still[0]));
        for (frame, motion) in clips.moving.iter().zip(&clips.motion_px) {
            // The frame's top-left pixel is the photo's pixel at -motion.
            assert_eq!([frame[0] as f64, frame[1] as f64], [-motion[0], -motion[1]]);
        }
        assert_eq!(clips.motion_px[0], [0.0, 0.0]);
        assert_eq!(clips.motion_px[15], [-32.0, -24.0]);
        let too_small = make_clips(&photo[..64 * 64 * 4], 64, 64, &settings);
        assert!(too_small.is_err());
    }
}
