//! What a README line runs and what it promises: each line that runs
//! drape becomes a `Plan` (its environment, pipe, arguments made short)
//! with the `Check` its output must pass.

use std::path::Path;

use crate::commands::{tokenize, ReadmeLine, Token};
use crate::fixtures::FIXTURES;
use crate::root;

/// `--frames` given to a line that reads a bundled file.
const BUNDLED_FRAME_LIMIT: usize = 5;

/// Inline prose commands that are patterns with placeholders, not
/// commands to type.
const PATTERNS: &[&str] = &[
    "drape render --input PHOTO --wear ID --no-overlay",
    "drape pose --input X --output poses.jsonl",
    "drape kiosk stats --events FILE",
];

/// How to run one README line that runs drape, and what to check.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Scripts before `&&` (`scripts/setup-debian.sh`): checked, not run.
    pub setup: Vec<String>,
    /// `VAR=value` before drape (`~/` expanded, as the shell does).
    pub env: Vec<(String, String)>,
    /// The ffmpeg feeding drape's stdin.
    pub producer: Option<Vec<String>>,
    /// drape's arguments, as written plus what keeps the run short.
    pub args: Vec<String>,
    /// What follows drape in the pipe (`ffplay -`): replaced by a file.
    pub consumer: Option<Vec<String>>,
    /// What the run must leave.
    pub check: Check,
    /// Arguments that are files under `assets/` (the run gets the source
    /// tree's `assets/` as a `cargo run` in a checkout does).
    pub needs_assets: bool,
    /// Reads a clip made with ffmpeg, or pipes through ffmpeg.
    pub needs_ffmpeg: bool,
}

impl Plan {
    /// The same for two plans that run drape the same way (the setup
    /// script is only checked: `drape` and `scripts/setup-debian.sh &&
    /// cargo run --release` are one run).
    pub fn key(&self) -> String {
        format!(
            "{:?}",
            (&self.env, &self.producer, &self.args, &self.consumer)
        )
    }
}

#[derive(Debug, Clone)]
pub enum Check {
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
    /// `kiosk`: full screen, keeps running, ends on Ctrl-C; it says this
    /// once it is up (a person entered, or it waits for the camera).
    Kiosk { camera: bool },
    /// `serve`: the program feed written to this file while it runs;
    /// Ctrl-C ends it cleanly.
    Serve { output: String },
    /// `devices`, `cameras`, `bench …`: exit 0 and print this.
    Prints(&'static str),
}

#[derive(Debug, Clone)]
pub enum Output {
    Stdout,
    Folder(String),
    Pattern(String),
    Image(String),
    Y4m(String),
}

/// What a README line is.
#[derive(Debug)]
pub enum Kind {
    Drape(Box<Plan>),
    /// Not a drape command (cargo test, pip, an example): the reason.
    Other(&'static str),
}

/// Where drape is in a line (command, pipeline stage), its `VAR=value`s
/// and its arguments.
type DrapeStage = (usize, usize, Vec<(String, String)>, Vec<String>);

pub fn classify(line: &ReadmeLine) -> Result<Kind, String> {
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

pub fn has_flag(args: &[String], name: &str) -> bool {
    args.iter()
        .any(|a| a == name || a.starts_with(&format!("{name}=")))
}

/// Sets `name`'s value, replacing the one given (`--name V` or
/// `--name=V`) or appending it.
fn set_flag(args: &mut Vec<String>, name: &str, value: &str) {
    if let Some(at) = args.iter().position(|a| a == name) {
        if at + 1 < args.len() {
            args[at + 1] = value.to_string();
            return;
        }
    }
    let joined = format!("{name}=");
    if let Some(arg) = args.iter_mut().find(|a| a.starts_with(&joined)) {
        *arg = format!("{name}={value}");
        return;
    }
    args.extend([name.to_string(), value.to_string()]);
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
        "kiosk" if args.get(1).map(String::as_str) == Some("stats") => {
            Ok(Check::Prints("Sessions"))
        }
        "kiosk" => match flag(args, &["--input"]) {
            Some(input) if !input.starts_with("camera") => {
                input_frames(&input, None)?;
                Ok(Check::Kiosk { camera: false })
            }
            // A config file names the camera (assets/kiosk/kiosk.toml does).
            _ => Ok(Check::Kiosk { camera: true }),
        },
        "serve" => {
            // Any free port: the README's may be taken on this machine.
            set_flag(args, "--listen", "127.0.0.1:0");
            match flag(args, &["--output", "-o"]) {
                Some(output) if output.ends_with(".y4m") => Ok(Check::Serve { output }),
                _ => Err("a `serve` line that does not write a .y4m file".to_string()),
            }
        }
        "devices" => Ok(Check::Prints("backend:")),
        "cameras" => Ok(Check::Prints("")),
        "bench" if args.get(1).map(String::as_str) == Some("soak") => {
            // An hour as written: three seconds here, reporting every
            // second, on small frames (the flags as `bench soak --help`
            // gives them; any value the README gave is replaced).
            for (flag, value) in [
                ("--minutes", "0.05"),
                ("--every", "1"),
                ("--size", "160x120"),
            ] {
                set_flag(args, flag, value);
            }
            Ok(Check::Prints("resident"))
        }
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
                Some("jitter") => (
                    &[
                        &["--frames", "16"],
                        &["--models", "lite"],
                        &["--no-mediapipe"],
                    ],
                    "| drape lite |",
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
