//! Finding a photo garment's anchors from its silhouette.
//!
//! The silhouette is the set of pixels with alpha ≥ 0.5. Positions are
//! continuous pixel coordinates: pixel (i, j) covers [i, i+1) × [j, j+1),
//! x right, y down. The garment is seen from the front, upright, so the
//! wearer's left is the image's right.
//!
//! The method, step by step:
//! - hem: the garment's lowest row (rows with fewer than 1 % of the image
//!   width opaque are specks and ignored); the hem row is 1.5 % of the
//!   garment's height above it, and its longest run of opaque pixels is the
//!   hem. The garment's centre column is the hem's middle.
//! - hips: the hem's ends, inset by 1.5 % of its length.
//! - armpits: going up from the hem, the run through the centre column
//!   follows the torso's sides until a sleeve's underside joins it, where
//!   its end jumps outwards (by ≥ 4 % of the hem): the armpit is the torso
//!   side just below that row. Dolman sleeves have no jump: no armpit.
//! - neckline: x at the lowest point of the top contour (each column's
//!   first opaque pixel) within a quarter torso width of the centre, the
//!   neck notch; y at the highest points of the top contour either side of
//!   it, the neck sides. So: the centre of the neck opening, level with the
//!   neck sides.
//! - shoulders: on the top contour between a neck side and the garment's
//!   outermost column, the point farthest above the chord joining the two:
//!   the corner where the shoulder line turns down into the sleeve's top.
//!   A straight top contour has no corner: then the armpit's column.
//! - sleeve ends: the cuff's centre. The sleeve is what lies beyond the
//!   shoulder–armpit line above the armpit, and off the torso's run below
//!   it. From the armhole's centre (half way from shoulder to armpit) an
//!   axis points to the sleeve's far end; a slab across the axis at the
//!   far end is taken, the axis re-aimed at its centroid, four times; the
//!   end is that centroid moved out along the axis to the sleeve's tip.
//!   Without an armpit, the outermost column's middle, if it lies well
//!   beyond the shoulder.

use glam::Vec2;

use crate::garment::catalog::PhotoAnchors;

/// A side of the wearer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Side {
    Left,
    Right,
}

impl Side {
    pub const BOTH: [Side; 2] = [Side::Left, Side::Right];

    /// +1 where the side lies towards image +x (and body +X).
    pub fn sign(self) -> f32 {
        match self {
            Side::Left => 1.0,
            Side::Right => -1.0,
        }
    }

    pub fn index(self) -> usize {
        self as usize
    }
}

/// Alpha at or above which a pixel belongs to the garment (0.5).
pub(super) const OPAQUE_ALPHA: u8 = 128;

/// Which pixels are garment.
pub(super) struct Mask {
    pub width: usize,
    pub height: usize,
    opaque: Vec<bool>,
}

impl Mask {
    pub fn new(image: &image::RgbaImage) -> Mask {
        Mask {
            width: image.width() as usize,
            height: image.height() as usize,
            opaque: image.pixels().map(|p| p[3] >= OPAQUE_ALPHA).collect(),
        }
    }

    fn at(&self, x: usize, y: usize) -> bool {
        self.opaque[y * self.width + x]
    }

    /// Runs of opaque pixels in row `y`, first and last pixel inclusive.
    fn runs(&self, y: usize) -> Vec<(usize, usize)> {
        let row = &self.opaque[y * self.width..(y + 1) * self.width];
        let mut runs = Vec::new();
        let mut start = None;
        for (x, &on) in row.iter().enumerate() {
            match (on, start) {
                (true, None) => start = Some(x),
                (false, Some(s)) => {
                    runs.push((s, x - 1));
                    start = None;
                }
                _ => {}
            }
        }
        if let Some(s) = start {
            runs.push((s, self.width - 1));
        }
        runs
    }

    fn run_through(&self, y: usize, x: usize) -> Option<(usize, usize)> {
        self.runs(y).into_iter().find(|&(a, b)| a <= x && x <= b)
    }
}

