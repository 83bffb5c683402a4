//! The file and stream sources, through the public API only. Inputs are
//! written into temporary folders by the tests themselves.

use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use drape::capture::y4m::Y4mHeader;
use drape::capture::{
    CaptureError, ColorMatrix, ColorRange, FfmpegSource, Frame, FrameSource, ImageFileSource,
    ImageSequenceSource, PixelFormat, RawSource, SyntheticSource, Y4mSource,
};
use image::{ExtendedColorType, GrayImage, ImageBuffer, LumaA, Rgb, RgbImage, RgbaImage};

fn frames(source: &mut impl FrameSource) -> Vec<Frame> {
    let mut out = Vec::new();
    while let Some(frame) = source.next_frame().expect("frame") {
        out.push(frame);
    }
    out
}

/// A `w`×`h` RGB image whose pixels all differ, seeded by `seed`.
fn rgb(w: u32, h: u32, seed: u8) -> RgbImage {
    RgbImage::from_fn(w, h, |x, y| {
        let v = (x * 7 + y * 31) as u8;
        Rgb([v.wrapping_add(seed), v ^ 0x5a, seed])
    })
}

fn save_rgb(path: &Path, w: u32, h: u32, seed: u8) -> RgbImage {
    let image = rgb(w, h, seed);
    image.save(path).expect("write test image");
    image
}

#[test]
fn png_keeps_its_layout() {
    let dir = tempfile::tempdir().unwrap();
    let rgb_path = dir.path().join("rgb.png");
    let image = save_rgb(&rgb_path, 5, 3, 9);
    let mut source = ImageFileSource::open(&rgb_path).unwrap();
    assert_eq!((source.info().width, source.info().height), (5, 3));
    assert_eq!(source.info().frame_count, Some(1));
    assert!(!source.info().live);
    let frame = source.next_frame().unwrap().expect("one frame");
    assert_eq!(frame.format, PixelFormat::Rgb8);
    assert_eq!(frame.data, image.into_raw());
    assert!(source.next_frame().unwrap().is_none());

    let gray_path = dir.path().join("gray.png");
    let gray = GrayImage::from_fn(4, 2, |x, y| image::Luma([(x * 60 + y) as u8]));
    gray.save(&gray_path).unwrap();
    let frame = frames(&mut ImageFileSource::open(&gray_path).unwrap()).remove(0);
    assert_eq!(
        (frame.format, frame.data),
        (PixelFormat::Gray8, gray.into_raw())
    );

    // Gray with alpha has no frame format of its own: it becomes RGBA.
    let la_path = dir.path().join("la.png");
    ImageBuffer::<LumaA<u8>, _>::from_fn(2, 1, |x, _| LumaA([x as u8 * 100, 7]))
        .save(&la_path)
        .unwrap();
    let frame = frames(&mut ImageFileSource::open(&la_path).unwrap()).remove(0);
    assert_eq!(frame.format, PixelFormat::Rgba8);
    assert_eq!(frame.data, [0, 0, 0, 7, 100, 100, 100, 7]);
}

#[test]
fn jpeg_and_lossless_webp() {
    let dir = tempfile::tempdir().unwrap();
    let jpeg = dir.path().join("flat.jpg");
    RgbImage::from_pixel(16, 8, Rgb([200, 40, 90]))
        .save(&jpeg)
        .unwrap();
    let frame = frames(&mut ImageFileSource::open(&jpeg).unwrap()).remove(0);
    assert_eq!(
        (frame.width, frame.height, frame.format),
        (16, 8, PixelFormat::Rgb8)
    );
    let expected = [200u8, 40, 90];
    for (i, &v) in frame.data.iter().enumerate() {
        // JPEG is lossy; a flat colour comes back within a few levels.
        assert!(v.abs_diff(expected[i % 3]) <= 6, "byte {i}: {v}");
    }

    let webp = dir.path().join("a.webp");
    let rgba = RgbaImage::from_fn(7, 5, |x, y| {
        image::Rgba([x as u8 * 30, y as u8 * 50, 3, 128])
    });
    let file = std::fs::File::create(&webp).unwrap();
    image::codecs::webp::WebPEncoder::new_lossless(file)
        .encode(rgba.as_raw(), 7, 5, ExtendedColorType::Rgba8)
        .unwrap();
    let frame = frames(&mut ImageFileSource::open(&webp).unwrap()).remove(0);
    assert_eq!(frame.format, PixelFormat::Rgba8);
    assert_eq!(frame.data, rgba.into_raw());
}

