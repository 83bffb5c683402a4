//! The garment catalog: which garments the mirror offers, read from a TOML
//! manifest that shop staff edit, checked in full, and reloaded while the
//! kiosk runs ([`CatalogWatcher`]). Loaded assets are kept in an
//! [`AssetCache`].
//!
//! # The manifest (reference for kiosk staff)
//!
//! One TOML file, e.g. `assets/garments/catalog.toml`. File paths in it are
//! relative to the manifest's folder.
//!
//! ```toml
//! # drape garment catalog
//! version = 1                     # required, always 1
//! default = "tee-indigo"          # garment shown first (optional: the first garment)
//!
//! [[garment]]
//! id = "tee-indigo"               # a-z, 0-9 and -, unique
//! name = "Organic cotton T-shirt"
//! sku = "DRP-TEE-001"             # unique
//! price = "24.90"                 # at most 2 decimals (none for JPY, KRW…); 24.9 and 25 also work
//! currency = "EUR"                # ISO 4217: three capital letters
//! buy_url = "https://shop.example/p/tee-indigo"   # http:// or https://
//! kind = "mesh"                   # mesh | photo | accessory
//! asset = "tshirt.glb"            # .glb/.gltf for mesh and accessory, .png for photo
//! thumbnail = "thumbs/tee-indigo.png"   # optional; .png, .jpg or .webp
//! color = "#2e3a6e"               # optional: the product's colour, sRGB hex
//! sizes = ["S", "M", "L", "XL"]   # optional, unique non-empty names
//!
//! [garment.fit]                   # optional, mesh and photo only
//! ease = 1.04                     # scale around the body, 0.8..1.5 (default 1.0)
//! length = 1.0                    # photo only: stretch below the waist (hem lower above 1), 0.5..2 (default 1.0)
//! sleeve = 1.0                    # stretch along the upper arms (longer short sleeves above 1), 0.5..2 (default 1.0)
//!
//! [garment.cloth]                 # optional, mesh only: the garment hangs and swings as cloth
//! software = false                # also on a software GPU (costs CPU there; default false: skinned alone)
//! mass = 0.18                     # fabric weight, kg/m², 0.05..1.5 (default 0.18, jersey)
//! stiffness = 1.0                 # against bending and stretch, relative to jersey, 0.1..10 (default 1)
//! damping = 2.0                   # how fast a swing dies out, per second, 0..20 (default 2)
//! swing = 1.0                     # how far the loose parts swing from the body, 0..3 (default 1)
//!
//! [[garment.size_chart]]          # optional, mesh and photo only: one table per size
//! size = "S"                      # one of the garment's `sizes`
//! shoulder_cm = 42.0              # the body it fits: across the shoulders, 25..70
//! torso_cm = 48.0                 # mid-shoulders to mid-hips, 30..80
//! [[garment.size_chart]]          # at least two rows, in the order of `sizes`
//! size = "M"
//! shoulder_cm = 45.0
//! torso_cm = 52.0
//! # ... a row for each size the kiosk may suggest
//!
//! [[garment]]
//! id = "photo-tee"
//! kind = "photo"
//! asset = "photo_tee.png"         # RGBA PNG, alpha = the garment
//! # ... name, sku, price, currency, buy_url as above (every garment needs them)
//! [garment.anchors]               # photo only, optional: pixel [x, y] in the PNG
//! left_shoulder = [310, 60]       # "left" = the wearer's left
//! right_shoulder = [90, 60]
//! left_hip = [290, 380]
//! right_hip = [110, 380]
//! neckline = [200, 40]            # optional
//! left_sleeve_end = [370, 170]    # optional
//! right_sleeve_end = [30, 170]    # optional
//! # Without [garment.anchors] the anchors are found from the silhouette.
//!
//! [[garment]]
//! id = "glasses-round"
//! kind = "accessory"
//! asset = "glasses.glb"           # rigid glTF, metres, +Y up, facing +Z
//! # ... name, sku, price, currency, buy_url as above
//! [garment.attach]                # accessory only, required
//! anchor = "eyes"                 # eyes | head | left_wrist | right_wrist | left_hand
//!                                 # | right_hand | left_shoulder | right_shoulder
//! offset = [0.0, 0.0, 0.0]        # optional, metres in the anchor's frame
//! scale = 1.0                     # optional, 0.1..10
//! ```
//!
//! A size chart gives the body measurements each size fits, measured as
//! BlazePose measures a body (see [`crate::kiosk::size`]): `shoulder_cm`
//! from one shoulder joint's centre to the other's (not the bony edges, so
//! less than a tailor's shoulder width), `torso_cm` from the point
//! between the shoulder joints to the point between the hip joints. Each
//! row measures at least as much as the row before it in both, and more in
//! one; the kiosk suggests the size nearest the shopper's measures.
//!
//! Misspelt keys are errors, so a typo never silently drops a setting. The
//! asset and thumbnail files must exist. When something is wrong, every
//! problem is listed at once, one per line, as `path:line:column: message`,
//! and each message says what to write instead. While the kiosk runs, a
//! garment with a problem of its own (a missing asset, a bad price) is
//! reported and left out while the other garments stay on offer; an edit
//! that breaks the file as a whole (TOML syntax, the version) or leaves no
//! usable garment is reported and the last good catalog stays on screen.
//!
//! The manifest and its files can also be given in memory, where there is
//! no file system to read (a browser) or the assets are embedded: see
//! [`MemoryFiles`] and [`AssetFiles`]; such a catalog is read once, not
//! watched.

