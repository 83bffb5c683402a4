//! Inputs: y4m files and pipes, raw frames, videos through ffmpeg, folders
//! of photos, and the flags that describe an input.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use drape::capture::{Frame, PixelFormat};
use drape::upload::cpu;

use crate::common::{max_abs_diff, mirror_rgba, noise_bytes};
use crate::{assert_clean_failure, drape, png_files, render, run, stderr, write_y4m};

fn expected_rgba(planes: &[u8], width: u32, height: u32, mirror: bool) -> Vec<u8> {
    let frame = Frame::new(planes.to_vec(), PixelFormat::I420, width, height).unwrap();
    cpu::convert_to_rgba(&frame, mirror)
}

#[test]
fn y4m_to_pngs_matches_the_frames_and_mirrors() {
    let dir = tempfile::tempdir().unwrap();
    let clip = dir.path().join("clip.y4m");
    let (w, h) = (45, 31);
    let planes = write_y4m(&clip, w, h, 3);
    for mirror in [false, true] {
        let out = dir.path().join(format!("out_{mirror}"));
        let mut command = render(&clip);
        command.arg("--output").arg(&out);
        if mirror {
            command.arg("--mirror");
        }
        let output = run(&mut command);
        assert!(output.status.success(), "{}", stderr(&output));
        assert!(
            stderr(&output).contains("3 frames"),
            "summary: {}",
            stderr(&output)
        );
        let files = png_files(&out);
        assert_eq!(files.len(), 3);
        for (file, planes) in files.iter().zip(&planes) {
            let png = image::open(file).unwrap().into_rgba8();
            let expected = expected_rgba(planes, w, h, mirror);
            assert!(
                max_abs_diff(png.as_raw(), &expected) <= 1,
                "{}",
                file.display()
            );
            if mirror {
                let unmirrored = expected_rgba(planes, w, h, false);
                assert!(max_abs_diff(png.as_raw(), &mirror_rgba(&unmirrored, w)) <= 1);
            }
        }
    }
}

#[test]
fn raw_nv12_stdin_and_a_wrong_size() {
    let dir = tempfile::tempdir().unwrap();
    let (w, h) = (16, 8);
    let frame_len = PixelFormat::Nv12.frame_len(w, h);
    let bytes = noise_bytes(frame_len * 2 + frame_len / 2, 3);
    let out = dir.path().join("raw");
    let mut child = render("-")
        .args(["--input-format", "nv12", "--size", "16x8", "--output"])
        .arg(&out)
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(&bytes).unwrap();
    let output = child.wait_with_output().unwrap();
    // Two whole frames written and complete; the half frame is an error
    // that names the fix.
    assert_clean_failure(&output, "--size");
    let files = png_files(&out);
    assert_eq!(files.len(), 2, "{files:?}");
    let first = image::open(&files[0]).unwrap().into_rgba8();
    let frame = Frame::new(bytes[..frame_len].to_vec(), PixelFormat::Nv12, w, h).unwrap();
    assert!(max_abs_diff(first.as_raw(), &cpu::convert_to_rgba(&frame, false)) <= 1);
}

#[test]
fn truncated_y4m_keeps_the_frames_already_written() {
    let dir = tempfile::tempdir().unwrap();
    let clip = dir.path().join("cut.y4m");
    write_y4m(&clip, 20, 10, 3);
    let full = std::fs::read(&clip).unwrap();
    std::fs::write(&clip, &full[..full.len() - 50]).unwrap();
    let out = dir.path().join("out");
    let output = run(render(&clip).arg("--output").arg(&out));
    assert_clean_failure(&output, "frame 2");
    let files = png_files(&out);
    assert_eq!(files.len(), 2, "{files:?}");
    for file in files {
        assert_eq!(file.extension().unwrap(), "png", "no partial file left");
        image::open(&file).expect("complete PNG");
    }
}

#[test]
fn video_file_through_ffmpeg() {
    if std::env::var_os("DRAPE_NO_FFMPEG").is_some() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let video = dir.path().join("clip.mkv");
    let made = Command::new("ffmpeg")
        .args([
            "-v",
            "error",
            "-f",
            "lavfi",
            "-i",
            "testsrc=size=64x48:rate=10",
        ])
        .args(["-frames:v", "6", "-c:v", "ffv1"])
        .arg(&video)
        .status()
        .expect("ffmpeg is installed (set DRAPE_NO_FFMPEG=1 to skip)");
    assert!(made.success());
    let out = dir.path().join("out");
    let output = run(render(&video).arg("--output").arg(&out));
    assert!(output.status.success(), "{}", stderr(&output));
    let files = png_files(&out);
    assert_eq!(files.len(), 6);
    assert_eq!(image::open(&files[0]).unwrap().width(), 64);
}

