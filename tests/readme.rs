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
//! A README command line this file does not know how to run fails
//! `every_readme_command_is_known`, naming it: teach it here (a fixture, an
//! output check) or say why it is not run.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use drape::capture::y4m::Y4mHeader;
use drape::capture::{FrameSource, Y4mSource};

/// Frames in `clip.y4m`, `clip.mp4` and `talk.mp4`.
const CLIP_FRAMES: usize = 4;
/// Frames in `frames/*.webp`.
const WEBP_FRAMES: usize = 3;
/// `--frames` given to a line that reads a bundled file.
const BUNDLED_FRAME_LIMIT: usize = 5;
/// The longest any one command may take (the whole reel dressed in a
/// debug build takes about 10 s).
const TIMEOUT: Duration = Duration::from_secs(300);

/// The README's placeholder inputs: name, frames, made with ffmpeg.
const FIXTURES: &[(&str, usize, bool)] = &[
    ("photo.jpg", 1, false),
    ("clip.y4m", CLIP_FRAMES, false),
    ("clip.mp4", CLIP_FRAMES, true),
    ("talk.mp4", CLIP_FRAMES, true),
    ("photos/", 2, false),
    ("frames/*.webp", WEBP_FRAMES, false),
];

/// Inline prose commands that are patterns with placeholders, not
/// commands to type.
const PATTERNS: &[&str] = &[
    "drape render --input PHOTO --wear ID --no-overlay",
    "drape pose --input X --output poses.jsonl",
];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

// ---------------------------------------------------------------------------
// Reading the README

/// One command line of the README.
#[derive(Debug, Clone)]
struct ReadmeLine {
    /// 1-based line in README.md where it starts.
    line: usize,
    /// The command, continuation lines joined.
    text: String,
    /// Quoted inline in prose rather than in a ```sh block.
    prose: bool,
}

impl std::fmt::Display for ReadmeLine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let place = if self.prose { "prose" } else { "sh block" };
        write!(f, "README.md:{} ({place}): `{}`", self.line, self.text)
    }
}

/// Every line of the ```sh blocks (a line ending in `\` joined with the
/// next), and the inline code spans in prose that run drape.
fn command_lines(readme: &str) -> Vec<ReadmeLine> {
    let mut found = Vec::new();
    let mut fence: Option<String> = None;
    let mut pending: Option<(usize, String)> = None;
    let mut paragraph: Vec<(usize, &str)> = Vec::new();
    for (index, raw) in readme.lines().enumerate() {
        let number = index + 1;
        if let Some(info) = raw.trim_start().strip_prefix("```") {
            if fence.take().is_none() {
                fence = Some(info.trim().to_string());
                prose_commands(&paragraph, &mut found);
                paragraph.clear();
            }
            continue;
        }
        match fence.as_deref() {
            Some("sh") => {
                let (start, mut text) = pending.take().unwrap_or((number, String::new()));
                match raw.trim_end().strip_suffix('\\') {
                    Some(head) => {
                        text.push_str(head);
                        text.push(' ');
                        pending = Some((start, text));
                    }
                    None => {
                        text.push_str(raw);
                        let text = text.trim();
                        if !text.is_empty() && !text.starts_with('#') {
                            found.push(ReadmeLine {
                                line: start,
                                text: text.to_string(),
                                prose: false,
                            });
                        }
                    }
                }
            }
            Some(_) => {}
            None if raw.trim().is_empty() => {
                prose_commands(&paragraph, &mut found);
                paragraph.clear();
            }
            None => paragraph.push((number, raw)),
        }
    }
    prose_commands(&paragraph, &mut found);
    found.sort_by_key(|l| l.line);
    found
}

