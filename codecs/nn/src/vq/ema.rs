//! Training the GRVQ codebooks (spec §6.1: without these the codebooks of a small run collapse): exponential
//! moving averages of assignment counts and sums instead of a codebook loss (decay 0.99, Laplace smoothing),
//! k-means initialisation (k-means++ seeding, Lloyd iterations) from encoder outputs collected during an
//! unquantised warm-up, and restart of every entry unused for `restart_after` steps from a random residual of the
//! current batch. Per-codebook usage and perplexity are measured over windows for the logs.

use super::kmeans::{kmeans, Clustering};
use super::Codebooks;
use crate::train_io::mix;
use crate::NnError;
use rayon::prelude::*;

/// One frame's tokens, layer-1 and all-layer reconstructions, and the residual each layer saw.
type FrameResult = (Vec<u16>, Vec<f32>, Vec<f32>, Vec<f32>);

/// The trainable state of all codebooks.
#[derive(Debug, Clone)]
pub struct VqState {
    /// The current entries.
    pub books: Codebooks,
    counts: Vec<f32>,
    sums: Vec<f32>,
    last_used: Vec<u64>,
    window: Vec<u64>,
    /// EMA decay.
    pub decay: f32,
    /// Steps without a hit after which an entry is re-seeded.
    pub restart_after: u64,
}

/// What one batch's quantisation produced (frame-major, `frames × latent`).
pub struct Quantised {
    /// Sum over the first layer only (1 kbps).
    pub first: Vec<f32>,
    /// Sum over all layers.
    pub all: Vec<f32>,
}

impl VqState {
    /// Fresh state around `books`.
    pub fn new(books: Codebooks) -> VqState {
        let n = books.layers * books.groups * books.codes;
        VqState {
            counts: vec![1.0; n],
            sums: books.data.clone(),
            last_used: vec![0; n],
            window: vec![0; n],
            books,
            decay: 0.99,
            restart_after: 200,
        }
    }

    /// A state that continues from trained codebooks and the usage counts saved with them ([`VqState::prior`]),
    /// so the EMA statistics — and the prior written with the next weights — start where training left them
    /// instead of at uniform counts. A prior of the wrong length is ignored (uniform counts, as [`VqState::new`]).
    pub fn with_prior(books: Codebooks, prior: &[u32]) -> VqState {
        let mut state = VqState::new(books);
        if prior.len() == state.counts.len() {
            let dim = state.books.dim;
            for (k, &p) in prior.iter().enumerate() {
                let c = p as f32 / 1000.0;
                state.counts[k] = c;
                for v in &mut state.sums[k * dim..(k + 1) * dim] {
                    *v *= c;
                }
            }
        }
        state
    }

    fn nbooks(&self) -> usize {
        self.books.layers * self.books.groups
    }

    /// k-means initialisation of every codebook from `pool` (frame-major latents, `frames × latent`): layer 1 on
    /// the latents, then each further layer on the residuals of the layers before.
    pub fn kmeans_init(&mut self, pool: &[f32], iterations: usize, seed: u64) -> Result<(), NnError> {
        let (dim, groups, codes) = (self.books.dim, self.books.groups, self.books.codes);
        let latent = dim * groups;
        let frames = pool.len() / latent;
        if frames < codes {
            return Err(NnError::Codebook(format!(
                "k-means needs ≥ {codes} frames, got {frames}"
            )));
        }
        let mut residual = pool.to_vec();
        for layer in 0..self.books.layers {
            for group in 0..groups {
                let points: Vec<f32> = (0..frames)
                    .flat_map(|f| residual[f * latent + group * dim..f * latent + (group + 1) * dim].to_vec())
                    .collect();
                let Clustering { centres, masses, .. } = kmeans(
                    &points,
                    None,
                    dim,
                    codes,
                    iterations,
                    seed ^ mix((layer * 7 + group) as u64),
                );
                let book = self.books.book_index(layer, group);
                let per_step = 1.0 / frames as f32;
                for k in 0..codes {
                    let at = (book * codes + k) * dim;
                    self.books.data[at..at + dim].copy_from_slice(&centres[k * dim..(k + 1) * dim]);
                    let c = (masses[k] as f32 * per_step * 400.0).max(0.05);
                    self.counts[book * codes + k] = c;
                    for d in 0..dim {
                        self.sums[at + d] = centres[k * dim + d] * c;
                    }
                }
            }
            self.books.refresh();
            // Residuals for the next layer.
            for f in 0..frames {
                let mut tokens = vec![0u16; self.nbooks()];
                let mut q = vec![0.0f32; latent];
                self.books.quantise_frame(
                    &pool[f * latent..(f + 1) * latent],
                    layer + 1,
                    &mut tokens,
                    &mut q,
                );
                for c in 0..latent {
                    residual[f * latent + c] = pool[f * latent + c] - q[c];
                }
            }
        }
        Ok(())
    }

