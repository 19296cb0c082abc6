//! Parameter learning by (mini-batch) EM on circuit flows (spec §1.3; Liu et al. ICLR'22 §5 trains HCLTs this
//! way). The E-step for one image is an upward pass (products and sums, lazily rescaled, log-scale kept) and
//! a downward pass giving the posterior of every latent and of every parent/child latent pair — 3·I·M²
//! multiply-adds. The M-step applies Laplace smoothing α and blends with step size η:
//! θ ← (1−η)·θ + η·(F + α/|ch|)/(ΣF + α).
//!
//! Training floats are f32 and reductions follow rayon's split (training need not be bit-reproducible; the
//! frozen model is).

// Index loops over several parallel M-vectors read more clearly than zipped iterators here.
#![allow(clippy::needless_range_loop)]

use crate::circuit::{Circuit, Params, K};
use crate::data::Pixels;
use rayon::prelude::*;

/// Rescale a running product when its largest entry drops below this.
const RESCALE_BELOW: f32 = 1e-12;

/// Expected sufficient statistics (flows) of a batch.
#[derive(Debug, Clone)]
pub struct Counts {
    /// Root latent flows.
    pub prior: Vec<f32>,
    /// Parent/child latent pair flows, laid out like `Params::trans`.
    pub trans: Vec<f32>,
    /// Leaf flows, laid out like `Params::leaf`.
    pub leaf: Vec<f32>,
    /// Sum of log-likelihoods (nats).
    pub ll: f64,
    /// Images counted.
    pub n: usize,
}

impl Counts {
    /// All-zero flows for `c`.
    pub fn zeros(c: &Circuit) -> Counts {
        Counts {
            prior: vec![0.0; c.m],
            trans: vec![0.0; c.trans_len()],
            leaf: vec![0.0; c.leaf_len()],
            ll: 0.0,
            n: 0,
        }
    }

    fn clear(&mut self) {
        self.prior.fill(0.0);
        self.trans.fill(0.0);
        self.leaf.fill(0.0);
        self.ll = 0.0;
        self.n = 0;
    }

    fn add(&mut self, o: &Counts) {
        let add = |a: &mut [f32], b: &[f32]| a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
        add(&mut self.prior, &o.prior);
        add(&mut self.trans, &o.trans);
        add(&mut self.leaf, &o.leaf);
        self.ll += o.ll;
        self.n += o.n;
    }
}

/// Images processed together, node by node, so each node's M×M block stays in L1 across them.
const LANES: usize = 16;

/// Per-thread scratch of one batched E-step: vectors laid out `[slot][lane][state]`.
struct Scratch {
    p: Vec<f32>,
    r: Vec<f32>,
    acc: Vec<f32>,
    gamma: Vec<f32>,
    logs: [f64; LANES],
}

impl Scratch {
    fn new(c: &Circuit) -> Scratch {
        let n = c.slots * c.m * LANES;
        Scratch {
            p: vec![0.0; n],
            r: vec![0.0; n],
            acc: vec![0.0; n],
            gamma: vec![0.0; n],
            logs: [0.0; LANES],
        }
    }
}

/// Parameters plus the transposed transition blocks used by the upward pass.
pub struct Model<'a> {
    /// The circuit shape.
    pub c: &'a Circuit,
    /// Its parameters.
    pub prm: &'a Params<f32>,
    /// `wt[(s * M + k) * M + j] = trans[(s * M + j) * M + k]`.
    wt: Vec<f32>,
}

