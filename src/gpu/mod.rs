//! The GPU context: instance, adapter, device and queue, headless or for a
//! window, and the helpers every stage shares (readback, shader sources).

internal_mod!(compose, layout, shaders);
mod adapters;
mod readback;
mod texture;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

pub use adapters::{describe_adapters, AdapterReport};
pub use compose::ComposeError;
internal_use!(readback::{read_mapped, TextureReadback});
internal_use!(texture::{texture_2d, texture_2d_descriptor});

/// Why the GPU could not be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum GpuError {
    /// No adapter at all: no driver, or no software fallback installed.
    #[error("no GPU adapter found{backends}. Install a Vulkan driver: on Debian `apt-get install mesa-vulkan-drivers libvulkan1` gives a software one (lavapipe); or force OpenGL with WGPU_BACKEND=gl. `drape devices` lists what wgpu sees")]
    NoAdapter {
        /// Empty, or a note (with its leading space) that `WGPU_BACKEND`
        /// limited the search, naming the backends.
        backends: String,
    },
    /// `WGPU_ADAPTER_NAME` matched nothing.
    #[error("WGPU_ADAPTER_NAME={wanted:?} matches no adapter; present: {available}. Unset it or pick one from `drape devices`")]
    AdapterNotFound {
        /// The variable's value, matched case-insensitively as a substring
        /// of adapter names.
        wanted: String,
        /// The adapters passed over, as `name (backend)` separated by
        /// commas, or `none`.
        available: String,
    },
    /// The adapter refused to create a device.
    #[error("cannot open a device on {adapter}: {message}")]
    RequestDevice {
        /// The adapter's name.
        adapter: String,
        /// wgpu's message.
        message: String,
    },
    /// A window surface could not be created or configured.
    #[error("window surface: {0}")]
    Surface(String),
    /// Copying a result back from the GPU failed.
    #[error("reading back from the GPU failed: {0}")]
    Readback(String),
    /// A frame whose bytes do not match its declared format and size.
    #[error("invalid frame: {0}")]
    InvalidFrame(String),
    /// A size beyond what this adapter can hold.
    #[error("{what} is {width}x{height}, beyond this GPU's limit of {limit} pixels a side")]
    TooLarge {
        /// What was to be made that large, for people.
        what: String,
        /// Its width in pixels.
        width: u32,
        /// Its height in pixels.
        height: u32,
        /// The adapter's largest 2D texture side, in pixels.
        limit: u32,
    },
    /// The device went away: a driver reset, a GPU removed or hung, or
    /// `Device::destroy`. Everything made on it is gone; a long-lived
    /// program rebuilds (`GpuContext::headless` or a new surface, then
    /// `Mirror::recover`), a batch run starts again.
    #[error("the GPU device was lost ({reason}): a driver reset or the GPU went away; everything on it must be made again on a new device")]
    DeviceLost {
        /// What wgpu said of the loss (`destroyed`, a driver message).
        reason: String,
    },
}

/// Whether a device was lost, set from wgpu's device-lost callback. Shared
/// by every clone of a `GpuContext`.
#[derive(Debug, Default)]
struct LostFlag {
    lost: AtomicBool,
    reason: Mutex<Option<String>>,
}

impl LostFlag {
    fn raise(&self, reason: String) {
        *self.reason.lock().unwrap_or_else(|p| p.into_inner()) = Some(reason);
        self.lost.store(true, Ordering::SeqCst);
    }
}

/// An open device and everything needed to use it.
///
/// Cheap to clone: the wgpu handles are reference counted.
#[derive(Clone, Debug)]
pub struct GpuContext {
    /// The wgpu instance the adapter came from (and surfaces are made by).
    pub instance: wgpu::Instance,
    /// The GPU, or software rasteriser, in use.
    pub adapter: wgpu::Adapter,
    /// The open device, with the adapter's own limits.
    pub device: wgpu::Device,
    /// The device's queue.
    pub queue: wgpu::Queue,
    /// The adapter's name, backend and device type.
    pub info: Arc<wgpu::AdapterInfo>,
    lost: Arc<LostFlag>,
}

impl GpuContext {
    /// An offscreen context for batch work and tests. Honours
    /// `WGPU_BACKEND`, `WGPU_ADAPTER_NAME` and `WGPU_POWER_PREF`.
    pub fn headless() -> Result<GpuContext, GpuError> {
        let instance =
            wgpu::Instance::new(wgpu::InstanceDescriptor::new_without_display_handle_from_env());
        pollster::block_on(GpuContext::open(instance, None))
    }