#[test]
fn format_comes_from_content_not_extension() {
    let dir = tempfile::tempdir().unwrap();
    let png = dir.path().join("x.png");
    let image = save_rgb(&png, 3, 3, 1);
    let misnamed = dir.path().join("really_a_png.jpg");
    std::fs::rename(&png, &misnamed).unwrap();
    let frame = frames(&mut ImageFileSource::open(&misnamed).unwrap()).remove(0);
    assert_eq!(frame.data, image.into_raw());
}

#[test]
fn bad_images_are_errors_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.png");
    match ImageFileSource::open(&missing) {
        Err(CaptureError::Io { path, .. }) => assert_eq!(path, missing),
        other => panic!("expected Io, got {:?}", other.map(|_| ())),
    }

    let garbage = dir.path().join("garbage.png");
    std::fs::write(&garbage, b"this is not an image at all").unwrap();
    let truncated = dir.path().join("truncated.png");
    save_rgb(&truncated, 32, 32, 0);
    let bytes = std::fs::read(&truncated).unwrap();
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();
    for path in [garbage, truncated] {
        match ImageFileSource::open(&path) {
            Err(e @ CaptureError::Decode { .. }) => {
                assert!(e.to_string().contains(&*path.to_string_lossy()), "{e}");
            }
            other => panic!(
                "{}: expected Decode, got {:?}",
                path.display(),
                other.map(|_| ())
            ),
        }
    }
}

/// A valid PNG signature and header claiming 100000×100000 pixels (40 GB),
/// then nothing: the limits must refuse it before allocating.
#[test]
fn decompression_bomb_is_refused() {
    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = !0u32;
        for &b in bytes {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }
    let mut ihdr = b"IHDR".to_vec();
    ihdr.extend(100_000u32.to_be_bytes());
    ihdr.extend(100_000u32.to_be_bytes());
    ihdr.extend([8, 6, 0, 0, 0]); // 8-bit RGBA, no interlace
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend(13u32.to_be_bytes());
    png.extend(&ihdr);
    png.extend(crc32(&ihdr).to_be_bytes());
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bomb.png");
    std::fs::write(&path, png).unwrap();
    assert!(matches!(
        ImageFileSource::open(&path),
        Err(CaptureError::Decode { .. })
    ));
    // Wider than any GPU texture: refused too, though it is small.
    let wide = dir.path().join("wide.png");
    GrayImage::new(20_000, 1).save(&wide).unwrap();
    assert!(matches!(
        ImageFileSource::open(&wide),
        Err(CaptureError::Decode { .. })
    ));
}

/// Writes `names` as 4×2 images whose first byte is the number in the name.
fn write_numbered(dir: &Path, names: &[&str]) {
    for name in names {
        let n: u8 = name
            .trim_start_matches(|c: char| !c.is_ascii_digit())
            .split('.')
            .next()
            .and_then(|d| d.parse().ok())
            .unwrap();
        RgbImage::from_pixel(4, 2, Rgb([n, 0, 0]))
            .save(dir.join(name))
            .unwrap();
    }
}

fn first_bytes(frames: &[Frame]) -> Vec<u8> {
    frames.iter().map(|f| f.data[0]).collect()
}

#[test]
fn folder_plays_in_natural_order() {
    let dir = tempfile::tempdir().unwrap();
    write_numbered(dir.path(), &["f10.png", "f1.png", "f2.PNG", "f3.jpeg"]);
    std::fs::write(dir.path().join("notes.txt"), "not a frame").unwrap();
    std::fs::create_dir(dir.path().join("sub.png")).unwrap();
    let mut source = ImageSequenceSource::open(dir.path().to_str().unwrap(), 4.0).unwrap();
    assert_eq!(source.info().frame_count, Some(4));
    assert_eq!((source.info().width, source.info().height), (4, 2));
    assert_eq!(source.info().fps, Some(4.0));
    let frames = frames(&mut source);
    // JPEG is lossy: compare roughly.
    let firsts = first_bytes(&frames);
    assert_eq!(&firsts[..2], [1, 2]);
    assert!(firsts[2].abs_diff(3) <= 4 && firsts[3] == 10, "{firsts:?}");
    let times: Vec<_> = frames.iter().map(|f| (f.index, f.timestamp)).collect();
    assert_eq!(times[3], (3, Duration::from_millis(750)));
}

