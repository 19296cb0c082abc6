//! Exact per-pixel conditionals with cached subtree messages (spec §2.6, our decoder-friendly variant of
//! Liu et al. ICLR'22 §3–4), coded with the leaky monotone CDF quantiser (spec §2.5).
//!
//! Pixels are coded in the tree's post-order, so every subtree is a contiguous block. On entering an inner node
//! u its outside vector `O_u = (O_p ⊙ Pacc_p)·W_u` is computed once (M²), where `Pacc_p` is the product of the
//! messages of the parent's already coded children (uncoded ones marginalise to 1). A tree leaf c under p is coded
//! with mixture weights `O_p ⊙ Pacc_p` over its M categoricals; an inner node's own pixel, coded last, with
//! `O_u ⊙ Pacc_u`. Leaving u sends `R_u = W_u·(Pacc_u ⊙ θ_u(x_u))` (M²) up. Total ≈ 2·I·M² + D·M·probes per
//! image, identical for encoder and decoder.
//!
//! Determinism (DESIGN §4): sequential f64 with a fixed operation order, no rayon inside an image, no
//! transcendental functions on the coding path (`libm` only for the reported theoretical bits).

// Index loops over several parallel M-vectors read more clearly than zipped iterators here.
#![allow(clippy::needless_range_loop)]

use crate::circuit::{Circuit, Params, K};
use crate::PcError;
use cinder_entropy::{
    leaky_quantize, DecodeModel, EncodeModel, EntropyError, Interval, SymbolDecoder, SymbolEncoder,
    CODER_PRECISION,
};
use cinder_entropy::{ByteRangeDecoder, ByteRangeEncoder};

const ENTER: u32 = 1 << 30;
const LEAF: u32 = 1 << 31;
const NODE: u32 = ENTER - 1;

/// Coding tables of a loaded model: `cdf[(v * 257 + a) * M + k]` = P(X_v < a | state k), plus the sums.
pub struct Tables {
    /// The circuit shape.
    pub circuit: Circuit,
    prior: Vec<f64>,
    /// Each node's M×M block W in panels ([`panels`]), and Wᵀ likewise.
    trans: Vec<f64>,
    trans_t: Vec<f64>,
    cdf: Vec<f64>,
    /// Most likely value of each (pixel, state) categorical.
    modes: Vec<u8>,
    /// DFS events: `v | ENTER` entering inner v, `v | LEAF` a tree leaf, plain `v` leaving inner v.
    events: Vec<u32>,
}

impl Tables {
    /// Builds the tables from normalised f64 parameters (deterministic sequential prefix sums).
    pub fn new(circuit: Circuit, p: &Params<f64>) -> Tables {
        let (m, d) = (circuit.m, circuit.dim());
        let mut cdf = vec![0f64; d * (K + 1) * m];
        let mut modes = vec![0u8; d * m];
        for v in 0..d {
            for k in 0..m {
                let row = &p.leaf[(v * m + k) * K..(v * m + k + 1) * K];
                let mut best = 0;
                for (x, &t) in row.iter().enumerate() {
                    if t > row[best] {
                        best = x;
                    }
                }
                modes[v * m + k] = best as u8;
                let mut acc = 0.0;
                for (a, &t) in row.iter().enumerate() {
                    acc += t;
                    cdf[(v * (K + 1) + a + 1) * m + k] = acc;
                }
            }
        }
        // Both products per node read the block in panels (see `panels`): W for entering, Wᵀ for leaving.
        let mut trans = Vec::new();
        let mut trans_t = Vec::new();
        let mut wt = vec![0f64; m * m];
        for w in p.trans.chunks_exact(m * m) {
            for j in 0..m {
                for k in 0..m {
                    wt[k * m + j] = w[j * m + k];
                }
            }
            trans.extend(panels(w, m));
            trans_t.extend(panels(&wt, m));
        }
        let events = dfs_events(&circuit);
        Tables {
            prior: p.prior.clone(),
            trans,
            trans_t,
            cdf,
            modes,
            events,
            circuit,
        }
    }

    /// Pixels per image.
    pub fn dim(&self) -> usize {
        self.circuit.dim()
    }
}

