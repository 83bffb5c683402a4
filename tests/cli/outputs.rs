//! Outputs: y4m to stdout, output paths checked first, quiet piped runs,
//! Ctrl-C, full disks and readers that exit early.

use std::path::Path;
use std::process::{Command, Output, Stdio};

use drape::capture::{FrameSource, Y4mSource};

use crate::{
    assert_clean_failure, ctrl_c, drape, png_files, render, run, stderr, wait_for_files, write_y4m,
};

#[test]
fn y4m_stdin_to_y4m_stdout() {
    let dir = tempfile::tempdir().unwrap();
    let clip = dir.path().join("clip.y4m");
    write_y4m(&clip, 16, 12, 4);
    let output = run(render("-")
        .args(["--output", "-"])
        .stdin(std::fs::File::open(&clip).unwrap()));
    assert!(output.status.success(), "{}", stderr(&output));
    let mut source =
        Y4mSource::from_reader(Box::new(std::io::Cursor::new(output.stdout)), "out".into())
            .unwrap();
    let mut frames = 0;
    while source.next_frame().unwrap().is_some() {
        frames += 1;
    }
    assert_eq!(frames, 4);
}

#[test]
fn devices_lists_an_adapter_and_piped_runs_stay_quiet() {
    let output = run(drape().arg("devices"));
    assert!(output.status.success(), "{}", stderr(&output));
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        text.contains("backend:") && text.contains("default:"),
        "{text}"
    );

    let dir = tempfile::tempdir().unwrap();
    // Mesa's lavapipe prints a line when XDG_RUNTIME_DIR is unset; give it
    // one (a private 0700 folder) so only drape's own output is counted.
    let runtime = tempfile::tempdir().unwrap();
    let output = run(render("synthetic")
        .args(["--size", "32x24", "--frames", "5", "--output"])
        .arg(dir.path())
        .env("XDG_RUNTIME_DIR", runtime.path()));
    let text = stderr(&output);
    assert!(output.status.success(), "{text}");
    // Piped: only the summary line, no progress bar.
    assert_eq!(text.lines().count(), 1, "{text}");
    assert!(
        text.contains("5 frames") && text.contains("0 dropped"),
        "{text}"
    );
}

#[test]
fn ctrl_c_ends_a_render_with_every_file_complete() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    // The synthetic source never ends: only Ctrl-C stops this run.
    let child = render("synthetic")
        .args(["--size", "96x64", "--output"])
        .arg(&out)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_for_files(&out, 5, 60);
    let text = ctrl_c(child);
    assert!(text.contains("stopped by Ctrl-C"), "{text}");
    let files = png_files(&out);
    let reported: usize = text
        .trim_start_matches("drape: ")
        .split(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("summary starts with the frame count: {text}"));
    assert_eq!(files.len(), reported, "one file per frame reported");
    for file in files {
        assert_eq!(
            file.extension().unwrap(),
            "png",
            "no partial file: {}",
            file.display()
        );
        assert_eq!(image::open(&file).unwrap().width(), 96);
    }
}

/// Output paths are checked before any work: a folder named like a file,
/// a file named like a folder, a folder under a file, a read-only folder.
/// A missing folder for one file is made.
#[test]
fn output_paths_are_checked_first() {
    let dir = tempfile::tempdir().unwrap();
    let synthetic = |output: &Path| {
        run(render("synthetic")
            .args(["--size", "16x12", "--frames", "1", "--output"])
            .arg(output))
    };
    let folder = dir.path().join("clip.y4m");
    std::fs::create_dir(&folder).unwrap();
    assert_clean_failure(&synthetic(&folder), "is a folder, not a file");

    let file = dir.path().join("notes");
    std::fs::write(&file, b"").unwrap();
    let mut slash = file.clone().into_os_string();
    slash.push("/");
    assert_clean_failure(&synthetic(Path::new(&slash)), "is a file, not a folder");
    assert_clean_failure(&synthetic(&file.join("x.png")), "is a file");

    // Checked before the input is opened (or models loaded): the output
    // is what the error names.
    let output = run(drape()
        .args(["render", "--input"])
        .arg(dir.path().join("missing.png"))
        .arg("--output")
        .arg(file.join("shot.png")));
    assert_clean_failure(&output, "notes is a file");

    let locked = dir.path().join("locked");
    std::fs::create_dir(&locked).unwrap();
    let mut permissions = std::fs::metadata(&locked).unwrap().permissions();
    permissions.set_readonly(true);
    std::fs::set_permissions(&locked, permissions).unwrap();
    assert_clean_failure(&synthetic(&locked.join("out/%03d.png")), "read-only");

    let deep = dir.path().join("new/deeper/shot.png");
    let output = synthetic(&deep);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(deep.is_file());
}