#[test]
fn glob_picks_only_matches() {
    let dir = tempfile::tempdir().unwrap();
    write_numbered(dir.path(), &["f10.png", "f1.png", "f2.png", "g5.png"]);
    let pattern = format!("{}/f*.png", dir.path().display());
    let mut source = ImageSequenceSource::open(&pattern, 30.0).unwrap();
    assert_eq!(source.info().frame_count, Some(3));
    assert_eq!(first_bytes(&frames(&mut source)), [1, 2, 10]);
}

#[test]
fn sequence_errors() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().to_str().unwrap();
    assert!(matches!(
        ImageSequenceSource::open(folder, 30.0),
        Err(CaptureError::NoImages(_))
    ));
    let pattern = format!("{folder}/*.webp");
    assert!(matches!(
        ImageSequenceSource::open(&pattern, 30.0),
        Err(CaptureError::NoImages(_))
    ));
    let missing = format!("{folder}/nope");
    assert!(matches!(
        ImageSequenceSource::open(&missing, 30.0),
        Err(CaptureError::Io { .. })
    ));

    write_numbered(dir.path(), &["a1.png", "a3.png"]);
    assert!(matches!(
        ImageSequenceSource::open(folder, 0.0),
        Err(CaptureError::BadSpec(_))
    ));
    let odd = dir.path().join("a2.png");
    save_rgb(&odd, 5, 2, 0);
    let mut source = ImageSequenceSource::open(folder, 30.0).unwrap();
    assert!(source.next_frame().unwrap().is_some());
    match source.next_frame() {
        Err(CaptureError::SizeChanged {
            path,
            width: 5,
            height: 2,
            expected_width: 4,
            ..
        }) => {
            assert_eq!(path, odd)
        }
        other => panic!("expected SizeChanged, got {:?}", other.map(|_| ())),
    }
    // The sequence goes on past the bad image.
    assert_eq!(source.next_frame().unwrap().unwrap().data[0], 3);
    assert!(source.next_frame().unwrap().is_none());
}

/// A y4m stream: `header`, then each frame as `FRAME\n` and its bytes.
fn y4m_bytes(header: &str, frames: &[Vec<u8>]) -> Vec<u8> {
    let mut out = format!("{header}\n").into_bytes();
    for (i, frame) in frames.iter().enumerate() {
        // Frame parameters are allowed and ignored.
        out.extend(if i % 2 == 0 {
            &b"FRAME\n"[..]
        } else {
            b"FRAME Ixyz\n"
        });
        out.extend(frame);
    }
    out
}

fn pattern(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(13).wrapping_add(seed))
        .collect()
}

fn y4m_source(bytes: Vec<u8>) -> Result<Y4mSource, CaptureError> {
    Y4mSource::from_reader(Box::new(Cursor::new(bytes)), "test stream".into())
}

#[test]
fn y4m_round_trips_each_colourspace() {
    let cases = [
        (
            "W5 H3 F25:1 C420jpeg",
            PixelFormat::I420,
            27,
            ColorRange::Limited,
            40,
        ),
        (
            "W5 H3 F25:1 C420mpeg2 XYSCSS=420MPEG2",
            PixelFormat::I420,
            27,
            ColorRange::Limited,
            40,
        ),
        (
            "W5 H3 F30000:1001",
            PixelFormat::I420,
            27,
            ColorRange::Limited,
            33,
        ),
        (
            "W4 H2 C444 XCOLORRANGE=FULL Zfuture",
            PixelFormat::Yuv444,
            24,
            ColorRange::Full,
            33,
        ),
        (
            "W3 H2 F10:1 Cmono Ip A1:1",
            PixelFormat::Gray8,
            6,
            ColorRange::Limited,
            100,
        ),
    ];
    let dir = tempfile::tempdir().unwrap();
    for (tags, format, len, range, frame_ms) in cases {
        let sent = vec![pattern(len, 1), pattern(len, 2), pattern(len, 3)];
        let path = dir.path().join("clip.y4m");
        std::fs::write(&path, y4m_bytes(&format!("YUV4MPEG2 {tags}"), &sent)).unwrap();
        let mut source = Y4mSource::open(&path).unwrap();
        assert_eq!(source.header().format, format, "{tags}");
        assert!(source.info().description.contains("clip.y4m"));
        let got = frames(&mut source);
        assert_eq!(got.len(), 3, "{tags}");
        for (i, frame) in got.iter().enumerate() {
            assert_eq!(frame.format, format);
            assert_eq!(frame.data, sent[i], "{tags} frame {i}");
            assert_eq!(frame.index, i as u64);
            assert_eq!(frame.color_space.range, range);
            assert_eq!(frame.color_space.matrix, ColorMatrix::Bt601);
        }
        assert_eq!(got[1].timestamp.as_millis(), frame_ms, "{tags}");
        assert!(source.next_frame().unwrap().is_none());
    }
}

