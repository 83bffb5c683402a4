//! The garment catalog: the manifest format, every validation rule with
//! its line, hot reload, and the asset cache.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use drape::garment::catalog::{
    AssetCache, AttachAnchor, Catalog, CatalogError, CatalogWatcher, FitOptions, GarmentKind,
    LeftOut, Price, Problem,
};
use glam::{Vec2, Vec3};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/catalog")
}

// ---------------------------------------------------------------- the format

#[test]
fn good_manifest_reads_every_field() {
    let path = fixtures().join("catalog.toml");
    let catalog = Catalog::load(&path).expect("the fixture catalog is valid");
    assert_eq!(catalog.path, path);
    assert_eq!(catalog.default_id, "tee-indigo");
    assert_eq!(
        catalog.default_entry().map(|g| g.id.as_str()),
        Some("tee-indigo")
    );
    let ids: Vec<&str> = catalog.garments.iter().map(|g| g.id.as_str()).collect();
    assert_eq!(ids, ["tee-indigo", "photo-tee", "glasses-round"]);

    let tee = catalog.get("tee-indigo").unwrap();
    assert_eq!(tee.name, "Organic cotton T-shirt");
    assert_eq!(tee.sku, "DRP-TEE-001");
    assert_eq!(
        tee.price,
        Price {
            minor_units: 2490,
            currency: "EUR".into()
        }
    );
    assert_eq!(tee.price.to_string(), "24.90 EUR");
    assert_eq!(tee.buy_url, "https://shop.example/p/tee-indigo");
    assert_eq!(tee.kind, GarmentKind::Mesh);
    assert_eq!(tee.asset, fixtures().join("tshirt.glb"));
    assert_eq!(
        tee.thumbnail,
        Some(fixtures().join("thumbs/tee-indigo.png"))
    );
    assert_eq!(tee.sizes, ["S", "M", "L", "XL"]);
    assert_eq!(
        tee.fit,
        FitOptions {
            ease: 1.04,
            length: 1.0,
            sleeve: 1.0,
        }
    );
    assert_eq!((tee.anchors, tee.attach), (None, None));

    let photo = catalog.get("photo-tee").unwrap();
    assert_eq!(photo.kind, GarmentKind::Photo);
    assert_eq!(photo.price.to_string(), "19.50 EUR"); // a TOML float, read exactly
    assert_eq!(
        photo.fit,
        FitOptions {
            ease: 1.1,
            length: 1.2,
            sleeve: 1.0,
        }
    );
    let anchors = photo.anchors.expect("anchors given");
    assert_eq!(anchors.left_shoulder, Vec2::new(310.0, 60.0));
    assert_eq!(anchors.right_shoulder, Vec2::new(90.0, 60.0));
    assert_eq!(anchors.left_hip, Vec2::new(290.0, 380.0));
    assert_eq!(anchors.right_hip, Vec2::new(110.0, 380.0));
    assert_eq!(anchors.neckline, Some(Vec2::new(200.0, 40.0)));
    assert_eq!(anchors.left_sleeve_end, Some(Vec2::new(370.0, 170.0)));
    assert_eq!(anchors.right_sleeve_end, Some(Vec2::new(30.0, 170.0)));

    let glasses = catalog.get("glasses-round").unwrap();
    assert_eq!(glasses.kind, GarmentKind::Accessory);
    assert_eq!(glasses.price.minor_units, 3500); // a TOML integer
    assert_eq!(glasses.thumbnail, None);
    assert!(glasses.sizes.is_empty());
    let attach = glasses.attach.expect("accessories have attach");
    assert_eq!(attach.anchor, AttachAnchor::Eyes);
    assert_eq!(attach.offset_m, Vec3::new(0.0, 0.01, -0.02));
    assert_eq!(attach.scale, 1.25);
    assert!(catalog.get("nope").is_none());
}

#[test]
fn every_problem_is_reported_with_its_line() {
    let path = fixtures().join("several_errors.toml");
    let error = Catalog::load(&path).unwrap_err();
    let problems = error.problems();
    let lines: Vec<usize> = problems.iter().map(|p| p.line).collect();
    assert_eq!(lines, [3, 5, 9, 10, 11, 13, 13, 16, 18, 19, 26], "{error}");
    let expect = [
        (
            3,
            "default `tee-missing` names no garment; write one of: tee-indigo",
        ),
        (5, "missing `price`"),
        (
            9,
            "unknown field `prise` in garment `tee-indigo`; did you mean `price`?",
        ),
        (10, "write `EUR`"),
        (11, "must start with https://"),
        (13, "must be a .glb or .gltf file"),
        (13, "not found"),
        (16, "already used by the garment on line 6"),
        (18, "sku `DRP-TEE-001` is already used"),
        (19, "more than 2 decimals"),
        (
            26,
            "`ease` = 3 is out of range; write a value from 0.8 to 1.5",
        ),
    ];
    for (problem, (line, text)) in problems.iter().zip(expect) {
        assert_eq!(problem.line, line);
        assert!(
            problem.message.contains(text),
            "line {line}: {}",
            problem.message
        );
        assert_eq!(problem.garment_id.is_some(), line != 3, "{problem:?}");
    }
    // Columns point at the offending value or key.
    assert_eq!((problems[2].column, problems[3].column), (1, 12));
    let shown = error.to_string();
    assert_eq!(shown.lines().count(), problems.len());
    let first = format!("{}:3:11: default `tee-missing`", path.display());
    assert!(shown.starts_with(&first), "{shown}");
}

