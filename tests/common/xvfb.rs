//! A virtual X display for the tests that open a window (`drape run`).

use std::path::Path;
use std::process::{Child, Command, Stdio};

/// A virtual X display, stopped on drop.
pub struct Xvfb {
    process: Child,
    /// The display to give as `DISPLAY` (`:N`).
    pub display: String,
}

impl Xvfb {
    /// Starts one with a `size` screen (`640x480x24`); `None` where Xvfb
    /// is not installed.
    pub fn start(size: &str) -> Option<Xvfb> {
        // `-displayfd` lets Xvfb pick a free display and print its number
        // once it accepts connections: no guessing, no stale sockets.
        // `-noreset`: by default the server resets when its last client
        // leaves, and a client connecting during that reset is refused (a
        // test that starts drape twice on one display saw exactly that).
        let mut process = Command::new("Xvfb")
            .args([
                "-displayfd",
                "1",
                "-noreset",
                "-screen",
                "0",
                size,
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

    /// The whole screen, through ImageMagick's `import`; `None` if the
    /// capture failed.
    pub fn screenshot(&self, path: &Path) -> Option<image::RgbImage> {
        let status = Command::new("import")
            .args(["-display", &self.display, "-window", "root"])
            .arg(path)
            .stderr(Stdio::null())
            .status()
            .expect("ImageMagick's import is installed (apt-get install imagemagick)");
        if !status.success() {
            return None;
        }
        image::open(path).ok().map(|i| i.into_rgb8())
    }
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}
