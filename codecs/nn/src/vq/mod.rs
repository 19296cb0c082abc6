//! Vector quantisation shared by the neural codecs: codebooks with nearest-neighbour search ([`Codebooks`];
//! residual and grouped, HiFi-Codec spec §1.5; a single codebook for VQGAN), their EMA training with k-means
//! initialisation and dead-code restarts ([`VqState`]), and k-means itself ([`kmeans`]).
//!
//! Plain `f32` on the CPU: the inference side is deterministic and needs no device.

mod codebooks;
mod ema;
pub mod kmeans;

pub use codebooks::Codebooks;
pub use ema::{Quantised, VqState};
pub use kmeans::{kmeans, kmeans_restarts, Clustering};

/// `[batch, channels, positions]` values (a network's output) → position-major `(batch · positions) × channels`
/// vectors, what the quantiser takes.
pub fn to_vectors(v: &[f32], batch: usize, channels: usize, positions: usize) -> Vec<f32> {
    let mut out = vec![0.0f32; v.len()];
    for b in 0..batch {
        for c in 0..channels {
            for p in 0..positions {
                out[(b * positions + p) * channels + c] = v[(b * channels + c) * positions + p];
            }
        }
    }
    out
}

/// The inverse of [`to_vectors`].
pub fn from_vectors(v: &[f32], batch: usize, channels: usize, positions: usize) -> Vec<f32> {
    let mut out = vec![0.0f32; v.len()];
    for b in 0..batch {
        for p in 0..positions {
            for c in 0..channels {
                out[(b * channels + c) * positions + p] = v[(b * positions + p) * channels + c];
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layouts_invert() {
        let v: Vec<f32> = (0..2 * 3 * 4).map(|i| i as f32).collect();
        let p = to_vectors(&v, 2, 3, 4);
        assert_eq!(from_vectors(&p, 2, 3, 4), v);
        assert_eq!(p[0..3], [0.0, 4.0, 8.0]);
    }
}
