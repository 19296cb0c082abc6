//! k-means with k-means++ seeding (Arthur & Vassilvitskii 2007) and Lloyd iterations, optionally weighted per
//! point and restarted several times. It initialises codebooks from encoder outputs (HiFi-Codec spec §6.1, VQGAN
//! spec §6.4) and reduces a trained codebook to S entries (VQGAN paper Fig. 1(b); weighting each entry by how
//! often the training data selects it keeps dead entries from pulling centroids, spec B3).
//!
//! Deterministic for a seed: the only randomness is a SplitMix stream, and parallel loops only compute
//! per-point values that are reduced in a fixed order.

use crate::train_io::mix;
use rayon::prelude::*;

/// A clustering.
#[derive(Debug, Clone, PartialEq)]
pub struct Clustering {
    /// `k × dim` centres.
    pub centres: Vec<f32>,
    /// Total weight (the count when unweighted) of the points nearest each centre.
    pub masses: Vec<f64>,
    /// Weighted sum of squared distances of the points to their centres.
    pub inertia: f64,
}

fn dist(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum::<f32>()
}

/// One k-means run on `points` (`n × dim`, row-major) with optional per-point `weights`.
/// With fewer points than `k`, the missing centres repeat the first point (mass 0).
pub fn kmeans(
    points: &[f32],
    weights: Option<&[f32]>,
    dim: usize,
    k: usize,
    iterations: usize,
    seed: u64,
) -> Clustering {
    let n = points.len() / dim.max(1);
    if n == 0 || k == 0 {
        return Clustering {
            centres: vec![0.0; k * dim],
            masses: vec![0.0; k],
            inertia: 0.0,
        };
    }
    let point = |i: usize| &points[i * dim..(i + 1) * dim];
    let weight = |i: usize| weights.map_or(1.0, |w| f64::from(w[i]));
    let mut rng = mix(seed);
    let mut centres = Vec::with_capacity(k * dim);
    centres.extend_from_slice(point((rng % n as u64) as usize));
    let mut best: Vec<f32> = (0..n).map(|i| dist(point(i), &centres[..dim])).collect();
    for _ in 1..k {
        let total: f64 = best
            .iter()
            .enumerate()
            .map(|(i, &d)| weight(i) * f64::from(d))
            .sum();
        rng = mix(rng);
        let mut target = (rng >> 11) as f64 / (1u64 << 53) as f64 * total;
        let mut pick = n - 1;
        for (i, &d) in best.iter().enumerate() {
            target -= weight(i) * f64::from(d);
            if target <= 0.0 {
                pick = i;
                break;
            }
        }
        let p = point(pick).to_vec();
        centres.extend_from_slice(&p);
        best.par_iter_mut()
            .enumerate()
            .for_each(|(i, b)| *b = b.min(dist(point(i), &p)));
    }
    let mut masses = vec![0.0f64; k];
    let mut inertia = 0.0;
    for _ in 0..iterations.max(1) {
        let assign: Vec<(usize, f32)> = (0..n)
            .into_par_iter()
            .map(|i| {
                let v = point(i);
                let mut b = (0usize, f32::INFINITY);
                for c in 0..k {
                    let d = dist(v, &centres[c * dim..(c + 1) * dim]);
                    if d < b.1 {
                        b = (c, d);
                    }
                }
                b
            })
            .collect();
        let mut sums = vec![0.0f64; k * dim];
        masses.iter_mut().for_each(|s| *s = 0.0);
        inertia = 0.0;
        for (i, &(c, d)) in assign.iter().enumerate() {
            let w = weight(i);
            masses[c] += w;
            inertia += w * f64::from(d);
            for d in 0..dim {
                sums[c * dim + d] += w * f64::from(points[i * dim + d]);
            }
        }
        for c in 0..k {
            if masses[c] > 0.0 {
                for d in 0..dim {
                    centres[c * dim + d] = (sums[c * dim + d] / masses[c]) as f32;
                }
            }
        }
    }
    Clustering {
        centres,
        masses,
        inertia,
    }
}

/// The best (lowest inertia) of `restarts` k-means runs with different seeds.
pub fn kmeans_restarts(
    points: &[f32],
    weights: Option<&[f32]>,
    dim: usize,
    k: usize,
    iterations: usize,
    restarts: usize,
    seed: u64,
) -> Clustering {
    let mut best: Option<Clustering> = None;
    for r in 0..restarts.max(1) {
        let c = kmeans(points, weights, dim, k, iterations, seed ^ mix(r as u64 + 1));
        if best.as_ref().is_none_or(|b| c.inertia < b.inertia) {
            best = Some(c);
        }
    }
    best.unwrap_or_else(|| kmeans(points, weights, dim, k, iterations, seed))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kmeans_finds_separated_clusters() {
        let pts: Vec<f32> = (0..300)
            .flat_map(|i| {
                let c = (i % 3) as f32 * 10.0;
                [c + (i % 7) as f32 * 0.01, -c]
            })
            .collect();
        let c = kmeans(&pts, None, 2, 3, 5, 1);
        assert!(c.masses.iter().all(|&s| s == 100.0), "{:?}", c.masses);
        let mut xs: Vec<i32> = c.centres.chunks(2).map(|c| c[0].round() as i32).collect();
        xs.sort();
        assert_eq!(xs, vec![0, 10, 20]);
    }

    #[test]
    fn weights_pull_centres_and_restarts_never_do_worse() {
        // Two points; with one centre it sits at the weighted mean.
        let pts = [0.0f32, 10.0];
        let c = kmeans(&pts, Some(&[3.0, 1.0]), 1, 1, 3, 5);
        assert!((c.centres[0] - 2.5).abs() < 1e-5, "{:?}", c.centres);
        assert_eq!(c.masses, vec![4.0]);
        let pts: Vec<f32> = (0..200).map(|i| ((i * 7919) % 101) as f32).collect();
        let one = kmeans(&pts, None, 1, 6, 4, 3 ^ mix(1));
        let many = kmeans_restarts(&pts, None, 1, 6, 4, 5, 3);
        assert!(many.inertia <= one.inertia);
        // Too few points: no panic, k centres.
        assert_eq!(kmeans(&pts[..2], None, 1, 5, 2, 1).centres.len(), 5);
    }
}
