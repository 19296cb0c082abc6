//! Integer latents and their context-adaptive entropy coding (our replacement for WaLLoC's lossless-WebP
//! storage, spec A3/A4): each latent is predicted from its left, upper and upper-left neighbours in the same
//! channel (the LOCO-I median predictor), and the wrapped residual is coded with an adaptive model chosen by
//! channel and local activity. Bands of latent rows are coded independently (fresh models, no cross-band
//! context), so bands decode in parallel and a lost band does not take the others with it.

use crate::companding::{LEVELS, MAX_LEVEL};
use crate::WallocError;
use cinder_entropy::{
    AdaptiveConfig, AdaptiveModel, FifoDecoder, FifoEncoder, Interval, Uniform, CODER_PRECISION,
};
use std::sync::OnceLock;

/// Activity buckets.
const BUCKETS: usize = 10;
/// Channel groups sharing contexts: principal components 0, 1–2, 3–5, 6–11, 12–23, 24+.
const GROUPS: usize = 6;
/// Spatial predictors the encoder chooses from per channel and band.
const PREDICTORS: u32 = 4;
/// Buckets of the energy of the channels already coded at the same position (cross-channel context).
const ENERGY_BUCKETS: usize = 4;

/// Companded integer latents, planar: `data[(c * height + y) * width + x]`, values in −127 … 127.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Latents {
    /// Latent channels.
    pub channels: usize,
    /// Latent rows (image height / 8, after padding).
    pub height: usize,
    /// Latent columns (image width / 8, after padding).
    pub width: usize,
    /// Values.
    pub data: Vec<i8>,
}

impl Latents {
    /// Copies rows `y0..y1` of every channel (planar, channel-major).
    pub fn band(&self, y0: usize, y1: usize) -> Vec<i8> {
        let mut out = Vec::with_capacity(self.channels * (y1 - y0) * self.width);
        for c in 0..self.channels {
            let start = (c * self.height + y0) * self.width;
            out.extend_from_slice(&self.data[start..start + (y1 - y0) * self.width]);
        }
        out
    }

    /// Writes a band produced by [`Latents::band`] back at row `y0`.
    pub fn set_band(&mut self, y0: usize, rows: usize, band: &[i8]) {
        for c in 0..self.channels {
            let dst = (c * self.height + y0) * self.width;
            let src = c * rows * self.width;
            self.data[dst..dst + rows * self.width].copy_from_slice(&band[src..src + rows * self.width]);
        }
    }
}

fn group(channel: usize) -> usize {
    match channel {
        0 => 0,
        1..=2 => 1,
        3..=5 => 2,
        6..=11 => 3,
        12..=23 => 4,
        _ => 5,
    }
}

/// Adaptation of every context model.
const MODEL_CONFIG: AdaptiveConfig = AdaptiveConfig {
    increment: 32,
    limit: 1 << 16,
};

/// Prior counts of the models of activity bucket `bucket`: a two-sided geometric distribution whose spread grows
/// with the bucket (so little is spent learning that residuals cluster at zero).
fn prior_counts(bucket: usize) -> Vec<u32> {
    let spread = 0.2 * f64::from(1u32 << bucket.min(8));
    (-MAX_LEVEL..=MAX_LEVEL)
        .map(|r| (1000.0 * (-f64::from(r.abs()) / spread).exp()).round().max(1.0) as u32)
        .collect()
}

/// Context models for one band, each starting from the prior of its activity bucket ([`prior_counts`]).
fn context_models() -> Result<Vec<AdaptiveModel>, WallocError> {
    let priors = (0..BUCKETS).map(prior_counts).collect::<Vec<_>>();
    let mut models = Vec::with_capacity(GROUPS * GROUP_CONTEXTS);
    for _ in 0..GROUPS * ENERGY_BUCKETS {
        for counts in &priors {
            models.push(AdaptiveModel::with_counts(counts, MODEL_CONFIG)?);
        }
    }
    Ok(models)
}

/// Symbols of the residual alphabet.
const SYMBOLS: usize = LEVELS as usize;

/// The encoder's copy of an [`AdaptiveModel`] with [`MODEL_CONFIG`] over [`SYMBOLS`] symbols: the same counts, the
/// same Fenwick tree, the same rescaling, hence the same intervals, but in fixed-size arrays that are cheap to copy
/// (the predictor trials copy models) and with no error paths.
#[derive(Debug, Clone)]
struct CostModel {
    counts: [u32; SYMBOLS],
    /// Fenwick tree over `counts`, 1-based (`tree[0]` unused).
    tree: [u32; SYMBOLS + 1],
    total: u32,
}

