//! `run` lines: a window on a virtual X display (Xvfb), Ctrl-C, and
//! `--exit-at-end`.

use std::fs;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::common::interrupt;
use crate::plan::{has_flag, Check, Plan};
use crate::runs::{drape_command, execute, wait_for, Harness};

/// The first number of the "N frames shown in" line.
fn frames_shown(stderr: &str) -> Option<u64> {
    stderr
        .lines()
        .find(|l| l.contains(" shown in "))
        .and_then(|l| {
            l.trim_start_matches("drape: ")
                .split(' ')
                .next()?
                .parse()
                .ok()
        })
}

/// `run` in a window on the virtual display: it starts, keeps running
/// (waiting for a camera that is not there), and Ctrl-C ends it cleanly.
/// A file is then played again with `--exit-at-end`: frames are shown and
/// the run ends by itself.
pub fn check_window(
    harness: &Harness,
    plan: &Plan,
    work: &Path,
    logs: &Path,
) -> Result<String, String> {
    let xvfb = harness.xvfb.as_ref().unwrap();
    let window_command = |extra: &[&str]| {
        let mut command = drape_command(harness, plan, work);
        command.args(extra).env("DISPLAY", &xvfb.display);
        command
    };
    // A file played to its end with `--exit-at-end`: frames are shown and
    // the window closes by itself.
    let play_to_end = |extra: &[&str]| -> Result<u64, String> {
        let ran = execute(window_command(extra), Stdio::null(), logs, "exit-at-end")?;
        match frames_shown(&ran.stderr) {
            Some(shown) if ran.status.success() && shown > 0 => Ok(shown),
            shown => Err(format!("no frames shown ({shown:?})\n  {}", ran.describe())),
        }
    };
    if matches!(plan.check, Check::RunFile) && has_flag(&plan.args, "--exit-at-end") {
        let shown = play_to_end(&[])?;
        return Ok(format!("ran under Xvfb, showed {shown} frame(s) and ended"));
    }
    let err_path = logs.join("run.err");
    let mut child = window_command(&[])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(fs::File::create(&err_path).unwrap())
        .spawn()
        .map_err(|e| format!("cannot start drape: {e}"))?;
    let stderr = || fs::read_to_string(&err_path).unwrap_or_default();
    let has_camera = fs::read_dir("/dev")
        .map(|d| {
            d.filter_map(Result::ok)
                .any(|e| e.file_name().to_string_lossy().starts_with("video"))
        })
        .unwrap_or(false);
    // What says it is up: the wait for the missing camera (logged once),
    // or the source it shows.
    let ready = match (&plan.check, has_camera) {
        (Check::RunCamera | Check::Kiosk { camera: true }, false) => {
            "waiting for the capture device"
        }
        // The kiosk is up once the clip's first person has stepped in.
        (Check::Kiosk { .. }, _) => "kiosk event: person_entered",
        _ => "drape: showing ",
    };
    let started = Instant::now();
    let up = loop {
        if stderr().contains(ready) {
            break true;
        }
        if child.try_wait().unwrap().is_some() || started.elapsed() > Duration::from_secs(60) {
            break false;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    if up {
        // It keeps running a while (the camera is looked for every second).
        std::thread::sleep(Duration::from_millis(2500));
    }
    let running = child.try_wait().unwrap().is_none();
    if running {
        interrupt(&child);
    }
    let status = wait_for(&mut child, Duration::from_secs(30));
    let text = stderr();
    if !up || !running {
        return Err(format!(
            "never said {ready:?} or exited before Ctrl-C (exit {status:?})\n  stderr:\n{text}"
        ));
    }
    let summary = match plan.check {
        Check::Kiosk { .. } => "drape: kiosk ran",
        _ => " shown in ",
    };
    if !status.is_some_and(|s| s.success()) || !text.contains(summary) {
        return Err(format!(
            "Ctrl-C did not end it cleanly (exit {status:?})\n  stderr:\n{text}"
        ));
    }
    match plan.check {
        Check::RunCamera | Check::Kiosk { camera: true } => {
            return Ok("ran under Xvfb, waited for the camera, Ctrl-C ended it".to_string())
        }
        Check::Kiosk { camera: false } => {
            return Ok("ran under Xvfb full screen, a person entered, Ctrl-C ended it".to_string())
        }
        _ => {}
    }
    let shown = play_to_end(&["--exit-at-end"]).map_err(|e| format!("with --exit-at-end: {e}"))?;
    Ok(format!(
        "ran under Xvfb until Ctrl-C; with --exit-at-end showed {shown} frame(s) and ended"
    ))
}

/// `serve`: the studio starts, the program feed grows in its file, and
/// Ctrl-C ends it cleanly with every frame whole.
pub fn check_serve(
    harness: &Harness,
    plan: &Plan,
    work: &Path,
    logs: &Path,
    output: &str,
) -> Result<String, String> {
    let err_path = logs.join("serve.err");
    let mut child = drape_command(harness, plan, work)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(fs::File::create(&err_path).unwrap())
        .spawn()
        .map_err(|e| format!("cannot start drape: {e}"))?;
    let stderr = || fs::read_to_string(&err_path).unwrap_or_default();
    let program = work.join(output);
    let frames = || crate::runs::y4m_frames(&program).unwrap_or(0);
    let started = Instant::now();
    while frames() < 10 {
        if child.try_wait().unwrap().is_some() || started.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            return Err(format!(
                "no program frames in {output}\n  stderr:\n{}",
                stderr()
            ));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    interrupt(&child);
    let status = wait_for(&mut child, Duration::from_secs(30));
    let text = stderr();
    if !status.is_some_and(|s| s.success()) || !text.contains("drape: program wrote") {
        return Err(format!(
            "Ctrl-C did not end it cleanly (exit {status:?})\n  stderr:\n{text}"
        ));
    }
    Ok(format!(
        "served, wrote {} program frames to {output}, Ctrl-C ended it",
        frames()
    ))
}
