//! Gaussian-CDF companding to `b`-bit integers (WaLLoC's `ToUniform` / `Round` / `ToNormal`, spec A1.4).
//!
//! `u = 2m·(Φ(z/s) − ½)` with `s = (2^(b−1) − 1)/1.85` and `m = 2^(b−1) − ½ − 0.001`, rounded to an integer in
//! `[−(2^(b−1) − 1), 2^(b−1) − 1]`; the decoder maps each integer back through `ẑ = s·Φ⁻¹(clamp(û/2m + ½))`,
//! precomputed in f64 as a table so the result is identical on every machine. Here `b = 8`.

/// Largest magnitude of a companded latent (2^(b−1) − 1 for b = 8).
pub const MAX_LEVEL: i32 = 127;
/// Number of distinct latent values (−127 … 127).
pub const LEVELS: u32 = 2 * MAX_LEVEL as u32 + 1;

fn scale() -> f64 {
    f64::from(MAX_LEVEL) / 1.85
}

fn half_range() -> f64 {
    f64::from(MAX_LEVEL) + 0.5 - 0.001
}

/// Standard normal CDF Φ (via libm's erfc, the same on every platform).
pub fn normal_cdf(x: f64) -> f64 {
    0.5 * libm::erfc(-x / std::f64::consts::SQRT_2)
}

/// Inverse standard normal CDF by bisection on [`normal_cdf`] (deterministic; only used to build tables).
pub fn normal_quantile(p: f64) -> f64 {
    let (mut lo, mut hi) = (-40.0f64, 40.0f64);
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        let next = if normal_cdf(mid) < p { (mid, hi) } else { (lo, mid) };
        // Once an iteration changes nothing, none of the remaining ones can (saves most of the 200 `erfc`s).
        if next == (lo, hi) {
            break;
        }
        (lo, hi) = next;
    }
    0.5 * (lo + hi)
}

/// Compands and rounds one pre-companding latent to an integer level.
#[inline]
pub fn quantise(z: f32) -> i32 {
    let u = 2.0 * half_range() * (normal_cdf(f64::from(z) / scale()) - 0.5);
    (u.round() as i32).clamp(-MAX_LEVEL, MAX_LEVEL)
}

/// The encoder's fast path: the 254 decision thresholds of [`quantise`] in the pre-companding domain, so a
/// latent is quantised by a binary search instead of an `erfc` (the encoder alone decides symbols, so this
/// needs no cross-device determinism; it agrees with [`quantise`] except within float rounding of a threshold).
#[derive(Debug, Clone)]
pub struct Quantiser {
    thresholds: Vec<f32>,
}

impl Default for Quantiser {
    fn default() -> Self {
        let thresholds = (-MAX_LEVEL..MAX_LEVEL)
            .map(|q| {
                // u crosses q + ½ where Φ(z/s) = (q + ½)/(2m) + ½.
                let p = (f64::from(q) + 0.5) / (2.0 * half_range()) + 0.5;
                (scale() * normal_quantile(p)) as f32
            })
            .collect();
        Quantiser { thresholds }
    }
}

impl Quantiser {
    /// The shared instance (built once per process).
    pub fn shared() -> &'static Quantiser {
        static SHARED: std::sync::OnceLock<Quantiser> = std::sync::OnceLock::new();
        SHARED.get_or_init(Quantiser::default)
    }

    /// Level of `z`: the number of thresholds at or below it, minus 127.
    #[inline]
    pub fn quantise(&self, z: f32) -> i32 {
        self.thresholds.partition_point(|&t| t <= z) as i32 - MAX_LEVEL
    }
}

/// The decoder's table, built once per process: `table[level + 127]` is the reconstruction of `level`.
pub fn dequantise_table() -> &'static [f32] {
    static TABLE: std::sync::OnceLock<Vec<f32>> = std::sync::OnceLock::new();
    TABLE.get_or_init(build_dequantise_table)
}

fn build_dequantise_table() -> Vec<f32> {
    (-MAX_LEVEL..=MAX_LEVEL)
        .map(|q| {
            let p = (f64::from(q) / (2.0 * half_range()) + 0.5).clamp(1e-4, 1.0 - 1e-4);
            (scale() * normal_quantile(p)) as f32
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_inverts_quantise_near_zero_and_is_monotone() {
        let t = dequantise_table();
        assert_eq!(t.len(), LEVELS as usize);
        assert!(t.windows(2).all(|w| w[0] < w[1]));
        assert!(t[127].abs() < 1e-6);
        for z in [-20.0f32, -3.3, 0.0, 0.4, 7.0, 30.0] {
            let q = quantise(z);
            assert!(
                (t[(q + 127) as usize] - z).abs() < 1.0,
                "z {z} q {q} back {}",
                t[(q + 127) as usize]
            );
        }
        assert_eq!(quantise(1e9), 127);
        assert_eq!(quantise(-1e9), -127);
    }

    #[test]
    fn threshold_quantiser_agrees_with_the_formula() {
        let q = Quantiser::default();
        for i in -4000..4000 {
            let z = i as f32 * 0.037;
            assert_eq!(q.quantise(z), quantise(z), "z = {z}");
        }
    }

    #[test]
    fn quantile_stops_only_at_the_fixed_point_of_the_full_bisection() {
        let full = |p: f64| {
            let (mut lo, mut hi) = (-40.0f64, 40.0f64);
            for _ in 0..200 {
                let mid = 0.5 * (lo + hi);
                if normal_cdf(mid) < p {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            0.5 * (lo + hi)
        };
        for i in 0..=2000 {
            let p = f64::from(i) / 2000.0;
            assert_eq!(normal_quantile(p).to_bits(), full(p).to_bits(), "p = {p}");
        }
        for q in -MAX_LEVEL..=MAX_LEVEL {
            let p = (f64::from(q) + 0.5) / (2.0 * half_range()) + 0.5;
            assert_eq!(normal_quantile(p).to_bits(), full(p).to_bits(), "q = {q}");
        }
    }

    #[test]
    fn slope_near_zero_matches_the_paper() {
        // 2m·φ(0)/s ≈ 1.48 for b = 8.
        let slope = f64::from(quantise(10.0)) / 10.0;
        assert!((slope - 1.48).abs() < 0.06, "{slope}");
    }
}