/// Renders the synthetic source (`drape render --no-tryon --input
/// synthetic`, then `args`) under a file-size limit (`ulimit -f`, in
/// 512-byte blocks) with SIGXFSZ ignored, so a write past it fails as a
/// full disk does.
fn synthetic_with_file_limit(blocks: u32, args: &[&str]) -> Output {
    run(Command::new("sh")
        .arg("-c")
        .arg(format!(
            "trap '' XFSZ; ulimit -f {blocks}; exec \"$0\" \"$@\""
        ))
        .arg(env!("CARGO_BIN_EXE_drape"))
        .args(["render", "--no-tryon", "--input", "synthetic"])
        .args(args)
        .env_remove("RUST_LOG"))
}

/// A disk that fills while frames are written: a clear error naming the
/// file, and what was written stays whole (a y4m is cut back to its last
/// whole frame; image files are complete or absent). /dev/full too.
#[test]
fn a_full_disk_is_named_and_written_frames_stay_whole() {
    let dir = tempfile::tempdir().unwrap();
    let y4m = dir.path().join("long.y4m");
    let y4m_arg = y4m.to_str().unwrap();
    let output = synthetic_with_file_limit(
        40,
        &["--size", "16x16", "--frames", "1000", "--output", y4m_arg],
    );
    assert_clean_failure(&output, &format!("cannot write {y4m_arg}"));
    let text = stderr(&output);
    assert!(text.contains("whole"), "{text}");
    let mut source = Y4mSource::open(&y4m).unwrap();
    let mut frames = 0;
    while let Some(_frame) = source.next_frame().expect("only whole frames") {
        frames += 1;
    }
    assert!(frames > 10, "{frames} frames kept");
    assert!(
        text.contains(&format!("first {frames} frames")),
        "{frames}: {text}"
    );

    let out = dir.path().join("pngs");
    let output = synthetic_with_file_limit(
        1,
        &[
            "--size",
            "640x480",
            "--frames",
            "5",
            "--output",
            out.to_str().unwrap(),
        ],
    );
    assert_clean_failure(&output, "cannot write");
    for entry in std::fs::read_dir(&out).unwrap() {
        let path = entry.unwrap().path();
        assert_eq!(path.extension().unwrap(), "png", "{}", path.display());
        image::open(&path).expect("a whole image");
    }

    if Path::new("/dev/full").exists() {
        let output = run(render("synthetic")
            .args(["--size", "16x16", "--frames", "50"])
            .args(["--output-format", "y4m", "--output", "/dev/full"]));
        assert_clean_failure(&output, "cannot write /dev/full");
        assert!(
            stderr(&output).contains("disk is full"),
            "{}",
            stderr(&output)
        );
    }
}

/// A command reading drape's output that exits early (an ffmpeg that
/// died, a `head`): the summary names the pipe and says the rest was not
/// written.
#[test]
fn a_reader_that_exits_early_is_named() {
    let output = run(Command::new("sh")
        .arg("-c")
        .arg("\"$0\" render --no-tryon --input synthetic --size 64x48 --frames 2000 --output - | head -c 10000 > /dev/null")
        .arg(env!("CARGO_BIN_EXE_drape")));
    let text = stderr(&output);
    assert!(!text.contains("panicked"), "{text}");
    assert!(
        text.contains("the reader of stdout closed the pipe") && text.contains("not written"),
        "{text}"
    );
}
