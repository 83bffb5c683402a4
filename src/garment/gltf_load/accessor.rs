//! Accessor reading with every offset checked against its buffer view and
//! buffer before a byte is touched, and counts checked against a limit
//! before anything is allocated.

use super::source::Loader;
use super::GltfError;
use gltf::json;
use gltf::json::accessor::{ComponentType, Type};
use gltf::json::validation::Checked;
use std::borrow::Cow;

/// A checked accessor: its elements are `count` runs of `comps`
/// components, `stride` bytes apart in `bytes` (None: all zeros, which
/// glTF allows for an accessor without a buffer view).
pub(super) struct Accessor<'b> {
    pub count: usize,
    comps: usize,
    component: ComponentType,
    normalized: bool,
    stride: usize,
    bytes: Option<&'b [u8]>,
    what: String,
}

/// A buffer view's bytes, checked against its buffer.
pub(super) fn view_bytes<'b>(
    loader: &Loader,
    root: &json::Root,
    buffers: &'b [Cow<'b, [u8]>],
    view_index: usize,
    what: &str,
) -> Result<(&'b [u8], Option<usize>), GltfError> {
    let view = root.buffer_views.get(view_index).ok_or_else(|| {
        loader.invalid(format!("{what}: buffer view {view_index} does not exist"))
    })?;
    let buffer_index = view.buffer.value();
    let buffer = buffers.get(buffer_index).ok_or_else(|| {
        loader.invalid(format!(
            "{what}: buffer view {view_index} names missing buffer {buffer_index}"
        ))
    })?;
    let offset = view.byte_offset.map_or(0, |o| o.0);
    let end = offset.checked_add(view.byte_length.0);
    let bytes = end
        .filter(|&end| end <= buffer.len() as u64)
        .map(|end| &buffer[offset as usize..end as usize])
        .ok_or_else(|| {
            loader.invalid(format!(
                "{what}: buffer view {view_index} (bytes {offset}..+{}) runs past the end of \
                 buffer {buffer_index} ({} bytes)",
                view.byte_length.0,
                buffer.len()
            ))
        })?;
    Ok((bytes, view.byte_stride.map(|s| s.0)))
}

