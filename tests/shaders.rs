//! Every WGSL file under shaders/ parses and validates with naga, and every
//! one is embedded by `drape::gpu::shaders` (none forgotten, none stale).

use std::path::{Path, PathBuf};

fn wgsl_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("shaders/ is readable") {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            wgsl_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "wgsl") {
            out.push(path);
        }
    }
}

#[test]
fn every_shader_validates_with_naga() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("shaders");
    let mut files = Vec::new();
    wgsl_files(&root, &mut files);
    assert!(
        !files.is_empty(),
        "no shaders found under {}",
        root.display()
    );
    let mut failures = Vec::new();
    for path in &files {
        let source = std::fs::read_to_string(path).expect("shader is UTF-8");
        let module = match naga::front::wgsl::parse_str(&source) {
            Ok(module) => module,
            Err(e) => {
                failures.push(e.emit_to_string_with_path(&source, &path.display().to_string()));
                continue;
            }
        };
        let mut validator = naga::valid::Validator::new(
            naga::valid::ValidationFlags::all(),
            naga::valid::Capabilities::all(),
        );
        if let Err(e) = validator.validate(&module) {
            failures.push(e.emit_to_string_with_path(&source, &path.display().to_string()));
        }
    }
    assert!(
        failures.is_empty(),
        "invalid shaders:\n{}",
        failures.join("\n")
    );
}

#[test]
fn every_shader_file_is_embedded_and_current() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("shaders");
    let mut files = Vec::new();
    wgsl_files(&root, &mut files);
    for path in &files {
        let relative = path
            .strip_prefix(&root)
            .expect("under shaders/")
            .to_string_lossy()
            .replace('\\', "/");
        let embedded = drape::gpu::shaders::ALL
            .iter()
            .find(|(name, _)| *name == relative)
            .unwrap_or_else(|| panic!("{relative} is not listed in src/gpu/shaders.rs"));
        let on_disk = std::fs::read_to_string(path).expect("shader is UTF-8");
        assert_eq!(embedded.1, on_disk, "{relative} embedded text differs");
    }
    assert_eq!(
        files.len(),
        drape::gpu::shaders::ALL.len(),
        "a listed shader has no file"
    );
}
