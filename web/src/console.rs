//! drape's log (tracing) in the browser's console: warnings and errors as
//! such, the rest as `console.log`. Without it a GPU error or a garment left
//! out of the catalog would go unseen.

use std::io::Write;

use tracing_subscriber::fmt::MakeWriter;

/// Sends each formatted event to the console at its level.
struct Console {
    level: tracing::Level,
    line: Vec<u8>,
}

impl Write for Console {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.line.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Drop for Console {
    fn drop(&mut self) {
        let text = String::from_utf8_lossy(&self.line);
        let text = wasm_bindgen::JsValue::from_str(text.trim_end());
        match self.level {
            tracing::Level::ERROR => web_sys::console::error_1(&text),
            tracing::Level::WARN => web_sys::console::warn_1(&text),
            _ => web_sys::console::log_1(&text),
        }
    }
}

struct MakeConsole;

impl<'a> MakeWriter<'a> for MakeConsole {
    type Writer = Console;

    fn make_writer(&'a self) -> Console {
        Console {
            level: tracing::Level::INFO,
            line: Vec::new(),
        }
    }

    fn make_writer_for(&'a self, meta: &tracing::Metadata<'_>) -> Console {
        Console {
            level: *meta.level(),
            line: Vec::new(),
        }
    }
}

/// Installs the console log once (info and above).
pub(crate) fn install() {
    // No clock in wasm32-unknown-unknown's std: no timestamps.
    let _ = tracing_subscriber::fmt()
        .without_time()
        .with_ansi(false)
        .with_max_level(tracing::Level::INFO)
        .with_writer(MakeConsole)
        .try_init();
}
