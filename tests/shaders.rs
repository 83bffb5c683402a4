//! Every WGSL file under shaders/ parses and validates with naga, composed
//! with the shared files it imports (a shared file of shaders/common/ that
//! imports nothing is validated as it stands), and every one is embedded by `drape::gpu::shaders` (none
//! forgotten, none stale).

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

/// Parses and validates `source`; the module, or naga's report.
fn validate(source: &str, name: &str) -> Result<naga::Module, String> {
    let module = naga::front::wgsl::parse_str(source)
        .map_err(|e| e.emit_to_string_with_path(source, name))?;
    let mut validator = naga::valid::Validator::new(
        naga::valid::ValidationFlags::all(),
        naga::valid::Capabilities::all(),
    );
    validator
        .validate(&module)
        .map_err(|e| e.emit_to_string_with_path(source, name))?;
    Ok(module)
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
        let shared = path.parent().is_some_and(|dir| dir.ends_with("common"));
        // What a pipeline is made from: the file with its imports, so
        // every entry point is checked against the shared code it uses.
        let name = format!("{} (composed)", path.display());
        let module = match drape::gpu::shaders::composed(&source) {
            Ok(composed) => validate(&composed, &name),
            Err(e) => Err(format!("{name}: {e}")),
        };
        match module {
            Err(report) => failures.push(report),
            Ok(module) if shared && !module.entry_points.is_empty() => failures.push(format!(
                "{}: shared code has entry points; kernels belong outside common/",
                path.display()
            )),
            Ok(module) if !shared && module.entry_points.is_empty() => failures.push(format!(
                "{}: no entry point; shared code belongs in shaders/common/",
                path.display()
            )),
            Ok(_) => {}
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