mod bundle;
mod cache;
pub(crate) mod fields;
mod files;
mod rules;
mod size_chart;
mod subtables;
mod validate;
mod watch;

pub use cache::AssetCache;
pub use files::{AssetFiles, MemoryFiles};
// What the manifest's [garment.fit] sets is what the fitter takes.
pub use crate::garment::cloth::ClothOptions;
pub use crate::garment::fit::FitOptions;
pub(crate) use watch::FileStamp;
pub use watch::{CatalogWatcher, DEFAULT_POLL_INTERVAL};

use validate::Strictness;

use std::fmt;
use std::path::{Path, PathBuf};

use glam::{Vec2, Vec3};

/// A checked catalog: every garment valid, ids and SKUs unique, the default
/// one present.
#[derive(Debug, Clone, PartialEq)]
pub struct Catalog {
    /// The manifest it was read from.
    pub path: PathBuf,
    /// Id of the garment shown first.
    pub default_id: String,
    /// In manifest order.
    pub garments: Vec<CatalogEntry>,
    /// Garments of the manifest that are not offered because of their own
    /// problems (`Catalog::load_usable` only; always empty from `load`).
    pub left_out: Vec<LeftOut>,
}

/// A `[[garment]]` left out of a catalog because of its problems, while the
/// rest of the manifest was usable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeftOut {
    /// Its id, when one could be read.
    pub id: Option<String>,
    /// 1-based line of its `[[garment]]` header.
    pub line: usize,
    /// Everything wrong with it, in file order.
    pub problems: Vec<Problem>,
}

impl fmt::Display for LeftOut {
    /// `garment `jacket` (line 30) left out: line 37:9: message; …`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.id {
            Some(id) => write!(f, "garment `{id}` (line {}) left out: ", self.line)?,
            None => write!(f, "the garment on line {} left out: ", self.line)?,
        }
        for (index, problem) in self.problems.iter().enumerate() {
            let separator = if index > 0 { "; " } else { "" };
            write!(
                f,
                "{separator}line {}:{}: {}",
                problem.line, problem.column, problem.message
            )?;
        }
        Ok(())
    }
}

/// One garment on offer.
#[derive(Debug, Clone, PartialEq)]
pub struct CatalogEntry {
    /// Its unique id (a-z, 0-9 and `-`), as `wear` and `default` name it.
    pub id: String,
    /// Shown to shoppers.
    pub name: String,
    /// The shop's stock-keeping unit, unique in the catalog.
    pub sku: String,
    /// What it costs, shown on the product card.
    pub price: Price,
    /// Where the shopper buys it (http or https); the kiosk shows it as a QR code.
    pub buy_url: String,
    /// How it is drawn: mesh, photo or accessory.
    pub kind: GarmentKind,
    /// The garment file, resolved against the manifest's folder.
    pub asset: PathBuf,
    /// Resolved like `asset`.
    pub thumbnail: Option<PathBuf>,
    /// The product's colour (sRGB), for swatches and to check that the
    /// garment renders true to it.
    pub color: Option<[u8; 3]>,
    /// Empty when the manifest lists none.
    pub sizes: Vec<String>,
    /// How it sits on the body (`[garment.fit]`; defaults when absent).
    pub fit: FitOptions,
    /// Photo garments only; `None` means "find them from the silhouette".
    pub anchors: Option<PhotoAnchors>,
    /// Accessories only (always present for them).
    pub attach: Option<Attachment>,
    /// Mesh garments simulated as cloth; `None`: skinned alone.
    pub cloth: Option<ClothOptions>,
    /// The body measures each size fits (`[[garment.size_chart]]`), in the
    /// order of `sizes`, smallest first; empty when the manifest has none
    /// (never a single row).
    pub size_chart: Vec<SizeRow>,
}