impl<'a> Model<'a> {
    /// Prepares `prm` for E-steps.
    pub fn new(c: &'a Circuit, prm: &'a Params<f32>) -> Model<'a> {
        let m = c.m;
        let mut wt = vec![0.0; prm.trans.len()];
        for s in 0..c.slots {
            for j in 0..m {
                for k in 0..m {
                    wt[(s * m + k) * m + j] = prm.trans[(s * m + j) * m + k];
                }
            }
        }
        Model { c, prm, wt }
    }

    /// Log-likelihoods (nats) of up to [`LANES`] images into `out`; with `counts`, also adds their flows.
    /// Runs compiled for AVX2 where the CPU has it (twice the f32 lanes of the SSE2 baseline).
    fn estep(&self, xs: &[&[u8]], ws: &mut Scratch, out: &mut [f64], counts: Option<&mut Counts>) {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: `estep_avx2` only requires AVX2, which the CPU was just checked to have.
            #[allow(unsafe_code)]
            return unsafe { self.estep_avx2(xs, ws, out, counts) };
        }
        self.estep_portable(xs, ws, out, counts)
    }

    /// [`Model::estep_portable`] compiled for AVX2.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    fn estep_avx2(&self, xs: &[&[u8]], ws: &mut Scratch, out: &mut [f64], counts: Option<&mut Counts>) {
        self.estep_portable(xs, ws, out, counts)
    }

    #[inline(always)]
    fn estep_portable(&self, xs: &[&[u8]], ws: &mut Scratch, out: &mut [f64], counts: Option<&mut Counts>) {
        let (c, prm, m) = (self.c, self.prm, self.c.m);
        let nb = xs.len();
        let tree = &c.tree;
        let lane = |s: usize, b: usize| (s * LANES + b) * m;
        ws.acc.fill(1.0);
        ws.logs = [0.0; LANES];
        for &v in &tree.post_order {
            let v = v as usize;
            let s = c.slot[v] as usize;
            if !c.inner[v] {
                for (b, x) in xs.iter().enumerate() {
                    let base = v * m * K + x[v] as usize;
                    let a = &mut ws.acc[lane(s, b)..lane(s, b) + m];
                    for (k, ak) in a.iter_mut().enumerate() {
                        *ak *= prm.leaf[base + k * K];
                    }
                    ws.logs[b] += rescale(a);
                }
                continue;
            }
            let wt = &self.wt[s * m * m..(s + 1) * m * m];
            let ps = if v == tree.root {
                s
            } else {
                c.slot[tree.parent[v] as usize] as usize
            };
            for (b, x) in xs.iter().enumerate() {
                let base = v * m * K + x[v] as usize;
                let p = &mut ws.p[lane(s, b)..lane(s, b) + m];
                let a = &ws.acc[lane(s, b)..lane(s, b) + m];
                for k in 0..m {
                    p[k] = a[k] * prm.leaf[base + k * K];
                }
                ws.logs[b] += rescale(p);
                if v == tree.root {
                    continue;
                }
                let r = &mut ws.r[lane(s, b)..lane(s, b) + m];
                r.fill(0.0);
                for (k, &pk) in p.iter().enumerate() {
                    let col = &wt[k * m..(k + 1) * m];
                    for (rj, &w) in r.iter_mut().zip(col) {
                        *rj += pk * w;
                    }
                }
                let a = &mut ws.acc[lane(ps, b)..lane(ps, b) + m];
                a.iter_mut().zip(r.iter()).for_each(|(x, y)| *x *= y);
                ws.logs[b] += rescale(a);
            }
        }
        let s0 = c.slot[tree.root] as usize;
        for b in 0..nb {
            let g = &mut ws.gamma[lane(s0, b)..lane(s0, b) + m];
            let mut z = 0.0f32;
            for k in 0..m {
                g[k] = prm.prior[k] * ws.p[lane(s0, b) + k];
                z += g[k];
            }
            out[b] = ws.logs[b] + libm::log(f64::from(z));
            g.iter_mut().for_each(|x| *x /= z);
        }
        if let Some(cnt) = counts {
            self.downward(xs, ws, cnt);
            cnt.ll += out[..nb].iter().sum::<f64>();
            cnt.n += nb;
        }
    }

    #[inline(always)]
    fn downward(&self, xs: &[&[u8]], ws: &mut Scratch, cnt: &mut Counts) {
        let (c, prm, m) = (self.c, self.prm, self.c.m);
        let tree = &c.tree;
        let lane = |s: usize, b: usize| (s * LANES + b) * m;
        let s0 = c.slot[tree.root] as usize;
        for b in 0..xs.len() {
            for k in 0..m {
                cnt.prior[k] += ws.gamma[lane(s0, b) + k];
            }
        }
        let mut t = vec![0f32; m];
        for &v in tree.post_order.iter().rev() {
            let v = v as usize;
            let s = c.slot[v] as usize;
            if c.inner[v] && v != tree.root {
                let su = c.slot[tree.parent[v] as usize] as usize;
                let w = &prm.trans[s * m * m..(s + 1) * m * m];
                let ct = &mut cnt.trans[s * m * m..(s + 1) * m * m];
                for b in 0..xs.len() {
                    for j in 0..m {
                        let rj = ws.r[lane(s, b) + j];
                        t[j] = if rj > 0.0 {
                            ws.gamma[lane(su, b) + j] / rj
                        } else {
                            0.0
                        };
                    }
                    let g = &mut ws.gamma[lane(s, b)..lane(s, b) + m];
                    g.fill(0.0);
                    let p = &ws.p[lane(s, b)..lane(s, b) + m];
                    for (j, &tj) in t.iter().enumerate() {
                        let wr = &w[j * m..(j + 1) * m];
                        let cr = &mut ct[j * m..(j + 1) * m];
                        for k in 0..m {
                            let xi = tj * wr[k] * p[k];
                            cr[k] += xi;
                            g[k] += xi;
                        }
                    }
                }
            }
            for (b, x) in xs.iter().enumerate() {
                let base = v * m * K + x[v] as usize;
                let g = &ws.gamma[lane(s, b)..lane(s, b) + m];
                for (k, &gk) in g.iter().enumerate() {
                    cnt.leaf[base + k * K] += gk;
                }
            }
        }
    }
}