#[test]
fn syntax_error_has_a_line() {
    let path = fixtures().join("syntax_error.toml");
    let error = Catalog::load(&path).unwrap_err();
    let problems = error.problems();
    assert!(!problems.is_empty());
    assert_eq!(problems[0].line, 6, "{error}");
    assert!(
        problems[0].message.starts_with("TOML syntax error"),
        "{error}"
    );
    assert!(error
        .to_string()
        .starts_with(&format!("{}:6:", path.display())));
}

#[test]
fn missing_manifest_is_an_io_error() {
    let error = Catalog::load(fixtures().join("no_such_catalog.toml")).unwrap_err();
    assert!(matches!(error, CatalogError::Io { .. }), "{error}");
    assert!(error.to_string().contains("no_such_catalog.toml"));
}

// ------------------------------------------------------- one case per rule

const MESH: &str = r#"version = 1

[[garment]]
id = "tee"
name = "Tee"
sku = "SKU-1"
price = "24.90"
currency = "EUR"
buy_url = "https://shop.example/p/tee"
kind = "mesh"
asset = "tshirt.glb"
"#;
const MESH_HEADER_LINE: usize = 3;

const PHOTO: &str = r#"version = 1

[[garment]]
id = "photo"
name = "Photo tee"
sku = "SKU-2"
price = "10"
currency = "EUR"
buy_url = "https://shop.example/p/photo"
kind = "photo"
asset = "photo_tee.png"
"#;

const ACCESSORY: &str = r#"version = 1

[[garment]]
id = "glasses"
name = "Glasses"
sku = "SKU-3"
price = "35"
currency = "EUR"
buy_url = "https://shop.example/p/glasses"
kind = "accessory"
asset = "glasses.glb"

[garment.attach]
anchor = "eyes"
"#;

fn parse(text: &str) -> Result<Catalog, CatalogError> {
    // Parsed as if it lay beside the fixture assets.
    Catalog::parse(text, fixtures().join("inline.toml"))
}

/// The one problem `text` has; fails if it has none or several.
fn only_problem(text: &str) -> Problem {
    match parse(text) {
        Ok(_) => panic!("expected a problem in:\n{text}"),
        Err(error) => {
            let problems = error.problems();
            assert_eq!(problems.len(), 1, "{error}");
            problems[0].clone()
        }
    }
}

/// `text` with line `old` replaced by `new` (which must exist).
fn edit(text: &str, old: &str, new: &str) -> String {
    assert!(text.contains(old), "{old:?} not in the base text");
    text.replacen(old, new, 1)
}

fn line_of(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|line| line.contains(needle))
        .expect("needle present")
        + 1
}

fn assert_problem(text: &str, at_line_of: &str, message_part: &str) {
    let problem = only_problem(text);
    assert_eq!(problem.line, line_of(text, at_line_of), "{problem:?}");
    assert!(
        problem.message.contains(message_part),
        "{}",
        problem.message
    );
}

#[test]
fn base_cases_are_valid() {
    for text in [MESH, PHOTO, ACCESSORY] {
        let catalog = parse(text).unwrap_or_else(|e| panic!("{e}"));
        // Without `default`, the first garment is shown first.
        assert_eq!(catalog.default_entry().unwrap().id, catalog.garments[0].id);
    }
}

#[test]
fn unknown_fields_are_typos() {
    let text = edit(MESH, "name = ", "nmae = ");
    let error = parse(&text).unwrap_err();
    let messages: Vec<&str> = error
        .problems()
        .iter()
        .map(|p| p.message.as_str())
        .collect();
    assert_eq!(messages.len(), 2, "{error}"); // the typo, and so `name` is missing
    assert!(messages
        .iter()
        .any(|m| m.contains("unknown field `nmae`") && m.contains("`name`")));
    assert_problem(
        &format!("{MESH}fabric = \"cotton\"\n"),
        "fabric",
        "allowed here: id, name",
    );
    assert_problem(
        &format!("{MESH}colour = \"#2e3a6e\"\n"),
        "colour",
        "did you mean `color`?",
    );
    assert_problem(&format!("colour = 1\n{MESH}"), "colour", "in the top level");
    let fit = format!("{MESH}[garment.fit]\nease = 1.0\nsizes = [\"M\"]\n");
    assert_problem(
        &fit,
        "sizes",
        "belongs to the garment itself: move it above [garment.fit]",
    );
}

#[test]
fn missing_required_fields() {
    for key in [
        "id", "name", "sku", "price", "currency", "buy_url", "kind", "asset",
    ] {
        let line = MESH
            .lines()
            .find(|line| line.starts_with(&format!("{key} =")))
            .unwrap();
        let text = edit(MESH, &format!("{line}\n"), "");
        let problem = only_problem(&text);
        assert_eq!(problem.line, MESH_HEADER_LINE, "{key}: {problem:?}");
        assert!(
            problem
                .message
                .contains(&format!("missing `{key}`; add `{key} =")),
            "{problem:?}"
        );
    }
}

#[test]
fn wrong_types() {
    assert_problem(
        &edit(MESH, "name = \"Tee\"", "name = 3"),
        "name = 3",
        "must be a string",
    );
    assert_problem(
        &edit(MESH, "price = \"24.90\"", "price = true"),
        "price",
        "a decimal amount",
    );
    assert_problem(
        &format!("{MESH}sizes = \"M\"\n"),
        "sizes",
        "an array of size names",
    );
}