/// One row of a garment's size chart: the body a size fits, measured as
/// BlazePose measures it (joint centres, see [`crate::kiosk::size`]).
#[derive(Debug, Clone, PartialEq)]
pub struct SizeRow {
    /// The size's label, one of the garment's `sizes`.
    pub size: String,
    /// From one shoulder joint's centre to the other's, centimetres.
    pub shoulder_cm: f32,
    /// From the point between the shoulder joints to the point between
    /// the hip joints, centimetres.
    pub torso_cm: f32,
}

/// A price in hundredths of the currency unit whatever the currency (2490
/// for 24.90 EUR, 249000 for 2490 JPY), written as the currency writes
/// its prices.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Price {
    /// The amount in hundredths of the currency unit (2490 for 24.90);
    /// never negative from a manifest, and whole units for a currency
    /// without decimals.
    pub minor_units: i64,
    /// ISO 4217 code, e.g. `EUR`.
    pub currency: String,
}

impl Price {
    /// How many decimals this currency's prices are written with (ISO
    /// 4217's minor unit): 0 for the yen or the won, 3 for the Kuwaiti or
    /// Bahraini dinar, 2 for the rest.
    pub fn decimals(&self) -> u32 {
        currency_decimals(&self.currency)
    }

    /// The amount as the currency writes it, without the currency:
    /// `24.90`, `2490`, `24.900`.
    pub fn amount(&self) -> String {
        let written = self.to_string();
        match written.rsplit_once(' ') {
            Some((amount, _)) => amount.to_string(),
            None => written,
        }
    }
}

/// ISO 4217's minor unit of `code`: 0, 2 or 3 decimals (2 when unknown).
pub(crate) fn currency_decimals(code: &str) -> u32 {
    match code {
        "BIF" | "CLP" | "DJF" | "GNF" | "ISK" | "JPY" | "KMF" | "KRW" | "PYG" | "RWF" | "UGX"
        | "UYI" | "VND" | "VUV" | "XAF" | "XOF" | "XPF" => 0,
        "BHD" | "IQD" | "JOD" | "KWD" | "LYD" | "OMR" | "TND" => 3,
        _ => 2,
    }
}

impl fmt::Display for Price {
    /// `24.90 EUR`, `2490 JPY`, `24.900 KWD`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.minor_units < 0 { "-" } else { "" };
        let abs = self.minor_units.unsigned_abs();
        let (whole, cents) = (abs / 100, abs % 100);
        match self.decimals() {
            // A manifest cannot give such a currency cents; one built by
            // hand that does still shows them rather than lose them.
            0 if cents == 0 => write!(f, "{sign}{whole} {}", self.currency),
            3 => write!(f, "{sign}{whole}.{cents:02}0 {}", self.currency),
            _ => write!(f, "{sign}{whole}.{cents:02} {}", self.currency),
        }
    }
}

/// How a garment is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GarmentKind {
    /// A skinned glTF posed by the rig.
    Mesh,
    /// An RGBA PNG warped onto the torso.
    Photo,
    /// A rigid glTF attached to one body point.
    Accessory,
}

impl GarmentKind {
    /// Every kind, in the manifest reference's order.
    pub const ALL: [GarmentKind; 3] = [Self::Mesh, Self::Photo, Self::Accessory];

    /// The manifest's spelling.
    pub fn name(self) -> &'static str {
        match self {
            Self::Mesh => "mesh",
            Self::Photo => "photo",
            Self::Accessory => "accessory",
        }
    }

    /// The kind the manifest spells `name` (`mesh`, `photo`,
    /// `accessory`); `None` for any other word.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.name() == name)
    }
}

impl fmt::Display for GarmentKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Body points in a photo garment's PNG, in image pixels (x right, y down).
/// Left and right are the wearer's.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PhotoAnchors {
    /// The left shoulder: where the shoulder line turns down into the
    /// sleeve.
    pub left_shoulder: Vec2,
    /// The right shoulder, like `left_shoulder`.
    pub right_shoulder: Vec2,
    /// The left hip, at the hem's end on that side.
    pub left_hip: Vec2,
    /// The right hip, like `left_hip`.
    pub right_hip: Vec2,
    /// The centre of the neck opening, level with the neck's sides;
    /// `None`: found from the silhouette.
    pub neckline: Option<Vec2>,
    /// The centre of the left sleeve's cuff; `None`: found from the
    /// silhouette (none for a sleeveless garment).
    pub left_sleeve_end: Option<Vec2>,
    /// The centre of the right sleeve's cuff, like `left_sleeve_end`.
    pub right_sleeve_end: Option<Vec2>,
}

