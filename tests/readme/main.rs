//! The README's command lines work as written on a fresh machine.
//!
//! Every command line in README.md's ```sh blocks that runs drape
//! (`drape …`, `cargo run --release [-- …]`, `… | drape …`, with or
//! without `VAR=value` in front), and every drape command quoted inline in
//! its prose, is run with the built binary, in a fresh folder where the
//! README's placeholder files exist for real: `photo.jpg`, `clip.y4m`,
//! `clip.mp4`, `talk.mp4` (1280×720: the raw-NV12 line says
//! `--size 1280x720`), `photos/` (two photos of different sizes),
//! `frames/*.webp` and `shop/catalog.toml` (the sample catalog with its
//! files). Each run must succeed and leave what the README promises.
//!
//! The clips are 4 frames long, so most lines run exactly as written; a
//! line that reads a bundled file (the 58-frame reel) gets `--frames 5`,
//! and `bench` gets the flags that make it short (`--runs`, `--passes`,
//! `--sizes`, `--models`, no TFLite or MediaPipe). `run` lines run under
//! Xvfb: a camera line must wait for its camera ("waiting for the capture
//! device"), keep running and end cleanly on Ctrl-C; a file line must do
//! the same, and with `--exit-at-end` show frames and end by itself.
//! `ffplay -` at the end of a pipe is replaced by a file whose y4m is
//! checked; `scripts/setup-debian.sh` is checked (it exists, is executable
//! and parses) but not run: it installs system packages.
//!
//! Lines that need ffmpeg are skipped (with a note) where it is missing or
//! `DRAPE_NO_FFMPEG` is set; `run` lines where Xvfb is missing.
//!
//! A README command line this test does not know how to run fails
//! `every_readme_command_is_known`, naming it: teach it here (a fixture, an
//! output check) or say why it is not run.
//!
//! The modules beside this one: `commands` reads the README's command
//! lines and splits them as the shell would; `plan` turns a line into what
//! to run and what its output must pass; `fixtures` makes the placeholder
//! files; `runs` runs a plan and checks what it left; `display` runs the
//! `run` lines in a window on Xvfb.

mod commands;
#[path = "../common/mod.rs"]
mod common;
mod display;
mod fixtures;
mod plan;
mod runs;

use std::collections::HashMap;
use std::fs;
use std::path::PathBuf;
use std::time::Instant;

use commands::{command_lines, tokenize, ReadmeLine, Token};
use common::xvfb::Xvfb;
use fixtures::{ffmpeg_available, make_fixtures};
use plan::{classify, Check, Kind};
use runs::{fill_pattern, run_plan, Harness, Outcome};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn readme_lines() -> Vec<ReadmeLine> {
    let readme = fs::read_to_string(root().join("README.md")).unwrap();
    command_lines(&readme)
}

/// Every README line classified, and the lines this test cannot run.
fn classified() -> (Vec<(ReadmeLine, Kind)>, Vec<String>) {
    let mut known = Vec::new();
    let mut unknown = Vec::new();
    for line in readme_lines() {
        match classify(&line) {
            Ok(kind) => known.push((line, kind)),
            Err(why) => unknown.push(format!("{line}: {why}")),
        }
    }
    (known, unknown)
}

fn assert_all_known(unknown: &[String]) {
    assert!(
        unknown.is_empty(),
        "README command lines that tests/readme/ does not know how to run \
         (teach it: a fixture, an output check, or a reason not to run it):\n{}",
        unknown.join("\n")
    );
}