#[test]
fn duplicate_ids_and_skus() {
    let second = MESH.replace("version = 1\n", "").replace("SKU-1", "SKU-9");
    let text = format!("{MESH}{second}");
    let problem = only_problem(&text);
    assert_eq!(problem.line, 14);
    assert!(problem
        .message
        .contains("id `tee` is already used by the garment on line 4"));
    assert_eq!(problem.garment_id.as_deref(), Some("tee"));

    let second = MESH
        .replace("version = 1\n", "")
        .replace("\"tee\"", "\"tee-2\"");
    let problem = only_problem(&format!("{MESH}{second}"));
    assert_eq!(problem.line, 16);
    assert!(problem
        .message
        .contains("sku `SKU-1` is already used by the garment on line 6"));
}

#[test]
fn id_charset() {
    let text = edit(MESH, "id = \"tee\"", "id = \"Tee Blue\"");
    assert_problem(&text, "id =", "write e.g. `tee-blue`");
}

#[test]
fn prices() {
    for (price, minor_units) in [
        ("\"24.9\"", 2490),
        ("24.90", 2490),
        ("25", 2500),
        ("\"0\"", 0),
    ] {
        let text = edit(MESH, "price = \"24.90\"", &format!("price = {price}"));
        assert_eq!(
            parse(&text).unwrap().garments[0].price.minor_units,
            minor_units
        );
    }
    for (price, why) in [
        ("\"24.999\"", "more than 2 decimals"),
        ("\"-3\"", "cannot be negative"),
        ("\"24,90\"", "comma"),
        ("\"24.90 EUR\"", "currency goes in `currency`"),
        ("2.49e1", "exponent"),
    ] {
        let text = edit(MESH, "price = \"24.90\"", &format!("price = {price}"));
        assert_problem(&text, "price =", why);
    }
}

#[test]
fn currencies() {
    assert_problem(&edit(MESH, "\"EUR\"", "\"eur\""), "currency", "write `EUR`");
    assert_problem(&edit(MESH, "\"EUR\"", "\"€\""), "currency", "ISO 4217");
    assert_problem(
        &edit(MESH, "\"EUR\"", "\"EURO\""),
        "currency",
        "three capital letters",
    );
}

/// Each currency's prices are written as it writes them: the yen has no
/// decimals (and a price with some is refused), the Kuwaiti dinar three.
#[test]
fn prices_follow_their_currency_s_decimals() {
    let yen = edit(
        &edit(MESH, "\"EUR\"", "\"JPY\""),
        "price = \"24.90\"",
        "price = 2490",
    );
    let price = &parse(&yen).unwrap().garments[0].price;
    assert_eq!((price.minor_units, price.decimals()), (249000, 0));
    assert_eq!(price.to_string(), "2490 JPY");
    assert_eq!(price.amount(), "2490");
    assert_problem(
        &edit(MESH, "\"EUR\"", "\"JPY\""),
        "price =",
        "JPY prices have none",
    );
    let dinar = edit(MESH, "\"EUR\"", "\"KWD\"");
    assert_eq!(
        parse(&dinar).unwrap().garments[0].price.to_string(),
        "24.900 KWD"
    );
    assert_eq!(
        parse(MESH).unwrap().garments[0].price.to_string(),
        "24.90 EUR"
    );
    assert_eq!(parse(MESH).unwrap().garments[0].price.amount(), "24.90");
}

#[test]
fn buy_urls() {
    let url = "\"https://shop.example/p/tee\"";
    assert_problem(
        &edit(MESH, url, "\"ftp://shop.example\""),
        "buy_url",
        "https://",
    );
    assert_problem(&edit(MESH, url, "\"https://\""), "buy_url", "no valid host");
    assert_problem(
        &edit(MESH, url, "\"https://shop.example/blue tee\""),
        "buy_url",
        "%20",
    );
}

#[test]
fn kinds_and_extensions() {
    assert_problem(
        &edit(MESH, "\"mesh\"", "\"shirt\""),
        "kind",
        "write one of: mesh, photo",
    );
    let text = edit(MESH, "\"tshirt.glb\"", "\"photo_tee.png\"");
    assert_problem(&text, "asset", "write `kind = \"photo\"`");
    let text = edit(PHOTO, "\"photo_tee.png\"", "\"tshirt.glb\"");
    assert_problem(&text, "asset", "must be an RGBA .png");
    let text = edit(ACCESSORY, "\"glasses.glb\"", "\"photo_tee.png\"");
    assert_problem(
        &text,
        "asset",
        "accessory garment's asset must be a .glb or .gltf",
    );
}

#[test]
fn files_must_exist() {
    let text = edit(MESH, "\"tshirt.glb\"", "\"gone.glb\"");
    assert_problem(&text, "asset", "asset file `gone.glb` not found");
    let text = format!("{MESH}thumbnail = \"thumbs/gone.png\"\n");
    assert_problem(
        &text,
        "thumbnail",
        "thumbnail file `thumbs/gone.png` not found",
    );
    let text = format!("{MESH}thumbnail = \"thumbs\"\n");
    let error = parse(&text).unwrap_err();
    assert_eq!(error.problems().len(), 2, "{error}"); // no extension, and a folder
    let text = format!("{MESH}thumbnail = \"tshirt.glb\"\n");
    assert_problem(&text, "thumbnail", "must be a .png, .jpg or .webp");
}