/// What the silhouette says, in pixels.
pub(super) struct Silhouette {
    /// Each column's first opaque row.
    tops: Vec<Option<usize>>,
    top_row: usize,
    bottom_row: usize,
    pub centre_x: f32,
    hem_row: usize,
    /// First and last pixel of the hem run.
    hem_run: (usize, usize),
    /// Half the torso's width: between the armpits, else the hem's.
    half_width: f32,
    /// Indexed by `Side::index`.
    pub armpits: [Option<Vec2>; 2],
}

fn centroid(points: &[Vec2]) -> Option<Vec2> {
    (!points.is_empty()).then(|| points.iter().sum::<Vec2>() / points.len() as f32)
}

impl Silhouette {
    /// Measures the hem, centre and armpits. Fails (saying why) when the
    /// garment is too small to read.
    pub fn analyse(mask: &Mask) -> Result<Silhouette, String> {
        let min_count = (mask.width / 100).max(1);
        let rows: Vec<usize> = (0..mask.height)
            .filter(|&y| (0..mask.width).filter(|&x| mask.at(x, y)).count() >= min_count)
            .collect();
        let (Some(&top_row), Some(&bottom_row)) = (rows.first(), rows.last()) else {
            return Err("no row has more than a speck of opaque pixels".into());
        };
        let height = bottom_row - top_row + 1;
        let hem_row = bottom_row - (0.015 * height as f32).round() as usize;
        let hem_run = mask
            .runs(hem_row)
            .into_iter()
            .max_by_key(|&(a, b)| b - a)
            .ok_or("the hem row is empty")?;
        let hem_width = hem_run.1 - hem_run.0 + 1;
        if height < 16 || hem_width < 16 {
            return Err(format!(
                "the garment is only {hem_width} px wide at the hem and {height} px tall; \
                 it needs at least 16 px each way"
            ));
        }
        let centre_x = (hem_run.0 + hem_run.1 + 1) as f32 * 0.5;
        let centre_column = centre_x as usize;

        // Up from the hem along the torso until a sleeve joins it.
        let jump = (0.04 * hem_width as f32).max(4.0) as usize;
        let mut armpits = [None; 2];
        let mut below = hem_run;
        for y in (top_row..hem_row).rev() {
            let Some(run) = mask.run_through(y, centre_column) else {
                break; // the neck opening
            };
            if armpits[Side::Left.index()].is_none() && run.1 > below.1 + jump {
                armpits[Side::Left.index()] = Some(Vec2::new((below.1 + 1) as f32, (y + 1) as f32));
            }
            if armpits[Side::Right.index()].is_none() && run.0 + jump < below.0 {
                armpits[Side::Right.index()] = Some(Vec2::new(below.0 as f32, (y + 1) as f32));
            }
            below = run;
        }
        let half_width = match armpits {
            [Some(left), Some(right)] => (left.x - right.x) * 0.5,
            _ => hem_width as f32 * 0.5,
        };
        let tops = (0..mask.width)
            .map(|x| (top_row..=bottom_row).find(|&y| mask.at(x, y)))
            .collect();
        Ok(Silhouette {
            tops,
            top_row,
            bottom_row,
            centre_x,
            hem_row,
            hem_run,
            half_width,
            armpits,
        })
    }

    /// The top contour as a point on the column's top edge, middle of the
    /// column.
    fn top_point(&self, x: usize) -> Option<Vec2> {
        self.tops[x].map(|y| Vec2::new(x as f32 + 0.5, y as f32))
    }

    /// Columns of the garment from the centre outwards on `side`, out to
    /// `reach` px from the centre (all columns when `None`).
    fn columns(&self, side: Side, reach: Option<f32>) -> Vec<usize> {
        let inside = |x: usize| {
            let offset = (x as f32 + 0.5 - self.centre_x) * side.sign();
            offset > 0.0 && reach.is_none_or(|r| offset <= r) && self.tops[x].is_some()
        };
        let mut columns: Vec<usize> = (0..self.tops.len()).filter(|&x| inside(x)).collect();
        if side == Side::Right {
            columns.reverse();
        }
        columns
    }