#[test]
fn y4m_from_a_reader() {
    let bytes = y4m_bytes("YUV4MPEG2 W2 H2 F5:1 C420", &[pattern(6, 0), pattern(6, 9)]);
    let mut source = Y4mSource::from_reader(Box::new(Cursor::new(bytes)), "stdin".into()).unwrap();
    let info = source.info().clone();
    assert!(info.description.contains("stdin"));
    assert_eq!(
        (info.width, info.height, info.fps, info.live),
        (2, 2, Some(5.0), false)
    );
    let got = frames(&mut source);
    assert_eq!(got.len(), 2);
    assert_eq!(got[1].timestamp, Duration::from_millis(200));
}

#[test]
fn y4m_cut_short_fails_after_the_whole_frames() {
    let whole = y4m_bytes("YUV4MPEG2 W2 H2 C420jpeg", &[pattern(6, 0), pattern(6, 1)]);
    let mid_frame = [&whole[..], b"FRAME\n\x01\x02\x03"].concat();
    let mid_line = [&whole[..], b"FRA"].concat();
    for bytes in [mid_frame, mid_line] {
        let mut source = y4m_source(bytes).unwrap();
        assert!(source.next_frame().unwrap().is_some());
        assert!(source.next_frame().unwrap().is_some());
        match source.next_frame() {
            Err(e @ CaptureError::Y4m { .. }) | Err(e @ CaptureError::Truncated { .. }) => {
                assert!(e.to_string().contains("frame 2"), "{e}")
            }
            other => panic!("expected an error, got {:?}", other.map(|_| ())),
        }
        assert!(source.next_frame().unwrap().is_none());
    }
    let not_frame = [&whole[..], b"FRAMES\n"].concat();
    let mut source = y4m_source(not_frame).unwrap();
    assert_eq!(frames_until_error(&mut source), 2);
}

fn frames_until_error(source: &mut impl FrameSource) -> usize {
    let mut n = 0;
    loop {
        match source.next_frame() {
            Ok(Some(_)) => n += 1,
            Ok(None) => panic!("expected an error after {n} frames"),
            Err(_) => return n,
        }
    }
}

#[test]
fn y4m_bad_headers() {
    let bad = [
        ("", "empty"),
        ("YUV4MPEG2 W4 H4 C420jpeg", "header"), // no newline at all
        ("YUV4MPEG3 W4 H4\n", "YUV4MPEG2"),
        ("YUV4MPEG2 H4\n", "no W"),
        ("YUV4MPEG2 W4 H4 C422\n", "yuv420p"),
        ("YUV4MPEG2 W4 H4 C420p10\n", "420p10"),
        ("YUV4MPEG2 W20000 H4\n", "20000"),
        ("YUV4MPEG2 W0 H4\n", "width `0`"),
        ("YUV4MPEG2 W4 H-1\n", "-1"),
        ("YUV4MPEG2 W4 H4 Fx\n", "Fx"),
    ];
    for (header, needle) in bad {
        match y4m_source(header.as_bytes().to_vec()) {
            Err(e @ CaptureError::Y4m { .. }) => {
                let text = e.to_string();
                assert!(text.contains(needle), "{header:?}: {text}");
            }
            other => panic!(
                "{header:?}: expected a Y4m error, got {:?}",
                other.map(|_| ())
            ),
        }
    }
    // Unknown tags, even non-ASCII ones, are ignored.
    assert!(y4m_source("YUV4MPEG2 W4 H4 \u{e9}t\u{e9} Q\n".into()).is_ok());
    // Kilobytes without a newline are refused without reading on.
    let endless = std::io::repeat(b'x');
    assert!(Y4mSource::from_reader(Box::new(endless), "zeros".into()).is_err());
    let long = format!("YUV4MPEG2 W4 H4 X{}\n", "a".repeat(2000));
    assert!(y4m_source(long.into_bytes()).is_err());
}