#[test]
fn sizes() {
    assert_problem(
        &format!("{MESH}sizes = [\"M\", \"M\"]\n"),
        "sizes",
        "listed twice",
    );
    assert_problem(
        &format!("{MESH}sizes = [\"M\", \" \"]\n"),
        "sizes",
        "a size is empty",
    );
}

#[test]
fn fit_ranges_and_kinds() {
    let fit = |body: &str| format!("{PHOTO}\n[garment.fit]\n{body}\n");
    assert!(parse(&fit("ease = 0.8\nlength = 2")).is_ok());
    assert_problem(&fit("ease = 0.5"), "ease", "from 0.8 to 1.5");
    assert_problem(&fit("length = 2.5"), "length", "from 0.5 to 2");
    assert_problem(&fit("ease = \"big\""), "ease", "must be a number");
    assert_problem(&fit("ease = nan"), "ease", "must be a finite number");
    let mesh = format!("{MESH}\n[garment.fit]\nlength = 1.2\n");
    assert_problem(&mesh, "length", "only applies to photo garments");
    let accessory = format!("{ACCESSORY}\n[garment.fit]\nease = 1.0\n");
    assert_problem(&accessory, "[garment.fit]", "does not apply to accessories");
}

#[test]
fn product_colours_are_srgb_hex() {
    let catalog = parse(&format!("{MESH}color = \"#2E3a6e\"\n")).unwrap();
    assert_eq!(catalog.get("tee").unwrap().color, Some([0x2e, 0x3a, 0x6e]));
    assert_eq!(parse(MESH).unwrap().get("tee").unwrap().color, None);
    for bad in ["blue", "#2e3a6", "2e3a6e", "#2e3a6g"] {
        assert_problem(
            &format!("{MESH}color = \"{bad}\"\n"),
            "color",
            "color must be `#rrggbb`",
        );
    }
}

#[test]
fn sleeve_stretch_has_a_range() {
    let mesh = |body: &str| format!("{MESH}\n[garment.fit]\n{body}\n");
    let catalog = parse(&mesh("sleeve = 1.5")).unwrap();
    assert_eq!(catalog.get("tee").unwrap().fit.sleeve, 1.5);
    assert_problem(&mesh("sleeve = 3"), "sleeve", "from 0.5 to 2");
}

#[test]
fn cloth_on_mesh_garments_with_ranges() {
    let mesh = |body: &str| format!("{MESH}\n[garment.cloth]\n{body}\n");
    let catalog = parse(&mesh("software = true\nmass = 0.3\nswing = 0")).unwrap();
    let cloth = catalog.get("tee").unwrap().cloth.expect("a cloth table");
    assert!(cloth.software);
    assert_eq!((cloth.mass_kg_per_m2, cloth.swing), (0.3, 0.0));
    assert_eq!(cloth.stiffness, 1.0, "the default");
    assert!(parse(MESH).unwrap().get("tee").unwrap().cloth.is_none());
    assert_problem(&mesh("mass = 2"), "mass", "from 0.05 to 1.5");
    assert_problem(&mesh("stiffness = 0"), "stiffness", "from 0.1 to 10");
    assert_problem(&mesh("damping = -1"), "damping", "from 0 to 20");
    assert_problem(&mesh("software = 1"), "software", "must be true or false");
    assert_problem(
        &mesh("stifness = 2"),
        "stifness",
        "did you mean `stiffness`",
    );
    let photo = format!("{PHOTO}\n[garment.cloth]\nmass = 0.2\n");
    assert_problem(&photo, "[garment.cloth]", "only applies to mesh garments");
}

#[test]
fn anchors_only_on_photos_and_complete() {
    let anchors = "\n[garment.anchors]\nleft_shoulder = [310, 60]\nright_shoulder = [90, 60]\n\
                   left_hip = [290, 380]\nright_hip = [110, 380]\n";
    assert!(parse(&format!("{PHOTO}{anchors}")).is_ok());
    let text = format!("{MESH}{anchors}");
    assert_problem(&text, "[garment.anchors]", "only applies to photo garments");
    let text = format!("{PHOTO}{}", anchors.replace("left_hip = [290, 380]\n", ""));
    assert_problem(&text, "[garment.anchors]", "missing `left_hip`");
    let text = format!("{PHOTO}{}", anchors.replace("[290, 380]", "[290]"));
    assert_problem(&text, "left_hip", "array of 2 numbers");
    let text = format!("{PHOTO}{}", anchors.replace("[290, 380]", "[-290, 380]"));
    assert_problem(&text, "left_hip", "negative pixel position");
}

#[test]
fn attach_required_on_accessories_only() {
    let text = edit(ACCESSORY, "\n[garment.attach]\nanchor = \"eyes\"\n", "");
    let problem = only_problem(&text);
    assert_eq!(problem.line, MESH_HEADER_LINE);
    assert!(
        problem.message.contains("needs a [garment.attach] table"),
        "{problem:?}"
    );
    let text = format!("{MESH}\n[garment.attach]\nanchor = \"eyes\"\n");
    assert_problem(&text, "[garment.attach]", "only applies to accessories");
    assert_problem(
        &edit(ACCESSORY, "\"eyes\"", "\"nose\""),
        "anchor",
        "unknown anchor `nose`",
    );
    let text = format!("{ACCESSORY}scale = 20\n");
    assert_problem(&text, "scale", "from 0.1 to 10");
    let text = format!("{ACCESSORY}offset = [0, 1]\n");
    assert_problem(&text, "offset", "array of 3 numbers");
    let text = edit(ACCESSORY, "anchor = \"eyes\"", "offset = [0, 0, 0]");
    assert_problem(&text, "[garment.attach]", "missing `anchor`");
}