    /// The neck notch's x and the neck sides' columns.
    fn neck(&self) -> Option<(f32, [usize; 2])> {
        let notch_reach = 0.25 * self.half_width;
        let near_centre: Vec<usize> = (0..self.tops.len())
            .filter(|&x| (x as f32 + 0.5 - self.centre_x).abs() <= notch_reach)
            .filter(|&x| self.tops[x].is_some())
            .collect();
        let lowest = near_centre.iter().filter_map(|&x| self.tops[x]).max()?;
        let notch: Vec<f32> = near_centre
            .iter()
            .filter(|&&x| self.tops[x].is_some_and(|y| y + 1 >= lowest))
            .map(|&x| x as f32 + 0.5)
            .collect();
        let notch_x = notch.iter().sum::<f32>() / notch.len() as f32;
        let mut sides = [0; 2];
        for side in Side::BOTH {
            // The highest point, the one nearest the notch on ties.
            let mut best: Option<usize> = None;
            for x in self.columns(side, Some(0.75 * self.half_width)) {
                if (x as f32 + 0.5 - notch_x) * side.sign() <= 0.0 {
                    continue;
                }
                if best.is_none_or(|b| self.tops[x] < self.tops[b]) {
                    best = Some(x);
                }
            }
            sides[side.index()] = best?;
        }
        Some((notch_x, sides))
    }

    /// The centre of the neck opening, level with the neck sides.
    pub fn neckline(&self) -> Option<Vec2> {
        let (notch_x, sides) = self.neck()?;
        let [left, right] = sides.map(|x| self.tops[x].unwrap_or(self.top_row) as f32);
        Some(Vec2::new(notch_x, (left + right) * 0.5))
    }

    /// The shoulder on `side`: the top contour's corner between the neck
    /// side and the sleeve.
    fn shoulder(&self, side: Side) -> Result<Vec2, String> {
        let (_, sides) = self.neck().ok_or("no neckline on the top contour")?;
        let neck_side = sides[side.index()];
        let start = self
            .top_point(neck_side)
            .ok_or("no top contour at the neck")?;
        let columns = self.columns(side, None);
        let outer = *columns.last().ok_or("no columns beside the centre")?;
        let end = self.top_point(outer).ok_or("no top contour at the edge")?;
        let chord = (end - start).normalize_or_zero();
        let mut corner = None;
        let mut best = (0.02 * self.half_width).max(1.5);
        for &x in columns
            .iter()
            .filter(|&&x| (x as f32 - neck_side as f32) * side.sign() > 0.0)
        {
            let Some(p) = self.top_point(x) else { continue };
            let d = p - start;
            let above = side.sign() * (d.x * chord.y - d.y * chord.x);
            if above > best {
                best = above;
                corner = Some(p);
            }
        }
        if let Some(corner) = corner {
            return Ok(corner);
        }
        let x = match self.armpits[side.index()] {
            Some(armpit) => armpit.x - 0.5 * side.sign(),
            None => self.centre_x + side.sign() * self.half_width,
        };
        let column = (x.max(0.0) as usize).min(self.tops.len() - 1);
        self.top_point(column)
            .ok_or_else(|| format!("no top contour above the {side:?} shoulder"))
    }

    /// The hips: the hem's ends, a little inset.
    fn hips(&self) -> [Vec2; 2] {
        let (first, last) = self.hem_run;
        let inset = 0.015 * (last - first + 1) as f32;
        let y = self.hem_row as f32 + 0.5;
        [
            Vec2::new((last + 1) as f32 - inset, y),
            Vec2::new(first as f32 + inset, y),
        ]
    }

    /// The armpit on `side`, or where one would be: a quarter of the way
    /// from the shoulder down to the hip (the reference body's armpit).
    pub fn armpit_or_estimate(&self, side: Side, shoulder: Vec2, hip: Vec2) -> Vec2 {
        self.armpits[side.index()]
            .filter(|a| (a.x - self.centre_x) * side.sign() > 0.0 && a.y > shoulder.y)
            .unwrap_or_else(|| shoulder.lerp(hip, 0.27))
    }

