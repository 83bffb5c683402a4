//! `drape devices`: what wgpu sees, and the features and limits drape uses.

/// One adapter, described for people.
#[derive(Debug, Clone)]
pub struct AdapterReport {
    /// The adapter's name, backend, device type and driver.
    pub info: wgpu::AdapterInfo,
    /// Every feature the adapter supports, not only those drape uses.
    pub features: wgpu::Features,
    /// The best limits the adapter supports, not those drape requests.
    pub limits: wgpu::Limits,
}

impl std::fmt::Display for AdapterReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let info = &self.info;
        writeln!(f, "{}", info.name)?;
        writeln!(f, "  backend:      {:?}", info.backend)?;
        writeln!(f, "  type:         {:?}", info.device_type)?;
        writeln!(f, "  driver:       {} {}", info.driver, info.driver_info)?;
        // The features later stages pick fast paths with.
        let wanted = [
            ("shader-f16", wgpu::Features::SHADER_F16),
            ("subgroups", wgpu::Features::SUBGROUP),
            ("float32-filterable", wgpu::Features::FLOAT32_FILTERABLE),
            ("timestamp-query", wgpu::Features::TIMESTAMP_QUERY),
        ];
        let features: Vec<String> = wanted
            .iter()
            .map(|(name, flag)| {
                let mark = if self.features.contains(*flag) {
                    "yes"
                } else {
                    "no"
                };
                format!("{name} {mark}")
            })
            .collect();
        writeln!(f, "  features:     {}", features.join(", "))?;
        let l = &self.limits;
        writeln!(
            f,
            "  limits:       texture 2D {} px, storage buffer {} MiB, workgroup {} invocations / {} KiB shared",
            l.max_texture_dimension_2d,
            l.max_storage_buffer_binding_size / (1024 * 1024),
            l.max_compute_invocations_per_workgroup,
            l.max_compute_workgroup_storage_size / 1024
        )
    }
}

/// Every adapter of the backends `WGPU_BACKEND` allows (all by default).
pub fn describe_adapters() -> Vec<AdapterReport> {
    let instance =
        wgpu::Instance::new(wgpu::InstanceDescriptor::new_without_display_handle_from_env());
    let backends = wgpu::Backends::from_env().unwrap_or(wgpu::Backends::all());
    pollster::block_on(instance.enumerate_adapters(backends))
        .into_iter()
        .map(|adapter| AdapterReport {
            info: adapter.get_info(),
            features: adapter.features(),
            limits: adapter.limits(),
        })
        .collect()
}