#[test]
fn default_version_and_emptiness() {
    let text = edit(MESH, "version = 1\n", "version = 1\ndefault = \"shirt\"\n");
    assert_problem(
        &text,
        "default",
        "default `shirt` names no garment; write one of: tee",
    );
    assert_problem(
        &edit(MESH, "version = 1", "version = 2"),
        "version",
        "version 2 is not supported",
    );
    assert_problem(
        &edit(MESH, "version = 1", "version = \"1\""),
        "version",
        "must be the integer 1",
    );
    let problem = only_problem(&edit(MESH, "version = 1\n", ""));
    assert_eq!((problem.line, problem.column), (1, 1));
    assert!(problem.message.contains("add `version = 1`"));
    assert_problem("version = 1\n", "version", "no garments");
    assert_problem("version = 1\ngarment = []\n", "garment", "no garments");
    let single = MESH.replace("[[garment]]", "[garment]");
    assert_problem(&single, "[garment]", "double brackets");
}

#[test]
fn duplicate_key_is_a_syntax_problem_with_advice() {
    let text = format!("{MESH}name = \"Again\"\n");
    let problem = only_problem(&text);
    assert_eq!(problem.line, line_of(&text, "Again"));
    assert!(
        problem.message.contains("duplicate key `name`"),
        "{problem:?}"
    );
}

// ------------------------------------------------------------ size charts

/// `[[garment.size_chart]]` rows for M and L, appended to a garment.
const CHART: &str = r#"
[[garment.size_chart]]
size = "M"
shoulder_cm = 45.0
torso_cm = 52.0

[[garment.size_chart]]
size = "L"
shoulder_cm = 47.5
torso_cm = 54
"#;

/// `base` with sizes S, M, L and `chart` appended.
fn with_chart(base: &str, chart: &str) -> String {
    format!("{base}sizes = [\"S\", \"M\", \"L\"]\n{chart}")
}