#[test]
fn y4m_header_writes_what_it_reads() {
    let header = Y4mHeader {
        width: 640,
        height: 360,
        fps_num: 30000,
        fps_den: 1001,
        format: PixelFormat::I420,
        range: ColorRange::Full,
    };
    let line = header.to_line();
    assert_eq!(
        line,
        "YUV4MPEG2 W640 H360 F30000:1001 Ip A1:1 C420jpeg XCOLORRANGE=FULL\n"
    );
    assert_eq!(Y4mHeader::parse(&line).unwrap(), header);
    for format in [PixelFormat::Yuv444, PixelFormat::Gray8] {
        let h = Y4mHeader {
            format,
            range: ColorRange::Limited,
            ..header
        };
        assert!(!h.to_line().contains("XCOLORRANGE"));
        assert_eq!(Y4mHeader::parse(&h.to_line()).unwrap(), h);
    }
    assert!(!Y4mHeader::supports_format(PixelFormat::Rgba8));
    let rgba = Y4mHeader {
        format: PixelFormat::Rgba8,
        ..header
    };
    assert!(Y4mHeader::parse(&rgba.to_line()).is_err());
}

fn raw(bytes: Vec<u8>, format: PixelFormat, w: u32, h: u32) -> Result<RawSource, CaptureError> {
    RawSource::new(
        Box::new(Cursor::new(bytes)),
        "stdin".into(),
        format,
        w,
        h,
        10.0,
    )
}

#[test]
fn raw_frames_and_truncation() {
    // YUYV 3x2 pads each row to 2 pixel pairs: 8 bytes a row, 16 a frame.
    let len = PixelFormat::Yuyv.frame_len(3, 2);
    assert_eq!(len, 16);
    let mut source = raw(pattern(len * 3, 5), PixelFormat::Yuyv, 3, 2).unwrap();
    assert!(source.info().live);
    let got = frames(&mut source);
    assert_eq!(got.len(), 3);
    assert_eq!(got[2].data, pattern(len * 3, 5)[len * 2..]);
    assert_eq!(got[2].timestamp, Duration::from_millis(200));
    assert!(source.next_frame().unwrap().is_none());

    let mut source = raw(pattern(len * 2 + 9, 0), PixelFormat::Yuyv, 3, 2).unwrap();
    assert_eq!(frames_until_error(&mut source), 2);
    assert!(source.next_frame().unwrap().is_none());
    let mut source = raw(pattern(len + 9, 0), PixelFormat::Yuyv, 3, 2).unwrap();
    source.next_frame().unwrap();
    assert!(matches!(
        source.next_frame(),
        Err(CaptureError::Truncated {
            index: 1,
            got: 9,
            expected: 16,
            ..
        })
    ));

    for (w, h) in [(0, 4), (4, 0), (16385, 4)] {
        assert!(matches!(
            raw(vec![], PixelFormat::Rgba8, w, h),
            Err(CaptureError::BadSpec(_))
        ));
    }
}

/// ffmpeg is on every development and CI machine; set DRAPE_NO_FFMPEG=1 to
/// skip the ffmpeg tests where it really is not installed.
fn ffmpeg_or_skip() -> bool {
    if FfmpegSource::available() {
        return true;
    }
    assert!(
        std::env::var_os("DRAPE_NO_FFMPEG").is_some(),
        "ffmpeg is not on PATH: install it or set DRAPE_NO_FFMPEG=1 to skip"
    );
    false
}

fn ffmpeg(args: &[&str], out: &Path) {
    let status = Command::new("ffmpeg")
        .args(["-nostdin", "-v", "error", "-y"])
        .args(args)
        .arg(out)
        .status()
        .expect("run ffmpeg");
    assert!(status.success(), "ffmpeg {args:?} failed");
}

