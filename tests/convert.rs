//! The GPU conversion shader against its plain-Rust twin, for every pixel
//! format, both matrices, both ranges, mirrored and not.

mod common;

use common::{gpu, max_abs_diff, noise_frame};
use drape::capture::{ColorMatrix, ColorRange, ColorSpace, Frame, PixelFormat};
use drape::gpu::TextureReadback;
use drape::upload::{cpu, FrameUploader, UploadOptions};

/// GPU and CPU may round a value that lands on .5 differently: one step.
const CONVERT_TOLERANCE: u8 = 1;

fn gpu_convert(
    gpu: &drape::GpuContext,
    uploader: &mut FrameUploader,
    frame: &Frame,
    mirror: bool,
) -> Vec<u8> {
    let texture = uploader
        .upload(gpu, frame, &UploadOptions { mirror })
        .expect("upload");
    TextureReadback::new()
        .read(gpu, &texture)
        .expect("readback")
}

#[test]
fn every_format_matches_the_cpu_reference() {
    let gpu = gpu();
    let mut uploader = FrameUploader::new(&gpu);
    // Odd sizes exercise the rounded-up chroma planes and the ragged tail.
    let sizes = [(37, 23), (64, 48), (1, 1)];
    let spaces = [
        (ColorMatrix::Bt601, ColorRange::Limited),
        (ColorMatrix::Bt601, ColorRange::Full),
        (ColorMatrix::Bt709, ColorRange::Limited),
        (ColorMatrix::Bt709, ColorRange::Full),
    ];
    let mut seed = 1;
    for format in PixelFormat::ALL {
        for (width, height) in sizes {
            for (matrix, range) in spaces {
                for mirror in [false, true] {
                    seed += 1;
                    let frame = noise_frame(format, width, height, seed)
                        .with_color_space(ColorSpace { matrix, range });
                    let expected = cpu::convert_to_rgba(&frame, mirror);
                    let actual = gpu_convert(&gpu, &mut uploader, &frame, mirror);
                    let diff = max_abs_diff(&expected, &actual);
                    assert!(
                        diff <= CONVERT_TOLERANCE,
                        "{format} {width}x{height} {matrix:?} {range:?} mirror={mirror}: max diff {diff}"
                    );
                }
            }
        }
    }
}

/// The reference itself, on values with known answers.
#[test]
fn cpu_reference_known_values() {
    let yuv444 = |y: u8, u: u8, v: u8, matrix, range| {
        let frame = Frame::new(vec![y, u, v], PixelFormat::Yuv444, 1, 1)
            .unwrap()
            .with_color_space(ColorSpace { matrix, range });
        cpu::convert_to_rgba(&frame, false)
    };
    use ColorMatrix::*;
    use ColorRange::*;
    assert_eq!(yuv444(16, 128, 128, Bt601, Limited), [0, 0, 0, 255]);
    assert_eq!(yuv444(235, 128, 128, Bt601, Limited), [255, 255, 255, 255]);
    assert_eq!(yuv444(255, 128, 128, Bt709, Full), [255, 255, 255, 255]);
    // Pure red in BT.601 limited: Y 81, Cb 90, Cr 240.
    let red = yuv444(81, 90, 240, Bt601, Limited);
    assert!(max_abs_diff(&red, &[255, 0, 0, 255]) <= 2, "{red:?}");
    // Pure green in BT.709 limited: Y 173, Cb 42, Cr 26.
    let green = yuv444(173, 42, 26, Bt709, Limited);
    assert!(max_abs_diff(&green, &[0, 255, 0, 255]) <= 2, "{green:?}");
    // Byte orders.
    let bgra = Frame::new(vec![1, 2, 3, 4], PixelFormat::Bgra8, 1, 1).unwrap();
    assert_eq!(cpu::convert_to_rgba(&bgra, false), [3, 2, 1, 4]);
    let yuyv = Frame::new(vec![16, 128, 235, 128], PixelFormat::Yuyv, 2, 1).unwrap();
    assert_eq!(
        cpu::convert_to_rgba(&yuyv, false),
        [0, 0, 0, 255, 255, 255, 255, 255]
    );
    assert_eq!(
        cpu::convert_to_rgba(&yuyv, true),
        [255, 255, 255, 255, 0, 0, 0, 255]
    );
}

