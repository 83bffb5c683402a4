//! The livestream/kiosk overlay: a product card (garment name, price,
//! sizes) and a QR code for the buy URL, drawn by the GPU onto the dressed
//! frame.
//!
//! The QR code is encoded once per card; the text is laid out and
//! rasterised on the CPU once per card and frame size (it scales with the
//! frame's height, pixel for pixel, so it stays crisp). Each frame then
//! only records three quads. `cpu::composite_cpu` draws the same pixels in
//! plain Rust.

mod cpu;
mod layout;
mod status;
pub(crate) mod text;

use std::sync::Mutex;

use wgpu::util::DeviceExt;

pub use cpu::{composite_cpu, CARD_COLOR, QR_DARK_COLOR, QR_LIGHT_COLOR, TEXT_COLOR};
pub use layout::{
    CardImage, CardLayout, QrModules, QrPlacement, RectPx, CARD_HEIGHT_FRACTION, MARGIN_FRACTION,
    MAX_WIDTH_FRACTION, MIN_MODULE_PX, QR_QUIET_ZONE_MODULES,
};
pub use status::{
    status_frame, StatusScreen, STATUS_BACKGROUND, STATUS_DETAIL_COLOR, STATUS_DETAIL_FRACTION,
    STATUS_TITLE_COLOR, STATUS_TITLE_FRACTION,
};
pub use text::{TextCoverage, TextLine};

use crate::gpu::{layout as bind, shaders, texture_2d_descriptor, GpuContext, GpuError};

/// What the card shows.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ProductCard {
    /// The garment's name, on the first line.
    pub name: String,
    /// Already formatted, e.g. "24.90 EUR".
    pub price: String,
    /// The buy URL, shown as a QR code; empty: no code.
    pub url: String,
    /// Sizes in stock, shown small on a third line; empty: no line.
    pub sizes: Vec<String>,
}

/// Which corner of the frame the card sits in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OverlayCorner {
    /// Bottom left of the frame (the default).
    #[default]
    BottomLeft,
    /// Bottom right of the frame.
    BottomRight,
    /// Top left of the frame.
    TopLeft,
    /// Top right of the frame.
    TopRight,
}

/// Why a card cannot be shown.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OverlayError {
    /// The URL does not fit a QR code (about 2,300 bytes at level M).
    #[error("the buy URL ({url_bytes} bytes) cannot be made into a QR code: {source}. Use a shorter link")]
    Qr {
        /// The URL's length in bytes.
        url_bytes: usize,
        /// Why the QR encoder refused it.
        source: qrcode::types::QrError,
    },
}

// This must be kept in sync with ElementUniform in
// shaders/render/overlay.wgsl.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, bytemuck::Pod, bytemuck::Zeroable)]
struct ElementUniform {
    frame_size_px: [f32; 2],
    corner_radius_px: f32,
    kind: u32,
    rect_px: [f32; 4],
    color: [f32; 4],
    light_color: [f32; 4],
    module_px: f32,
    _pad: [f32; 3],
}

const KIND_CARD: u32 = 0;
const KIND_QR: u32 = 1;
const KIND_TEXT: u32 = 2;
const MASK_FORMAT: wgpu::TextureFormat = wgpu::TextureFormat::R8Unorm;
const TARGET_VIEW_FORMAT: wgpu::TextureFormat = wgpu::TextureFormat::Rgba8UnormSrgb;

/// The current card and its QR modules on the GPU.
struct CardState {
    card: ProductCard,
    qr: Option<(QrModules, wgpu::Texture)>,
}

/// The draws for one frame size: made on the first frame of that size.
struct Prepared {
    key: (u32, u32, OverlayCorner),
    /// `None` when the frame is too small for a card.
    layout: Option<CardLayout>,
    bind_groups: Vec<wgpu::BindGroup>,
}

/// Draws a `ProductCard` onto frames. Pipelines are made once, the card's
/// images when it changes, its per-size draws on the first frame of a size.
pub struct OverlayRenderer {
    pipeline: wgpu::RenderPipeline,
    bind_layout: wgpu::BindGroupLayout,
    /// Stands in for the card background's unused mask.
    no_mask: wgpu::Texture,
    card: Option<CardState>,
    corner: OverlayCorner,
    /// Behind a lock so that `encode` can take `&self`.
    prepared: Mutex<Option<Prepared>>,
}

