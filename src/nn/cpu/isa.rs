//! Which vector instructions the CPU kernels use, picked at run time as
//! XNNPACK does: the best this CPU has, or the one `DRAPE_CPU_ISA` names.

use std::fmt;

/// The environment variable that overrides `Isa::detect`, e.g.
/// `DRAPE_CPU_ISA=avx2` (values: `Isa::name`).
pub const ISA_ENV: &str = "DRAPE_CPU_ISA";

/// A family of kernels: each needs its instructions on the CPU.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Isa {
    /// Plain Rust (whatever the compiler vectorises on its own).
    Portable,
    /// x86-64 SSE4.1: 4 floats a register, multiply then add.
    Sse41,
    /// x86-64 AVX2 with FMA: 8 floats a register.
    Avx2Fma,
    /// x86-64 AVX-512F (with AVX2 and FMA): 16 floats a register, 32
    /// registers.
    Avx512,
    /// aarch64 NEON: 4 floats a register, fused multiply-add.
    Neon,
    /// WebAssembly SIMD128 (built with `target-feature=+simd128`).
    Simd128,
}

/// Every `Isa`, best last, in the order `supported` lists them.
const ALL: [Isa; 6] = [
    Isa::Portable,
    Isa::Sse41,
    Isa::Avx2Fma,
    Isa::Avx512,
    Isa::Neon,
    Isa::Simd128,
];

impl Isa {
    /// The best kernels this CPU can run.
    pub fn detect() -> Isa {
        Isa::supported().last().copied().unwrap_or(Isa::Portable)
    }

    /// Every `Isa` this CPU can run, `Portable` first and the best last
    /// (for tests that compare each with the portable kernels).
    pub fn supported() -> Vec<Isa> {
        ALL.into_iter().filter(|isa| isa.available()).collect()
    }

    /// Whether this CPU (and this build) can run these kernels.
    pub fn available(self) -> bool {
        match self {
            Isa::Portable => true,
            #[cfg(target_arch = "x86_64")]
            Isa::Sse41 => std::arch::is_x86_feature_detected!("sse4.1"),
            #[cfg(target_arch = "x86_64")]
            Isa::Avx2Fma => {
                std::arch::is_x86_feature_detected!("avx2")
                    && std::arch::is_x86_feature_detected!("fma")
            }
            #[cfg(target_arch = "x86_64")]
            Isa::Avx512 => {
                std::arch::is_x86_feature_detected!("avx512f")
                    && std::arch::is_x86_feature_detected!("avx2")
                    && std::arch::is_x86_feature_detected!("fma")
            }
            // NEON is part of the aarch64 base ISA.
            #[cfg(target_arch = "aarch64")]
            Isa::Neon => true,
            // SIMD128 cannot be detected at run time: a module built with
            // it fails to load where it is missing.
            #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
            Isa::Simd128 => true,
            _ => false,
        }
    }

    /// The name `DRAPE_CPU_ISA` takes and logs and benches print.
    pub fn name(self) -> &'static str {
        match self {
            Isa::Portable => "portable",
            Isa::Sse41 => "sse4.1",
            Isa::Avx2Fma => "avx2",
            Isa::Avx512 => "avx512",
            Isa::Neon => "neon",
            Isa::Simd128 => "simd128",
        }
    }

    /// The `Isa` called `name` (as `Isa::name` spells it).
    pub fn from_name(name: &str) -> Option<Isa> {
        ALL.into_iter().find(|isa| isa.name() == name.trim())
    }

    /// `DRAPE_CPU_ISA` if it is set, names a known `Isa` and this CPU runs
    /// it; else `detect()`. A value that cannot be used is logged once per
    /// executor and ignored: a bench or test script that names AVX-512 on
    /// a CPU without it still runs, on the best kernels there are.
    pub fn from_env_or_detect() -> Isa {
        let Ok(value) = std::env::var(ISA_ENV) else {
            return Isa::detect();
        };
        match Isa::from_name(&value) {
            Some(isa) if isa.available() => isa,
            Some(isa) => {
                tracing::warn!(
                    "{ISA_ENV}={value}: this CPU cannot run the {} kernels; using {}",
                    isa.name(),
                    Isa::detect().name()
                );
                Isa::detect()
            }
            None => {
                let names: Vec<_> = ALL.iter().map(|isa| isa.name()).collect();
                tracing::warn!(
                    "{ISA_ENV}={value} is none of {}; using {}",
                    names.join(", "),
                    Isa::detect().name()
                );
                Isa::detect()
            }
        }
    }
}

impl fmt::Display for Isa {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_portable_is_always_supported() {
        for isa in ALL {
            assert_eq!(Isa::from_name(isa.name()), Some(isa));
        }
        assert_eq!(Isa::from_name("avx1024"), None);
        let supported = Isa::supported();
        assert_eq!(supported.first(), Some(&Isa::Portable));
        assert!(supported.contains(&Isa::detect()));
    }
}
