//! 2D textures with the defaults nearly every one here shares: one mip
//! level, one sample, no extra view formats.

/// The descriptor of a `width`×`height` 2D texture with one mip level, one
/// sample and no extra view formats; change the rest with struct update
/// syntax (`sample_count: 4, ..texture_2d_descriptor(..)`) or pass it to
/// `create_texture_with_data`.
pub fn texture_2d_descriptor<'a>(
    label: &'a str,
    (width, height): (u32, u32),
    format: wgpu::TextureFormat,
    usage: wgpu::TextureUsages,
) -> wgpu::TextureDescriptor<'a> {
    wgpu::TextureDescriptor {
        label: Some(label),
        size: wgpu::Extent3d {
            width,
            height,
            depth_or_array_layers: 1,
        },
        mip_level_count: 1,
        sample_count: 1,
        dimension: wgpu::TextureDimension::D2,
        format,
        usage,
        view_formats: &[],
    }
}

/// A new texture as described by `texture_2d_descriptor`.
pub fn texture_2d(
    device: &wgpu::Device,
    label: &str,
    size: (u32, u32),
    format: wgpu::TextureFormat,
    usage: wgpu::TextureUsages,
) -> wgpu::Texture {
    device.create_texture(&texture_2d_descriptor(label, size, format, usage))
}
