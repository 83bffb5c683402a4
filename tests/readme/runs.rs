//! Running one plan (drape, fed by ffmpeg where the line pipes) and
//! checking what it left.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use drape::capture::{FrameSource, Y4mSource};

use crate::common::xvfb::Xvfb;
use crate::display::check_window;
use crate::fixtures::copy_folder;
use crate::plan::{Check, Output, Plan};
use crate::root;

/// The longest any one command may take (the whole reel dressed in a
/// debug build takes about 10 s).
const TIMEOUT: Duration = Duration::from_secs(300);

/// Shared by every run.
pub struct Harness {
    pub fixtures: tempfile::TempDir,
    pub ffmpeg: bool,
    pub xvfb: Option<Xvfb>,
    /// XDG_RUNTIME_DIR: a private folder, so lavapipe stays quiet.
    pub runtime: tempfile::TempDir,
}

pub enum Outcome {
    Passed(String),
    Skipped(String),
}

/// What a finished command did.
pub struct Ran {
    pub status: ExitStatus,
    pub stdout: Vec<u8>,
    pub stderr: String,
}

impl Ran {
    pub fn describe(&self) -> String {
        let tail: Vec<&str> = self.stderr.lines().rev().take(30).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        format!(
            "exit: {}\n  stderr:\n    {}",
            self.status,
            tail.join("\n    ")
        )
    }
}

pub fn drape_command(harness: &Harness, plan: &Plan, work: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_drape"));
    command
        .args(&plan.args)
        .current_dir(work)
        .env_remove("RUST_LOG")
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .env("XDG_RUNTIME_DIR", harness.runtime.path());
    for (name, value) in &plan.env {
        command.env(name, value);
    }
    command
}

