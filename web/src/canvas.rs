//! Shows each dressed frame in the page's `<canvas>` through its 2D
//! context: the frame is copied from its GPU texture into a mappable
//! buffer and, once the browser says the copy is done (map_async; a page
//! must never wait on the GPU), put into the canvas as `ImageData`.
//!
//! A WebGPU canvas context would save that copy, but presenting to one
//! fails on some setups (headless Chromium on SwiftShader cannot make the
//! swap chain's shared image, and loses the device), while a 2D canvas
//! works everywhere and can be saved as a photo at any time.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::Clamped;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, ImageData};

/// The canvas and the staging buffer the frames come back through.
pub(crate) struct CanvasCopy {
    canvas: HtmlCanvasElement,
    context: CanvasRenderingContext2d,
    /// The staging buffer and the width, height and padded row bytes it
    /// was made for (remade when the frame size changes).
    staging: Option<(wgpu::Buffer, u32, u32, u32)>,
    /// Tightly packed RGBA rows of the last frame.
    pixels: Vec<u8>,
}

impl CanvasCopy {
    pub(crate) fn new(canvas: HtmlCanvasElement) -> Result<CanvasCopy, JsError> {
        let context = canvas
            .get_context("2d")
            .map_err(|_| JsError::new("the canvas has no 2D context"))?
            .ok_or_else(|| JsError::new("the canvas has no 2D context (another kind is in use)"))?
            .dyn_into::<CanvasRenderingContext2d>()
            .map_err(|_| JsError::new("the canvas's 2D context is not one"))?;
        Ok(CanvasCopy {
            canvas,
            context,
            staging: None,
            pixels: Vec::new(),
        })
    }

    /// Copies `texture` (RGBA8) back and draws it, at its own size, into
    /// the canvas (resized to match). Resolves once it is drawn.
    pub(crate) async fn show(
        &mut self,
        gpu: &drape::GpuContext,
        texture: &wgpu::Texture,
    ) -> Result<(), JsError> {
        let (width, height) = (texture.width(), texture.height());
        let row_bytes = width * 4;
        let padded = row_bytes.div_ceil(wgpu::COPY_BYTES_PER_ROW_ALIGNMENT)
            * wgpu::COPY_BYTES_PER_ROW_ALIGNMENT;
        let fits = matches!(&self.staging, Some((_, w, h, _)) if (*w, *h) == (width, height));
        if !fits {
            let buffer = gpu.device.create_buffer(&wgpu::BufferDescriptor {
                label: Some("canvas copy"),
                size: u64::from(padded) * u64::from(height),
                usage: wgpu::BufferUsages::COPY_DST | wgpu::BufferUsages::MAP_READ,
                mapped_at_creation: false,
            });
            self.staging = Some((buffer, width, height, padded));
        }
        let Some((buffer, ..)) = &self.staging else {
            unreachable!("made above");
        };
        let mut encoder = gpu
            .device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                label: Some("canvas copy"),
            });
        encoder.copy_texture_to_buffer(
            texture.as_image_copy(),
            wgpu::TexelCopyBufferInfo {
                buffer,
                layout: wgpu::TexelCopyBufferLayout {
                    offset: 0,
                    bytes_per_row: Some(padded),
                    rows_per_image: Some(height),
                },
            },
            texture.size(),
        );
        gpu.queue.submit([encoder.finish()]);
        mapped(buffer).await?;
        {
            let mapped = buffer
                .get_mapped_range(..)
                .map_err(|e| JsError::new(&format!("cannot read the frame back: {e}")))?;
            self.pixels.clear();
            for row in mapped.chunks_exact(padded as usize) {
                self.pixels.extend_from_slice(&row[..row_bytes as usize]);
            }
        }
        buffer.unmap();
        if (self.canvas.width(), self.canvas.height()) != (width, height) {
            self.canvas.set_width(width);
            self.canvas.set_height(height);
        }
        let image =
            ImageData::new_with_u8_clamped_array_and_sh(Clamped(&self.pixels), width, height)
                .map_err(|_| JsError::new("cannot make the frame's ImageData"))?;
        self.context
            .put_image_data(&image, 0.0, 0.0)
            .map_err(|_| JsError::new("cannot draw the frame on the canvas"))?;
        Ok(())
    }
}

/// Maps `buffer` for reading and resolves once the browser has done it.
async fn mapped(buffer: &wgpu::Buffer) -> Result<(), JsError> {
    let outcome: Rc<RefCell<Option<Result<(), wgpu::BufferAsyncError>>>> = Rc::default();
    let done = Rc::clone(&outcome);
    let promise = js_sys::Promise::new(&mut |resolve, _reject| {
        let done = Rc::clone(&done);
        buffer.map_async(wgpu::MapMode::Read, .., move |result| {
            *done.borrow_mut() = Some(result);
            let _ = resolve.call0(&JsValue::NULL);
        });
    });
    wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .map_err(|_| JsError::new("the frame's copy was abandoned"))?;
    let result = outcome.borrow_mut().take();
    match result {
        Some(Ok(())) => Ok(()),
        Some(Err(error)) => Err(JsError::new(&format!(
            "cannot read the frame back from the GPU: {error}"
        ))),
        None => Err(JsError::new("the frame's copy never finished")),
    }
}
