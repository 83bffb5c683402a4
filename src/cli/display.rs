//! A window needs a display: said plainly before any work, and winit's
//! errors without its source locations.

use drape::output;

/// What a window needs on this system before any work, said plainly:
/// without a display, winit's own error names its source file.
const NO_DISPLAY: &str = "no display: set DISPLAY (X11) or WAYLAND_DISPLAY, run it under \
    `xvfb-run`, or run `drape render` to write the frames to files or a pipe instead";

pub(crate) fn check_display() -> drape::Result<()> {
    #[cfg(all(
        unix,
        not(any(target_os = "macos", target_os = "ios", target_os = "android"))
    ))]
    {
        let set = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty());
        if !set("DISPLAY") && !set("WAYLAND_DISPLAY") && !set("WAYLAND_SOCKET") {
            return Err(output::OutputError::Window(NO_DISPLAY.into()).into());
        }
    }
    Ok(())
}

/// winit's errors read `os error at /home/…/winit-0.30/src/….rs:774: the
/// error`: the file and line are for winit's developers, not for the
/// person at the kiosk. Keeps the error itself.
pub(crate) fn without_source_location(message: &str) -> String {
    const MARK: &str = "os error at ";
    let Some(start) = message.find(MARK) else {
        return message.to_string();
    };
    let rest = &message[start + MARK.len()..];
    // The location ends at the first `:<digits>: `.
    let end = rest.match_indices(':').find_map(|(at, _)| {
        let after = &rest[at + 1..];
        let digits = after.len() - after.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        (digits > 0 && after[digits..].starts_with(": ")).then_some(at + 1 + digits + 2)
    });
    match end {
        Some(end) => format!("{}{}", &message[..start], &rest[end..]),
        None => message.to_string(),
    }
}