#[test]
fn ffmpeg_decodes_a_video() {
    if !ffmpeg_or_skip() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let video = dir.path().join("clip.mkv");
    let lavfi = [
        "-f",
        "lavfi",
        "-i",
        "testsrc=size=64x48:rate=10",
        "-frames:v",
        "5",
    ];
    ffmpeg(&[&lavfi[..], &["-c:v", "ffv1"]].concat(), &video);
    let mut source = FfmpegSource::open(&video).unwrap();
    assert_eq!((source.info().width, source.info().height), (64, 48));
    assert_eq!(source.info().fps, Some(10.0));
    let got = frames(&mut source);
    assert_eq!(got.len(), 5);
    for frame in &got {
        assert_eq!(
            (frame.format, frame.width, frame.height),
            (PixelFormat::I420, 64, 48)
        );
    }
    assert_ne!(got[0].data, got[4].data, "testsrc moves");
    assert!(source.next_frame().unwrap().is_none());

    // Dropping a source mid-stream stops ffmpeg without hanging.
    let mut source = FfmpegSource::open(&video).unwrap();
    assert!(source.next_frame().unwrap().is_some());
    drop(source);
}

#[test]
fn ffmpeg_errors() {
    let dir = tempfile::tempdir().unwrap();
    let missing: PathBuf = dir.path().join("missing.mp4");
    assert!(matches!(
        FfmpegSource::open(&missing),
        Err(CaptureError::Io { .. })
    ));
    if !ffmpeg_or_skip() {
        return;
    }
    let junk = dir.path().join("junk.mp4");
    std::fs::write(&junk, b"no video in here").unwrap();
    match FfmpegSource::open(&junk) {
        Err(CaptureError::Ffmpeg { path, message }) => {
            assert_eq!(path, junk);
            assert!(!message.is_empty());
        }
        other => panic!("expected an ffmpeg error, got {:?}", other.map(|_| ())),
    }
}

#[test]
fn synthetic_is_deterministic_and_moves() {
    let mut a = SyntheticSource::new(64, 48, 10.0, Some(6));
    let mut b = SyntheticSource::new(64, 48, 10.0, Some(6));
    let (fa, fb) = (frames(&mut a), frames(&mut b));
    assert_eq!(fa.len(), 6);
    for (x, y) in fa.iter().zip(&fb) {
        assert_eq!(x.data, y.data);
        assert_eq!((x.format, x.width, x.height), (PixelFormat::Rgba8, 64, 48));
    }
    for pair in fa.windows(2) {
        assert_ne!(pair[0].data, pair[1].data, "frame {}", pair[1].index);
    }
    assert_eq!(fa[5].timestamp, Duration::from_millis(500));
    // The white square: its left edge on its middle row moves right.
    let left_edge = |f: &Frame| {
        let row = &f.data[18 * 64 * 4..19 * 64 * 4];
        row.chunks(4).position(|p| p == [255, 255, 255, 255])
    };
    let (x0, x5) = (left_edge(&fa[0]).unwrap(), left_edge(&fa[5]).unwrap());
    assert!(x5 > x0 + 10, "{x0} -> {x5}");
    // Degenerate sizes clamp instead of panicking.
    for (w, h) in [(0, 0), (1, 1), (3, 1)] {
        let mut s = SyntheticSource::new(w, h, f64::NAN, Some(2));
        assert_eq!(frames(&mut s).len(), 2);
        assert_eq!(s.info().fps, Some(30.0));
    }
}

/// A named pipe has no length: its frame count is unknown, not 0 (which
/// would read as "an empty clip" to a progress bar or a loop).
#[test]
fn y4m_from_a_named_pipe_has_no_frame_count() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("clip.y4m");
    let made = Command::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|s| s.success()) {
        eprintln!("skipped: mkfifo is not available");
        return;
    }
    let bytes = y4m_bytes(
        "YUV4MPEG2 W4 H2 F30:1 C444",
        &[pattern(24, 1), pattern(24, 2)],
    );
    let writer = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::write(fifo, bytes).unwrap())
    };
    let mut source = Y4mSource::open(&fifo).unwrap();
    assert_eq!(source.info().frame_count, None);
    assert_eq!(frames(&mut source).len(), 2);
    writer.join().unwrap();
}