#[test]
fn size_charts_read_every_row() {
    let catalog = parse(&with_chart(MESH, CHART)).unwrap_or_else(|e| panic!("{e}"));
    let chart = &catalog.get("tee").unwrap().size_chart;
    let rows: Vec<(&str, f32, f32)> = chart
        .iter()
        .map(|row| (row.size.as_str(), row.shoulder_cm, row.torso_cm))
        .collect();
    assert_eq!(rows, [("M", 45.0, 52.0), ("L", 47.5, 54.0)]);
    let photo = parse(&with_chart(PHOTO, CHART)).unwrap();
    assert_eq!(photo.get("photo").unwrap().size_chart.len(), 2);
    assert!(parse(MESH)
        .unwrap()
        .get("tee")
        .unwrap()
        .size_chart
        .is_empty());
    // Inline tables are the same rows.
    let inline = "size_chart = [\n  { size = \"S\", shoulder_cm = 42, torso_cm = 49 },\n  \
                  { size = \"M\", shoulder_cm = 45, torso_cm = 52 },\n]\n";
    let catalog = parse(&with_chart(MESH, inline)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(catalog.get("tee").unwrap().size_chart[0].size, "S");
}

#[test]
fn size_chart_rows_name_the_garment_s_sizes() {
    let text = with_chart(MESH, &CHART.replace("\"L\"", "\"XL\""));
    assert_problem(
        &text,
        "\"XL\"",
        "size \"XL\" is not one of this garment's sizes (S, M, L); write one of them",
    );
    let twice = with_chart(MESH, &CHART.replace("\"L\"", "\"M\""));
    let problem = only_problem(&twice);
    let first_row = line_of(&twice, "[[garment.size_chart]]");
    // At the second `size = "M"`, 6 lines below the first row's header.
    assert_eq!(
        (problem.line, problem.column),
        (first_row + 6, 8),
        "{problem:?}"
    );
    let message =
        format!("size \"M\" already has a row on line {first_row}; give each size one row");
    assert_eq!(problem.message, message);
    let no_sizes = format!("{MESH}{CHART}");
    let problem = only_problem(&no_sizes);
    assert_eq!(problem.line, line_of(&no_sizes, "[[garment.size_chart]]"));
    assert!(
        problem
            .message
            .contains("garment `tee` has a size chart but no `sizes`; add `sizes = [...]`"),
        "{problem:?}"
    );
}

#[test]
fn size_chart_measures_have_ranges_and_types() {
    let text = with_chart(MESH, &CHART.replace("45.0", "90"));
    assert_problem(
        &text,
        "shoulder_cm = 90",
        "`shoulder_cm` = 90 is out of range; write a value from 25 to 70",
    );
    let text = with_chart(MESH, &CHART.replace("torso_cm = 54", "torso_cm = 20"));
    assert_problem(&text, "torso_cm = 20", "from 30 to 80");
    let text = with_chart(MESH, &CHART.replace("45.0", "\"45\""));
    assert_problem(
        &text,
        "shoulder_cm = \"45\"",
        "`shoulder_cm` must be a number",
    );
    let text = with_chart(MESH, &CHART.replace("torso_cm = 52.0\n", ""));
    let problem = only_problem(&text);
    assert_eq!(
        (problem.line, problem.column),
        (line_of(&text, "size_chart"), 1)
    );
    assert!(
        problem
            .message
            .contains("[[garment.size_chart]] is missing `torso_cm`; add `torso_cm = 52.0`"),
        "{problem:?}"
    );
    let text = with_chart(MESH, &CHART.replace("torso_cm = 52.0", "torso_cn = 52.0"));
    let error = parse(&text).unwrap_err();
    let messages: Vec<&str> = error
        .problems()
        .iter()
        .map(|p| p.message.as_str())
        .collect();
    assert_eq!(messages.len(), 2, "{error}"); // the typo, and so `torso_cm` is missing
    assert_eq!(
        messages[1],
        "unknown field `torso_cn` in [[garment.size_chart]]; did you mean `torso_cm`?"
    );
    let text = with_chart(MESH, &format!("{CHART}torso = 52.0\n"));
    assert_problem(
        &text,
        "torso =",
        "allowed here: size, shoulder_cm, torso_cm",
    );
    let text = with_chart(MESH, &format!("{CHART}price = \"20\"\n"));
    assert_problem(&text, "price = \"20\"", "belongs to the garment itself");
}

#[test]
fn size_chart_rows_grow_with_the_sizes() {
    let base = with_chart(MESH, CHART);
    assert_problem(
        &edit(&base, "shoulder_cm = 47.5", "shoulder_cm = 44"),
        "shoulder_cm = 44",
        "`shoulder_cm` = 44 for size \"L\" is less than the 45 of the smaller size \"M\" \
         (line 14); each size fits a body at least as large",
    );
    assert_problem(
        &edit(&base, "torso_cm = 54", "torso_cm = 51.5"),
        "torso_cm = 51.5",
        "`torso_cm` = 51.5 for size \"L\" is less than the 52",
    );
    // One measure may stay the same; both the same cannot be told apart.
    assert!(parse(&edit(&base, "torso_cm = 54", "torso_cm = 52")).is_ok());
    let same = edit(
        &edit(&base, "torso_cm = 54", "torso_cm = 52"),
        "shoulder_cm = 47.5",
        "shoulder_cm = 45",
    );
    let problem = only_problem(&same);
    assert_eq!((problem.line, problem.column), (19, 1)); // the second row's header
    assert!(
        problem
            .message
            .contains("size \"L\" has the same measures as \"M\" (line 14)"),
        "{problem:?}"
    );
    let chart = CHART.replace("\"M\"", "\"X\"").replace("\"L\"", "\"M\"");
    let swapped = with_chart(MESH, &chart.replace("\"X\"", "\"L\""));
    let problem = only_problem(&swapped);
    assert_eq!(problem.line, 19);
    assert!(
        problem
            .message
            .contains("size \"M\" comes before \"L\" in `sizes`"),
        "{problem:?}"
    );
}

#[test]
fn size_charts_need_two_rows_on_garments_with_sizes() {
    let one_row = CHART.split("\n\n[[").next().unwrap();
    assert_problem(
        &with_chart(MESH, one_row),
        "size_chart",
        "a size chart needs at least two rows",
    );
    let single = with_chart(
        MESH,
        &CHART.replacen("[[garment.size_chart]]", "[garment.size_chart]", 1),
    );
    // A table then an array of tables under one name is a TOML error.
    assert_problem(
        &single,
        "[[garment.size_chart]]",
        "duplicate key `size_chart`",
    );
    let only_table = with_chart(
        MESH,
        one_row
            .replace("[[garment.size_chart]]", "[garment.size_chart]")
            .as_str(),
    );
    assert_problem(
        &only_table,
        "[garment.size_chart]",
        "(double brackets), not [garment.size_chart]",
    );
    let accessory = format!("{ACCESSORY}{CHART}");
    let error = parse(&accessory).unwrap_err();
    let messages: Vec<&str> = error
        .problems()
        .iter()
        .map(|p| p.message.as_str())
        .collect();
    assert_eq!(messages.len(), 2, "{error}");
    assert!(
        messages[0].contains("does not apply to accessories"),
        "{error}"
    );
    assert!(messages[1].contains("no `sizes`"), "{error}");
}

#[test]
fn the_sample_catalog_charts_its_tops() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/garments/catalog.toml");
    let catalog = Catalog::load(&path).unwrap_or_else(|e| panic!("{e}"));
    let chart_sizes = |id: &str| -> Vec<String> {
        let garment = catalog.get(id).unwrap();
        garment
            .size_chart
            .iter()
            .map(|row| row.size.clone())
            .collect()
    };
    for id in ["tee-indigo", "photo-tee", "jacket-charcoal"] {
        assert_eq!(chart_sizes(id), catalog.get(id).unwrap().sizes, "{id}");
    }
    let tee = &catalog.get("tee-indigo").unwrap().size_chart;
    let first_last = |chart: &[drape::garment::catalog::SizeRow]| {
        let (first, last) = (&chart[0], &chart[chart.len() - 1]);
        (
            first.shoulder_cm,
            first.torso_cm,
            last.shoulder_cm,
            last.torso_cm,
        )
    };
    assert_eq!(first_last(tee), (38.0, 44.0, 50.0, 56.0));
    assert!(catalog.get("glasses-round").unwrap().size_chart.is_empty());
}