fn dfs_events(c: &Circuit) -> Vec<u32> {
    let tree = &c.tree;
    let mut ev = Vec::with_capacity(2 * c.dim());
    let mut stack = vec![(tree.root, 0usize)];
    ev.push(tree.root as u32 | ENTER);
    while let Some(top) = stack.last_mut() {
        let (v, i) = *top;
        let kids = tree.children(v);
        if i < kids.len() {
            top.1 += 1;
            let w = kids[i] as usize;
            if c.inner[w] {
                ev.push(w as u32 | ENTER);
                stack.push((w, 0));
            } else {
                ev.push(w as u32 | LEAF);
            }
        } else {
            ev.push(v as u32);
            stack.pop();
        }
    }
    ev
}

/// What happens to each pixel: encoded from the image, decoded from a stream, or only priced.
pub trait PixelSink {
    /// Codes pixel `v` under the mixture CDF `cdf`, returning its value.
    fn pixel(&mut self, v: usize, cdf: &Mixture) -> Result<u8, PcError>;
}

/// One pixel's conditional: a mixture of its M categoricals with weights `w` (not normalised).
pub struct Mixture<'a> {
    w: &'a [f64],
    modes: &'a [u8],
    cdf: &'a [f64],
    den: f64,
    m: usize,
}

impl Mixture<'_> {
    /// P(X < a) as computed (non-decreasing in `a`, 1 at 256 exactly).
    #[inline(always)]
    pub fn c(&self, a: usize) -> f64 {
        let row = &self.cdf[a * self.m..(a + 1) * self.m];
        dot(self.w, row) / self.den
    }

    /// The quantised boundary `q(a)` at [`CODER_PRECISION`] (`q(0) = 0`, `q(256) = 2^24`).
    #[inline(always)]
    pub fn q(&self, a: u32) -> u32 {
        if a == 0 || a >= K as u32 {
            return leaky_quantize(0.0, a, K as u32, CODER_PRECISION);
        }
        leaky_quantize(self.c(a as usize), a, K as u32, CODER_PRECISION)
    }

    /// A likely value: the mode of the heaviest mixture component (first maximum). The maximum is found
    /// without data-dependent branches (four running maxima), then its first position.
    #[inline(always)]
    fn mode_guess(&self) -> u32 {
        let mut mx = [0f64; 4];
        for c in self.w.chunks_exact(4) {
            for l in 0..4 {
                mx[l] = mx[l].max(c[l]);
            }
        }
        let rest = self.w.chunks_exact(4).remainder();
        let top = rest
            .iter()
            .fold(mx[0].max(mx[1]).max(mx[2].max(mx[3])), |a, &b| a.max(b));
        let best = self.w.iter().position(|&x| x == top).unwrap_or(0);
        self.modes[best] as u32
    }

    /// The entropy-coder model of this pixel (cinder-entropy's model traits, guess-first search).
    pub fn model(&self) -> PixelModel<'_> {
        PixelModel { mix: self }
    }

    /// −log2 of the model probability of `x` (theoretical bits).
    pub fn bits(&self, x: u8) -> f64 {
        let p = self.c(x as usize + 1) - self.c(x as usize);
        if p > 0.0 {
            -libm::log2(p)
        } else {
            f64::from(CODER_PRECISION)
        }
    }
}

/// A pixel's quantised CDF as a cinder-entropy model. Decoding first tries the mode of the heaviest
/// component (most MNIST pixels are 0 or 255), then bisects the side the slot lies on; any search order gives
/// the same symbol because `q` is strictly increasing.
pub struct PixelModel<'a> {
    mix: &'a Mixture<'a>,
}

impl PixelModel<'_> {
    fn iv(&self, lo: u32, q_lo: u32, q_hi: u32) -> Result<(u32, Interval), EntropyError> {
        if q_hi <= q_lo {
            return Err(EntropyError::InconsistentModel {
                reason: "PC mixture CDF is not strictly increasing",
            });
        }
        Ok((
            lo,
            Interval {
                left: q_lo,
                freq: q_hi - q_lo,
            },
        ))
    }
}