impl CostModel {
    /// The state of `AdaptiveModel::with_counts(initial, MODEL_CONFIG)`: zeros become 1, and all counts are halved
    /// (rounding up) until the total fits the limit.
    fn with_counts(initial: &[u32]) -> CostModel {
        let mut model = CostModel {
            counts: [1; SYMBOLS],
            tree: [0; SYMBOLS + 1],
            total: 0,
        };
        model
            .counts
            .iter_mut()
            .zip(initial)
            .for_each(|(c, &v)| *c = v.max(1));
        while model.counts.iter().map(|&c| u64::from(c)).sum::<u64>() > u64::from(MODEL_CONFIG.limit) {
            model.counts.iter_mut().for_each(|c| *c = c.div_ceil(2));
        }
        model.rebuild();
        model
    }

    fn rebuild(&mut self) {
        self.tree = [0; SYMBOLS + 1];
        for i in 1..=SYMBOLS {
            self.tree[i] += self.counts[i - 1];
            let parent = i + (i & i.wrapping_neg());
            if parent <= SYMBOLS {
                self.tree[parent] += self.tree[i];
            }
        }
        self.total = self.counts.iter().sum();
    }

    #[inline]
    fn scale(&self, c: u32) -> u32 {
        ((u64::from(c) << CODER_PRECISION) / u64::from(self.total)) as u32
    }

    /// The interval of `symbol` (< [`SYMBOLS`]) under the current counts.
    #[inline]
    fn interval(&self, symbol: usize) -> Interval {
        let mut i = symbol;
        let mut c = 0;
        while i > 0 {
            c += self.tree[i];
            i &= i - 1;
        }
        let left = self.scale(c);
        Interval {
            left,
            freq: self.scale(c + self.counts[symbol]) - left,
        }
    }

    /// Records that `symbol` was coded, exactly as `AdaptiveModel::update`.
    #[inline]
    fn update(&mut self, symbol: usize) {
        let inc = MODEL_CONFIG.increment;
        if self.total + inc > MODEL_CONFIG.limit {
            self.counts.iter_mut().for_each(|c| *c = c.div_ceil(2));
            self.rebuild();
        }
        self.counts[symbol] += inc;
        self.total += inc;
        let mut i = symbol + 1;
        while i <= SYMBOLS {
            self.tree[i] += inc;
            i += i & i.wrapping_neg();
        }
    }
}

/// The models of one channel group at the start of a band, shared by every band (built once per process).
fn prior_models() -> &'static [CostModel] {
    static PRIORS: OnceLock<Vec<CostModel>> = OnceLock::new();
    PRIORS.get_or_init(|| {
        (0..GROUP_CONTEXTS)
            .map(|ctx| CostModel::with_counts(&prior_counts(ctx % BUCKETS)))
            .collect()
    })
}

/// Prediction and context bucket of position (x, y) of one channel's plane, under predictor `mode`:
/// 0 none (value coded directly, context from neighbour magnitudes), 1 LOCO-I median, 2 left, 3 mean of left
/// and up.
#[inline]
fn predict(plane: &[i8], width: usize, x: usize, y: usize, mode: u32) -> (i32, usize) {
    let at = |xx: usize, yy: usize| i32::from(plane[yy * width + xx]);
    let a = if x > 0 { at(x - 1, y) } else { 0 };
    let b = if y > 0 { at(x, y - 1) } else { a };
    let c = if x > 0 && y > 0 { at(x - 1, y - 1) } else { b };
    let (pred, activity) = match mode {
        0 => (0, a.abs() + b.abs()),
        1 => {
            let p = if c >= a.max(b) {
                a.min(b)
            } else if c <= a.min(b) {
                a.max(b)
            } else {
                a + b - c
            };
            (p, (a - c).abs() + (b - c).abs())
        }
        2 => (a, (a - c).abs() + (b - c).abs()),
        _ => ((a + b).div_euclid(2), (a - b).abs() + (a - c).abs()),
    };
    let bucket = (32 - (activity as u32).leading_zeros()) as usize;
    (pred.clamp(-MAX_LEVEL, MAX_LEVEL), bucket.min(BUCKETS - 1))
}

fn wrap(v: i32) -> i32 {
    let span = LEVELS as i32;
    if v > MAX_LEVEL {
        v - span
    } else if v < -MAX_LEVEL {
        v + span
    } else {
        v
    }
}