#[test]
fn every_readme_command_is_known() {
    let (known, unknown) = classified();
    assert_all_known(&unknown);
    let drape: Vec<&ReadmeLine> = known
        .iter()
        .filter(|(_, kind)| matches!(kind, Kind::Drape(_)))
        .map(|(line, _)| line)
        .collect();
    // The extraction finds the blocks and the prose, not nothing.
    assert!(drape.len() >= 20, "only {} drape lines found", drape.len());
    assert!(
        drape
            .iter()
            .any(|l| l.prose && l.text.contains("--preview")),
        "the quick start's inline render command was not found"
    );
    // The parser: quotes, continuations, comments, pipes.
    let line = ReadmeLine {
        line: 1,
        text: "ffmpeg -i a.mp4 - | drape render --input 'f/*.webp' --output -  # x".into(),
        prose: false,
    };
    assert_eq!(
        tokenize(&line.text).unwrap(),
        [
            "ffmpeg", "-i", "a.mp4", "-", "|", "drape", "render", "--input", "f/*.webp",
            "--output", "-"
        ]
        .iter()
        .map(|w| match *w {
            "|" => Token::Pipe,
            w => Token::Word(w.to_string()),
        })
        .collect::<Vec<_>>()
    );
    assert!(tokenize("drape render --input frames/*.webp").is_err());
    // A line it cannot run is refused, not skipped.
    for text in [
        "drape frobnicate",
        "drape render --input holiday.png --output out/",
        "drape render --input photo.jpg --output out.rgba",
        "drape bench marathon",
        "drape devices > gpus.txt",
        "cat clip.y4m | drape render --input - --output out/",
        "cargo run --locked -- devices",
        "xvfb-run drape run",
    ] {
        let line = ReadmeLine {
            line: 1,
            text: text.to_string(),
            prose: false,
        };
        assert!(classify(&line).is_err(), "{text} should be unknown");
    }
    assert_eq!(fill_pattern("shots/%04d.jpg", 7), "shots/0007.jpg");
}

#[test]
fn every_readme_command_works() {
    let started = Instant::now();
    let (known, unknown) = classified();
    assert_all_known(&unknown);

    let ffmpeg = ffmpeg_available();
    let fixtures = tempfile::tempdir().unwrap();
    make_fixtures(fixtures.path(), ffmpeg);
    let runtime = tempfile::tempdir().unwrap();
    let needs_display = known.iter().any(|(_, kind)| {
        matches!(kind, Kind::Drape(plan) if matches!(plan.check, Check::RunCamera | Check::RunFile | Check::Kiosk { .. }))
    });
    let xvfb = if needs_display {
        Xvfb::start("1280x720x24")
    } else {
        None
    };
    let harness = Harness {
        fixtures,
        ffmpeg,
        xvfb,
        runtime,
    };

    let mut done: HashMap<String, (usize, bool)> = HashMap::new();
    let mut failures = Vec::new();
    let (mut passed, mut skipped) = (0, 0);
    for (line, kind) in &known {
        let plan = match kind {
            Kind::Drape(plan) => plan,
            Kind::Other(why) => {
                println!("{line}: not run ({why})");
                continue;
            }
        };
        if let Some((first, ok)) = done.get(&plan.key()) {
            println!("{line}: the same run as line {first}");
            if !ok {
                failures.push(format!("{line}: fails as line {first} does"));
            }
            continue;
        }
        let at = Instant::now();
        let outcome = run_plan(&harness, plan);
        let seconds = at.elapsed().as_secs_f64();
        let ok = outcome.is_ok();
        match outcome {
            Ok(Outcome::Passed(note)) => {
                passed += 1;
                println!("{line}: ok in {seconds:.1} s  {:?} {note}", plan.args);
            }
            Ok(Outcome::Skipped(why)) => {
                skipped += 1;
                println!("{line}: SKIPPED: {why}");
            }
            Err(why) => {
                println!("{line}: FAILED");
                failures.push(format!("{line}\n  ran: drape {:?}\n  {why}", plan.args));
            }
        }
        done.insert(plan.key(), (line.line, ok));
    }
    println!(
        "{passed} runs passed, {skipped} skipped, {} failed, in {:.0} s",
        failures.len(),
        started.elapsed().as_secs_f64()
    );
    assert!(
        failures.is_empty(),
        "README command lines that do not work as written:\n\n{}",
        failures.join("\n\n")
    );
}
