//! The README's placeholder files (`photo.jpg`, the clips, `photos/`,
//! `frames/*.webp`, `shop/`, `kiosk-events.jsonl`), made once for every
//! run.

use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};

use drape::capture::y4m::Y4mHeader;

use crate::root;
use crate::runs::y4m_frames;

/// Frames in `clip.y4m`, `clip.mp4` and `talk.mp4`.
const CLIP_FRAMES: usize = 4;
/// Frames in `frames/*.webp`.
const WEBP_FRAMES: usize = 3;

/// The README's placeholder inputs: name, frames, made with ffmpeg.
pub const FIXTURES: &[(&str, usize, bool)] = &[
    ("photo.jpg", 1, false),
    ("clip.y4m", CLIP_FRAMES, false),
    ("clip.mp4", CLIP_FRAMES, true),
    ("talk.mp4", CLIP_FRAMES, true),
    ("photos/", 2, false),
    ("frames/*.webp", WEBP_FRAMES, false),
];

/// The README's placeholder files, made once and copied into each run's
/// folder.
pub fn make_fixtures(dir: &Path, ffmpeg: bool) {
    let media = root().join("tests/data/reference/media");
    let open = |name: &str| image::open(media.join(name)).unwrap();

    open("astronaut.png")
        .into_rgb8()
        .save(dir.join("photo.jpg"))
        .unwrap();

    // The first frames of the bundled reel.
    let reel = fs::read(root().join("assets/samples/sample_reel.y4m")).unwrap();
    let header_end = reel.iter().position(|&b| b == b'\n').unwrap() + 1;
    let header = Y4mHeader::parse(std::str::from_utf8(&reel[..header_end]).unwrap()).unwrap();
    let mut clip = reel[..header_end].to_vec();
    let mut at = header_end;
    for _ in 0..CLIP_FRAMES {
        let line_end = at + reel[at..].iter().position(|&b| b == b'\n').unwrap() + 1;
        let frame_end = line_end + header.frame_len();
        clip.extend_from_slice(&reel[at..frame_end]);
        at = frame_end;
    }
    fs::write(dir.join("clip.y4m"), clip).unwrap();
    assert_eq!(y4m_frames(&dir.join("clip.y4m")).unwrap(), CLIP_FRAMES);

    if ffmpeg {
        for (name, extra) in [
            ("clip.mp4", &[][..]),
            ("talk.mp4", &["-vf", "scale=1280:720"][..]),
        ] {
            let status = Command::new("ffmpeg")
                .args(["-v", "error", "-y", "-i", "clip.y4m"])
                .args(extra)
                .args(["-pix_fmt", "yuv420p", name])
                .current_dir(dir)
                .status()
                .unwrap();
            assert!(status.success(), "ffmpeg made {name}");
        }
    }

    // Two photos of different sizes: a batch.
    fs::create_dir(dir.join("photos")).unwrap();
    fs::copy(
        media.join("astronaut.png"),
        dir.join("photos/astronaut.png"),
    )
    .unwrap();
    let hopper = open("grace_hopper.png").into_rgb8();
    assert_ne!(hopper.dimensions(), (512, 512));
    hopper.save(dir.join("photos/grace_hopper.jpg")).unwrap();

    // A kiosk's event log: one visit, two tries, a photo.
    fs::write(
        dir.join("kiosk-events.jsonl"),
        [
            r#"{"ts":"2026-12-05T10:00:00.000Z","event":"attract"}"#,
            r#"{"ts":"2026-12-05T10:00:05.000Z","event":"person_entered"}"#,
            r#"{"ts":"2026-12-05T10:00:05.000Z","event":"garment_worn","garment":"tee-indigo"}"#,
            r#"{"ts":"2026-12-05T10:00:12.000Z","event":"garment_worn","garment":"jacket-charcoal"}"#,
            r#"{"ts":"2026-12-05T10:00:20.000Z","event":"snapshot","garments":["jacket-charcoal"]}"#,
            r#"{"ts":"2026-12-05T10:00:40.000Z","event":"person_left","dwell_s":35.0}"#,
            "",
        ]
        .join("\n"),
    )
    .unwrap();

    // Numbered frames of one size: a camera panning across the player.
    fs::create_dir(dir.join("frames")).unwrap();
    let court = open("basketball1.png");
    for i in 0..WEBP_FRAMES {
        court
            .crop_imm(8 * i as u32, 0, 480, 480)
            .save(dir.join(format!("frames/frame_{:03}.webp", i + 1)))
            .unwrap();
    }

    // The sample catalog with its files: its paths are relative to it.
    copy_folder(&root().join("assets/garments"), &dir.join("shop"));
}

pub fn copy_folder(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_folder(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), target).unwrap();
        }
    }
}

pub fn ffmpeg_available() -> bool {
    std::env::var_os("DRAPE_NO_FFMPEG").is_none()
        && Command::new("ffmpeg")
            .arg("-version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
}
