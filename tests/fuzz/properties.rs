//! Property tests for what a coverage-guided fuzzer reaches slowly or not
//! at all: inputs that are valid in every field at once (a y4m stream
//! whose frames all have the right length, a catalog whose prices are
//! exact, a photo whose anchors fit its silhouette), so that the readers'
//! results can be compared with what was written, not only checked for
//! panics. They run the same target bodies where they can.

use std::io::Cursor;

use drape::capture::y4m::Y4mHeader;
use drape::capture::{ColorRange, FrameSource, PixelFormat, Y4mSource};
use drape::garment::catalog::Catalog;
use drape::output::{FrameSink, RgbaFrame, Y4mSink};
use glam::Vec2;
use proptest::prelude::*;

use super::seeds::{photo_input, Given, Top};
use super::targets;

/// Cases a property tries: enough to cover the corners the strategies
/// aim at, few enough that the whole file takes about a second.
const CASES: u32 = 256;

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: CASES,
        // Failures are replayed from the seed printed in the message; no
        // regression files are written next to the tests.
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

fn y4m_format() -> impl Strategy<Value = PixelFormat> {
    prop_oneof![
        Just(PixelFormat::I420),
        Just(PixelFormat::Yuv444),
        Just(PixelFormat::Gray8)
    ]
}

fn range() -> impl Strategy<Value = ColorRange> {
    prop_oneof![Just(ColorRange::Limited), Just(ColorRange::Full)]
}

/// A side in 1..=16384, the ends and small odd sizes often.
fn side() -> impl Strategy<Value = u32> {
    prop_oneof![Just(1u32), Just(16384), 1u32..=16384, 1u32..=9]
}

/// One frame's `FRAME` line: bare, or with parameters readers skip.
fn frame_line() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("FRAME\n".to_string()),
        "( [A-Za-z0-9=:]{1,8}){1,3}".prop_map(|params| format!("FRAME{params}\n")),
    ]
}