/// ffmpeg dying mid-stream (killed, crashed): the render stops with an
/// error naming the video and ffmpeg's last words, and the frames written
/// before it are whole. A stand-in `ffmpeg` on PATH sends two frames and
/// kills itself.
#[test]
fn ffmpeg_dying_mid_stream_is_named_and_frames_stay_whole() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    let fake = bin.join("ffmpeg");
    std::fs::write(
        &fake,
        "#!/bin/sh\n\
         case \"$*\" in *-version*) echo 'ffmpeg version stand-in'; exit 0;; esac\n\
         printf 'YUV4MPEG2 W8 H8 F10:1 Ip A1:1 C420jpeg\\n'\n\
         for i in 1 2; do printf 'FRAME\\n'; head -c 96 /dev/zero; done\n\
         echo 'stand-in ffmpeg: killed mid-stream' >&2\n\
         kill -9 $$\n",
    )
    .unwrap();
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
    let video = dir.path().join("talk.mp4");
    std::fs::write(&video, b"not read: the stand-in ignores it").unwrap();
    let out = dir.path().join("out");
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let output = run(render(&video).env("PATH", path).arg("--output").arg(&out));
    assert_clean_failure(&output, "talk.mp4");
    assert!(
        stderr(&output).contains("killed mid-stream"),
        "ffmpeg's message is passed on: {}",
        stderr(&output)
    );
    let files = png_files(&out);
    assert_eq!(files.len(), 2, "the frames before the death are written");
    for file in files {
        assert_eq!(image::open(&file).unwrap().width(), 8);
    }
}

/// Writes a `width`×`height` PNG of one colour.
fn write_png(path: &Path, width: u32, height: u32, shade: u8) {
    image::RgbImage::from_pixel(width, height, image::Rgb([shade, 90, 160]))
        .save(path)
        .unwrap();
}

/// A folder of unrelated photos of different sizes is a batch: each is
/// dressed at its own size (it used to fail at the second photo), and the
/// output pattern's folder is made. `--sequence` reads them as a video's
/// frames, which must share one size; numbered frames of one size are a
/// video without being told.
#[test]
fn a_folder_of_photos_is_a_batch_unless_it_is_a_sequence() {
    let dir = tempfile::tempdir().unwrap();
    let photos = dir.path().join("photos");
    std::fs::create_dir(&photos).unwrap();
    let sizes = [(64, 48), (40, 56), (72, 40)];
    for (i, (name, (w, h))) in ["beach.png", "kitchen.png", "shop.jpg"]
        .iter()
        .zip(sizes)
        .enumerate()
    {
        write_png(&photos.join(name), w, h, 40 * i as u8);
    }
    let shots = dir.path().join("shots/today");
    let output = run(drape()
        .args(["render", "--input"])
        .arg(&photos)
        .arg("--output")
        .arg(shots.join("%04d.jpg")));
    let text = stderr(&output);
    assert!(output.status.success(), "{text}");
    assert!(text.contains("each a still at its own size"), "{text}");
    for (i, (w, h)) in sizes.iter().enumerate() {
        let shot = image::open(shots.join(format!("{i:04}.jpg"))).unwrap();
        assert_eq!((shot.width(), shot.height()), (*w, *h), "shot {i}");
    }

    let output = run(drape()
        .args(["render", "--no-tryon", "--sequence", "--input"])
        .arg(&photos)
        .arg("--output")
        .arg(dir.path().join("video")));
    assert_clean_failure(&output, "give --batch");

    let frames = dir.path().join("frames");
    std::fs::create_dir(&frames).unwrap();
    for i in 1..=3 {
        write_png(&frames.join(format!("take_{i:03}.png")), 32, 24, 10 * i);
    }
    let output = run(render(&frames)
        .arg("--output")
        .arg(dir.path().join("frames.y4m")));
    let text = stderr(&output);
    assert!(output.status.success(), "{text}");
    assert!(!text.contains("each a still"), "read as a video: {text}");
}

/// Flags an input cannot honour are refused, not ignored; a frame rate
/// must be positive; a raw file that is not a whole number of frames is an
/// error after its whole frames, which stay written.
#[test]
fn input_flags_are_honoured_or_refused() {
    let dir = tempfile::tempdir().unwrap();
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let reel = root.join("assets/samples/sample_reel.y4m");
    let output = run(drape()
        .args(["render", "--no-tryon", "--size", "32x32", "--input"])
        .arg(&reel)
        .arg("--output")
        .arg(dir.path().join("a")));
    assert_clean_failure(&output, "--size 32x32 does not apply to");
    assert!(!dir.path().join("a").exists(), "nothing written");

    // synthetic takes its rate from --fps: the y4m says so.
    let y4m = dir.path().join("s.y4m");
    let output = run(render("synthetic")
        .args([
            "--size", "16x16", "--fps", "12", "--frames", "2", "--output",
        ])
        .arg(&y4m));
    assert!(output.status.success(), "{}", stderr(&output));
    let header = std::fs::read(&y4m).unwrap();
    assert!(
        header.starts_with(b"YUV4MPEG2 W16 H16 F12:1 "),
        "{header:?}"
    );

    for fps in ["-5", "0", "fast"] {
        let output = run(drape().args(["render", "--input", "synthetic", "--fps", fps]));
        assert_eq!(output.status.code(), Some(2), "--fps {fps}");
        assert_clean_failure(&output, "expected a positive frame rate");
    }

    let raw = dir.path().join("frames.rgba");
    std::fs::write(&raw, noise_bytes(16 * 16 * 4 * 4 + 100, 3)).unwrap();
    let out = dir.path().join("raw");
    let output = run(drape()
        .args(["render", "--no-tryon", "--input-format", "rgba"])
        .args(["--size", "16x16", "--input"])
        .arg(&raw)
        .arg("--output")
        .arg(&out));
    assert_clean_failure(&output, "4 whole frames read, then 100 bytes left over");
    assert_eq!(png_files(&out).len(), 4);
}