    /// A context whose adapter can present to `surface`, made from the
    /// same `instance`.
    pub async fn open(
        instance: wgpu::Instance,
        surface: Option<&wgpu::Surface<'_>>,
    ) -> Result<GpuContext, GpuError> {
        let adapter = choose_adapter(&instance, surface).await?;
        let info = adapter.get_info();
        let (device, queue) = adapter
            .request_device(&wgpu::DeviceDescriptor {
                label: Some("drape"),
                required_features: wgpu::Features::empty(),
                // Ask for what the adapter has: big frames and big networks
                // need more than the WebGPU defaults.
                required_limits: adapter.limits(),
                experimental_features: wgpu::ExperimentalFeatures::disabled(),
                memory_hints: wgpu::MemoryHints::Performance,
                trace: wgpu::Trace::Off,
            })
            .await
            .map_err(|e| GpuError::RequestDevice {
                adapter: info.name.clone(),
                message: e.to_string(),
            })?;
        let lost = Arc::new(LostFlag::default());
        // wgpu calls this once: on a driver reset or removal at once, after
        // `Device::destroy` at the next poll. Errors from work on a lost
        // device are not reported as errors (wgpu drops them): this flag is
        // how the app loop learns of the loss.
        let flag = Arc::clone(&lost);
        device.set_device_lost_callback(move |reason, message| {
            let reason = match (reason, message.is_empty()) {
                (wgpu::DeviceLostReason::Destroyed, true) => "destroyed".to_string(),
                (wgpu::DeviceLostReason::Destroyed, false) => format!("destroyed: {message}"),
                (_, true) => "lost, no reason given".to_string(),
                (_, false) => message,
            };
            tracing::error!("GPU device lost: {reason}");
            flag.raise(reason);
        });
        // A validation error is a bug in drape, not in the user's input
        // (inputs are checked before they reach the GPU): log it loudly
        // rather than abort a kiosk.
        device.on_uncaptured_error(Arc::new(|error| {
            tracing::error!("GPU error (a bug in drape, please report): {error}");
        }));
        tracing::debug!(
            "GPU: {} ({:?}, {:?})",
            info.name,
            info.backend,
            info.device_type
        );
        Ok(GpuContext {
            instance,
            adapter,
            device,
            queue,
            info: Arc::new(info),
            lost,
        })
    }

    /// Whether the device was lost (see `GpuError::DeviceLost`). Polls the
    /// device without waiting first, so that a loss wgpu only notices
    /// while polling (`Device::destroy`) is seen too.
    pub fn is_lost(&self) -> bool {
        if !self.lost.lost.load(Ordering::SeqCst) {
            // The error, if any, is the loss itself: the flag tells.
            let _ = self.device.poll(wgpu::PollType::Poll);
        }
        self.lost.lost.load(Ordering::SeqCst)
    }

    /// `Err(GpuError::DeviceLost)` once the device was lost.
    pub fn check_lost(&self) -> Result<(), GpuError> {
        if !self.is_lost() {
            return Ok(());
        }
        let reason = self.lost.reason.lock().unwrap_or_else(|p| p.into_inner());
        Err(GpuError::DeviceLost {
            reason: reason.clone().unwrap_or_else(|| "no reason given".into()),
        })
    }

    /// Whether the adapter is a CPU rasteriser (lavapipe, llvmpipe, WARP).
    pub fn is_software(&self) -> bool {
        self.info.device_type == wgpu::DeviceType::Cpu
    }

    /// Fails with `GpuError::TooLarge` when a `width`×`height` texture
    /// would not fit this device.
    pub fn check_texture_size(&self, what: &str, width: u32, height: u32) -> Result<(), GpuError> {
        let limit = self.device.limits().max_texture_dimension_2d;
        if width == 0 || height == 0 {
            return Err(GpuError::InvalidFrame(format!(
                "{what} is {width}x{height}: a frame needs at least one pixel each way"
            )));
        }
        if width > limit || height > limit {
            return Err(GpuError::TooLarge {
                what: what.to_string(),
                width,
                height,
                limit,
            });
        }
        Ok(())
    }

    /// Waits until the GPU has finished all submitted work.
    pub fn wait_idle(&self) -> Result<(), GpuError> {
        let waited = self
            .device
            .poll(wgpu::PollType::wait_indefinitely())
            .map(|_| ())
            .map_err(|e| GpuError::Readback(e.to_string()));
        // A wait that failed because the device went away says so.
        self.check_lost()?;
        waited
    }
}

async fn choose_adapter(
    instance: &wgpu::Instance,
    surface: Option<&wgpu::Surface<'_>>,
) -> Result<wgpu::Adapter, GpuError> {
    let backends = wgpu::Backends::from_env().unwrap_or(wgpu::Backends::all());
    let tried = if wgpu::Backends::from_env().is_some() {
        format!(" (WGPU_BACKEND limits the search to {backends:?})")
    } else {
        String::new()
    };
    if let Ok(wanted) = std::env::var("WGPU_ADAPTER_NAME") {
        let adapters = instance.enumerate_adapters(backends).await;
        let needle = wanted.to_lowercase();
        let mut names = Vec::new();
        for adapter in adapters {
            let info = adapter.get_info();
            let presents = surface.is_none_or(|s| adapter.is_surface_supported(s));
            if presents && info.name.to_lowercase().contains(&needle) {
                return Ok(adapter);
            }
            names.push(format!("{} ({:?})", info.name, info.backend));
        }
        return Err(GpuError::AdapterNotFound {
            wanted,
            available: if names.is_empty() {
                "none".into()
            } else {
                names.join(", ")
            },
        });
    }
    instance
        .request_adapter(&wgpu::RequestAdapterOptions {
            power_preference: wgpu::PowerPreference::from_env().unwrap_or_default(),
            force_fallback_adapter: false,
            compatible_surface: surface,
            apply_limit_buckets: false,
        })
        .await
        .map_err(|_| GpuError::NoAdapter { backends: tried })
}