impl EncodeModel for PixelModel<'_> {
    fn num_symbols(&self) -> u32 {
        K as u32
    }
    #[inline(always)]
    fn interval(&self, symbol: u32) -> Result<Interval, EntropyError> {
        if symbol >= K as u32 {
            return Err(EntropyError::SymbolOutOfRange {
                symbol: u64::from(symbol),
                symbols: K as u64,
            });
        }
        Ok(self.iv(symbol, self.mix.q(symbol), self.mix.q(symbol + 1))?.1)
    }
}

impl DecodeModel for PixelModel<'_> {
    #[inline(always)]
    fn lookup(&self, slot: u32) -> Result<(u32, Interval), EntropyError> {
        let mix = self.mix;
        let guess = mix.mode_guess();
        let (q_g, q_g1) = (mix.q(guess), mix.q(guess + 1));
        // Invariant: q(lo) <= slot < q(hi).
        let (mut lo, mut hi, mut q_lo, mut q_hi) = if slot < q_g {
            (0, guess, 0, q_g)
        } else if slot < q_g1 {
            return self.iv(guess, q_g, q_g1);
        } else {
            (guess + 1, K as u32, q_g1, 1 << CODER_PRECISION)
        };
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            let q_mid = mix.q(mid);
            if q_mid <= slot {
                lo = mid;
                q_lo = q_mid;
            } else {
                hi = mid;
                q_hi = q_mid;
            }
        }
        self.iv(lo, q_lo, q_hi)
    }
}

/// Fixed-order dot product in four lanes (vectorisable, identical on every platform).
#[inline(always)]
fn dot(a: &[f64], b: &[f64]) -> f64 {
    let mut acc = [0f64; 4];
    let n4 = a.len() / 4 * 4;
    for (ca, cb) in a[..n4].chunks_exact(4).zip(b[..n4].chunks_exact(4)) {
        for l in 0..4 {
            acc[l] += ca[l] * cb[l];
        }
    }
    let mut s = (acc[0] + acc[1]) + (acc[2] + acc[3]);
    for i in n4..a.len() {
        s += a[i] * b[i];
    }
    s
}

/// States per panel: a panel holds `PANEL` columns of an m × m block, row after row (`[j][l]`), so a product
/// streams through memory in order. The last panel is padded with zero columns when m is not a multiple.
const PANEL: usize = 8;

/// The panel layout of the row-major m × m block `w`: ⌈m / 8⌉ panels of m × 8 values.
fn panels(w: &[f64], m: usize) -> Vec<f64> {
    let np = m.div_ceil(PANEL);
    let mut out = vec![0f64; np * m * PANEL];
    for p in 0..np {
        for j in 0..m {
            for l in 0..PANEL.min(m - p * PANEL) {
                out[(p * m + j) * PANEL + l] = w[j * m + p * PANEL + l];
            }
        }
    }
    out
}

/// `out[b][k] = Σ_j g[b][j]·w[j][k]` for every lane `b` (rows of `g` and `out` are `m` long, `w` is an m × m
/// block in [`panels`]). Every element is summed from 0 in the order j = 0, 1, …, m−1, exactly as a plain loop
/// would, so the result does not depend on the blocking: blocks of 4 lanes × 8 states keep 32 sums in
/// registers while each panel is read once per 4 lanes, front to back.
#[inline(always)]
fn lanes_times_matrix(g: &[f64], w: &[f64], out: &mut [f64], m: usize) {
    let nb = g.len() / m;
    for (p, panel) in w.chunks_exact(m * PANEL).enumerate() {
        let (k0, width) = (p * PANEL, PANEL.min(m - p * PANEL));
        let mut b = 0;
        while b + 4 <= nb {
            let rows: [&[f64]; 4] = std::array::from_fn(|i| &g[(b + i) * m..(b + i + 1) * m]);
            let mut s = [[0f64; PANEL]; 4];
            for (j, wj) in panel.chunks_exact(PANEL).enumerate() {
                for (sb, row) in s.iter_mut().zip(&rows) {
                    let gv = row[j];
                    for l in 0..PANEL {
                        sb[l] += gv * wj[l];
                    }
                }
            }
            for (i, sb) in s.iter().enumerate() {
                out[(b + i) * m + k0..(b + i) * m + k0 + width].copy_from_slice(&sb[..width]);
            }
            b += 4;
        }
        for b in b..nb {
            let row = &g[b * m..(b + 1) * m];
            let mut s = [0f64; PANEL];
            for (&gv, wj) in row.iter().zip(panel.chunks_exact(PANEL)) {
                for l in 0..PANEL {
                    s[l] += gv * wj[l];
                }
            }
            out[b * m + k0..b * m + k0 + width].copy_from_slice(&s[..width]);
        }
    }
}

