//! The kiosk's snapshot: the dressed picture frozen on the GPU (shown
//! under the QR codes), saved as a PNG when a folder is configured, and
//! handed to the share server when one runs. Saving and sharing are
//! best-effort: a full disk leaves the shopper their QR code to buy.

use std::path::{Path, PathBuf};

use image::ImageEncoder;

use crate::app::snapshot::write_snapshot;
use crate::gpu::{texture_2d_descriptor, GpuContext, TextureReadback};
use crate::kiosk::share::ShareServer;

/// One snapshot: its picture and where it went.
pub struct Snapshot {
    /// The dressed picture at the moment of the snapshot (a copy: the live
    /// picture goes on changing).
    pub picture: wgpu::Texture,
    /// The PNG written, when a folder is configured and the write worked.
    pub path: Option<PathBuf>,
    /// The photo's address on the share server.
    pub share_url: Option<String>,
}

impl Snapshot {
    /// Freezes `picture`; saves it as the `n`th snapshot in `folder` and
    /// publishes it on `share`. Returns the snapshot and the problems met
    /// saving or sharing it (for the log; the snapshot still shows). An
    /// error only when the picture cannot even be copied or read.
    pub fn take(
        gpu: &GpuContext,
        picture: &wgpu::Texture,
        n: u64,
        folder: Option<&Path>,
        share: Option<&ShareServer>,
    ) -> crate::Result<(Snapshot, Vec<String>)> {
        let size = (picture.width(), picture.height());
        let frozen = gpu.device.create_texture(&texture_2d_descriptor(
            "kiosk snapshot",
            size,
            picture.format(),
            wgpu::TextureUsages::TEXTURE_BINDING
                | wgpu::TextureUsages::COPY_DST
                | wgpu::TextureUsages::COPY_SRC,
        ));
        let mut encoder = gpu
            .device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                label: Some("kiosk snapshot"),
            });
        encoder.copy_texture_to_texture(
            picture.as_image_copy(),
            frozen.as_image_copy(),
            picture.size(),
        );
        gpu.queue.submit([encoder.finish()]);
        let mut problems = Vec::new();
        let mut snapshot = Snapshot {
            picture: frozen,
            path: None,
            share_url: None,
        };
        if folder.is_none() && share.is_none() {
            return Ok((snapshot, problems));
        }
        let rgba = TextureReadback::new().read(gpu, &snapshot.picture)?;
        if let Some(folder) = folder {
            match write_snapshot(folder, n, &rgba, size.0, size.1) {
                Ok(path) => {
                    tracing::info!("snapshot saved: {}", path.display());
                    snapshot.path = Some(path);
                }
                Err(e) => problems.push(format!("not saved: {e}")),
            }
        }
        if let Some(share) = share {
            match png_bytes(&rgba, size)
                .map_err(|e| e.to_string())
                .and_then(|png| share.publish(png).map_err(|e| e.to_string()))
            {
                Ok(url) => snapshot.share_url = Some(url),
                Err(e) => problems.push(format!("not shared: {e}")),
            }
        }
        Ok((snapshot, problems))
    }
}

/// `rgba` encoded as a PNG in memory.
fn png_bytes(rgba: &[u8], (width, height): (u32, u32)) -> Result<Vec<u8>, image::ImageError> {
    let mut png = Vec::new();
    image::codecs::png::PngEncoder::new(&mut png).write_image(
        rgba,
        width,
        height,
        image::ExtendedColorType::Rgba8,
    )?;
    Ok(png)
}
