//! Restoring lost indices at decode (spec B1.5; the paper's transformer is not released). Positions whose band
//! was lost or damaged get a code-space vector predicted from the known neighbours:
//!
//! * [`Restorer::Smooth`] — harmonic fill: every lost vector becomes the mean of its 4-neighbours, iterated
//!   (Jacobi, a fixed number of sweeps in a fixed order, so decoding stays deterministic) from the level's
//!   usage-weighted mean entry, then optionally snapped to the nearest codebook entry.
//! * [`Restorer::Transformer`] — the harmonic fill refined by a masked-token transformer over a window around
//!   each lost index ([`crate::restore_net`], run by [`crate::VqganModel::restore`]).
//! * [`Restorer::Filter`] — the harmonic fill, then a CNN on the decoded pixels around the lost blocks
//!   ([`crate::post_filter`], run by [`crate::VqganModel::decode_restored`]).
//!
//! The decoder then runs on the restored map; a file with no losses decodes exactly as without restoration.

use crate::levels::Level;
use crate::model::IndexMap;

/// Jacobi sweeps of the harmonic fill.
pub const SWEEPS: usize = 64;

/// How lost positions are filled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Restorer {
    /// The usage-weighted mean entry everywhere (no spatial prediction; the baseline of the measurements).
    Mean,
    /// Harmonic fill from the known neighbours; `snap` maps the result to the nearest entry.
    Smooth {
        /// Snap the filled vectors to codebook entries.
        snap: bool,
    },
    /// The harmonic fill refined by the restoration transformer ([`crate::restore_net`]) where the model has
    /// one (else the harmonic fill).
    Transformer {
        /// Snap the predicted vectors to codebook entries.
        snap: bool,
    },
    /// The harmonic fill, decoded, then the pixel-domain post filter ([`crate::post_filter`]) over the lost
    /// blocks and their neighbours where the model has one (else the harmonic fill).
    Filter,
}

/// The usage-weighted mean entry of a level.
fn mean_entry(level: &Level) -> Vec<f32> {
    let d = level.codebook.dim;
    let total: f64 = level.usage.iter().map(|&c| f64::from(c)).sum::<f64>().max(1.0);
    let mut m = vec![0.0f64; d];
    for (k, &c) in level.usage.iter().enumerate() {
        for (a, v) in m.iter_mut().zip(level.entry(k as u16)) {
            *a += f64::from(c) * f64::from(*v) / total;
        }
    }
    m.into_iter().map(|v| v as f32).collect()
}

/// Code-space vectors (`h × w × code_dim`, position-major) of `map`, with the positions where `known` is false
/// restored.
pub fn restore(level: &Level, map: &IndexMap, known: &[bool], how: Restorer) -> Vec<f32> {
    let d = level.codebook.dim;
    let (h, w) = (map.height, map.width);
    let mean = mean_entry(level);
    let mut codes: Vec<f32> = Vec::with_capacity(h * w * d);
    for (p, &i) in map.data.iter().enumerate() {
        if known.get(p).copied().unwrap_or(false) {
            codes.extend_from_slice(level.entry(i));
        } else {
            codes.extend_from_slice(&mean);
        }
    }
    let lost: Vec<usize> = (0..h * w)
        .filter(|&p| !known.get(p).copied().unwrap_or(false))
        .collect();
    if lost.is_empty() || lost.len() == h * w {
        return codes;
    }
    let snap = match how {
        Restorer::Mean => return codes,
        Restorer::Smooth { snap } => snap,
        Restorer::Transformer { .. } | Restorer::Filter => false,
    };
    {
        harmonic_fill(&mut codes, h, w, d, &lost);
        if snap {
            for &p in &lost {
                let k = level.codebook.nearest(0, &codes[p * d..(p + 1) * d]).0;
                codes[p * d..(p + 1) * d].copy_from_slice(level.entry(k as u16));
            }
        }
    }
    codes
}

/// The harmonic fill of `codes` (`h × w × d`, position-major) at the `lost` positions: [`SWEEPS`] Jacobi sweeps,
/// each lost vector becoming the mean of its 4-neighbours (lost or not), starting from the values it has.
pub fn harmonic_fill(codes: &mut [f32], h: usize, w: usize, d: usize, lost: &[usize]) {
    for _ in 0..SWEEPS {
        let prev = codes.to_vec();
        for &p in lost {
            let (r, c) = (p / w, p % w);
            let mut acc = vec![0.0f32; d];
            let mut n = 0.0f32;
            let around = [
                (r > 0).then(|| p - w),
                (r + 1 < h).then(|| p + w),
                (c > 0).then(|| p - 1),
                (c + 1 < w).then(|| p + 1),
            ];
            for q in around.into_iter().flatten() {
                for (a, v) in acc.iter_mut().zip(&prev[q * d..(q + 1) * d]) {
                    *a += v;
                }
                n += 1.0;
            }
            if n > 0.0 {
                for (o, a) in codes[p * d..(p + 1) * d].iter_mut().zip(&acc) {
                    *o = a / n;
                }
            }
        }
    }
}

/// A seeded random loss pattern for measurements: `known[i]` is false for `round(n · fraction)` positions.
pub fn lost_mask(n: usize, fraction: f64, seed: u64) -> Vec<bool> {
    let mut known = vec![true; n];
    let mut order: Vec<(u64, usize)> = (0..n)
        .map(|i| {
            (
                cinder_nn::train_io::mix(seed ^ (i as u64).wrapping_mul(0x9E37)),
                i,
            )
        })
        .collect();
    order.sort();
    for &(_, i) in order.iter().take((n as f64 * fraction).round() as usize) {
        known[i] = false;
    }
    known
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::levels::toy_level;

    #[test]
    fn known_positions_are_kept_and_holes_take_their_neighbours() {
        let level = toy_level(4, 3, 16);
        let map = IndexMap {
            width: 3,
            height: 3,
            data: vec![5; 9],
        };
        let mut known = vec![true; 9];
        known[4] = false;
        for how in [
            Restorer::Mean,
            Restorer::Smooth { snap: false },
            Restorer::Smooth { snap: true },
        ] {
            let codes = restore(&level, &map, &known, how);
            assert_eq!(codes.len(), 27);
            assert_eq!(&codes[..3], level.entry(5));
            if how != Restorer::Mean {
                // Every neighbour is entry 5, so the hole becomes entry 5.
                assert_eq!(&codes[12..15], level.entry(5));
            }
        }
        let all_lost = restore(&level, &map, &[false; 9], Restorer::Smooth { snap: true });
        assert_eq!(all_lost.len(), 27);
    }
}