    /// The centre of the sleeve's end on `side`, `None` for a sleeveless
    /// garment.
    pub fn sleeve_end(&self, mask: &Mask, side: Side, shoulder: Vec2) -> Option<Vec2> {
        let Some(armpit) = self.armpits[side.index()] else {
            return self.outermost_middle(mask, side, shoulder);
        };
        let sign = side.sign();
        let centre_column = self.centre_x as usize;
        let mut sleeve = Vec::new();
        for y in self.top_row..=self.bottom_row {
            let yc = y as f32 + 0.5;
            let torso = (yc > armpit.y)
                .then(|| mask.run_through(y, centre_column))
                .flatten();
            // Where the shoulder–armpit line crosses this row.
            let t = (yc - shoulder.y) / (armpit.y - shoulder.y).max(1e-3);
            let seam_x = shoulder.x + (armpit.x - shoulder.x) * t;
            for x in 0..mask.width {
                let xc = x as f32 + 0.5;
                let outside = match torso {
                    _ if yc <= armpit.y => (xc - seam_x) * sign > 0.0,
                    Some((a, b)) => (x < a || x > b) && (xc - self.centre_x) * sign > 0.0,
                    None => (xc - self.centre_x) * sign > 0.0,
                };
                if outside && mask.at(x, y) {
                    sleeve.push(Vec2::new(xc, yc));
                }
            }
        }
        let min_pixels = (0.02 * self.half_width).powi(2).max(16.0) as usize;
        if sleeve.len() < min_pixels {
            return None;
        }
        let origin = (shoulder + armpit) * 0.5;
        // A first aim: the part of the sleeve farthest from the armhole.
        let far = sleeve
            .iter()
            .map(|p| p.distance(origin))
            .fold(0.0, f32::max);
        let band: Vec<Vec2> = sleeve
            .iter()
            .copied()
            .filter(|p| p.distance(origin) >= 0.9 * far)
            .collect();
        let mut axis = (centroid(&band)? - origin).normalize_or_zero();
        let mut end = origin;
        for _ in 0..5 {
            let along = |p: &Vec2| (*p - origin).dot(axis);
            let tip = sleeve.iter().map(along).fold(f32::MIN, f32::max);
            let depth = (0.15 * tip).max(3.0);
            let slab: Vec<Vec2> = sleeve
                .iter()
                .copied()
                .filter(|p| along(p) >= tip - depth)
                .collect();
            let middle = centroid(&slab)?;
            // Out to the tip, half a pixel past the last pixel centre.
            end = middle + axis * (tip + 0.5 - along(&middle));
            axis = (middle - origin).normalize_or(axis);
        }
        let beyond = (end.x - self.centre_x) * sign > 0.0 && end.distance(origin) > 2.0;
        beyond.then_some(end)
    }

    /// Without an armpit: the middle of the outermost column's opaque
    /// pixels, if that column lies well beyond the shoulder.
    fn outermost_middle(&self, mask: &Mask, side: Side, shoulder: Vec2) -> Option<Vec2> {
        let outer = *self.columns(side, None).last()?;
        let xc = outer as f32 + 0.5;
        if (xc - shoulder.x) * side.sign() < 0.5 * self.half_width {
            return None;
        }
        let rows: Vec<usize> = (0..mask.height).filter(|&y| mask.at(outer, y)).collect();
        let (first, last) = (*rows.first()?, *rows.last()?);
        Some(Vec2::new(xc, (first + last + 1) as f32 * 0.5))
    }

    /// Every anchor, found.
    pub fn find_anchors(&self, mask: &Mask) -> Result<PhotoAnchors, String> {
        let left_shoulder = self.shoulder(Side::Left)?;
        let right_shoulder = self.shoulder(Side::Right)?;
        let [left_hip, right_hip] = self.hips();
        Ok(PhotoAnchors {
            left_shoulder,
            right_shoulder,
            left_hip,
            right_hip,
            neckline: self.neckline(),
            left_sleeve_end: self.sleeve_end(mask, Side::Left, left_shoulder),
            right_sleeve_end: self.sleeve_end(mask, Side::Right, right_shoulder),
        })
    }
}