#[test]
fn frame_size_changes_reuse_the_uploader() {
    let gpu = gpu();
    let mut uploader = FrameUploader::new(&gpu);
    for (i, (w, h)) in [(16, 16), (40, 30), (16, 16)].into_iter().enumerate() {
        let frame = noise_frame(PixelFormat::Rgba8, w, h, i as u32 + 100);
        let actual = gpu_convert(&gpu, &mut uploader, &frame, false);
        assert_eq!(actual, frame.data, "{w}x{h} RGBA passes through unchanged");
    }
}

/// `Mirror::frame_to_cpu` (the CPU path the pose stage uses) gives what the
/// GPU path reads back, for a borrowed RGBA frame, a mirrored one and a
/// YUV one.
#[test]
fn mirror_frame_to_cpu_matches_the_gpu_path() {
    use drape::{Mirror, MirrorConfig};
    let gpu = gpu();
    for (format, mirror) in [
        (PixelFormat::Rgba8, false),
        (PixelFormat::Rgba8, true),
        (PixelFormat::I420, true),
    ] {
        let frame = noise_frame(format, 37, 23, 7);
        let mut pipeline = Mirror::new(&gpu, MirrorConfig { mirror });
        let on_gpu = pipeline.process_to_cpu(&frame).unwrap().data.to_vec();
        let on_cpu = pipeline.frame_to_cpu(&frame);
        assert_eq!((on_cpu.width, on_cpu.height), (37, 23));
        let diff = max_abs_diff(on_cpu.data, &on_gpu);
        assert!(
            diff <= CONVERT_TOLERANCE,
            "{format:?} mirror {mirror}: {diff}"
        );
    }
}

/// A frame bigger than one storage-buffer binding (a 6000×6000 photo
/// mirrored: 144 MB, where lavapipe binds 128 MiB) is converted in bands
/// of rows; here the limit is made small so that ordinary frames take
/// several bands, ragged last band and odd sizes included. Every format
/// matches the CPU reference as the one-pass conversion does, and a
/// limit that not even two rows fit in is an error naming that limit.
#[test]
fn banded_conversion_matches_the_cpu_reference() {
    let gpu = gpu();
    let mut uploader = FrameUploader::new(&gpu);
    let mut seed = 500;
    for format in PixelFormat::ALL {
        for (width, height) in [(37, 23), (64, 48), (20, 3)] {
            // About five bands of whole row pairs.
            let limit = (format.frame_len(width, height) as u64 / 5)
                .max(format.frame_len(width, 2) as u64 + 3);
            assert!(
                drape::upload::plan_bands(format, width, height, limit)
                    .is_some_and(|bands| bands.len() > 1),
                "{format} {width}x{height} is banded"
            );
            uploader.set_max_binding_bytes(Some(limit));
            for mirror in [false, true] {
                seed += 1;
                let frame = noise_frame(format, width, height, seed);
                let expected = cpu::convert_to_rgba(&frame, mirror);
                let actual = gpu_convert(&gpu, &mut uploader, &frame, mirror);
                let diff = max_abs_diff(&expected, &actual);
                assert!(
                    diff <= CONVERT_TOLERANCE,
                    "{format} {width}x{height} in bands of {limit} bytes, mirror={mirror}: max diff {diff}"
                );
            }
        }
    }
    uploader.set_max_binding_bytes(Some(100));
    let frame = noise_frame(PixelFormat::Rgb8, 64, 8, 1);
    let error = uploader
        .upload(&gpu, &frame, &UploadOptions { mirror: true })
        .expect_err("two rows take 384 bytes");
    let text = error.to_string();
    assert!(text.contains("storage-buffer limit of 100 bytes"), "{text}");
    assert!(!text.contains("pixels a side"), "{text}");
}
