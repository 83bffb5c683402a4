//! A bounds-checked reader of FlatBuffers tables, vectors and strings.
//!
//! Model files are untrusted, so every offset is checked before it is
//! followed and nothing here uses `unsafe`: a bad offset is a `Problem`, never
//! an out-of-bounds read. (The `flatbuffers` crate's `Table::get` is `unsafe`
//! and trusts a prior verification pass; checking each read where it happens
//! keeps the two from drifting apart.) Vectors are read lazily, so a vector
//! header cannot make us allocate more than the file holds.

use super::Problem;

/// A little-endian scalar stored inline in a table or vector.
pub(super) trait Scalar: Copy {
    const SIZE: usize;
    fn from_le(bytes: &[u8]) -> Self;
}

macro_rules! scalar {
    ($($t:ty),*) => {$(
        impl Scalar for $t {
            const SIZE: usize = std::mem::size_of::<$t>();
            fn from_le(bytes: &[u8]) -> Self {
                let mut raw = [0u8; std::mem::size_of::<$t>()];
                raw.copy_from_slice(bytes);
                <$t>::from_le_bytes(raw)
            }
        }
    )*};
}
scalar!(u8, i8, u16, i32, u32, u64);

/// Reads a scalar at `pos`, or fails if it does not fit in `buf`.
pub(super) fn read<T: Scalar>(buf: &[u8], pos: usize) -> Result<T, Problem> {
    pos.checked_add(T::SIZE)
        .and_then(|end| buf.get(pos..end))
        .map(T::from_le)
        .ok_or_else(|| Problem::malformed(format!("offset {pos} is past the end of the file")))
}

/// Follows the `uoffset` stored at `pos` (relative to `pos` itself).
fn follow(buf: &[u8], pos: usize) -> Result<usize, Problem> {
    let relative = read::<u32>(buf, pos)? as usize;
    let target = pos
        .checked_add(relative)
        .filter(|&target| target < buf.len())
        .ok_or_else(|| Problem::malformed(format!("offset at {pos} points outside the file")))?;
    Ok(target)
}

/// A table: its position and its vtable, both checked to lie in the file.
#[derive(Clone, Copy, Debug)]
pub(super) struct Table<'a> {
    buf: &'a [u8],
    pos: usize,
    vtable: usize,
    vtable_bytes: usize,
    table_bytes: usize,
}

impl<'a> Table<'a> {
    /// The root table, found through the offset in the first four bytes.
    pub(super) fn root(buf: &'a [u8]) -> Result<Self, Problem> {
        Table::at(buf, follow(buf, 0)?)
    }

    fn at(buf: &'a [u8], pos: usize) -> Result<Self, Problem> {
        let soffset = read::<i32>(buf, pos)?;
        let vtable = i64::try_from(pos)
            .ok()
            .and_then(|pos| pos.checked_sub(i64::from(soffset)))
            .and_then(|vtable| usize::try_from(vtable).ok())
            .ok_or_else(|| Problem::malformed(format!("table at {pos} has a bad vtable offset")))?;
        let vtable_bytes = usize::from(read::<u16>(buf, vtable)?);
        let table_bytes = usize::from(read::<u16>(buf, vtable + 2)?);
        let fits =
            |start: usize, len: usize| start.checked_add(len).is_some_and(|end| end <= buf.len());
        if vtable_bytes < 4 || vtable_bytes % 2 != 0 || !fits(vtable, vtable_bytes) {
            return Err(Problem::malformed(format!(
                "table at {pos} has a bad vtable"
            )));
        }
        if table_bytes < 4 || !fits(pos, table_bytes) {
            return Err(Problem::malformed(format!(
                "table at {pos} runs past the end of the file"
            )));
        }
        Ok(Table {
            buf,
            pos,
            vtable,
            vtable_bytes,
            table_bytes,
        })
    }

    /// Where field `slot` is stored (`size` bytes inline), or `None` when absent.
    fn field(&self, slot: usize, size: usize) -> Result<Option<usize>, Problem> {
        let entry = 4 + 2 * slot;
        if entry + 2 > self.vtable_bytes {
            return Ok(None);
        }
        let offset = usize::from(read::<u16>(self.buf, self.vtable + entry)?);
        if offset == 0 {
            return Ok(None);
        }
        if offset < 4 || offset + size > self.table_bytes {
            return Err(Problem::malformed(format!(
                "field {slot} of the table at {} lies outside the table",
                self.pos
            )));
        }
        Ok(Some(self.pos + offset))
    }

