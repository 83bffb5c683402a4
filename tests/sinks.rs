//! Every file and pipe sink, read back with drape's own sources.

mod common;

use std::time::Duration;

use common::{max_abs_diff, noise_bytes};
use drape::capture::{FrameSource, ImageFileSource, PixelFormat, Y4mSource};
use drape::output::{
    open_sink, FrameSink, ImageSequenceSink, OutputError, RgbaFrame, SinkOptions, SinkSpec,
};
use drape::upload::cpu;

fn rgba_frame(data: &[u8], width: u32, height: u32, index: u64) -> RgbaFrame<'_> {
    RgbaFrame {
        data,
        width,
        height,
        index,
        timestamp: Duration::from_millis(index * 40),
    }
}

/// A smooth opaque picture (JPEG and 4:2:0 are lossy on noise).
fn gradient(width: u32, height: u32, shift: u32) -> Vec<u8> {
    (0..height)
        .flat_map(|y| {
            (0..width).flat_map(move |x| {
                [
                    (x * 255 / width) as u8,
                    (y * 255 / height) as u8,
                    ((x + y + shift) % 256) as u8 / 2 + 64,
                    255,
                ]
            })
        })
        .collect()
}

const OPTIONS: SinkOptions = SinkOptions {
    fps: 25.0,
    frame_count: None,
};

#[test]
fn png_folder_is_lossless_and_leaves_no_partial_files() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("frames");
    let spec = SinkSpec::parse(out.to_str().unwrap(), None).unwrap();
    let mut sink = open_sink(&spec, &OPTIONS).unwrap();
    let frames: Vec<Vec<u8>> = (0..3).map(|i| noise_bytes(7 * 5 * 4, i)).collect();
    for (i, data) in frames.iter().enumerate() {
        sink.write_frame(&rgba_frame(data, 7, 5, i as u64)).unwrap();
    }
    sink.finish().unwrap();
    let mut names: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["frame_000000.png", "frame_000001.png", "frame_000002.png"]
    );
    for (i, data) in frames.iter().enumerate() {
        let image = image::open(out.join(&names[i])).unwrap().into_rgba8();
        assert_eq!(image.as_raw(), data, "frame {i} round-trips exactly");
    }
}

#[test]
fn jpeg_pattern_and_single_image() {
    let dir = tempfile::tempdir().unwrap();
    let pattern = dir.path().join("sub/shot_%03d.jpg");
    let spec = SinkSpec::parse(pattern.to_str().unwrap(), None).unwrap();
    let mut sink = open_sink(&spec, &OPTIONS).unwrap();
    let data = gradient(32, 24, 0);
    sink.write_frame(&rgba_frame(&data, 32, 24, 0)).unwrap();
    sink.write_frame(&rgba_frame(&data, 32, 24, 1)).unwrap();
    let second = dir.path().join("sub/shot_001.jpg");
    let decoded = image::open(&second).unwrap().into_rgba8();
    assert!(
        max_abs_diff(decoded.as_raw(), &data) < 16,
        "JPEG close to the input"
    );

    let single = dir.path().join("one.png");
    let mut sink = ImageSequenceSink::single(&single).unwrap();
    sink.write_frame(&rgba_frame(&data, 32, 24, 0)).unwrap();
    let error = sink.write_frame(&rgba_frame(&data, 32, 24, 1)).unwrap_err();
    assert!(error.to_string().contains("one image"), "{error}");
    assert_eq!(image::open(&single).unwrap().into_rgba8().as_raw(), &data);

    let refused = open_sink(
        &SinkSpec::Single(single),
        &SinkOptions {
            fps: 25.0,
            frame_count: Some(3),
        },
    );
    assert!(matches!(refused, Err(OutputError::BadSpec(_))));
}

#[test]
fn bad_patterns_are_refused() {
    // Refused when parsed, before any sink is opened or folder made.
    for pattern in [
        "out/%d_%d.png",
        "out/%xd.png",
        "out/frame_%04d.gif",
        "out/%d/frame.png",
    ] {
        assert!(
            matches!(SinkSpec::parse(pattern, None), Err(OutputError::BadSpec(_))),
            "{pattern} should be refused"
        );
    }
}