impl OverlayRenderer {
    pub fn new(gpu: &GpuContext) -> OverlayRenderer {
        let device = &gpu.device;
        let bind_layout = bind::bind_group_layout(
            device,
            "overlay element",
            &[
                bind::uniform(0, wgpu::ShaderStages::VERTEX_FRAGMENT),
                bind::texture_2d(1, wgpu::ShaderStages::FRAGMENT),
            ],
        );
        let module = bind::shader_module(device, "overlay", shaders::RENDER_OVERLAY);
        let pipeline_layout = bind::pipeline_layout(device, "overlay", &[&bind_layout]);
        let target = wgpu::ColorTargetState {
            format: TARGET_VIEW_FORMAT,
            blend: Some(wgpu::BlendState::ALPHA_BLENDING),
            // The frame's alpha stays as it was.
            write_mask: wgpu::ColorWrites::COLOR,
        };
        let pipeline = bind::RenderPipelineSpec {
            primitive: wgpu::PrimitiveState {
                topology: wgpu::PrimitiveTopology::TriangleStrip,
                ..Default::default()
            },
            ..bind::RenderPipelineSpec::new("overlay", &pipeline_layout, &module, target)
        }
        .create(device);
        let no_mask = mask_texture(gpu, "overlay: no mask", 1, 1, &[0]);
        OverlayRenderer {
            pipeline,
            bind_layout,
            no_mask,
            card: None,
            corner: OverlayCorner::default(),
            prepared: Mutex::new(None),
        }
    }

    /// Shows `card` from the next frame on (`None` hides the overlay).
    /// Encodes its QR code when the card differs from the current one; on
    /// error the current card stays.
    pub fn set_card(
        &mut self,
        gpu: &GpuContext,
        card: Option<&ProductCard>,
    ) -> Result<(), OverlayError> {
        let current = self.card.as_ref().map(|state| &state.card);
        if current == card {
            return Ok(());
        }
        let state = match card {
            None => None,
            Some(card) => {
                let qr = match card.url.is_empty() {
                    true => None,
                    false => {
                        let modules = QrModules::encode(&card.url)?;
                        let texture = mask_texture(
                            gpu,
                            "overlay QR",
                            modules.side,
                            modules.side,
                            &modules.modules,
                        );
                        Some((modules, texture))
                    }
                };
                Some(CardState {
                    card: card.clone(),
                    qr,
                })
            }
        };
        self.card = state;
        *self.prepared.get_mut().unwrap_or_else(|e| e.into_inner()) = None;
        Ok(())
    }

    /// The card shown, if any.
    pub fn card(&self) -> Option<&ProductCard> {
        self.card.as_ref().map(|state| &state.card)
    }

    /// Moves the card to another corner of the frame.
    pub fn set_corner(&mut self, corner: OverlayCorner) {
        if corner != self.corner {
            self.corner = corner;
            *self.prepared.get_mut().unwrap_or_else(|e| e.into_inner()) = None;
        }
    }

    pub fn corner(&self) -> OverlayCorner {
        self.corner
    }