/// Divides `a` by its maximum (all-zero stays zero).
#[inline(always)]
fn rescale(a: &mut [f64]) {
    let mx = a.iter().fold(0f64, |m, &x| m.max(x));
    if mx > 0.0 {
        let inv = 1.0 / mx;
        a.iter_mut().for_each(|x| *x *= inv);
    }
}

/// Images coded together, event by event, so each node's tables stay in cache across them. The arithmetic
/// of every image is exactly that of coding it alone.
pub const LANES: usize = 16;

/// Per-thread scratch of [`run`]: vectors laid out `[slot][lane][state]`.
pub struct Scratch {
    out: Vec<f64>,
    acc: Vec<f64>,
    w: Vec<f64>,
    /// `[lane][state]`: the weighted outside vectors entering a node, or the messages leaving it.
    g: Vec<f64>,
}

impl Scratch {
    /// Scratch for `t`.
    pub fn new(t: &Tables) -> Scratch {
        let n = t.circuit.slots * t.circuit.m * LANES;
        Scratch {
            out: vec![0.0; n],
            acc: vec![0.0; n],
            w: vec![0.0; t.circuit.m],
            g: vec![0.0; t.circuit.m * LANES],
        }
    }
}

/// Runs the post-order pass over up to [`LANES`] images, handing each pixel to its lane's sink; returns the
/// pixels of every lane.
///
/// On x86-64 CPUs with AVX2 the same code runs compiled for AVX2 (four f64 lanes instead of SSE2's two). It
/// gives bit-identical results: Rust never fuses a multiply and an add, and every sum keeps its order (tested).
pub fn run<S: PixelSink>(t: &Tables, ws: &mut Scratch, sinks: &mut [S]) -> Result<Vec<Vec<u8>>, PcError> {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: `run_avx2` only requires AVX2, which the CPU was just checked to have.
        #[allow(unsafe_code)]
        return unsafe { run_avx2(t, ws, sinks) };
    }
    run_portable(t, ws, sinks)
}

/// [`run_portable`] compiled for AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn run_avx2<S: PixelSink>(t: &Tables, ws: &mut Scratch, sinks: &mut [S]) -> Result<Vec<Vec<u8>>, PcError> {
    run_portable(t, ws, sinks)
}