#[test]
fn y4m_round_trips_through_the_y4m_source() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("clip.y4m");
    let spec = SinkSpec::parse(path.to_str().unwrap(), None).unwrap();
    let mut sink = open_sink(&spec, &OPTIONS).unwrap();
    let frames: Vec<Vec<u8>> = (0..4).map(|i| gradient(33, 17, i * 40)).collect();
    for (i, data) in frames.iter().enumerate() {
        sink.write_frame(&rgba_frame(data, 33, 17, i as u64))
            .unwrap();
    }
    sink.finish().unwrap();

    let mut source = Y4mSource::open(&path).unwrap();
    assert_eq!(source.info().fps, Some(25.0));
    assert_eq!(
        source.info().frame_count,
        Some(4),
        "counted from the file length"
    );
    for (i, data) in frames.iter().enumerate() {
        let frame = source
            .next_frame()
            .unwrap()
            .expect("a frame per frame written");
        assert_eq!(
            (frame.format, frame.width, frame.height),
            (PixelFormat::I420, 33, 17)
        );
        let rgba = cpu::convert_to_rgba(&frame, false);
        // 4:2:0 halves chroma resolution: a smooth picture survives closely.
        assert!(max_abs_diff(&rgba, data) <= 12, "frame {i}");
    }
    assert!(source.next_frame().unwrap().is_none());

    let mut sink = open_sink(&spec, &OPTIONS).unwrap();
    sink.write_frame(&rgba_frame(&frames[0], 33, 17, 0))
        .unwrap();
    let error = sink
        .write_frame(&rgba_frame(&gradient(8, 8, 0), 8, 8, 1))
        .unwrap_err();
    assert!(matches!(error, OutputError::SizeChanged { .. }), "{error}");
}

#[test]
fn raw_rgba_file_is_the_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("frames.rgba");
    let spec = SinkSpec::parse(path.to_str().unwrap(), None).unwrap();
    let mut sink = open_sink(&spec, &OPTIONS).unwrap();
    let a = noise_bytes(4 * 4 * 4, 1);
    let b = noise_bytes(4 * 4 * 4, 2);
    sink.write_frame(&rgba_frame(&a, 4, 4, 0)).unwrap();
    sink.write_frame(&rgba_frame(&b, 4, 4, 1)).unwrap();
    sink.finish().unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), [a, b].concat());
}

#[test]
fn sink_spec_parsing() {
    use drape::output::OutputFormat;
    assert_eq!(SinkSpec::parse("-", None).unwrap(), SinkSpec::Y4m(None));
    assert_eq!(
        SinkSpec::parse("-", Some(OutputFormat::Rgba)).unwrap(),
        SinkSpec::Rgba(None)
    );
    assert!(SinkSpec::parse("-", Some(OutputFormat::Png)).is_err());
    assert!(matches!(
        SinkSpec::parse("x.y4m", None).unwrap(),
        SinkSpec::Y4m(Some(_))
    ));
    assert!(matches!(
        SinkSpec::parse("a/%04d.png", None).unwrap(),
        SinkSpec::Pattern(_)
    ));
    assert!(matches!(
        SinkSpec::parse("shot.JPG", None).unwrap(),
        SinkSpec::Single(_)
    ));
    assert!(matches!(
        SinkSpec::parse("out", None).unwrap(),
        SinkSpec::Folder(..)
    ));
}

#[test]
fn image_written_by_a_sink_reads_back_through_a_source() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("still.png");
    let data = gradient(10, 6, 3);
    let mut sink = ImageSequenceSink::single(&path).unwrap();
    sink.write_frame(&rgba_frame(&data, 10, 6, 0)).unwrap();
    let mut source = ImageFileSource::open(&path).unwrap();
    let frame = source.next_frame().unwrap().unwrap();
    assert_eq!(cpu::convert_to_rgba(&frame, false), data);
}

/// A pipe whose reader leaves just before the end (the last bytes, at
/// `finish`): the render still succeeds and its summary names the pipe.
#[test]
fn a_pipe_closed_at_finish_is_in_the_summary() {
    struct ClosesAtFinish(u64);
    impl drape::FrameSink for ClosesAtFinish {
        fn write_frame(
            &mut self,
            _frame: &drape::output::RgbaFrame<'_>,
        ) -> Result<(), drape::output::OutputError> {
            self.0 += 1;
            Ok(())
        }
        fn finish(&mut self) -> Result<(), drape::output::OutputError> {
            Err(drape::output::OutputError::Closed("stdout".into()))
        }
        fn description(&self) -> String {
            "a pipe".into()
        }
    }
    let gpu = common::gpu();
    let mut mirror = drape::Mirror::new(&gpu, drape::MirrorConfig { mirror: false });
    let mut source = drape::capture::SyntheticSource::new(32, 24, 30.0, Some(2));
    let mut sink = ClosesAtFinish(0);
    let summary = drape::app::render(
        &mut source,
        &mut mirror,
        &mut sink,
        &drape::app::RenderOptions {
            progress: drape::app::Progress::Never,
            ..Default::default()
        },
        &drape::app::StopFlag::new(),
    )
    .unwrap();
    assert_eq!((summary.frames, sink.0), (2, 2));
    assert_eq!(summary.output_closed.as_deref(), Some("stdout"));
}