impl<'b> Accessor<'b> {
    /// Checks accessor `index`: its count against `max_count` (a limit
    /// named `field`), its type against `types`, then its byte range.
    #[allow(clippy::too_many_arguments)]
    pub fn resolve(
        loader: &Loader,
        root: &json::Root,
        buffers: &'b [Cow<'b, [u8]>],
        index: usize,
        what: &str,
        types: &[Type],
        field: &'static str,
        max_count: usize,
    ) -> Result<Accessor<'b>, GltfError> {
        let what = format!("{what} (accessor {index})");
        let json = root
            .accessors
            .get(index)
            .ok_or_else(|| loader.invalid(format!("{what} does not exist")))?;
        let count = json.count.0;
        loader.check_limit(format!("{what} count"), field, count, max_count as u64)?;
        let count = count as usize; // <= max_count, a usize
        let (Checked::Valid(type_), Checked::Valid(component)) = (json.type_, json.component_type)
        else {
            return Err(loader.invalid(format!("{what} has an invalid type or componentType")));
        };
        let component = component.0;
        if !types.contains(&type_) {
            return Err(loader.invalid(format!("{what} is {type_:?}, expected one of {types:?}")));
        }
        if json.sparse.is_some() {
            return Err(loader.unsupported(
                format!("{what}: sparse accessors"),
                "export without sparse accessors",
            ));
        }
        // Only the types without column padding (MAT2/MAT3 of bytes or
        // shorts have it) are ever requested.
        let comps = type_.multiplicity();
        let element = comps * component.size();
        let mut accessor = Accessor {
            count,
            comps,
            component,
            normalized: json.normalized,
            stride: element,
            bytes: None,
            what,
        };
        let Some(view) = json.buffer_view else {
            return Ok(accessor);
        };
        let (view_bytes, stride) = view_bytes(loader, root, buffers, view.value(), &accessor.what)?;
        let stride = stride.unwrap_or(element);
        if stride < element {
            return Err(loader.invalid(format!(
                "{}: byteStride {stride} is smaller than an element ({element} bytes)",
                accessor.what
            )));
        }
        let offset = json.byte_offset.map_or(0, |o| o.0);
        // Last byte needed: offset + stride * (count - 1) + element, in u64
        // so no product can wrap.
        let needed = match count {
            0 => Some(offset),
            n => (stride as u64)
                .checked_mul(n as u64 - 1)
                .and_then(|b| b.checked_add(offset))
                .and_then(|b| b.checked_add(element as u64)),
        };
        let bytes = needed
            .filter(|&end| end <= view_bytes.len() as u64)
            .map(|end| &view_bytes[offset as usize..end as usize])
            .ok_or_else(|| {
                loader.invalid(format!(
                    "{}: {count} elements from byte {offset} (stride {stride}) run past the end \
                     of its buffer view ({} bytes)",
                    accessor.what,
                    view_bytes.len()
                ))
            })?;
        accessor.stride = stride;
        accessor.bytes = Some(bytes);
        Ok(accessor)
    }

    pub fn what(&self) -> &str {
        &self.what
    }

    /// Elements as `N` floats, integer components converted (and
    /// normalised if the accessor says so), as glTF specifies.
    pub fn read_f32<const N: usize>(&self, loader: &Loader) -> Result<Vec<[f32; N]>, GltfError> {
        self.read(loader, component_f32)
    }

    /// Elements as `N` unsigned integers (indices, joints): only unsigned
    /// integer components are accepted.
    pub fn read_u32<const N: usize>(&self, loader: &Loader) -> Result<Vec<[u32; N]>, GltfError> {
        if !matches!(
            self.component,
            ComponentType::U8 | ComponentType::U16 | ComponentType::U32
        ) {
            return Err(loader.invalid(format!(
                "{} has {:?} components, expected unsigned integers",
                self.what, self.component
            )));
        }
        self.read(loader, |c, _, b| component_u32(c, b))
    }

    fn read<T: Copy + Default, const N: usize>(
        &self,
        loader: &Loader,
        decode: impl Fn(ComponentType, bool, &[u8]) -> T,
    ) -> Result<Vec<[T; N]>, GltfError> {
        if self.comps != N {
            return Err(loader.invalid(format!(
                "{} has {} components, expected {N}",
                self.what, self.comps
            )));
        }
        let Some(bytes) = self.bytes else {
            return Ok(vec![[T::default(); N]; self.count]);
        };
        let size = self.component.size();
        let mut out = Vec::with_capacity(self.count);
        // `resolve` proved stride * (count - 1) + N * size <= bytes.len().
        for element in bytes.chunks(self.stride).take(self.count) {
            let mut value = [T::default(); N];
            for (slot, raw) in value.iter_mut().zip(element.chunks_exact(size)) {
                *slot = decode(self.component, self.normalized, raw);
            }
            out.push(value);
        }
        Ok(out)
    }
}

fn component_f32(component: ComponentType, normalized: bool, b: &[u8]) -> f32 {
    // Normalised signed values clamp at -1 (glTF 2.0, 3.11).
    match (component, normalized) {
        (ComponentType::F32, _) => f32::from_le_bytes([b[0], b[1], b[2], b[3]]),
        (ComponentType::I8, true) => (f32::from(b[0] as i8) / 127.0).max(-1.0),
        (ComponentType::U8, true) => f32::from(b[0]) / 255.0,
        (ComponentType::I16, true) => {
            (f32::from(i16::from_le_bytes([b[0], b[1]])) / 32767.0).max(-1.0)
        }
        (ComponentType::U16, true) => f32::from(u16::from_le_bytes([b[0], b[1]])) / 65535.0,
        (ComponentType::U32, true) => {
            u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as f32 / u32::MAX as f32
        }
        (ComponentType::I8, false) => f32::from(b[0] as i8),
        (ComponentType::U8, false) => f32::from(b[0]),
        (ComponentType::I16, false) => f32::from(i16::from_le_bytes([b[0], b[1]])),
        (ComponentType::U16, false) => f32::from(u16::from_le_bytes([b[0], b[1]])),
        (ComponentType::U32, false) => u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as f32,
    }
}

fn component_u32(component: ComponentType, b: &[u8]) -> u32 {
    match component {
        ComponentType::U8 => u32::from(b[0]),
        ComponentType::U16 => u32::from(u16::from_le_bytes([b[0], b[1]])),
        _ => u32::from_le_bytes([b[0], b[1], b[2], b[3]]),
    }
}
