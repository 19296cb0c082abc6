//! The HCLT circuit as flat arrays (spec §1.2): one M-state latent per inner tree node, an M×M transition
//! block per non-root inner node, a prior over the root latent, and M categorical leaves over 256 values per
//! pixel, indexed by the state of the latent the pixel hangs off (its own for inner nodes, its parent's for
//! tree leaves, which get no latent of their own).
//!
//! As a PC: products `input_v[k] × Π_c R_c[k]`, sums with weights `trans[v][j][·]`, the root sum with `prior`.
//! The circuit is smooth, decomposable and structured-decomposable along the tree.

use crate::structure::{Tree, NO_PARENT};
use crate::PcError;

/// Number of pixel values.
pub const K: usize = 256;

/// Shape of an HCLT: the tree and where each node's parameters live.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Circuit {
    /// Image width.
    pub width: u32,
    /// Image height.
    pub height: u32,
    /// Latent states per inner node.
    pub m: usize,
    /// The rooted Chow–Liu tree.
    pub tree: Tree,
    /// Latent slot of each pixel: its own for inner nodes, the parent's for tree leaves.
    pub slot: Vec<u32>,
    /// True when the pixel owns its slot (inner node).
    pub inner: Vec<bool>,
    /// Number of latent slots (inner nodes).
    pub slots: usize,
}

impl Circuit {
    /// Lays out the parameters of an HCLT on `tree`.
    pub fn new(width: u32, height: u32, m: usize, tree: Tree) -> Result<Circuit, PcError> {
        let d = width as usize * height as usize;
        if tree.len() != d || d == 0 {
            return Err(PcError::BadModel(format!(
                "tree has {} nodes, a {width}x{height} image has {d} pixels",
                tree.len()
            )));
        }
        if !(1..=1024).contains(&m) {
            return Err(PcError::BadModel(format!("hidden size {m} outside 1..=1024")));
        }
        let inner: Vec<bool> = (0..d).map(|v| tree.is_inner(v)).collect();
        let mut own = vec![NO_PARENT; d];
        let mut slots = 0u32;
        for v in 0..d {
            if inner[v] {
                own[v] = slots;
                slots += 1;
            }
        }
        let slot = (0..d)
            .map(|v| {
                if inner[v] {
                    own[v]
                } else {
                    own[tree.parent[v] as usize]
                }
            })
            .collect();
        Ok(Circuit {
            width,
            height,
            m,
            tree,
            slot,
            inner,
            slots: slots as usize,
        })
    }

    /// Pixels per image.
    pub fn dim(&self) -> usize {
        self.tree.len()
    }

    /// Number of leaf parameters (D·M·256).
    pub fn leaf_len(&self) -> usize {
        self.dim() * self.m * K
    }

    /// Number of transition parameters (one M×M block per slot; the root's block is unused).
    pub fn trans_len(&self) -> usize {
        self.slots * self.m * self.m
    }
}

/// HCLT parameters as flat arrays of one float type (f32 for training, f64 for coding).
#[derive(Debug, Clone, PartialEq)]
pub struct Params<T> {
    /// P(Z_root = k), length M.
    pub prior: Vec<T>,
    /// `trans[(s * M + j) * M + k]` = P(Z_v = k | Z_parent = j) for the node owning slot `s`.
    pub trans: Vec<T>,
    /// `leaf[(v * M + k) * 256 + x]` = P(X_v = x | state k of the pixel's slot).
    pub leaf: Vec<T>,
}

/// SplitMix64: a tiny deterministic generator for initialisation and shuffling.
#[derive(Debug, Clone)]
pub struct SplitMix(pub u64);

impl SplitMix {
    /// Next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform integer below `n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
}

/// Normalises `row` in place to sum 1 (uniform when the sum is not positive).
pub fn normalise(row: &mut [f32]) {
    let s: f32 = row.iter().sum();
    if s > 0.0 && s.is_finite() {
        let inv = 1.0 / s;
        row.iter_mut().for_each(|x| *x *= inv);
    } else {
        let u = 1.0 / row.len() as f32;
        row.iter_mut().for_each(|x| *x = u);
    }
}

impl Params<f32> {
    /// Random initialisation: leaves are the pixel's empirical histogram (`hist[v * 256 + x]`, smoothed)
    /// times a random perturbation of strength `noise`; sums are perturbed uniforms.
    pub fn init(c: &Circuit, hist: &[f64], noise: f64, seed: u64) -> Params<f32> {
        let mut rng = SplitMix(seed);
        let pert = |rng: &mut SplitMix| (1.0 + noise * (2.0 * rng.uniform() - 1.0)) as f32;
        let m = c.m;
        let mut prior: Vec<f32> = (0..m).map(|_| pert(&mut rng)).collect();
        normalise(&mut prior);
        let mut trans: Vec<f32> = (0..c.trans_len()).map(|_| pert(&mut rng)).collect();
        trans.chunks_mut(m).for_each(normalise);
        let mut leaf = vec![0f32; c.leaf_len()];
        for (r, row) in leaf.chunks_mut(K).enumerate() {
            let v = r / m;
            let h = &hist[v * K..(v + 1) * K];
            let tot: f64 = h.iter().sum();
            for (x, t) in row.iter_mut().enumerate() {
                let p = (h[x] + 0.5) / (tot + 0.5 * K as f64);
                *t = p as f32 * pert(&mut rng);
            }
            normalise(row);
        }
        Params { prior, trans, leaf }
    }
}