    /// Records the card's draw onto `target` (the dressed frame:
    /// `Rgba8Unorm` with an `Rgba8UnormSrgb` view format, or
    /// `Rgba8UnormSrgb`, with RENDER_ATTACHMENT). Its pixels outside the
    /// card are kept. Without a card it records nothing.
    pub fn encode(
        &self,
        gpu: &GpuContext,
        encoder: &mut wgpu::CommandEncoder,
        target: &wgpu::Texture,
    ) -> Result<(), GpuError> {
        let Some(state) = &self.card else {
            return Ok(());
        };
        let format = target.format();
        if !matches!(format, wgpu::TextureFormat::Rgba8Unorm | TARGET_VIEW_FORMAT)
            || !target
                .usage()
                .contains(wgpu::TextureUsages::RENDER_ATTACHMENT)
        {
            return Err(GpuError::InvalidFrame(format!(
                "the overlay draws onto Rgba8Unorm render attachments, not {format:?} with {:?}",
                target.usage()
            )));
        }
        let (width, height) = (target.width(), target.height());
        let key = (width, height, self.corner);
        let mut prepared = self.prepared.lock().unwrap_or_else(|e| e.into_inner());
        if prepared.as_ref().is_none_or(|p| p.key != key) {
            *prepared = Some(self.prepare(gpu, state, key));
        }
        let Some(prepared) = prepared.as_ref().filter(|p| p.layout.is_some()) else {
            return Ok(());
        };
        let view = target.create_view(&wgpu::TextureViewDescriptor {
            label: Some("overlay target"),
            format: Some(TARGET_VIEW_FORMAT),
            usage: Some(wgpu::TextureUsages::RENDER_ATTACHMENT),
            ..Default::default()
        });
        let mut pass = bind::begin_render_pass(
            encoder,
            "overlay",
            bind::PassTargets {
                color: &view,
                resolve_target: None,
                load: wgpu::LoadOp::Load,
                store: wgpu::StoreOp::Store,
                depth: None,
            },
        );
        pass.set_pipeline(&self.pipeline);
        for group in &prepared.bind_groups {
            pass.set_bind_group(0, group, &[]);
            pass.draw(0..4, 0..1);
        }
        Ok(())
    }

    /// Lays the card out for one frame size and uploads what it draws.
    fn prepare(
        &self,
        gpu: &GpuContext,
        state: &CardState,
        key: (u32, u32, OverlayCorner),
    ) -> Prepared {
        let (width, height, corner) = key;
        let qr = state.qr.as_ref().map(|(modules, _)| modules.clone());
        let Some(image) = CardImage::with_qr(&state.card, qr, width, height, corner) else {
            tracing::warn!("a {width}x{height} frame is too small for the product card: not drawn");
            return Prepared {
                key,
                layout: None,
                bind_groups: Vec::new(),
            };
        };
        let layout = image.layout;
        let base = ElementUniform {
            frame_size_px: [width as f32, height as f32],
            corner_radius_px: layout.corner_radius_px,
            kind: KIND_CARD,
            rect_px: layout.card.min_max(),
            color: CARD_COLOR,
            light_color: QR_LIGHT_COLOR,
            module_px: 1.0,
            _pad: [0.0; 3],
        };
        let mut elements = vec![(base, self.no_mask.clone())];
        if let (Some(place), Some((_, texture))) = (layout.qr, &state.qr) {
            let qr = ElementUniform {
                kind: KIND_QR,
                rect_px: place.rect.min_max(),
                color: QR_DARK_COLOR,
                module_px: place.module_px as f32,
                ..base
            };
            elements.push((qr, texture.clone()));
        }
        if let (Some(rect), Some(text)) = (layout.text, &image.text) {
            let texture =
                mask_texture(gpu, "overlay text", text.width, text.height, &text.coverage);
            let text = ElementUniform {
                kind: KIND_TEXT,
                rect_px: rect.min_max(),
                color: TEXT_COLOR,
                ..base
            };
            elements.push((text, texture));
        }
        let bind_groups = elements
            .iter()
            .map(|(uniform, texture)| {
                let buffer = gpu
                    .device
                    .create_buffer_init(&wgpu::util::BufferInitDescriptor {
                        label: Some("overlay element"),
                        contents: bytemuck::bytes_of(uniform),
                        usage: wgpu::BufferUsages::UNIFORM,
                    });
                let view = texture.create_view(&Default::default());
                bind::bind_group(
                    &gpu.device,
                    "overlay element",
                    &self.bind_layout,
                    &[
                        buffer.as_entire_binding(),
                        wgpu::BindingResource::TextureView(&view),
                    ],
                )
            })
            .collect();
        Prepared {
            key,
            layout: Some(layout),
            bind_groups,
        }
    }
}

/// An R8 texture holding `bytes` (`width`×`height`, tightly packed).
fn mask_texture(
    gpu: &GpuContext,
    label: &str,
    width: u32,
    height: u32,
    bytes: &[u8],
) -> wgpu::Texture {
    gpu.device.create_texture_with_data(
        &gpu.queue,
        &texture_2d_descriptor(
            label,
            (width, height),
            MASK_FORMAT,
            wgpu::TextureUsages::TEXTURE_BINDING,
        ),
        wgpu::util::TextureDataOrder::LayerMajor,
        bytes,
    )
}