    /// Quantises a batch (frame-major latents) with all layers, updates the EMA statistics (when `update`),
    /// restarts dead entries, and returns the layer-1 and all-layer reconstructions.
    pub fn quantise(&mut self, latents: &[f32], step: u64, update: bool) -> Quantised {
        let (dim, groups, codes, layers) = (
            self.books.dim,
            self.books.groups,
            self.books.codes,
            self.books.layers,
        );
        let latent = dim * groups;
        let frames = latents.len() / latent;
        let nb = self.nbooks();
        let books = &self.books;
        let per_frame: Vec<FrameResult> = (0..frames)
            .into_par_iter()
            .map(|f| {
                let z = &latents[f * latent..(f + 1) * latent];
                let mut tokens = vec![0u16; nb];
                let mut all = vec![0.0f32; latent];
                books.quantise_frame(z, layers, &mut tokens, &mut all);
                // The residual each layer saw: layer l sees z − (sum of layers < l); the sum after layer 1 is the
                // 1 kbps reconstruction (layer 1's choice does not depend on later layers).
                let mut seen = Vec::with_capacity(layers * latent);
                let mut acc = vec![0.0f32; latent];
                let mut first = Vec::new();
                for layer in 0..layers {
                    if layer == 1 {
                        first = acc.clone();
                    }
                    for c in 0..latent {
                        seen.push(z[c] - acc[c]);
                    }
                    for g in 0..groups {
                        let e = books.entry(
                            books.book_index(layer, g),
                            usize::from(tokens[layer * groups + g]),
                        );
                        for d in 0..dim {
                            acc[g * dim + d] += e[d];
                        }
                    }
                }
                if layers == 1 {
                    first = acc;
                }
                (tokens, first, all, seen)
            })
            .collect();
        let mut out = Quantised {
            first: Vec::with_capacity(frames * latent),
            all: Vec::with_capacity(frames * latent),
        };
        let mut hit = vec![0.0f32; nb * codes];
        let mut sum = vec![0.0f32; nb * codes * dim];
        for (tokens, first, all, seen) in &per_frame {
            out.first.extend_from_slice(first);
            out.all.extend_from_slice(all);
            for layer in 0..layers {
                for g in 0..groups {
                    let book = layer * groups + g;
                    let k = book * codes + usize::from(tokens[book]);
                    hit[k] += 1.0;
                    self.window[k] += 1;
                    self.last_used[k] = step;
                    let src = &seen[layer * latent + g * dim..layer * latent + (g + 1) * dim];
                    for d in 0..dim {
                        sum[k * dim + d] += src[d];
                    }
                }
            }
        }
        if update {
            let a = self.decay;
            for k in 0..nb * codes {
                self.counts[k] = a * self.counts[k] + (1.0 - a) * hit[k];
                for d in 0..dim {
                    self.sums[k * dim + d] = a * self.sums[k * dim + d] + (1.0 - a) * sum[k * dim + d];
                }
            }
            for book in 0..nb {
                let range = book * codes..(book + 1) * codes;
                let n: f32 = self.counts[range.clone()].iter().sum();
                let eps = 1e-5;
                for k in range {
                    let smoothed = (self.counts[k] + eps) / (n + codes as f32 * eps) * n;
                    for d in 0..dim {
                        self.books.data[k * dim + d] = self.sums[k * dim + d] / smoothed.max(1e-12);
                    }
                }
            }
            // Dead-code restart from random residuals of this batch.
            let mut rng = mix(step ^ 0xD1CE);
            for book in 0..nb {
                let (layer, g) = (book / groups, book % groups);
                for code in 0..codes {
                    let k = book * codes + code;
                    if step.saturating_sub(self.last_used[k]) < self.restart_after || frames == 0 {
                        continue;
                    }
                    rng = mix(rng);
                    let f = (rng % frames as u64) as usize;
                    let src = &per_frame[f].3[layer * latent + g * dim..layer * latent + (g + 1) * dim];
                    for (d, &v) in src.iter().enumerate() {
                        rng = mix(rng);
                        let noise = ((rng >> 40) as f32 / (1u64 << 24) as f32 - 0.5) * 0.02;
                        self.books.data[k * dim + d] = v + noise;
                        self.sums[k * dim + d] = self.books.data[k * dim + d] * 0.5;
                    }
                    self.counts[k] = 0.5;
                    self.last_used[k] = step;
                }
            }
            self.books.refresh();
        }
        out
    }