/// Bucket of the summed magnitudes of earlier channels (DC excluded) at one position.
#[inline]
fn energy_bucket(energy: u16) -> usize {
    match energy {
        0 => 0,
        1..=2 => 1,
        3..=8 => 2,
        _ => 3,
    }
}

/// Contexts per channel group.
const GROUP_CONTEXTS: usize = ENERGY_BUCKETS * BUCKETS;

/// Context index of a position within its channel group's models: cross-channel energy, spatial activity.
#[inline]
fn context(energy: u16, bucket: usize) -> usize {
    energy_bucket(energy) * BUCKETS + bucket
}

/// Adds a coded channel's magnitudes to the per-position energy (the DC channel 0 is left out).
fn accumulate(energy: &mut [u16], plane: &[i8], channel: usize) {
    if channel > 0 {
        energy
            .iter_mut()
            .zip(plane)
            .for_each(|(e, &v)| *e = e.saturating_add(u16::from(v.unsigned_abs())));
    }
}

/// Symbol and context of every position of a channel's plane under predictor `MODE` (see [`predict`]).
fn residuals<const MODE: u32>(
    plane: &[i8],
    energy: &[u16],
    width: usize,
    symbols: &mut [u8],
    contexts: &mut [u8],
) {
    let positions = symbols
        .iter_mut()
        .zip(contexts.iter_mut())
        .zip(plane.iter().zip(energy));
    for (i, ((symbol, ctx), (&value, &e))) in positions.enumerate() {
        let (pred, bucket) = predict(plane, width, i % width, i / width, MODE);
        *symbol = (wrap(i32::from(value) - pred) + MAX_LEVEL) as u8;
        *ctx = context(e, bucket) as u8;
    }
}

/// One predictor's trial coding of a channel: copies of the group's models, made on first use, and the intervals
/// the real coder would get.
struct Trial {
    /// `slot[ctx]`: index in `models` of the copy of context `ctx`, or `UNUSED`.
    slot: [u8; GROUP_CONTEXTS],
    models: Vec<CostModel>,
    intervals: Vec<Interval>,
}

const UNUSED: u8 = u8::MAX;

impl Trial {
    fn new() -> Trial {
        Trial {
            slot: [UNUSED; GROUP_CONTEXTS],
            models: Vec::with_capacity(GROUP_CONTEXTS),
            intervals: Vec::new(),
        }
    }

    /// Prices `symbols` in `contexts` starting from the models `base`, recording the intervals, and stops (`None`)
    /// as soon as the cost exceeds `bound` (or reaches it, when `stop_at_bound`). The cost is summed exactly as
    /// [`cinder_entropy::BitCounter`] sums it (`Interval::bits`, in coding order), so it equals the bit counter's
    /// to the last bit; as every term is ≥ 0, the full sum is at least any partial sum.
    fn run(
        &mut self,
        symbols: &[u8],
        contexts: &[u8],
        base: &[CostModel],
        (bound, stop_at_bound): (f64, bool),
    ) -> Option<f64> {
        self.slot = [UNUSED; GROUP_CONTEXTS];
        self.models.clear();
        self.intervals.clear();
        let mut bits = 0.0f64;
        for (&symbol, &ctx) in symbols.iter().zip(contexts) {
            let ctx = usize::from(ctx);
            let mut s = self.slot[ctx];
            if s == UNUSED {
                s = self.models.len() as u8;
                self.slot[ctx] = s;
                self.models.push(base[ctx].clone());
            }
            let model = &mut self.models[usize::from(s)];
            let interval = model.interval(usize::from(symbol));
            model.update(usize::from(symbol));
            self.intervals.push(interval);
            bits += interval.bits();
            if bits > bound || (stop_at_bound && bits == bound) {
                return None;
            }
        }
        Some(bits)
    }

    /// Writes the trial's models back into `base`.
    fn commit(&self, base: &mut [CostModel]) {
        for (ctx, &s) in self.slot.iter().enumerate() {
            if s != UNUSED {
                base[ctx].clone_from(&self.models[usize::from(s)]);
            }
        }
    }
}