/// Waits for `child`, killing it after `timeout`.
pub fn wait_for(child: &mut Child, timeout: Duration) -> Option<ExitStatus> {
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return Some(status);
        }
        if started.elapsed() > timeout {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Runs `command` with stdout and stderr in files under `logs`.
pub fn execute(mut command: Command, stdin: Stdio, logs: &Path, name: &str) -> Result<Ran, String> {
    let (out, err) = (
        logs.join(format!("{name}.out")),
        logs.join(format!("{name}.err")),
    );
    let mut child = command
        .stdin(stdin)
        .stdout(fs::File::create(&out).unwrap())
        .stderr(fs::File::create(&err).unwrap())
        .spawn()
        .map_err(|e| format!("cannot start {command:?}: {e}"))?;
    let status = wait_for(&mut child, TIMEOUT);
    let ran = Ran {
        status: status.unwrap_or_default(),
        stdout: fs::read(&out).unwrap_or_default(),
        stderr: String::from_utf8_lossy(&fs::read(&err).unwrap_or_default()).into_owned(),
    };
    match status {
        Some(_) => Ok(ran),
        None => Err(format!(
            "still running after {} s\n  {}",
            TIMEOUT.as_secs(),
            ran.describe()
        )),
    }
}

pub fn run_plan(harness: &Harness, plan: &Plan) -> Result<Outcome, String> {
    let mut notes = Vec::new();
    for script in &plan.setup {
        let path = root().join(script);
        let executable = fs::metadata(&path)
            .is_ok_and(|m| std::os::unix::fs::PermissionsExt::mode(&m.permissions()) & 0o111 != 0);
        let parses = Command::new("bash")
            .arg("-n")
            .arg(&path)
            .status()
            .is_ok_and(|s| s.success());
        if !(executable && parses) {
            return Err(format!(
                "{script} is missing, not executable or not valid bash"
            ));
        }
        notes.push(format!("{script} checked, not run (it installs packages)"));
    }
    if plan.needs_ffmpeg && !harness.ffmpeg {
        return Ok(Outcome::Skipped(
            "needs ffmpeg (not installed, or DRAPE_NO_FFMPEG set)".to_string(),
        ));
    }
    let is_run = matches!(
        plan.check,
        Check::RunCamera | Check::RunFile | Check::Kiosk { .. }
    );
    if is_run && harness.xvfb.is_none() {
        return Ok(Outcome::Skipped(
            "needs a display: Xvfb is not installed".to_string(),
        ));
    }

    let work = tempfile::tempdir().unwrap();
    let logs = tempfile::tempdir().unwrap();
    copy_folder(harness.fixtures.path(), work.path());
    if plan.needs_assets {
        std::os::unix::fs::symlink(root().join("assets"), work.path().join("assets")).unwrap();
    }
    if let Check::Serve { output } = &plan.check {
        return crate::display::check_serve(harness, plan, work.path(), logs.path(), output).map(
            |note| {
                notes.push(note);
                Outcome::Passed(notes.join("; "))
            },
        );
    }
    if is_run {
        return check_window(harness, plan, work.path(), logs.path()).map(|note| {
            notes.push(note);
            Outcome::Passed(notes.join("; "))
        });
    }

    let ran = run_pipeline(harness, plan, work.path(), logs.path())?;
    if !ran.status.success() || ran.stderr.contains("panicked") {
        return Err(format!("drape failed\n  {}", ran.describe()));
    }
    check_output(plan, work.path(), &ran).map_err(|e| format!("{e}\n  {}", ran.describe()))?;
    if plan.consumer.is_some() {
        notes.push("`ffplay -` replaced by a file holding the y4m".to_string());
    }
    Ok(Outcome::Passed(notes.join("; ")))
}

/// drape, fed by its ffmpeg if any.
fn run_pipeline(harness: &Harness, plan: &Plan, work: &Path, logs: &Path) -> Result<Ran, String> {
    let drape = drape_command(harness, plan, work);
    let Some(producer) = &plan.producer else {
        return execute(drape, Stdio::null(), logs, "drape");
    };
    let mut ffmpeg = Command::new(&producer[0])
        .args(&producer[1..])
        .current_dir(work)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(fs::File::create(logs.join("ffmpeg.err")).unwrap())
        .spawn()
        .map_err(|e| format!("cannot start ffmpeg: {e}"))?;
    let pipe = Stdio::from(ffmpeg.stdout.take().unwrap());
    let ran = execute(drape, pipe, logs, "drape");
    let status = wait_for(&mut ffmpeg, Duration::from_secs(30));
    let ran = ran?;
    if !status.is_some_and(|s| s.success()) {
        let text = fs::read_to_string(logs.join("ffmpeg.err")).unwrap_or_default();
        let tail: Vec<&str> = text.lines().rev().take(10).collect();
        return Err(format!(
            "ffmpeg failed ({status:?}): {}\n  drape: {}",
            tail.join(" / "),
            ran.describe()
        ));
    }
    Ok(ran)
}

/// Frames in a y4m file.
pub fn y4m_frames(path: &Path) -> Result<usize, String> {
    let mut source = Y4mSource::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    count_frames(&mut source)
}

fn count_frames(source: &mut Y4mSource) -> Result<usize, String> {
    let mut frames = 0;
    while source.next_frame().map_err(|e| e.to_string())?.is_some() {
        frames += 1;
    }
    Ok(frames)
}

fn decode(path: &Path) -> Result<image::DynamicImage, String> {
    image::open(path).map_err(|e| format!("{} does not decode: {e}", path.display()))
}

/// The files of `dir` ending in `.extension`, sorted.
fn files_in(dir: &Path, extension: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .map(|d| d.map(|e| e.unwrap().path()).collect())
        .unwrap_or_default();
    files.retain(|p| p.extension().is_some_and(|e| e == extension));
    files.sort();
    files
}

fn check_images(dir: &Path, frames: usize) -> Result<(), String> {
    let files = files_in(dir, "png");
    if files.len() != frames {
        return Err(format!(
            "{} holds {} PNGs, not {frames}",
            dir.display(),
            files.len()
        ));
    }
    files.iter().try_for_each(|f| decode(f).map(drop))
}

fn check_gif(path: &Path) -> Result<(), String> {
    use image::AnimationDecoder;
    let file = fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let decoder = image::codecs::gif::GifDecoder::new(std::io::BufReader::new(file))
        .map_err(|e| format!("{} is not a GIF: {e}", path.display()))?;
    let frames = decoder.into_frames().count();
    if frames == 0 {
        return Err(format!("{} has no frames", path.display()));
    }
    Ok(())
}

/// `%04d` (or `%d`) filled with `index`.
pub fn fill_pattern(pattern: &str, index: usize) -> String {
    let start = pattern.find('%').unwrap();
    let rest = &pattern[start + 1..];
    let end = rest.find('d').unwrap();
    let width: usize = rest[..end].trim_start_matches('0').parse().unwrap_or(0);
    format!("{}{index:0width$}{}", &pattern[..start], &rest[end + 1..])
}

fn check_output(plan: &Plan, work: &Path, ran: &Ran) -> Result<(), String> {
    match &plan.check {
        Check::MainJob => {
            let reel = y4m_frames(&root().join("assets/samples/sample_reel.y4m"))?;
            check_images(&work.join("out"), reel)?;
            if !work.join("out/frame_000000.png").is_file() {
                return Err("no out/frame_000000.png".to_string());
            }
            check_gif(&work.join("out/preview.gif"))
        }
        Check::Render {
            input,
            frames,
            output,
            preview,
        } => {
            let frames = *frames;
            match output {
                Output::Stdout => {
                    let reader = Box::new(std::io::Cursor::new(ran.stdout.clone()));
                    let mut source = Y4mSource::from_reader(reader, "stdout".into())
                        .map_err(|e| format!("stdout is not y4m: {e}"))?;
                    let written = count_frames(&mut source)?;
                    if written != frames {
                        return Err(format!("stdout holds {written} frames, not {frames}"));
                    }
                }
                Output::Folder(dir) => check_images(&work.join(dir), frames)?,
                Output::Pattern(pattern) => {
                    for i in 0..frames {
                        decode(&work.join(fill_pattern(pattern, i)))?;
                    }
                    let extra = work.join(fill_pattern(pattern, frames));
                    if extra.exists() {
                        return Err(format!("more files than frames: {}", extra.display()));
                    }
                }
                Output::Image(file) => {
                    let dressed = decode(&work.join(file))?;
                    let photo = decode(&work.join(input))?;
                    if (dressed.width(), dressed.height()) != (photo.width(), photo.height()) {
                        return Err(format!("{file} is not the size of {input}"));
                    }
                }
                Output::Y4m(file) => {
                    let written = y4m_frames(&work.join(file))?;
                    if written != frames {
                        return Err(format!("{file} holds {written} frames, not {frames}"));
                    }
                }
            }
            match preview {
                Some(gif) => check_gif(&work.join(gif)),
                None => Ok(()),
            }
        }
        Check::Pose {
            frames,
            output,
            draw,
        } => {
            let text = fs::read_to_string(work.join(output))
                .map_err(|e| format!("cannot read {output}: {e}"))?;
            let lines = text.lines().count();
            if lines != *frames {
                return Err(format!("{output} holds {lines} lines, not {frames}"));
            }
            for line in text.lines() {
                serde_json::from_str::<serde_json::Value>(line)
                    .map_err(|e| format!("{output}: not JSON: {e}"))?;
            }
            match draw {
                Some(dir) => check_images(&work.join(dir), *frames),
                None => Ok(()),
            }
        }
        Check::Prints(text) => {
            let stdout = String::from_utf8_lossy(&ran.stdout);
            if stdout.trim().is_empty() || !stdout.contains(text) {
                return Err(format!("stdout lacks {text:?}: {stdout}"));
            }
            Ok(())
        }
        Check::RunCamera | Check::RunFile | Check::Kiosk { .. } | Check::Serve { .. } => {
            unreachable!("checked while it runs")
        }
    }
}
