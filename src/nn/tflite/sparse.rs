//! DENSIFY: TFLite's sparse tensor format to dense values.
//!
//! A sparse tensor's `SparsityParameters` list its dimensions in
//! `traversal_order`: first the original dimensions (permuted), then one
//! block dimension per entry of `block_map` (blocked original dimension
//! `block_map[k]` is split into `shape / block_size` blocks of
//! `block_size`). Each traversal level is DENSE (all `dense_size` indices)
//! or SPARSE_CSR (for the position `p` reached at the level above,
//! `array_indices[array_segments[p]..array_segments[p + 1]]`). The stored
//! values follow in traversal order. This mirrors TFLite's
//! `FormatConverter::SparseToDense`.

use super::flatbuf::{Table, Vector};
use super::{Problem, MAX_RANK};

const SPARSITY_TRAVERSAL_ORDER: usize = 0;
const SPARSITY_BLOCK_MAP: usize = 1;
const SPARSITY_DIM_METADATA: usize = 2;
const DIM_FORMAT: usize = 0;
const DIM_DENSE_SIZE: usize = 1;
const DIM_SEGMENTS_TYPE: usize = 2;
const DIM_SEGMENTS: usize = 3;
const DIM_INDICES_TYPE: usize = 4;
const DIM_INDICES: usize = 5;
/// `DimensionType`.
const FORMAT_DENSE: i8 = 0;
const FORMAT_SPARSE_CSR: i8 = 1;
/// `SparseIndexVector` union types; each table holds `values` in slot 0.
const INDEX_INT32: u8 = 1;
const INDEX_UINT16: u8 = 2;
const INDEX_UINT8: u8 = 3;

/// A vector of `array_segments` or `array_indices`, read in place.
struct IndexVector<'a> {
    values: Vector<'a>,
    element_bytes: usize,
}

impl IndexVector<'_> {
    fn get(&self, index: usize) -> Result<usize, Problem> {
        let value = match self.element_bytes {
            4 => i64::from(self.values.get::<i32>(index)?),
            2 => i64::from(self.values.get::<u16>(index)?),
            _ => i64::from(self.values.get::<u8>(index)?),
        };
        usize::try_from(value).map_err(|_| Problem::malformed("a negative sparse index"))
    }
}

/// One traversal level.
enum Level<'a> {
    Dense {
        size: usize,
    },
    SparseCsr {
        segments: IndexVector<'a>,
        indices: IndexVector<'a>,
    },
}

struct Sparsity<'a> {
    traversal_order: Vec<usize>,
    /// For each block dimension, the original dimension it splits.
    block_map: Vec<usize>,
    block_sizes: Vec<usize>,
    levels: Vec<Level<'a>>,
}

/// Expands `values` (the stored non-zeros, in traversal order) to a dense
/// row-major tensor of `shape`.
pub(super) fn densify(
    sparsity: &Table<'_>,
    shape: &[usize],
    values: &[f32],
    charge: &mut dyn FnMut(usize) -> Result<(), Problem>,
) -> Result<Vec<f32>, Problem> {
    let sparsity = read_sparsity(sparsity, shape, charge)?;
    let dense_len: usize = shape.iter().product();
    let mut walk = Walk {
        sparsity: &sparsity,
        shape,
        values,
        next_value: 0,
        indices: vec![0; sparsity.levels.len()],
        dense: vec![0.0; dense_len],
    };
    walk.level(0, 0)?;
    if walk.next_value != values.len() {
        return Err(Problem::malformed(format!(
            "a sparse tensor stores {} values but its indices place {}",
            values.len(),
            walk.next_value
        )));
    }
    Ok(walk.dense)
}

fn int_list(table: &Table<'_>, slot: usize, what: &str) -> Result<Vec<usize>, Problem> {
    let Some(vector) = table.vector(slot, 4)? else {
        return Ok(Vec::new());
    };
    vector
        .to_vec::<i32>(2 * MAX_RANK, what)?
        .into_iter()
        .map(|value| {
            usize::try_from(value)
                .map_err(|_| Problem::malformed(format!("a negative entry in {what}")))
        })
        .collect()
}