// ------------------------------------------------- leaving a garment out

/// Two garments, the second of which `break_second` may spoil.
fn two_garments(default: &str) -> String {
    let photo = PHOTO.trim_start_matches("version = 1\n");
    format!(
        "version = 1\ndefault = \"{default}\"\n{}{photo}",
        &MESH["version = 1\n".len()..]
    )
}

fn parse_usable(text: &str) -> Result<Catalog, CatalogError> {
    Catalog::parse_usable(text, fixtures().join("inline.toml"))
}

#[test]
fn a_broken_garment_is_left_out_and_the_rest_is_usable() {
    let text = two_garments("photo");
    assert!(parse_usable(&text).unwrap().left_out.is_empty());
    // The tee's asset is missing and its price is bad.
    let broken = edit(&text, "asset = \"tshirt.glb\"", "asset = \"gone.glb\"");
    let broken = edit(&broken, "\"24.90\"", "\"cheap\"");
    assert!(parse(&broken).is_err(), "strict parsing still refuses it");
    let catalog = parse_usable(&broken).expect("usable without the tee");
    let ids: Vec<&str> = catalog.garments.iter().map(|g| g.id.as_str()).collect();
    assert_eq!(ids, ["photo"]);
    let [LeftOut { id, line, problems }] = catalog.left_out.as_slice() else {
        panic!("{:?}", catalog.left_out);
    };
    assert_eq!(id.as_deref(), Some("tee"));
    assert_eq!(*line, line_of(&broken, "[[garment]]"));
    assert_eq!(problems.len(), 2, "{problems:?}");
    let report = catalog.left_out[0].to_string();
    assert!(
        report.contains("`tee`") && report.contains("gone.glb") && report.contains("cheap"),
        "{report}"
    );
}

#[test]
fn a_left_out_default_gives_way_to_the_first_usable_garment() {
    let text = two_garments("tee");
    let broken = edit(&text, "currency = \"EUR\"", "currency = \"euro\"");
    let catalog = parse_usable(&broken).unwrap();
    assert_eq!(catalog.default_id, "photo");
    assert_eq!(catalog.default_entry().unwrap().id, "photo");
}

#[test]
fn problems_of_the_whole_file_still_refuse_it() {
    let text = two_garments("photo");
    // TOML syntax, the version, a default naming nothing, no usable garment.
    let syntax = edit(&text, "name = \"Tee\"", "name = \"Tee");
    let version = edit(&text, "version = 1", "version = 2");
    let default = two_garments("cape");
    let spoilt = edit(&text, "kind = \"mesh\"", "kind = \"cape\"");
    let none_left = edit(&spoilt, "kind = \"photo\"", "kind = \"cape\"");
    for bad in [syntax, version, default, none_left] {
        let error = parse_usable(&bad).expect_err(&bad);
        assert!(!error.problems().is_empty(), "{error}");
    }
}

// -------------------------------------------------------------- hot reload

/// Writes `text` and sets the modification time to `epoch_s`, so the
/// change shows whatever the file system's timestamp resolution.
fn write_stamped(path: &Path, text: &str, epoch_s: u64) {
    std::fs::write(path, text).unwrap();
    let file = std::fs::File::options().write(true).open(path).unwrap();
    file.set_modified(SystemTime::UNIX_EPOCH + Duration::from_secs(epoch_s))
        .unwrap();
}

/// A folder with the mesh test asset and a manifest for it.
fn kiosk_folder() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("tshirt.glb"), "placeholder").unwrap();
    let manifest = dir.path().join("catalog.toml");
    write_stamped(&manifest, MESH, 1_000_000);
    (dir, manifest)
}

#[test]
fn watcher_keeps_the_last_good_catalog() {
    let (_dir, manifest) = kiosk_folder();
    let mut watcher = CatalogWatcher::new(&manifest).unwrap();
    assert_eq!(watcher.current().garments[0].name, "Tee");
    assert!(watcher.poll_now().is_none(), "unchanged");

    // A bad edit: reported once, the old catalog stays.
    write_stamped(&manifest, &edit(MESH, "\"24.90\"", "\"24.999\""), 1_000_010);
    let error = watcher.poll_now().expect("a change").unwrap_err();
    assert_eq!(error.problems()[0].line, 7, "{error}");
    assert!(
        watcher.poll_now().is_none(),
        "the same bad file is reported once"
    );
    assert_eq!(watcher.current().garments[0].name, "Tee");

    // Fixed: the new catalog.
    write_stamped(
        &manifest,
        &edit(MESH, "\"Tee\"", "\"Better tee\""),
        1_000_020,
    );
    let reloaded = watcher.poll_now().expect("a change").expect("valid");
    assert_eq!(reloaded.garments[0].name, "Better tee");
    assert_eq!(watcher.current().garments[0].name, "Better tee");

    // Deleted: an error once, the last good catalog stays; back again: reloads.
    std::fs::remove_file(&manifest).unwrap();
    let error = watcher.poll_now().expect("a change").unwrap_err();
    assert!(
        matches!(&error, CatalogError::Io { source, .. } if source.kind() == std::io::ErrorKind::NotFound)
    );
    assert!(watcher.poll_now().is_none());
    assert_eq!(watcher.current().garments[0].name, "Better tee");
    write_stamped(&manifest, MESH, 1_000_030);
    assert_eq!(watcher.poll_now().unwrap().unwrap().garments[0].name, "Tee");
}