    /// Per codebook: the fraction of entries hit and the perplexity (2^entropy) over the window since the last
    /// call; resets the window.
    pub fn take_usage(&mut self) -> Vec<(f64, f64)> {
        let codes = self.books.codes;
        let out = self
            .window
            .chunks(codes)
            .map(|w| {
                let total: u64 = w.iter().sum();
                let used = w.iter().filter(|&&c| c > 0).count();
                let h: f64 = w
                    .iter()
                    .filter(|&&c| c > 0)
                    .map(|&c| {
                        let p = c as f64 / total.max(1) as f64;
                        -p * p.log2()
                    })
                    .sum();
                (used as f64 / codes as f64, 2f64.powf(h))
            })
            .collect();
        self.window.iter_mut().for_each(|c| *c = 0);
        out
    }

    /// The EMA counts as an integer prior for the entropy coder (every entry at least 1).
    pub fn prior(&self) -> Vec<u32> {
        self.counts
            .iter()
            .map(|&c| (c * 1000.0).round().clamp(1.0, 1e9) as u32)
            .collect()
    }

    /// Serialises the whole state (for resuming).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        for v in self.books.data.iter().chain(&self.counts).chain(&self.sums) {
            out.extend_from_slice(&v.to_le_bytes());
        }
        for v in &self.last_used {
            out.extend_from_slice(&v.to_le_bytes());
        }
        out
    }

    /// Restores what [`VqState::to_bytes`] wrote (same shape).
    pub fn load_bytes(&mut self, bytes: &[u8]) -> Result<(), NnError> {
        let n = self.counts.len();
        let need = (self.books.data.len() + 2 * n + self.sums.len() - n) * 4 + n * 8;
        let floats = self.books.data.len() + n + self.sums.len();
        if bytes.len() != floats * 4 + n * 8 || need != bytes.len() {
            return Err(NnError::Codebook(format!(
                "quantiser state has {} bytes",
                bytes.len()
            )));
        }
        let mut f = bytes[..floats * 4]
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]));
        for v in self
            .books
            .data
            .iter_mut()
            .chain(&mut self.counts)
            .chain(&mut self.sums)
        {
            *v = f.next().unwrap_or(0.0);
        }
        for (v, b) in self.last_used.iter_mut().zip(bytes[floats * 4..].chunks_exact(8)) {
            *v = u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]);
        }
        self.books.refresh();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ema_state_round_trips_and_dead_codes_restart() {
        let books = Codebooks::new(2, 2, 8, 2, vec![0.0; 2 * 2 * 8 * 2]).unwrap();
        let mut vq = VqState::new(books);
        vq.restart_after = 2;
        let latents: Vec<f32> = (0..64 * 4).map(|i| ((i * 37 % 17) as f32 - 8.0) / 4.0).collect();
        vq.kmeans_init(&latents, 3, 7).unwrap();
        for step in 1..10 {
            let q = vq.quantise(&latents, step, true);
            assert_eq!(q.all.len(), latents.len());
        }
        let usage = vq.take_usage();
        assert_eq!(usage.len(), 4);
        assert!(usage.iter().all(|(u, p)| *u > 0.0 && *p >= 1.0));
        let bytes = vq.to_bytes();
        let mut other = VqState::new(Codebooks::new(2, 2, 8, 2, vec![0.0; 64]).unwrap());
        other.load_bytes(&bytes).unwrap();
        assert_eq!(other.books, vq.books);
        assert!(other.load_bytes(&bytes[1..]).is_err());
    }

    #[test]
    fn a_state_from_saved_counts_keeps_the_books_and_the_prior() {
        let data: Vec<f32> = (0..64).map(|i| (i as f32 * 0.37).sin()).collect();
        let books = Codebooks::new(2, 2, 8, 2, data).unwrap();
        let prior: Vec<u32> = (0..32).map(|k| 1 + 250 * (k % 5)).collect();
        let mut vq = VqState::with_prior(books.clone(), &prior);
        assert_eq!(vq.books, books);
        assert_eq!(vq.prior(), prior);
        // Frozen use (no update) leaves both alone.
        let latents: Vec<f32> = (0..64 * 4).map(|i| ((i * 37 % 17) as f32 - 8.0) / 4.0).collect();
        vq.quantise(&latents, 1, false);
        assert_eq!((vq.books.clone(), vq.prior()), (books.clone(), prior));
        // A prior of another shape is ignored: uniform counts, as a new state.
        assert_eq!(
            VqState::with_prior(books.clone(), &[5; 3]).prior(),
            VqState::new(books).prior()
        );
    }
}