/// Codes a band (`channels × rows × width`, planar) into `enc`. For each channel the encoder picks the
/// predictor that costs fewest bits (priced with the same models; ties go to the lower index) and writes its
/// index first.
///
/// Each predictor's trial records the intervals it would code, so the winner's are written without a further
/// pass, and a trial stops as soon as it costs at least as much as the best so far (it cannot win).
pub fn encode_band<E: FifoEncoder>(
    band: &[i8],
    channels: usize,
    rows: usize,
    width: usize,
    enc: &mut E,
) -> Result<(), WallocError> {
    let plane_len = rows * width;
    let choose = Uniform::new(PREDICTORS)?;
    let groups = channels.checked_sub(1).map_or(0, |c| group(c) + 1);
    let mut models: Vec<CostModel> = prior_models()
        .iter()
        .cycle()
        .take(groups * GROUP_CONTEXTS)
        .cloned()
        .collect();
    let mut energy = vec![0u16; plane_len];
    let (mut symbols, mut contexts) = (vec![0u8; plane_len], vec![0u8; plane_len]);
    let mut trials: Vec<Trial> = (0..PREDICTORS).map(|_| Trial::new()).collect();
    let mut previous = 0;
    for c in 0..channels {
        let plane = &band[c * plane_len..(c + 1) * plane_len];
        let group_models = &mut models[group(c) * GROUP_CONTEXTS..(group(c) + 1) * GROUP_CONTEXTS];
        // Best (cost, predictor) so far: the lowest cost wins, ties go to the lower index. The previous channel's
        // predictor is tried first, as it often wins, which lets the others stop early.
        let mut best = (f64::INFINITY, 0);
        let order = std::iter::once(previous).chain((0..PREDICTORS).filter(|&m| m != previous));
        for mode in order {
            match mode {
                0 => residuals::<0>(plane, &energy, width, &mut symbols, &mut contexts),
                1 => residuals::<1>(plane, &energy, width, &mut symbols, &mut contexts),
                2 => residuals::<2>(plane, &energy, width, &mut symbols, &mut contexts),
                _ => residuals::<3>(plane, &energy, width, &mut symbols, &mut contexts),
            }
            let trial = &mut trials[mode as usize];
            if let Some(bits) = trial.run(&symbols, &contexts, group_models, (best.0, mode > best.1)) {
                if bits < best.0 || (bits == best.0 && mode < best.1) {
                    best = (bits, mode);
                }
            }
        }
        previous = best.1;
        enc.encode(best.1, &choose)?;
        let winner = &trials[best.1 as usize];
        for &interval in &winner.intervals {
            enc.push(interval)?;
        }
        winner.commit(group_models);
        accumulate(&mut energy, plane, c);
    }
    Ok(())
}

/// Decodes a band coded by [`encode_band`].
pub fn decode_band<D: FifoDecoder>(
    dec: &mut D,
    channels: usize,
    rows: usize,
    width: usize,
) -> Result<Vec<i8>, WallocError> {
    let mut models = context_models()?;
    let plane_len = rows * width;
    let choose = Uniform::new(PREDICTORS)?;
    let mut band = vec![0i8; channels * plane_len];
    let mut energy = vec![0u16; plane_len];
    for c in 0..channels {
        let mode = dec.decode(&choose)?;
        let group_models = &mut models[group(c) * GROUP_CONTEXTS..(group(c) + 1) * GROUP_CONTEXTS];
        let plane = &mut band[c * plane_len..(c + 1) * plane_len];
        for y in 0..rows {
            for x in 0..width {
                let (pred, bucket) = predict(plane, width, x, y, mode);
                let r = group_models[context(energy[y * width + x], bucket)].decode(dec)? as i32 - MAX_LEVEL;
                plane[y * width + x] = wrap(pred + r) as i8;
            }
        }
        accumulate(&mut energy, plane, c);
    }
    Ok(band)
}

#[cfg(test)]
mod tests {
    use super::*;
    use cinder_entropy::{Limits, RangeDecoder, RangeEncoder, Stream, SymbolEncoder};

    #[test]
    fn band_round_trip_including_extremes() {
        let (channels, rows, width) = (3, 5, 7);
        let band: Vec<i8> = (0..channels * rows * width)
            .map(|i| (((i * 97) % 255) as i32 - 127) as i8)
            .collect();
        let mut enc = RangeEncoder::new();
        encode_band(&band, channels, rows, width, &mut enc).unwrap();
        let bytes = enc.finish().to_bytes();
        let stream = Stream::from_bytes(&bytes, &Limits::default()).unwrap();
        let mut dec = RangeDecoder::new(&stream).unwrap();
        assert_eq!(decode_band(&mut dec, channels, rows, width).unwrap(), band);
    }