/// Divides `a` by its maximum when that is small; returns the log of the factor taken out.
#[inline(always)]
fn rescale(a: &mut [f32]) -> f64 {
    let mx = a.iter().fold(0.0f32, |m, &x| m.max(x));
    if mx >= RESCALE_BELOW || mx <= 0.0 {
        return 0.0;
    }
    let inv = 1.0 / mx;
    a.iter_mut().for_each(|x| *x *= inv);
    libm::log(f64::from(mx))
}

/// Reusable per-thread buffers for batch E-steps.
pub struct Accumulators {
    parts: Vec<(Counts, Scratch)>,
}

impl Accumulators {
    /// One accumulator per rayon thread.
    pub fn new(c: &Circuit) -> Accumulators {
        let n = rayon::current_num_threads().max(1);
        Accumulators {
            parts: (0..n).map(|_| (Counts::zeros(c), Scratch::new(c))).collect(),
        }
    }

    /// Flows of the images `idx` of `data`, summed into the first part (returned).
    pub fn flows(&mut self, model: &Model, data: &Pixels, idx: &[u32]) -> &Counts {
        let per = idx.len().div_ceil(self.parts.len()).max(1);
        let chunks: Vec<&[u32]> = idx.chunks(per).collect();
        self.parts.par_iter_mut().enumerate().for_each(|(n, (cnt, ws))| {
            cnt.clear();
            let mut out = [0f64; LANES];
            for group in chunks.get(n).copied().unwrap_or(&[]).chunks(LANES) {
                let xs: Vec<&[u8]> = group.iter().map(|&i| data.image(i as usize)).collect();
                model.estep(&xs, ws, &mut out, Some(cnt));
            }
        });
        let (first, rest) = self.parts.split_at_mut(1);
        for (cnt, _) in rest.iter() {
            first[0].0.add(cnt);
        }
        &first[0].0
    }
}

/// Mean log-likelihood (nats per image) of all images of `data`.
pub fn mean_ll(model: &Model, data: &Pixels) -> f64 {
    if data.count == 0 {
        return 0.0;
    }
    let idx: Vec<usize> = (0..data.count).collect();
    let total: f64 = idx
        .par_chunks(LANES)
        .fold(
            || (Scratch::new(model.c), 0.0f64),
            |(mut ws, s), group| {
                let xs: Vec<&[u8]> = group.iter().map(|&i| data.image(i)).collect();
                let mut out = [0f64; LANES];
                model.estep(&xs, &mut ws, &mut out, None);
                (ws, s + out[..xs.len()].iter().sum::<f64>())
            },
        )
        .map(|(_, s)| s)
        .sum();
    total / data.count as f64
}

/// Bits per dimension of a mean log-likelihood in nats per image.
pub fn bpd(mean_ll: f64, dim: usize) -> f64 {
    -mean_ll / (dim as f64 * std::f64::consts::LN_2)
}

/// M-step: θ ← (1−η)·θ + η·(F + α/n)/(ΣF + α) for every categorical row.
pub fn m_step(c: &Circuit, prm: &mut Params<f32>, cnt: &Counts, eta: f32, alpha: f32) {
    let blend = |theta: &mut [f32], f: &[f32]| {
        let n = theta.len() as f32;
        let tot: f32 = f.iter().sum::<f32>() + alpha;
        let inv = 1.0 / tot;
        for (t, &fi) in theta.iter_mut().zip(f) {
            *t = (1.0 - eta) * *t + eta * (fi + alpha / n) * inv;
        }
    };
    blend(&mut prm.prior, &cnt.prior);
    let m = c.m;
    prm.trans
        .par_chunks_mut(m)
        .zip(cnt.trans.par_chunks(m))
        .for_each(|(t, f)| blend(t, f));
    prm.leaf
        .par_chunks_mut(K * 64)
        .zip(cnt.leaf.par_chunks(K * 64))
        .for_each(|(t, f)| {
            t.chunks_mut(K).zip(f.chunks(K)).for_each(|(a, b)| blend(a, b));
        });
}