/// The code spans of one paragraph (its lines joined) that run drape.
fn prose_commands(paragraph: &[(usize, &str)], found: &mut Vec<ReadmeLine>) {
    let mut joined = String::new();
    let mut starts = Vec::new();
    for (number, line) in paragraph {
        starts.push((joined.len(), *number));
        joined.push_str(line.trim());
        joined.push(' ');
    }
    let mut offset = 0;
    for (i, part) in joined.split('`').enumerate() {
        let here = offset;
        offset += part.len() + 1;
        if i % 2 == 0 {
            continue;
        }
        let text = part.split_whitespace().collect::<Vec<_>>().join(" ");
        let runs_drape = text == "drape"
            || text.starts_with("drape ")
            || text.starts_with("cargo run")
            || text.contains("| drape ");
        if runs_drape {
            let line = starts
                .iter()
                .take_while(|(start, _)| *start <= here)
                .last()
                .map_or(0, |(_, number)| *number);
            found.push(ReadmeLine {
                line,
                text,
                prose: true,
            });
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Word(String),
    Pipe,
    And,
}

/// Splits a command line as the shell would: quotes, backslashes, `|`,
/// `&&` and a `#` comment. Anything more (redirections, `$`, `;`, an
/// unquoted glob the shell would expand) is an error: this test would not
/// run it as the shell does.
fn tokenize(line: &str) -> Result<Vec<Token>, String> {
    let mut tokens = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = line.chars().peekable();
    let flush = |tokens: &mut Vec<Token>, word: &mut String, in_word: &mut bool| {
        if *in_word {
            tokens.push(Token::Word(std::mem::take(word)));
            *in_word = false;
        }
    };
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => word.push(c),
                        None => return Err("an unclosed '".to_string()),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('$' | '`') => return Err("`$` or a backquote in quotes".to_string()),
                        Some('\\') => word.extend(chars.next()),
                        Some(c) => word.push(c),
                        None => return Err("an unclosed \"".to_string()),
                    }
                }
            }
            '\\' => {
                in_word = true;
                word.extend(chars.next());
            }
            '#' if !in_word => break,
            ' ' | '\t' => flush(&mut tokens, &mut word, &mut in_word),
            '|' if chars.peek() != Some(&'|') => {
                flush(&mut tokens, &mut word, &mut in_word);
                tokens.push(Token::Pipe);
            }
            '&' if chars.next_if_eq(&'&').is_some() => {
                flush(&mut tokens, &mut word, &mut in_word);
                tokens.push(Token::And);
            }
            '*' | '?' | '[' => {
                return Err(format!(
                    "an unquoted `{c}`: the shell would expand it as a glob"
                ))
            }
            '|' | '&' | ';' | '<' | '>' | '$' | '`' | '(' | ')' => {
                return Err(format!("shell syntax `{c}`"))
            }
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    flush(&mut tokens, &mut word, &mut in_word);
    Ok(tokens)
}

// ---------------------------------------------------------------------------
// What a line runs and what it promises

/// How to run one README line that runs drape, and what to check.
#[derive(Debug, Clone)]
struct Plan {
    /// Scripts before `&&` (`scripts/setup-debian.sh`): checked, not run.
    setup: Vec<String>,
    /// `VAR=value` before drape (`~/` expanded, as the shell does).
    env: Vec<(String, String)>,
    /// The ffmpeg feeding drape's stdin.
    producer: Option<Vec<String>>,
    /// drape's arguments, as written plus what keeps the run short.
    args: Vec<String>,
    /// What follows drape in the pipe (`ffplay -`): replaced by a file.
    consumer: Option<Vec<String>>,
    /// What the run must leave.
    check: Check,
    /// Arguments that are files under `assets/` (the run gets the source
    /// tree's `assets/` as a `cargo run` in a checkout does).
    needs_assets: bool,
    /// Reads a clip made with ffmpeg, or pipes through ffmpeg.
    needs_ffmpeg: bool,
}

impl Plan {
    /// The same for two plans that run drape the same way (the setup
    /// script is only checked: `drape` and `scripts/setup-debian.sh &&
    /// cargo run --release` are one run).
    fn key(&self) -> String {
        format!(
            "{:?}",
            (&self.env, &self.producer, &self.args, &self.consumer)
        )
    }
}