    #[test]
    fn smooth_latents_cost_few_bits() {
        let (channels, rows, width) = (1, 32, 32);
        let band: Vec<i8> = (0..rows * width).map(|i| ((i % 32) / 4) as i8).collect();
        let mut counter = cinder_entropy::BitCounter::new();
        encode_band(&band, channels, rows, width, &mut counter).unwrap();
        assert!(
            counter.bits() / (rows * width) as f64 <= 1.5,
            "{} bits/latent",
            counter.bits() / 1024.0
        );
    }

    #[test]
    fn cost_models_mirror_adaptive_models() {
        for bucket in 0..BUCKETS {
            let counts = prior_counts(bucket);
            let mut reference = AdaptiveModel::with_counts(&counts, MODEL_CONFIG).unwrap();
            let mut fast = CostModel::with_counts(&counts);
            for step in 0..5000usize {
                let symbol = (step * step * 7 + bucket * 13) % (1 + step % SYMBOLS);
                let symbol = if step % 3 == 0 { 127 } else { symbol };
                assert_eq!(
                    fast.interval(symbol),
                    cinder_entropy::EncodeModel::interval(&reference, symbol as u32).unwrap()
                );
                assert_eq!(fast.total, reference.total());
                fast.update(symbol);
                reference.update(symbol as u32).unwrap();
            }
            assert_eq!(&fast.counts[..], reference.counts());
        }
    }

    /// The original encoder: every predictor priced with a full bit-counting pass, then a real pass.
    fn reference_encode_band<E: FifoEncoder>(
        band: &[i8],
        channels: usize,
        rows: usize,
        width: usize,
        enc: &mut E,
    ) {
        let mut models = context_models().unwrap();
        let plane_len = rows * width;
        let choose = Uniform::new(PREDICTORS).unwrap();
        let mut energy = vec![0u16; plane_len];
        let code_plane = |plane: &[i8],
                          energy: &[u16],
                          mode,
                          models: &mut [AdaptiveModel],
                          enc: &mut dyn FnMut(&AdaptiveModel, u32)| {
            for (i, &value) in plane.iter().enumerate() {
                let (pred, bucket) = predict(plane, width, i % width, i / width, mode);
                let r = (wrap(i32::from(value) - pred) + MAX_LEVEL) as u32;
                let model = &mut models[context(energy[i], bucket)];
                enc(model, r);
                model.update(r).unwrap();
            }
        };
        for c in 0..channels {
            let plane = &band[c * plane_len..(c + 1) * plane_len];
            let group_models = &mut models[group(c) * GROUP_CONTEXTS..(group(c) + 1) * GROUP_CONTEXTS];
            let mut best = (f64::INFINITY, 0);
            for mode in 0..PREDICTORS {
                let mut trial = group_models.to_vec();
                let mut counter = cinder_entropy::BitCounter::new();
                code_plane(plane, &energy, mode, &mut trial, &mut |m, r| {
                    counter.encode(r, m).unwrap()
                });
                if counter.bits() < best.0 {
                    best = (counter.bits(), mode);
                }
            }
            enc.encode(best.1, &choose).unwrap();
            code_plane(plane, &energy, best.1, group_models, &mut |m, r| {
                enc.encode(r, m).unwrap()
            });
            accumulate(&mut energy, plane, c);
        }
    }

    #[test]
    fn bands_are_byte_identical_to_the_reference_encoder() {
        let mut seed = 1u64;
        let mut next = || {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (seed >> 33) as u32
        };
        for (channels, rows, width) in [(12, 16, 96), (48, 7, 13), (3, 1, 1), (30, 16, 40), (2, 0, 5)] {
            // Smooth fields of varying roughness per channel, with outliers and ±127 extremes.
            let band: Vec<i8> = (0..channels * rows * width)
                .map(|i| {
                    let (c, p) = (i / (rows * width).max(1), i % (rows * width).max(1));
                    let base = ((p % width) as i32 / (1 + c as i32 % 4) - (p / width) as i32) % 40;
                    let noise = (next() % (1 + 2 * (c as u32 % 7))) as i32 - (c as i32 % 7);
                    let v = if next() % 97 == 0 {
                        127 - 254 * (next() % 2) as i32
                    } else {
                        base + noise
                    };
                    v.clamp(-127, 127) as i8
                })
                .collect();
            let mut fast = RangeEncoder::new();
            encode_band(&band, channels, rows, width, &mut fast).unwrap();
            let mut slow = RangeEncoder::new();
            reference_encode_band(&band, channels, rows, width, &mut slow);
            assert_eq!(fast.finish().to_bytes(), slow.finish().to_bytes());
        }
    }
}