/// Reads and checks the parameters; `charge` counts the index entries
/// checked (one vector may back many tensors, so each check costs).
fn read_sparsity<'a>(
    table: &Table<'a>,
    shape: &[usize],
    charge: &mut dyn FnMut(usize) -> Result<(), Problem>,
) -> Result<Sparsity<'a>, Problem> {
    let rank = shape.len();
    let traversal_order = int_list(table, SPARSITY_TRAVERSAL_ORDER, "traversal_order")?;
    let block_map = int_list(table, SPARSITY_BLOCK_MAP, "block_map")?;
    let bad = |message: &str| Problem::malformed(format!("sparsity: {message}"));
    if traversal_order.len() != rank + block_map.len() {
        return Err(bad(
            "traversal_order does not cover the tensor's dimensions and blocks",
        ));
    }
    // The original dimensions come first, the block dimensions after.
    let is_permutation = |order: &[usize], start: usize| {
        let mut seen = vec![false; order.len()];
        order.iter().all(|&dim| {
            dim.checked_sub(start)
                .and_then(|slot| seen.get_mut(slot))
                .is_some_and(|seen| !std::mem::replace(seen, true))
        })
    };
    if !is_permutation(&traversal_order[..rank], 0)
        || !is_permutation(&traversal_order[rank..], rank)
    {
        return Err(bad("traversal_order is not a permutation"));
    }
    let metadata = table
        .vector(SPARSITY_DIM_METADATA, 4)?
        .filter(|metadata| metadata.len() == traversal_order.len())
        .ok_or_else(|| bad("dim_metadata does not match traversal_order"))?;
    let dims = (0..metadata.len())
        .map(|level| metadata.table(level))
        .collect::<Result<Vec<_>, _>>()?;

    // As in TFLite, block k's size is the dense size of level rank + k.
    let mut block_sizes = Vec::with_capacity(block_map.len());
    let mut blocked = vec![1usize; rank];
    for (block, &dim) in block_map.iter().enumerate() {
        let size =
            usize::try_from(dims[rank + block].scalar::<i32>(DIM_DENSE_SIZE, 0)?).unwrap_or(0);
        let slot = blocked
            .get_mut(dim)
            .ok_or_else(|| bad("block_map names a missing dimension"))?;
        if size == 0 || *slot != 1 || !shape[dim].is_multiple_of(size) {
            return Err(bad("a block size does not divide its dimension"));
        }
        *slot = size;
        block_sizes.push(size);
    }

    let mut levels = Vec::with_capacity(dims.len());
    for (dim_table, &dim) in dims.iter().zip(&traversal_order) {
        // How many indices this level ranges over.
        let extent = if dim < rank {
            shape[dim] / blocked[dim]
        } else {
            block_sizes[dim - rank]
        };
        match dim_table.scalar::<i8>(DIM_FORMAT, FORMAT_DENSE)? {
            FORMAT_DENSE => {
                let size = dim_table.scalar::<i32>(DIM_DENSE_SIZE, 0)?;
                if usize::try_from(size).ok() != Some(extent) {
                    return Err(bad("a dense level's size does not match the shape"));
                }
                levels.push(Level::Dense { size: extent });
            }
            FORMAT_SPARSE_CSR => {
                let segments = index_vector(dim_table, DIM_SEGMENTS_TYPE, DIM_SEGMENTS)?;
                let indices = index_vector(dim_table, DIM_INDICES_TYPE, DIM_INDICES)?;
                charge(segments.values.len() + indices.values.len())?;
                // Segments must not decrease, so each index is visited once at
                // most and the walk is bounded by the file's size.
                let mut previous = 0;
                for index in 0..segments.values.len() {
                    let segment = segments.get(index)?;
                    if segment < previous || segment > indices.values.len() {
                        return Err(bad("array_segments are out of order or range"));
                    }
                    previous = segment;
                }
                for index in 0..indices.values.len() {
                    if indices.get(index)? >= extent {
                        return Err(bad("an array index is outside its dimension"));
                    }
                }
                levels.push(Level::SparseCsr { segments, indices });
            }
            _ => return Err(bad("unknown dimension format")),
        }
    }
    Ok(Sparsity {
        traversal_order,
        block_map,
        block_sizes,
        levels,
    })
}

fn index_vector<'a>(
    table: &Table<'a>,
    type_slot: usize,
    value_slot: usize,
) -> Result<IndexVector<'a>, Problem> {
    let element_bytes = match table.scalar::<u8>(type_slot, 0)? {
        INDEX_INT32 => 4,
        INDEX_UINT16 => 2,
        INDEX_UINT8 => 1,
        _ => {
            return Err(Problem::malformed(
                "sparsity: missing or unknown index vector type",
            ))
        }
    };
    let values = table
        .table(value_slot)?
        .and_then(|vector| vector.vector(0, element_bytes).transpose())
        .transpose()?
        .ok_or_else(|| Problem::malformed("sparsity: a sparse level has no index vector"))?;
    Ok(IndexVector {
        values,
        element_bytes,
    })
}

/// The depth-first walk over the levels.
struct Walk<'s, 'a> {
    sparsity: &'s Sparsity<'a>,
    shape: &'s [usize],
    values: &'s [f32],
    next_value: usize,
    /// The index reached at each level.
    indices: Vec<usize>,
    dense: Vec<f32>,
}

impl Walk<'_, '_> {
    /// Visits level `level`, reached at position `position` of the level
    /// above (the row of CSR segments to use).
    fn level(&mut self, level: usize, position: usize) -> Result<(), Problem> {
        let Some(current) = self.sparsity.levels.get(level) else {
            return self.place();
        };
        match current {
            Level::Dense { size } => {
                let size = *size;
                for index in 0..size {
                    self.indices[level] = index;
                    // Bounded by the element count, which the caller limits.
                    self.level(level + 1, position * size + index)?;
                }
            }
            Level::SparseCsr { segments, indices } => {
                let start = segments.get(position)?;
                let end = segments.get(position + 1)?;
                for slot in start..end {
                    self.indices[level] = indices.get(slot)?;
                    self.level(level + 1, slot)?;
                }
            }
        }
        Ok(())
    }

    /// Stores the next value at the dense position of the current indices.
    fn place(&mut self) -> Result<(), Problem> {
        let rank = self.shape.len();
        let mut original = [0usize; MAX_RANK];
        for (level, &dim) in self.sparsity.traversal_order.iter().enumerate() {
            let index = self.indices[level];
            if dim < rank {
                original[dim] = index;
            } else {
                let block = dim - rank;
                let dim = self.sparsity.block_map[block];
                original[dim] = original[dim] * self.sparsity.block_sizes[block] + index;
            }
        }
        let flat = original[..rank]
            .iter()
            .zip(self.shape)
            .fold(0, |flat, (&index, &size)| flat * size + index);
        let value = self.values.get(self.next_value).ok_or_else(|| {
            Problem::malformed("a sparse tensor has fewer values than its indices")
        })?;
        let slot = self
            .dense
            .get_mut(flat)
            .ok_or_else(|| Problem::malformed("a sparse index is outside the tensor"))?;
        *slot = *value;
        self.next_value += 1;
        Ok(())
    }
}