/// The pass itself, for the baseline target (inlined into [`run_avx2`] so that it is compiled for AVX2 there).
#[inline(always)]
fn run_portable<S: PixelSink>(
    t: &Tables,
    ws: &mut Scratch,
    sinks: &mut [S],
) -> Result<Vec<Vec<u8>>, PcError> {
    let c = &t.circuit;
    let m = c.m;
    let nb = sinks.len().min(LANES);
    let at = |s: usize, b: usize| (s * LANES + b) * m;
    let bl = m.div_ceil(PANEL) * m * PANEL;
    let mut xs = vec![vec![0u8; c.dim()]; nb];
    ws.acc.fill(1.0);
    for &e in &t.events {
        let v = (e & NODE) as usize;
        let s = c.slot[v] as usize;
        if e & ENTER != 0 {
            if v == c.tree.root {
                for b in 0..nb {
                    ws.out[at(s, b)..at(s, b) + m].copy_from_slice(&t.prior);
                }
                continue;
            }
            // O_v = (O_p ⊙ Pacc_p)·W_v for every lane at once.
            let ps = c.slot[c.tree.parent[v] as usize] as usize;
            let g = &mut ws.g[..nb * m];
            for (j, gj) in g.iter_mut().enumerate() {
                let i = at(ps, 0) + j;
                *gj = ws.out[i] * ws.acc[i];
            }
            let o = &mut ws.out[at(s, 0)..at(s, 0) + nb * m];
            lanes_times_matrix(g, &t.trans[s * bl..(s + 1) * bl], o, m);
            o.chunks_exact_mut(m).for_each(rescale);
            continue;
        }
        // A pixel: a tree leaf (weights from the parent's slot) or an inner node's own pixel (its slot).
        let cdf = &t.cdf[v * (K + 1) * m..(v + 1) * (K + 1) * m];
        let leaving = e & LEAF == 0 && v != c.tree.root;
        let ps = if leaving {
            c.slot[c.tree.parent[v] as usize] as usize
        } else {
            s
        };
        let wt = &t.trans_t[s * bl..(s + 1) * bl];
        for (b, sink) in sinks.iter_mut().enumerate().take(nb) {
            for k in 0..m {
                ws.w[k] = ws.out[at(s, b) + k] * ws.acc[at(s, b) + k];
            }
            let den = dot(&ws.w, &cdf[K * m..]);
            let modes = &t.modes[v * m..(v + 1) * m];
            let mix = Mixture {
                w: &ws.w,
                modes,
                cdf,
                den,
                m,
            };
            let xv = sink.pixel(v, &mix)?;
            xs[b][v] = xv;
            let lo = &cdf[xv as usize * m..(xv as usize + 1) * m];
            let hi = &cdf[(xv as usize + 1) * m..(xv as usize + 2) * m];
            let a = &mut ws.acc[at(s, b)..at(s, b) + m];
            for k in 0..m {
                a[k] *= hi[k] - lo[k];
            }
            if e & LEAF != 0 {
                rescale(a);
            }
        }
        if !leaving {
            continue;
        }
        // Leaving inner v: R = W_v · (Pacc_v ⊙ θ_v(x_v)) into the parent's product, every lane at once.
        let r = &mut ws.g[..nb * m];
        lanes_times_matrix(&ws.acc[at(s, 0)..at(s, 0) + nb * m], wt, r, m);
        for (b, rb) in r.chunks_exact(m).enumerate() {
            let pa = &mut ws.acc[at(ps, b)..at(ps, b) + m];
            for (p, &r) in pa.iter_mut().zip(rb) {
                *p *= r;
            }
            rescale(pa);
        }
    }
    Ok(xs)
}

fn entropy_err(e: cinder_entropy::EntropyError) -> PcError {
    PcError::Corrupt(e.to_string())
}

/// Encodes known pixels into a range coder, summing the theoretical bits.
pub struct Encode<'a> {
    /// The image.
    pub x: &'a [u8],
    /// The coder.
    pub enc: ByteRangeEncoder,
    /// Σ −log2 p(x_v | x_<v).
    pub bits: f64,
}

// The sinks and the model methods are inlined into `run`, so they too are compiled for AVX2 there.
impl PixelSink for Encode<'_> {
    #[inline(always)]
    fn pixel(&mut self, v: usize, mix: &Mixture) -> Result<u8, PcError> {
        let xv = self.x[v];
        self.enc
            .encode(u32::from(xv), &mix.model())
            .map_err(entropy_err)?;
        Ok(xv)
    }
}

/// Only prices known pixels (theoretical bits and the quantised-interval bits).
pub struct Price<'a> {
    /// The image.
    pub x: &'a [u8],
    /// Σ −log2 p(x_v | x_<v) of the float model.
    pub bits: f64,
    /// Σ −log2 of the quantised intervals (what the coder spends, before termination).
    pub coded_bits: f64,
}

impl PixelSink for Price<'_> {
    #[inline(always)]
    fn pixel(&mut self, v: usize, mix: &Mixture) -> Result<u8, PcError> {
        let xv = self.x[v];
        self.bits += mix.bits(xv);
        self.coded_bits += mix.model().interval(u32::from(xv)).map_err(entropy_err)?.bits();
        Ok(xv)
    }
}

/// Decodes pixels from a range decoder.
pub struct Decode<'a> {
    /// The decoder.
    pub dec: ByteRangeDecoder<'a>,
}

impl PixelSink for Decode<'_> {
    #[inline(always)]
    fn pixel(&mut self, _v: usize, mix: &Mixture) -> Result<u8, PcError> {
        let s = self.dec.decode(&mix.model()).map_err(entropy_err)?;
        u8::try_from(s).map_err(|_| PcError::Corrupt(format!("decoded symbol {s} > 255")))
    }
}