impl PhotoAnchors {
    /// Every anchor with its manifest name (`None`: not given).
    pub fn named(&self) -> [(&'static str, Option<Vec2>); 7] {
        [
            ("left_shoulder", Some(self.left_shoulder)),
            ("right_shoulder", Some(self.right_shoulder)),
            ("left_hip", Some(self.left_hip)),
            ("right_hip", Some(self.right_hip)),
            ("neckline", self.neckline),
            ("left_sleeve_end", self.left_sleeve_end),
            ("right_sleeve_end", self.right_sleeve_end),
        ]
    }
}

/// Where an accessory sits on the body.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Attachment {
    /// The body point it follows.
    pub anchor: AttachAnchor,
    /// Offset in the anchor's frame, metres.
    pub offset_m: Vec3,
    /// Unitless, 0.1..=10.
    pub scale: f32,
}

/// The body points an accessory can follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AttachAnchor {
    /// Between the pupils, turned with the head (glasses).
    Eyes,
    /// The centre of the head at ear height, turned with it (hats).
    Head,
    /// The wearer's left wrist, along the forearm (watches).
    LeftWrist,
    /// The wearer's right wrist, along the forearm (watches).
    RightWrist,
    /// The grip of the wearer's left hand, 8 cm past the wrist (bags).
    LeftHand,
    /// The grip of the wearer's right hand, 8 cm past the wrist (bags).
    RightHand,
    /// The wearer's left shoulder, turned with the chest (shoulder bags).
    LeftShoulder,
    /// The wearer's right shoulder, turned with the chest (shoulder bags).
    RightShoulder,
}

impl AttachAnchor {
    /// Every anchor, in the manifest reference's order.
    pub const ALL: [AttachAnchor; 8] = [
        Self::Eyes,
        Self::Head,
        Self::LeftWrist,
        Self::RightWrist,
        Self::LeftHand,
        Self::RightHand,
        Self::LeftShoulder,
        Self::RightShoulder,
    ];

    /// The manifest's spelling.
    pub fn name(self) -> &'static str {
        match self {
            Self::Eyes => "eyes",
            Self::Head => "head",
            Self::LeftWrist => "left_wrist",
            Self::RightWrist => "right_wrist",
            Self::LeftHand => "left_hand",
            Self::RightHand => "right_hand",
            Self::LeftShoulder => "left_shoulder",
            Self::RightShoulder => "right_shoulder",
        }
    }

    /// The anchor the manifest spells `name` (`eyes`, `left_wrist`…);
    /// `None` for any other word.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|anchor| anchor.name() == name)
    }
}

/// Why a catalog could not be loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CatalogError {
    /// The manifest could not be read (missing, deleted, no permission).
    #[error("cannot read the garment catalog {}: {source}", path.display())]
    Io {
        /// The manifest file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A file the catalog names could not be read after the catalog was
    /// checked (`MemoryFiles::from_catalog_dir`).
    #[error("cannot read {}, a file of the garment catalog: {source}", path.display())]
    FileIo {
        /// The file, as resolved against the manifest's folder.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The manifest was read but is wrong; every problem found is listed.
    #[error("{}", ProblemList { path, problems })]
    Invalid {
        /// The manifest file.
        path: PathBuf,
        /// Sorted by position in the file.
        problems: Vec<Problem>,
    },
}

impl CatalogError {
    /// The problems of an `Invalid` error; empty for `Io`.
    pub fn problems(&self) -> &[Problem] {
        match self {
            Self::Invalid { problems, .. } => problems,
            Self::Io { .. } | Self::FileIo { .. } => &[],
        }
    }
}

/// One thing wrong in a manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// 1-based.
    pub line: usize,
    /// 1-based, in characters.
    pub column: usize,
    /// The garment it is in, when it is in one and its id could be read.
    pub garment_id: Option<String>,
    /// What is wrong and what to write instead.
    pub message: String,
}

/// `path:line:col: message`, one per line: the form of every problem a
/// hand-edited file (the catalog, kiosk.toml) is reported with.
pub(crate) struct ProblemList<'a, P> {
    pub(crate) path: &'a Path,
    pub(crate) problems: &'a [P],
}