    /// A scalar field, or `default` when absent.
    pub(super) fn scalar<T: Scalar>(&self, slot: usize, default: T) -> Result<T, Problem> {
        match self.field(slot, T::SIZE)? {
            Some(pos) => read(self.buf, pos),
            None => Ok(default),
        }
    }

    fn target(&self, slot: usize) -> Result<Option<usize>, Problem> {
        self.field(slot, 4)?
            .map(|pos| follow(self.buf, pos))
            .transpose()
    }

    /// A sub-table field.
    pub(super) fn table(&self, slot: usize) -> Result<Option<Table<'a>>, Problem> {
        self.target(slot)?
            .map(|pos| Table::at(self.buf, pos))
            .transpose()
    }

    /// A vector field whose elements are `element_bytes` wide.
    pub(super) fn vector(
        &self,
        slot: usize,
        element_bytes: usize,
    ) -> Result<Option<Vector<'a>>, Problem> {
        self.target(slot)?
            .map(|pos| Vector::at(self.buf, pos, element_bytes))
            .transpose()
    }

    /// A string field, cut to `max_bytes` (names are for messages only, and
    /// many tables may point at one long string).
    pub(super) fn string(&self, slot: usize, max_bytes: usize) -> Result<String, Problem> {
        Ok(match self.vector(slot, 1)? {
            Some(bytes) => {
                let bytes = bytes.bytes();
                String::from_utf8_lossy(&bytes[..bytes.len().min(max_bytes)]).into_owned()
            }
            None => String::new(),
        })
    }
}

/// A vector, checked to lie in the file; elements are read on demand.
#[derive(Clone, Copy, Debug)]
pub(super) struct Vector<'a> {
    buf: &'a [u8],
    start: usize,
    len: usize,
    element_bytes: usize,
}

impl<'a> Vector<'a> {
    fn at(buf: &'a [u8], pos: usize, element_bytes: usize) -> Result<Self, Problem> {
        let len = read::<u32>(buf, pos)? as usize;
        let start = pos + 4;
        let end = len
            .checked_mul(element_bytes)
            .and_then(|bytes| bytes.checked_add(start))
            .filter(|&end| end <= buf.len());
        if end.is_none() {
            return Err(Problem::malformed(format!(
                "vector at {pos} of {len} elements runs past the end of the file"
            )));
        }
        Ok(Vector {
            buf,
            start,
            len,
            element_bytes,
        })
    }

    pub(super) fn len(&self) -> usize {
        self.len
    }

    /// The raw bytes of the elements.
    pub(super) fn bytes(&self) -> &'a [u8] {
        // In bounds: checked in `at`.
        &self.buf[self.start..self.start + self.len * self.element_bytes]
    }

    /// Element `index` of a scalar vector.
    pub(super) fn get<T: Scalar>(&self, index: usize) -> Result<T, Problem> {
        if index >= self.len || T::SIZE != self.element_bytes {
            return Err(Problem::malformed(format!(
                "index {index} is outside a vector of {}",
                self.len
            )));
        }
        read(self.buf, self.start + index * T::SIZE)
    }

    /// All elements of a scalar vector, refusing more than `max_len`.
    pub(super) fn to_vec<T: Scalar>(self, max_len: usize, what: &str) -> Result<Vec<T>, Problem> {
        if self.len > max_len {
            return Err(Problem::malformed(format!(
                "{what} has {} entries, more than the {max_len} allowed",
                self.len
            )));
        }
        (0..self.len).map(|index| self.get(index)).collect()
    }

    /// Element `index` of a vector of tables.
    pub(super) fn table(&self, index: usize) -> Result<Table<'a>, Problem> {
        if index >= self.len || self.element_bytes != 4 {
            return Err(Problem::malformed(format!(
                "index {index} is outside a vector of {}",
                self.len
            )));
        }
        Table::at(self.buf, follow(self.buf, self.start + index * 4)?)
    }
}