proptest! {
    #![proptest_config(config())]

    /// Every header drape can write parses back to itself.
    #[test]
    fn y4m_header_survives_to_line(
        width in side(),
        height in side(),
        fps_num in 1u32..,
        fps_den in 1u32..,
        format in y4m_format(),
        range in range(),
    ) {
        let header = Y4mHeader { width, height, fps_num, fps_den, format, range };
        let line = header.to_line();
        prop_assert!(line.ends_with('\n') && line.len() < 1024);
        prop_assert_eq!(Y4mHeader::parse(&line).unwrap(), header);
    }

    /// A stream cut anywhere gives exactly the frames before the cut; it
    /// ends cleanly only when cut between frames, and it reads the same in
    /// short reads (the y4m target's checks run on it too).
    #[test]
    fn y4m_stream_reads_back_and_cuts_cleanly(
        width in 1u32..=9,
        height in 1u32..=9,
        fps in (1u32..=120_000, 1u32..=1001),
        format in y4m_format(),
        range in range(),
        frames in prop::collection::vec((frame_line(), any::<u8>()), 0..4),
        cut in any::<prop::sample::Index>(),
    ) {
        let header = Y4mHeader { width, height, fps_num: fps.0, fps_den: fps.1, format, range };
        let mut stream = header.to_line().into_bytes();
        // Where each frame's data ends, and the frames' bytes.
        let mut ends = vec![stream.len()];
        let mut planes = Vec::new();
        for (index, (line, fill)) in frames.iter().enumerate() {
            stream.extend_from_slice(line.as_bytes());
            let data: Vec<u8> = (0..header.frame_len())
                .map(|i| fill.wrapping_add((i * 13 + index) as u8))
                .collect();
            stream.extend_from_slice(&data);
            planes.push(data);
            ends.push(stream.len());
        }
        prop_assert!(targets::y4m_reader(&stream));

        let cut = cut.index(stream.len() + 1);
        let cut_stream = stream[..cut].to_vec();
        let accepted = targets::y4m_reader(&cut_stream);
        let opened = Y4mSource::from_reader(Box::new(Cursor::new(cut_stream)), "cut".into());
        let Ok(mut source) = opened else {
            prop_assert!(cut < ends[0], "the whole header was there");
            prop_assert!(!accepted);
            return Ok(());
        };
        prop_assert!(cut >= ends[0]);
        let whole = ends[1..].iter().filter(|&&end| end <= cut).count();
        for (index, data) in planes.iter().take(whole).enumerate() {
            let frame = source.next_frame().unwrap().expect("a frame before the cut");
            prop_assert_eq!(&frame.data, data);
            prop_assert_eq!(frame.index, index as u64);
            let nanos = index as u128 * u128::from(fps.1) * 1_000_000_000 / u128::from(fps.0);
            prop_assert_eq!(frame.timestamp.as_nanos(), nanos);
        }
        let clean = ends.contains(&cut);
        prop_assert_eq!(source.next_frame().is_ok(), clean);
        prop_assert_eq!(accepted, clean);
    }

    /// What the y4m writer writes, the reader reads: the size, the frame
    /// count and the frame rate (integers exactly, NTSC rates as /1001).
    #[test]
    fn y4m_sink_output_reads_back(
        width in 1u32..=9,
        height in 1u32..=9,
        count in 1usize..4,
        fps in prop_oneof![
            Just(30.0),
            Just(29.97),
            Just(59.94),
            (1u32..=240).prop_map(f64::from)
        ],
    ) {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("out.y4m");
        let mut sink = Y4mSink::new(Some(&path), fps).unwrap();
        let rgba: Vec<u8> = (0..width * height * 4).map(|i| (i * 37) as u8).collect();
        for index in 0..count as u64 {
            let frame = RgbaFrame {
                data: &rgba,
                width,
                height,
                index,
                timestamp: std::time::Duration::from_secs_f64(index as f64 / fps),
            };
            sink.write_frame(&frame).unwrap();
        }
        sink.finish().unwrap();
        drop(sink);

        let bytes = std::fs::read(&path).unwrap();
        prop_assert!(targets::y4m_reader(&bytes));
        let mut source = Y4mSource::open(&path).unwrap();
        let header = *source.header();
        prop_assert_eq!((header.width, header.height), (width, height));
        prop_assert_eq!(header.format, PixelFormat::I420);
        prop_assert!((header.fps() - fps).abs() < 1e-3 * fps, "{} fps", header.fps());
        prop_assert_eq!(source.info().frame_count, Some(count as u64));
        let mut read = 0;
        while let Some(frame) = source.next_frame().unwrap() {
            prop_assert_eq!(frame.data.len(), PixelFormat::I420.frame_len(width, height));
            read += 1;
        }
        prop_assert_eq!(read, count);
    }

    /// Raw streams of any valid format, size and length: the target's
    /// checks (frames are the stream cut into pieces, a partial last piece
    /// is an error) on inputs whose header is always valid.
    #[test]
    fn raw_streams_read_back(
        format in 0u8..8,
        width in 1u8..13,
        height in 1u8..13,
        fps in prop_oneof![Just(0u8), Just(7u8)],
        color in 0u8..4,
        frames in 0usize..4,
        extra in prop::collection::vec(any::<u8>(), 0..8),
    ) {
        let pixel_format = PixelFormat::ALL[usize::from(format)];
        // The target reads a size byte b (1..=39) as b + 1 px.
        let frame_len = pixel_format.frame_len(u32::from(width) + 1, u32::from(height) + 1);
        let mut input = vec![format, width, height, fps, color];
        input.extend((0..frames * frame_len).map(|i| (i * 5) as u8));
        let partial = extra.len() % frame_len;
        input.extend_from_slice(&extra[..partial]);
        prop_assert_eq!(targets::raw_reader(&input), partial == 0);
    }

    /// Prices are exact hundredths: any amount written with 0, 1 or 2
    /// decimals parses to its cents and prints back with two.
    #[test]
    fn catalog_prices_are_exact(cents in 0i64..100_000_000_000_000, style in 0u8..3) {
        let (whole, fraction) = (cents / 100, cents % 100);
        let text = match style {
            0 => format!("{whole}.{fraction:02}"),
            1 if fraction % 10 == 0 => format!("{whole}.{}", fraction / 10),
            _ if fraction == 0 => format!("{whole}"),
            _ => format!("{whole}.{fraction:02}"),
        };
        let manifest = format!(
            "version = 1\n\n[[garment]]\nid = \"tee\"\nname = \"Tee\"\nsku = \"S-1\"\n\
             price = \"{text}\"\ncurrency = \"EUR\"\nbuy_url = \"https://shop.example/tee\"\n\
             kind = \"mesh\"\nasset = \"tshirt.glb\"\n"
        );
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data/catalog/fuzz.toml");
        let catalog = Catalog::parse(&manifest, &path).unwrap();
        let price = &catalog.garments[0].price;
        prop_assert_eq!(price.minor_units, cents);
        prop_assert_eq!(price.to_string(), format!("{whole}.{fraction:02} EUR"));
    }

    /// A drawn top of any proportions, with its drawn anchors given, always
    /// makes a garment that keeps them (the photo target's checks); with
    /// none given the finder may refuse it, but must not panic or put an
    /// anchor outside the image.
    #[test]
    fn photo_tops_with_their_anchors_make_garments(
        torso_width in 12.0f32..30.0,
        torso_height in 16.0f32..40.0,
        sleeve_px in prop_oneof![Just(0.0f32), 4.0f32..20.0],
        sleeve_width_px in 4.0f32..10.0,
        angle_deg in 10.0f32..80.0,
        neck in 0.1f32..0.25,
    ) {
        let margin = sleeve_px + sleeve_width_px + 2.0;
        let right_x = margin.round();
        let top_y = 3.0;
        let top = Top {
            width: (2.0 * margin + torso_width).ceil() as u32,
            height: (top_y + torso_height.max(sleeve_px + sleeve_width_px) + 3.0).ceil() as u32,
            right_x,
            left_x: right_x + torso_width,
            top_y,
            bottom_y: top_y + torso_height,
            neck_radius: neck * torso_width,
            sleeve_px,
            sleeve_width_px: if sleeve_px > 0.0 { sleeve_width_px } else { 0.0 },
            angle_deg,
        };
        let anchors = top.anchors();
        let (w, h) = (top.width as f32, top.height as f32);
        prop_assume!(anchors.iter().all(|p| (0.0..=w).contains(&p.x) && (0.0..=h).contains(&p.y)));
        let alpha = top.alpha();
        // A sleeveless top's sleeve ends would lie on its shoulders.
        let kind = if sleeve_px > 0.0 { Given::AllF32 } else { Given::Required };
        let given = photo_input(top.width, top.height, kind, anchors, &alpha);
        prop_assert!(targets::photo_anchors(&given), "{}x{} px", top.width, top.height);
        targets::photo_anchors(&photo_input(top.width, top.height, Given::None, [Vec2::ZERO; 7], &alpha));
    }
}