#[test]
fn watcher_leaves_out_a_broken_garment_and_keeps_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("tshirt.glb"), "placeholder").unwrap();
    std::fs::write(dir.path().join("photo_tee.png"), "placeholder").unwrap();
    let manifest = dir.path().join("catalog.toml");
    let text = two_garments("tee");
    write_stamped(&manifest, &text, 1_000_000);
    let mut watcher = CatalogWatcher::new(&manifest).unwrap();
    assert_eq!(watcher.current().garments.len(), 2);

    // One garment's entry breaks: the catalog goes on without it.
    write_stamped(
        &manifest,
        &edit(&text, "price = \"10\"", "price = \"ten\""),
        1_000_010,
    );
    let catalog = watcher.poll_now().expect("a change").expect("usable");
    assert_eq!(catalog.garments.len(), 1);
    assert_eq!(catalog.left_out[0].id.as_deref(), Some("photo"));
    assert!(watcher.poll_now().is_none(), "reported once");

    // A syntax error still keeps the last good catalog.
    write_stamped(&manifest, "version = 1\n[[garment]\n", 1_000_020);
    assert!(watcher.poll_now().expect("a change").is_err());
    assert_eq!(watcher.current().garments.len(), 1);
    assert_eq!(watcher.current().left_out.len(), 1);
}

#[test]
fn watcher_polls_at_most_every_interval() {
    let (_dir, manifest) = kiosk_folder();
    let mut watcher = CatalogWatcher::with_interval(&manifest, Duration::from_secs(1)).unwrap();
    let start = Instant::now();
    write_stamped(&manifest, &edit(MESH, "\"Tee\"", "\"New tee\""), 1_000_010);
    assert!(watcher.poll_at(start).is_none(), "too soon to look");
    let later = start + Duration::from_secs(2);
    assert!(watcher.poll_at(later).unwrap().is_ok());
    assert!(watcher
        .poll_at(later + Duration::from_millis(100))
        .is_none());
}

#[test]
fn watcher_needs_a_good_first_load() {
    let (_dir, manifest) = kiosk_folder();
    write_stamped(&manifest, "version = 1\n", 1_000_010);
    assert!(matches!(
        CatalogWatcher::new(&manifest),
        Err(CatalogError::Invalid { .. })
    ));
    std::fs::remove_file(&manifest).unwrap();
    assert!(matches!(
        CatalogWatcher::new(&manifest),
        Err(CatalogError::Io { .. })
    ));
}

// ------------------------------------------------------------- asset cache

#[test]
fn asset_cache_loads_once_and_again_after_a_change() {
    let dir = tempfile::tempdir().unwrap();
    let asset = dir.path().join("tshirt.glb");
    write_stamped(&asset, "v1", 1_000_000);
    let mut cache = AssetCache::new();
    let mut loads = 0;
    let mut load = |path: &Path| -> std::io::Result<String> {
        loads += 1;
        std::fs::read_to_string(path)
    };
    let first = cache.get_or_load(&asset, &mut load).unwrap();
    let again = cache.get_or_load(&asset, &mut load).unwrap();
    assert!(Arc::ptr_eq(&first, &again));
    assert_eq!(*first, "v1");

    write_stamped(&asset, "v2 (replaced by staff)", 1_000_010);
    let changed = cache.get_or_load(&asset, &mut load).unwrap();
    assert_eq!(*changed, "v2 (replaced by staff)");
    assert_eq!(loads, 2);
}

#[test]
fn asset_cache_does_not_cache_failures() {
    let dir = tempfile::tempdir().unwrap();
    let asset = dir.path().join("broken.glb");
    write_stamped(&asset, "not a glb", 1_000_000);
    let mut cache: AssetCache<String> = AssetCache::new();
    let failed = cache.get_or_load(&asset, |_| Err::<String, _>("bad glTF"));
    assert_eq!(failed.unwrap_err(), "bad glTF");
    assert!(cache.is_empty());
    let loaded = cache.get_or_load(&asset, |_| Ok::<_, &str>("fixed".to_string()));
    assert_eq!(*loaded.unwrap(), "fixed");
    assert_eq!(cache.len(), 1);

    // A missing file is never cached either.
    let missing = dir.path().join("missing.glb");
    let result = cache.get_or_load(&missing, |path| std::fs::read_to_string(path));
    assert!(result.is_err());
    assert_eq!(cache.len(), 1);
}

#[test]
fn asset_cache_evicts_what_the_catalog_dropped() {
    let catalog = Catalog::load(fixtures().join("catalog.toml")).unwrap();
    let mut cache = AssetCache::new();
    let tee = catalog.get("tee-indigo").unwrap();
    let thumbnail = tee.thumbnail.clone().unwrap();
    let dropped = fixtures().join("syntax_error.toml"); // any existing file
    for path in [tee.asset.as_path(), thumbnail.as_path(), dropped.as_path()] {
        cache
            .get_or_load(path, |_| Ok::<_, ()>(path.to_path_buf()))
            .unwrap();
    }
    assert_eq!(cache.evict_missing(&catalog), 1);
    assert!(cache.get(&dropped).is_none());
    assert!(cache.get(&tee.asset).is_some());
    assert!(cache.get(&thumbnail).is_some());
}