/// A problem at a place in a file.
pub(crate) trait PlacedProblem {
    /// Line and column (1-based) and the message.
    fn place(&self) -> (usize, usize, &str);
}

impl PlacedProblem for Problem {
    fn place(&self) -> (usize, usize, &str) {
        (self.line, self.column, &self.message)
    }
}

impl<P: PlacedProblem> fmt::Display for ProblemList<'_, P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, problem) in self.problems.iter().enumerate() {
            if index > 0 {
                writeln!(f)?;
            }
            let (line, column, message) = problem.place();
            write!(f, "{}:{line}:{column}: {message}", self.path.display())?;
        }
        Ok(())
    }
}

impl Catalog {
    /// Reads and checks the manifest at `path`.
    pub fn load(path: impl AsRef<Path>) -> Result<Self, CatalogError> {
        Self::load_from(path, &AssetFiles::Disk)
    }

    /// `load` with the manifest and its files read from `files` (with
    /// memory files, `path` is the manifest's path in the set, e.g.
    /// `catalog.toml`); a file the manifest names that `files` lacks is a
    /// problem naming it, as a missing file on disk is.
    pub fn load_from(path: impl AsRef<Path>, files: &AssetFiles) -> Result<Self, CatalogError> {
        let path = path.as_ref();
        Self::parse_from(&read_manifest(path, files)?, path, files)
    }

    /// Checks manifest `text` as if read from `manifest_path`: file paths are
    /// resolved against its folder (asset files must exist there) and errors
    /// name it. The manifest itself need not exist.
    pub fn parse(text: &str, manifest_path: impl AsRef<Path>) -> Result<Self, CatalogError> {
        Self::parse_from(text, manifest_path, &AssetFiles::Disk)
    }

    /// `parse` with the asset files looked for in `files`.
    pub fn parse_from(
        text: &str,
        manifest_path: impl AsRef<Path>,
        files: &AssetFiles,
    ) -> Result<Self, CatalogError> {
        validate::parse_manifest(text, manifest_path.as_ref(), files, Strictness::Strict)
    }

    /// Like `load`, but a garment with problems of its own (a missing
    /// asset, a bad price) is left out and listed in `left_out` while the
    /// others are offered: what a running kiosk wants. Problems of the
    /// file as a whole (TOML syntax, the version, the default naming no
    /// garment) and a manifest with no usable garment are still errors.
    /// When the default garment is left out the first usable one replaces it.
    pub fn load_usable(path: impl AsRef<Path>) -> Result<Self, CatalogError> {
        Self::load_usable_from(path, &AssetFiles::Disk)
    }

    /// `load_usable` with the manifest and its files read from `files`
    /// (see `load_from`).
    pub fn load_usable_from(
        path: impl AsRef<Path>,
        files: &AssetFiles,
    ) -> Result<Self, CatalogError> {
        let path = path.as_ref();
        Self::parse_usable_from(&read_manifest(path, files)?, path, files)
    }

    /// `parse` that leaves out broken garments, as `load_usable`.
    pub fn parse_usable(text: &str, manifest_path: impl AsRef<Path>) -> Result<Self, CatalogError> {
        Self::parse_usable_from(text, manifest_path, &AssetFiles::Disk)
    }

    /// `parse_usable` with the asset files looked for in `files`.
    pub fn parse_usable_from(
        text: &str,
        manifest_path: impl AsRef<Path>,
        files: &AssetFiles,
    ) -> Result<Self, CatalogError> {
        let path = manifest_path.as_ref();
        validate::parse_manifest(text, path, files, Strictness::LeaveOutBroken)
    }

    /// The garment with this id.
    pub fn get(&self, id: &str) -> Option<&CatalogEntry> {
        self.garments.iter().find(|entry| entry.id == id)
    }

    /// The garment shown first. Always `Some` for a catalog that came from
    /// `load` or `parse`.
    pub fn default_entry(&self) -> Option<&CatalogEntry> {
        self.get(&self.default_id)
    }

    /// Every file the catalog refers to: assets, then thumbnails.
    pub fn files(&self) -> impl Iterator<Item = &Path> {
        let assets = self.garments.iter().map(|entry| entry.asset.as_path());
        let thumbnails = self
            .garments
            .iter()
            .filter_map(|entry| entry.thumbnail.as_deref());
        assets.chain(thumbnails)
    }
}

/// The manifest's text, from `files`.
fn read_manifest(path: &Path, files: &AssetFiles) -> Result<String, CatalogError> {
    files
        .read_to_string(path)
        .map_err(|source| CatalogError::Io {
            path: path.to_path_buf(),
            source,
        })
}