/// Encodes a group of images (pixels in row-major order) into `min(LANES, n)` byte streams: image
/// `r·LANES + b` of the group goes to stream `b`, after the images before it in that stream. Coding several
/// images per stream spares all but one stream end (≈ 10 bits an image on MNIST); up to [`LANES`] images it
/// is one image per stream.
pub fn encode_images(t: &Tables, ws: &mut Scratch, xs: &[&[u8]]) -> Result<Vec<Vec<u8>>, PcError> {
    let mut sinks: Vec<Encode> = xs
        .iter()
        .take(LANES)
        .map(|x| Encode {
            x,
            enc: ByteRangeEncoder::new(),
            bits: 0.0,
        })
        .collect();
    for round in xs.chunks(LANES) {
        for (sink, x) in sinks.iter_mut().zip(round) {
            sink.x = x;
        }
        run(t, ws, &mut sinks[..round.len()])?;
    }
    Ok(sinks.into_iter().map(|s| s.enc.finish()).collect())
}

/// Decodes a group of `count` images from its `min(LANES, count)` streams (the layout of
/// [`encode_images`]).
pub fn decode_images(
    t: &Tables,
    ws: &mut Scratch,
    streams: &[&[u8]],
    count: usize,
) -> Result<Vec<Vec<u8>>, PcError> {
    if streams.len() != count.min(LANES) {
        return Err(PcError::Corrupt(format!(
            "a group of {count} images needs {} streams, got {}",
            count.min(LANES),
            streams.len()
        )));
    }
    let mut sinks: Vec<Decode> = streams
        .iter()
        .map(|s| Decode {
            dec: ByteRangeDecoder::new(s),
        })
        .collect();
    let mut out = Vec::with_capacity(count);
    for start in (0..count).step_by(LANES) {
        let nb = (count - start).min(LANES);
        out.extend(run(t, ws, &mut sinks[..nb])?);
    }
    Ok(out)
}

/// One pricing sink per image.
fn price_sinks<'a>(xs: &[&'a [u8]]) -> Vec<Price<'a>> {
    xs.iter()
        .map(|x| Price {
            x,
            bits: 0.0,
            coded_bits: 0.0,
        })
        .collect()
}

