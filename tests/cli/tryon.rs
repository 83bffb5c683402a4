//! Try-on: the default job, `--wear`, garments that replace others, and
//! catalogs (broken, or edited while rendering).

use std::path::{Path, PathBuf};
use std::process::Stdio;

use crate::{assert_clean_failure, ctrl_c, drape, png_files, run, stderr, wait_for_files};

/// `drape render` dresses the person by default; `--wear` picks garments,
/// and an unknown id or a broken catalog is a clear error.
#[test]
fn render_dresses_a_photo_and_names_bad_garments() {
    let dir = tempfile::tempdir().unwrap();
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let photo = root.join("tests/data/reference/media/astronaut.png");
    let out = dir.path().join("dressed.png");
    let output = run(drape()
        .args([
            "render",
            "--quiet",
            "--no-overlay",
            "--wear",
            "jacket-charcoal",
            "--input",
        ])
        .arg(&photo)
        .arg("--output")
        .arg(&out));
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("wearing jacket-charcoal"),
        "{}",
        stderr(&output)
    );
    let before = image::open(&photo).unwrap().into_rgba8();
    let after = image::open(&out).unwrap().into_rgba8();
    assert_eq!(before.dimensions(), after.dimensions());
    let changed = before
        .pixels()
        .zip(after.pixels())
        .filter(|(a, b)| (0..3).any(|c| a[c].abs_diff(b[c]) > 30))
        .count();
    let share = changed as f64 / (before.width() * before.height()) as f64;
    assert!(
        (0.05..0.6).contains(&share),
        "the jacket changed {share:.3} of the photo"
    );

    let output = run(drape()
        .args(["render", "--quiet", "--wear", "tuxedo", "--input"])
        .arg(&photo)
        .arg("--output")
        .arg(dir.path().join("x.png")));
    assert_clean_failure(&output, "no garment \"tuxedo\"");
    assert!(
        stderr(&output).contains("tee-indigo"),
        "lists what there is"
    );

    let broken = dir.path().join("catalog.toml");
    std::fs::write(
        &broken,
        "version = 1\n[[garment]]\nid = \"x\"\nkind = \"cape\"\n",
    )
    .unwrap();
    let output = run(drape()
        .args(["render", "--quiet", "--catalog"])
        .arg(&broken)
        .arg("--input")
        .arg(&photo)
        .arg("--output")
        .arg(dir.path().join("y.png")));
    assert_clean_failure(&output, "catalog.toml:");
}

/// `drape` alone, the README's first command: the bundled reel dressed
/// into out/ as PNGs and an animated preview.
#[test]
fn the_main_job_dresses_the_bundled_reel() {
    let dir = tempfile::tempdir().unwrap();
    let output = run(drape().current_dir(dir.path()));
    assert!(output.status.success(), "{}", stderr(&output));
    let out = dir.path().join("out");
    let frames: Vec<_> = png_files(&out)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "png"))
        .collect();
    assert_eq!(frames.len(), 58, "one PNG per frame of the reel");
    let preview = image::codecs::gif::GifDecoder::new(std::io::BufReader::new(
        std::fs::File::open(out.join("preview.gif")).unwrap(),
    ))
    .unwrap();
    use image::AnimationDecoder;
    assert!(preview.into_frames().count() > 10, "an animated preview");
    // The reel's source is grey in its second shot: blue there is the shirt.
    let last = image::open(frames.last().unwrap()).unwrap().into_rgb8();
    let blue = last
        .pixels()
        .filter(|p| i16::from(p[2]) - i16::from(p[0]) > 20)
        .count();
    let share = blue as f64 / f64::from(last.width() * last.height());
    assert!(
        (0.05..0.5).contains(&share),
        "the shirt covers {share:.3} of the last frame"
    );
}

/// `--wear tee --wear jacket` wears the jacket alone (one garment per
/// body): it says so instead of dropping the tee silently.
#[test]
fn a_garment_that_replaces_another_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let output = run(drape()
        .args(["render", "--input", "synthetic", "--size", "64x48"])
        .args(["--frames", "1"])
        .args(["--wear", "tee-indigo", "--wear", "jacket-charcoal"])
        .args(["--wear", "glasses-round", "--output"])
        .arg(dir.path().join("shot.png")));
    let text = stderr(&output);
    assert!(output.status.success(), "{text}");
    assert!(
        text.contains("warning: --wear jacket-charcoal replaces --wear tee-indigo"),
        "{text}"
    );
    assert!(!text.contains("replaces --wear jacket-charcoal"), "{text}");
    assert!(
        text.contains("wearing jacket-charcoal, glasses-round"),
        "{text}"
    );
}

/// A catalog edited while `render` reads a live source is reloaded, as
/// `run` does.
#[test]
fn render_from_a_live_source_reloads_an_edited_catalog() {
    let dir = tempfile::tempdir().unwrap();
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let garments = dir.path().join("garments");
    copy_folder(&root.join("assets/garments"), &garments);
    let catalog = garments.join("catalog.toml");
    let out = dir.path().join("out");
    let child = drape()
        .args(["render", "--input", "synthetic", "--size", "64x48"])
        .arg("--catalog")
        .arg(&catalog)
        .arg("--output")
        .arg(&out)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_for_files(&out, 2, 120);
    let text = std::fs::read_to_string(&catalog).unwrap();
    std::fs::write(&catalog, text.replace("24.90", "19.90")).unwrap();
    // The catalog is looked at every half second or so.
    std::thread::sleep(std::time::Duration::from_millis(1200));
    let seen = png_files(&out).len();
    wait_for_files(&out, seen + 2, 120);
    let text = ctrl_c(child);
    assert!(text.contains("reloaded"), "{text}");
}

fn copy_folder(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_folder(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}