#[derive(Debug, Clone)]
enum Check {
    /// `drape` alone: the bundled reel dressed into `out/` with a preview.
    MainJob,
    Render {
        input: String,
        frames: usize,
        output: Output,
        preview: Option<String>,
    },
    Pose {
        frames: usize,
        output: String,
        draw: Option<String>,
    },
    /// `run` on a camera: waits for it, keeps running, ends on Ctrl-C.
    RunCamera,
    /// `run` on a file: keeps running, ends on Ctrl-C; with
    /// `--exit-at-end` shows frames and ends by itself.
    RunFile,
    /// `devices`, `cameras`, `bench …`: exit 0 and print this.
    Prints(&'static str),
}

#[derive(Debug, Clone)]
enum Output {
    Stdout,
    Folder(String),
    Pattern(String),
    Image(String),
    Y4m(String),
}

/// What a README line is.
#[derive(Debug)]
enum Kind {
    Drape(Box<Plan>),
    /// Not a drape command (cargo test, pip, an example): the reason.
    Other(&'static str),
}

/// Where drape is in a line (command, pipeline stage), its `VAR=value`s
/// and its arguments.
type DrapeStage = (usize, usize, Vec<(String, String)>, Vec<String>);

fn classify(line: &ReadmeLine) -> Result<Kind, String> {
    if line.prose && PATTERNS.contains(&line.text.as_str()) {
        return Ok(Kind::Other("a pattern with placeholders, not a command"));
    }
    let mentions_drape = line.text.contains("drape") || line.text.contains("cargo run");
    let tokens = match tokenize(&line.text) {
        Ok(tokens) => tokens,
        Err(e) if mentions_drape => return Err(e),
        Err(_) => return Ok(Kind::Other("not a drape command")),
    };
    // Commands joined by `&&`, each a pipeline of stages.
    let mut commands: Vec<Vec<Vec<String>>> = vec![vec![vec![]]];
    for token in tokens {
        match token {
            Token::Word(word) => commands.last_mut().unwrap().last_mut().unwrap().push(word),
            Token::Pipe => commands.last_mut().unwrap().push(vec![]),
            Token::And => commands.push(vec![vec![]]),
        }
    }
    if commands.iter().flatten().any(Vec::is_empty) {
        return Err("an empty command around `|` or `&&`".to_string());
    }
    let mut found: Option<DrapeStage> = None;
    let mut examples = false;
    for (c, pipeline) in commands.iter().enumerate() {
        for (s, stage) in pipeline.iter().enumerate() {
            let assignments = stage
                .iter()
                .take_while(|w| is_assignment(w))
                .map(|w| {
                    let (name, value) = w.split_once('=').unwrap();
                    (name.to_string(), expand_tilde(value))
                })
                .collect::<Vec<_>>();
            let words = &stage[assignments.len()..];
            let args = match words.first().map(String::as_str) {
                Some("drape") => words[1..].to_vec(),
                Some("cargo") if words.get(1).map(String::as_str) == Some("run") => {
                    if words.iter().any(|w| w == "--example") {
                        examples = true;
                        continue;
                    }
                    let split = words.iter().position(|w| w == "--").unwrap_or(words.len());
                    if let Some(flag) = words[2..split].iter().find(|w| *w != "--release") {
                        return Err(format!("`cargo run` with `{flag}`"));
                    }
                    words.get(split + 1..).unwrap_or_default().to_vec()
                }
                _ => continue,
            };
            if found.is_some() {
                return Err("drape twice in one line".to_string());
            }
            found = Some((c, s, assignments, args));
        }
    }
    let Some((c, s, env, args)) = found else {
        if commands.iter().flatten().flatten().any(|w| w == "drape") {
            return Err("drape run through another program".to_string());
        }
        return Ok(Kind::Other(if examples {
            "an example program, not the drape binary"
        } else {
            "not a drape command"
        }));
    };
    let mut setup = Vec::new();
    for (i, command) in commands.iter().enumerate() {
        if i == c {
            continue;
        }
        match command.as_slice() {
            [stage] if i < c && stage.len() == 1 && stage[0] == "scripts/setup-debian.sh" => {
                setup.push(stage[0].clone());
            }
            _ => return Err(format!("`{}` beside drape", command.concat().join(" "))),
        }
    }
    let pipeline = &commands[c];
    let producer = match &pipeline[..s] {
        [] => None,
        [stage] if stage[0] == "ffmpeg" => Some(stage.clone()),
        _ => return Err("a pipe into drape from something other than ffmpeg".to_string()),
    };
    let consumer = match &pipeline[s + 1..] {
        [] => None,
        [stage] if stage == &["ffplay", "-"] => Some(stage.clone()),
        _ => return Err("a pipe out of drape into something other than `ffplay -`".to_string()),
    };
    let mut args = args;
    let check = plan_check(&mut args, producer.as_ref())?;
    let needs_assets = args.iter().any(|a| a.starts_with("assets/"));
    let needs_ffmpeg = producer.is_some()
        || args.iter().any(|a| {
            FIXTURES
                .iter()
                .any(|(name, _, ffmpeg)| *ffmpeg && a == name)
        });
    Ok(Kind::Drape(Box::new(Plan {
        setup,
        env,
        producer,
        args,
        consumer,
        check,
        needs_assets,
        needs_ffmpeg,
    })))
}

fn is_assignment(word: &str) -> bool {
    word.split_once('=').is_some_and(|(name, _)| {
        !name.is_empty()
            && !name.starts_with(|c: char| c.is_ascii_digit())
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    })
}

fn expand_tilde(value: &str) -> String {
    match (value.strip_prefix("~/"), std::env::var("HOME")) {
        (Some(rest), Ok(home)) => format!("{home}/{rest}"),
        _ => value.to_string(),
    }
}

/// The value of `--name VALUE` or `--name=VALUE`.
fn flag(args: &[String], names: &[&str]) -> Option<String> {
    args.iter().enumerate().find_map(|(i, arg)| {
        names.iter().find_map(|name| {
            if arg == name {
                args.get(i + 1).cloned()
            } else {
                arg.strip_prefix(&format!("{name}=")).map(str::to_string)
            }
        })
    })
}

fn has_flag(args: &[String], name: &str) -> bool {
    args.iter()
        .any(|a| a == name || a.starts_with(&format!("{name}=")))
}

/// Frames an input yields, and whether it is a bundled file (long: give it
/// a frame limit).
fn input_frames(input: &str, producer: Option<&Vec<String>>) -> Result<(usize, bool), String> {
    if input == "-" {
        let Some(producer) = producer else {
            return Err("`--input -` with nothing piped in".to_string());
        };
        let source = flag(producer, &["-i"]).unwrap_or_default();
        return input_frames(&source, None)
            .map_err(|_| format!("ffmpeg reads `{source}`, which this test does not have"));
    }
    let trimmed = input.trim_end_matches('/');
    if let Some((_, frames, _)) = FIXTURES
        .iter()
        .find(|(name, _, _)| name.trim_end_matches('/') == trimmed)
    {
        return Ok((*frames, false));
    }
    if input.starts_with("assets/") && root().join(input).is_file() {
        return Ok((BUNDLED_FRAME_LIMIT, true));
    }
    Err(format!("no fixture for the input `{input}`"))
}

/// What `args` promises; adds what keeps the run short.
fn plan_check(args: &mut Vec<String>, producer: Option<&Vec<String>>) -> Result<Check, String> {
    if let Some(catalog) = flag(args, &["--catalog"]) {
        if catalog != "shop/catalog.toml" && !root().join(&catalog).is_file() {
            return Err(format!("no fixture for the catalog `{catalog}`"));
        }
    }
    let sub = args.first().cloned().unwrap_or_default();
    match sub.as_str() {
        "" => Ok(Check::MainJob),
        "render" | "pose" => {
            let input = flag(args, &["--input", "-i"])
                .ok_or("`render`/`pose` without `--input` reads a camera")?;
            let (mut frames, bundled) = input_frames(&input, producer)?;
            if let Some(limit) = flag(args, &["--frames"]) {
                let limit: usize = limit.parse().map_err(|_| "`--frames` not a number")?;
                frames = frames.min(limit);
            } else if bundled {
                args.extend(["--frames".to_string(), frames.to_string()]);
            }
            if sub == "pose" {
                let output = flag(args, &["--output", "-o"]).unwrap_or("poses.jsonl".into());
                if output == "-" {
                    return Err("`pose --output -` is not checked here yet".to_string());
                }
                let draw = flag(args, &["--draw"]);
                return Ok(Check::Pose {
                    frames,
                    output,
                    draw,
                });
            }
            if has_flag(args, "--output-format") {
                return Err("`--output-format` is not checked here yet".to_string());
            }
            let output = flag(args, &["--output", "-o"]).unwrap_or("out".into());
            let lower = output.to_ascii_lowercase();
            let output = if output == "-" {
                Output::Stdout
            } else if output.contains('%') {
                Output::Pattern(output)
            } else if [".png", ".jpg", ".jpeg"].iter().any(|e| lower.ends_with(e)) {
                Output::Image(output)
            } else if lower.ends_with(".y4m") {
                Output::Y4m(output)
            } else if output.ends_with('/') || Path::new(&output).extension().is_none() {
                Output::Folder(output)
            } else {
                return Err(format!("the output `{output}` is not checked here yet"));
            };
            Ok(Check::Render {
                input,
                frames,
                output,
                preview: flag(args, &["--preview"]),
            })
        }
        "run" => match flag(args, &["--input", "-i"]) {
            None => Ok(Check::RunCamera),
            Some(input) if input.starts_with("camera") => Ok(Check::RunCamera),
            Some(input) => {
                input_frames(&input, None)?;
                Ok(Check::RunFile)
            }
        },
        "devices" => Ok(Check::Prints("backend:")),
        "cameras" => Ok(Check::Prints("")),
        "bench" => {
            // Each bench takes minutes as written; these flags (all from
            // `drape bench <x> --help`) make it a few seconds and leave out
            // the Python yardsticks, which a fresh machine lacks.
            let (short, prints): (&[&[&str]], _) = match args.get(1).map(String::as_str) {
                Some("nn") => (
                    &[
                        &["--runs", "1"],
                        &["--models", "detector"],
                        &["--no-tflite"],
                    ],
                    "pose_detection",
                ),
                Some("pose") => (&[&["--passes", "1"], &["--no-mediapipe"]], "total"),
                Some("frame") => (
                    &[
                        &["--passes", "1"],
                        &["--sizes", "160x120"],
                        &["--no-mediapipe"],
                    ],
                    "160x120",
                ),
                _ => return Err("a bench this test does not know".to_string()),
            };
            for flag_and_value in short {
                if !has_flag(args, flag_and_value[0]) {
                    args.extend(flag_and_value.iter().map(|s| s.to_string()));
                }
            }
            Ok(Check::Prints(prints))
        }
        other => Err(format!("the subcommand `{other}` is not checked here yet")),
    }
}

// ---------------------------------------------------------------------------
// The fixtures

/// The README's placeholder files, made once and copied into each run's
/// folder.
fn make_fixtures(dir: &Path, ffmpeg: bool) {
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

fn copy_folder(from: &Path, to: &Path) {
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

fn ffmpeg_available() -> bool {
    std::env::var_os("DRAPE_NO_FFMPEG").is_none()
        && Command::new("ffmpeg")
            .arg("-version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
}

/// A virtual X display, stopped on drop (as in tests/window.rs).
struct Xvfb {
    process: Child,
    display: String,
}

impl Xvfb {
    /// None where Xvfb is not installed.
    fn start() -> Option<Xvfb> {
        let mut process = Command::new("Xvfb")
            .args([
                "-displayfd",
                "1",
                "-screen",
                "0",
                "1280x720x24",
                "-nolisten",
                "tcp",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .ok()?;
        let mut line = String::new();
        let stdout = process.stdout.take().expect("piped stdout");
        std::io::BufRead::read_line(&mut std::io::BufReader::new(stdout), &mut line)
            .expect("Xvfb reports its display");
        let number: u32 = line.trim().parse().expect("Xvfb printed a display number");
        Some(Xvfb {
            process,
            display: format!(":{number}"),
        })
    }
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

// ---------------------------------------------------------------------------
// Running

/// Shared by every run.
struct Harness {
    fixtures: tempfile::TempDir,
    ffmpeg: bool,
    xvfb: Option<Xvfb>,
    /// XDG_RUNTIME_DIR: a private folder, so lavapipe stays quiet.
    runtime: tempfile::TempDir,
}

enum Outcome {
    Passed(String),
    Skipped(String),
}

/// What a finished command did.
struct Ran {
    status: ExitStatus,
    stdout: Vec<u8>,
    stderr: String,
}

impl Ran {
    fn describe(&self) -> String {
        let tail: Vec<&str> = self.stderr.lines().rev().take(30).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        format!(
            "exit: {}\n  stderr:\n    {}",
            self.status,
            tail.join("\n    ")
        )
    }
}

fn drape_command(harness: &Harness, plan: &Plan, work: &Path) -> Command {
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
fn wait_for(child: &mut Child, timeout: Duration) -> Option<ExitStatus> {
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
fn execute(mut command: Command, stdin: Stdio, logs: &Path, name: &str) -> Result<Ran, String> {
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

fn run_plan(harness: &Harness, plan: &Plan) -> Result<Outcome, String> {
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
    let is_run = matches!(plan.check, Check::RunCamera | Check::RunFile);
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
fn y4m_frames(path: &Path) -> Result<usize, String> {
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
fn fill_pattern(pattern: &str, index: usize) -> String {
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
        Check::RunCamera | Check::RunFile => unreachable!("checked in the window"),
    }
}

fn interrupt(child: &Child) {
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
}

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
fn check_window(
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
        (Check::RunCamera, false) => "waiting for the capture device",
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
    if !status.is_some_and(|s| s.success()) || !text.contains(" shown in ") {
        return Err(format!(
            "Ctrl-C did not end it cleanly (exit {status:?})\n  stderr:\n{text}"
        ));
    }
    if matches!(plan.check, Check::RunCamera) {
        return Ok("ran under Xvfb, waited for the camera, Ctrl-C ended it".to_string());
    }
    let shown = play_to_end(&["--exit-at-end"]).map_err(|e| format!("with --exit-at-end: {e}"))?;
    Ok(format!(
        "ran under Xvfb until Ctrl-C; with --exit-at-end showed {shown} frame(s) and ended"
    ))
}

// ---------------------------------------------------------------------------
// The tests

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
        "README command lines that tests/readme.rs does not know how to run \
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
        "drape bench soak",
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
        matches!(kind, Kind::Drape(plan) if matches!(plan.check, Check::RunCamera | Check::RunFile))
    });
    let xvfb = if needs_display { Xvfb::start() } else { None };
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