/// Theoretical bits −log2 p(x) of up to [`LANES`] images, and the bits of their quantised intervals.
pub fn images_bits(t: &Tables, ws: &mut Scratch, xs: &[&[u8]]) -> Result<Vec<(f64, f64)>, PcError> {
    let mut sinks = price_sinks(xs);
    run(t, ws, &mut sinks)?;
    Ok(sinks.iter().map(|s| (s.bits, s.coded_bits)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::circuit::SplitMix;
    use crate::em::{mean_ll, Model};
    use crate::model_io::{load, random_model_bytes, to_f32};

    fn tables(w: u32, h: u32, m: usize, seed: u64) -> (Tables, crate::model_io::Loaded) {
        let l = load(&random_model_bytes(w, h, m, seed).unwrap()).unwrap();
        (Tables::new(l.circuit.clone(), &l.params), l)
    }

    fn images(n: usize, d: usize, seed: u64) -> Vec<Vec<u8>> {
        let mut rng = SplitMix(seed);
        (0..n)
            .map(|_| {
                (0..d)
                    .map(|_| {
                        if rng.below(3) == 0 {
                            rng.below(256) as u8
                        } else {
                            0
                        }
                    })
                    .collect()
            })
            .collect()
    }

    #[test]
    fn conditionals_multiply_to_the_joint() {
        // Σ_v −log2 p(x_v | x_<v) from the cached-message pass equals −log2 p(x) from the upward pass.
        let (t, l) = tables(5, 4, 3, 7);
        let xs = images(20, 20, 1);
        let refs: Vec<&[u8]> = xs.iter().map(|x| &x[..]).collect();
        let mut ws = Scratch::new(&t);
        let mut total = 0.0;
        for group in refs.chunks(LANES) {
            total += images_bits(&t, &mut ws, group)
                .unwrap()
                .iter()
                .map(|b| b.0)
                .sum::<f64>();
        }
        let prm = to_f32(&l.params);
        let px = crate::data::Pixels {
            width: 5,
            height: 4,
            count: 20,
            pixels: xs.concat(),
        };
        let joint = -mean_ll(&Model::new(&l.circuit, &prm), &px) * 20.0 / std::f64::consts::LN_2;
        assert!((total - joint).abs() < 1e-3 * joint, "{total} vs {joint}");
    }

    #[test]
    fn round_trip_is_exact_and_lanes_do_not_matter() {
        let (t, _) = tables(6, 5, 4, 3);
        let xs = images(21, 30, 2);
        let refs: Vec<&[u8]> = xs.iter().map(|x| &x[..]).collect();
        let mut ws = Scratch::new(&t);
        let mut streams = Vec::new();
        for group in refs.chunks(LANES) {
            streams.extend(encode_images(&t, &mut ws, group).unwrap());
        }
        // Coding one image alone gives the same bytes as coding it in a group.
        assert_eq!(encode_images(&t, &mut ws, &refs[17..18]).unwrap()[0], streams[17]);
        let srefs: Vec<&[u8]> = streams.iter().map(|s| &s[..]).collect();
        let mut back = Vec::new();
        for group in srefs.chunks(LANES) {
            back.extend(decode_images(&t, &mut ws, group, group.len()).unwrap());
        }
        assert_eq!(back, xs);
        // Several images per stream: 21 images in 16 streams, the first 5 holding two images each.
        let grouped = encode_images(&t, &mut ws, &refs).unwrap();
        assert_eq!(grouped.len(), LANES);
        assert_eq!(
            grouped[5], streams[5],
            "a stream of one image is that image's stream"
        );
        assert!(grouped.iter().map(Vec::len).sum::<usize>() < streams.iter().map(Vec::len).sum::<usize>());
        let grefs: Vec<&[u8]> = grouped.iter().map(|s| &s[..]).collect();
        assert_eq!(decode_images(&t, &mut ws, &grefs, 21).unwrap(), xs);
        assert!(decode_images(&t, &mut ws, &grefs[..15], 21).is_err());
        let bits: f64 = images_bits(&t, &mut ws, &refs[..1]).unwrap()[0].0;
        assert!((streams[0].len() * 8) as f64 <= bits + 24.0);
    }

    #[test]
    fn the_avx2_pass_and_the_blocked_products_match_the_plain_arithmetic() {
        // m = 14 exercises a full and a zero-padded panel; 7 images the 4-lane blocks and the rest.
        let (t, _) = tables(7, 6, 14, 11);
        let xs = images(7, 42, 4);
        let mut ws = Scratch::new(&t);
        let refs: Vec<&[u8]> = xs.iter().map(|x| &x[..]).collect();
        let prices = |portable: bool, ws: &mut Scratch| {
            let mut sinks = price_sinks(&refs);
            if portable {
                run_portable(&t, ws, &mut sinks).unwrap();
            } else {
                run(&t, ws, &mut sinks).unwrap();
            }
            sinks
                .iter()
                .map(|s| (s.bits.to_bits(), s.coded_bits.to_bits()))
                .collect::<Vec<_>>()
        };
        // `run` takes the AVX2 path where the CPU has it; the portable pass must agree to the last bit.
        assert_eq!(prices(false, &mut ws), prices(true, &mut ws));
        // The blocked product equals the textbook loop exactly.
        let m = 14;
        let mut rng = SplitMix(9);
        let g: Vec<f64> = (0..7 * m).map(|_| rng.uniform()).collect();
        let w: Vec<f64> = (0..m * m).map(|_| rng.uniform()).collect();
        let mut out = vec![0.0; 7 * m];
        lanes_times_matrix(&g, &panels(&w, m), &mut out, m);
        for b in 0..7 {
            for k in 0..m {
                let mut s = 0.0;
                for j in 0..m {
                    s += g[b * m + j] * w[j * m + k];
                }
                assert_eq!(out[b * m + k].to_bits(), s.to_bits());
            }
        }
    }

    #[test]
    fn garbage_streams_error_or_decode_without_panic() {
        let (t, _) = tables(4, 4, 2, 5);
        let mut ws = Scratch::new(&t);
        for n in 0..40u8 {
            let junk: Vec<u8> = (0..n).map(|i| i.wrapping_mul(97).wrapping_add(n)).collect();
            let _ = decode_images(&t, &mut ws, &[&junk], 1);
            let _ = decode_images(&t, &mut ws, &vec![&junk[..]; LANES], 40);
        }
    }
}
