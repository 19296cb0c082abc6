//! Coding of the index map (spec B1.4, B3). The map (`h × w` indices of one quality level, row-major) is cut
//! into bands of [`BAND_ROWS`] index rows; each band is an independent `CODE` chunk, so a lost or damaged chunk
//! loses only its own indices (they are restored at decode, [`crate::restore`]). A chunk starts with a mode byte:
//!
//! * `0` — **uniform**, the paper's coding: every index in exactly `log2 S` bits, packed MSB first
//!   (bpp = log2 S / 256).
//! * `1` — **context-adaptive**: the first index of the band comes from an adaptive model that starts from the
//!   level's index counts on the training set; every other index is coded by its *rank* among the codebook
//!   entries ordered by distance to a predictor — the mean entry of the already-coded neighbours (left, up,
//!   up-right, inside the band) — with cinder-entropy's adaptive [`RankModel`] in six contexts (1, 2 or 3
//!   neighbours; left = up or not), whose octave models start from the level's rank statistics on the training
//!   set ([`rank_statistics`]; a band is only a few hundred indices, too few to learn them from scratch).
//!   Neighbouring 16×16 blocks of an image look alike, so small ranks dominate.
//! * `2` — **neighbour pair** (levels with S ≤ [`PAIR_MAX_CODES`] that carry a pair table): an index whose left
//!   and upper neighbours are both in the band is coded with an adaptive categorical model of the context
//!   (left, up) — S² contexts, each starting from the level's counts on the training set ([`pair_statistics`]),
//!   weighted as [`PAIR_PRIOR_SYMBOLS`] coded symbols; the band's first row and column are coded as in mode 1.
//!   With few codes the rank order loses information that the pair counts keep (which entries follow which).
//!
//! The encoder writes whichever mode is smallest. Distances are summed in a fixed order in `f32` and ties go to
//! the lower index, so encoder and decoder rank identically.

use crate::levels::Level;
use crate::VqganError;
use cinder_entropy::{AdaptiveConfig, AdaptiveModel, ByteRangeDecoder, ByteRangeEncoder, RankModel};

/// Index rows per chunk (256 pixel rows: a band of 8 rows costs ≈ 2 % more bits, mostly for its first row, which
/// has no upper neighbours).
pub const BAND_ROWS: usize = 16;

const CONTEXTS: usize = 6;

/// Mode byte of a uniformly coded chunk.
pub const MODE_UNIFORM: u8 = 0;
/// Mode byte of a context-coded chunk.
pub const MODE_CONTEXT: u8 = 1;
/// Mode byte of a chunk coded with the neighbour-pair model.
pub const MODE_PAIR: u8 = 2;
/// Largest S whose level may carry a neighbour-pair table (`S³` counts).
pub const PAIR_MAX_CODES: usize = 32;
/// How many coded symbols the training counts of a pair context are worth when a band starts (the adaptive
/// model adds [`AdaptiveConfig::default`]'s increment per coded symbol).
pub const PAIR_PRIOR_SYMBOLS: u32 = 24;

/// The already-coded neighbours of (r, c) inside a band of width `w`: left, up, up-right.
fn neighbours(band: &[u16], w: usize, r: usize, c: usize) -> ([u16; 3], usize, bool) {
    let mut out = [0u16; 3];
    let mut n = 0;
    let left = (c > 0).then(|| band[r * w + c - 1]);
    let up = (r > 0).then(|| band[(r - 1) * w + c]);
    let up_right = (r > 0 && c + 1 < w).then(|| band[(r - 1) * w + c + 1]);
    for v in [left, up, up_right].into_iter().flatten() {
        out[n] = v;
        n += 1;
    }
    (out, n, left.is_some() && left == up)
}

fn context(n: usize, same: bool) -> usize {
    (n - 1) + 3 * usize::from(same)
}

/// Squared distances of every entry to the mean of `around`.
fn distances(level: &Level, around: &[u16]) -> Vec<f32> {
    let d = level.codebook.dim;
    let mut p = vec![0.0f32; d];
    for &i in around {
        for (a, v) in p.iter_mut().zip(level.entry(i)) {
            *a += v;
        }
    }
    let scale = 1.0 / around.len() as f32;
    p.iter_mut().for_each(|v| *v *= scale);
    (0..level.codes())
        .map(|k| {
            level
                .entry(k as u16)
                .iter()
                .zip(&p)
                .map(|(a, b)| (a - b) * (a - b))
                .sum()
        })
        .collect()
}

/// Rank of `t` in the order (distance, index).
fn rank_of(dist: &[f32], t: usize) -> usize {
    let dt = dist[t];
    dist.iter()
        .enumerate()
        .filter(|&(k, &d)| d < dt || (d == dt && k < t))
        .count()
}

/// The entry of rank `r` in the order (distance, index).
fn at_rank(dist: &[f32], r: usize) -> usize {
    let mut order: Vec<usize> = (0..dist.len()).collect();
    let r = r.min(dist.len() - 1);
    order.select_nth_unstable_by(r, |&a, &b| dist[a].total_cmp(&dist[b]).then(a.cmp(&b)));
    order[r]
}

fn first_model(level: &Level) -> Result<AdaptiveModel, VqganError> {
    let total: u64 = level.usage.iter().map(|&c| u64::from(c)).sum::<u64>().max(1);
    let scaled: Vec<u32> = level
        .usage
        .iter()
        .map(|&c| ((u64::from(c) << 12).div_ceil(total)).max(1) as u32)
        .collect();
    Ok(AdaptiveModel::with_counts(&scaled, AdaptiveConfig::default())?)
}

/// Packs indices in `bits` bits each, MSB first.
fn pack(indices: &[u16], bits: u32, out: &mut Vec<u8>) {
    let (mut acc, mut have) = (0u64, 0u32);
    for &i in indices {
        acc = (acc << bits) | u64::from(i);
        have += bits;
        while have >= 8 {
            have -= 8;
            out.push((acc >> have) as u8);
        }
    }
    if have > 0 {
        out.push((acc << (8 - have)) as u8);
    }
}

fn unpack(bytes: &[u8], bits: u32, n: usize) -> Result<Vec<u16>, VqganError> {
    let need = (n * bits as usize).div_ceil(8);
    if bytes.len() != need {
        return Err(VqganError::Corrupt(format!(
            "uniform chunk has {} bytes, {n} indices need {need}",
            bytes.len()
        )));
    }
    let mut out = Vec::with_capacity(n);
    let (mut acc, mut have) = (0u64, 0u32);
    let mut it = bytes.iter();
    while out.len() < n {
        while have < bits {
            acc = (acc << 8) | u64::from(*it.next().unwrap_or(&0));
            have += 8;
        }
        have -= bits;
        out.push(((acc >> have) & ((1 << bits) - 1)) as u16);
    }
    Ok(out)
}

/// The lazily made adaptive models of the S² (left, up) contexts of a band.
struct PairModels<'a> {
    level: &'a Level,
    models: Vec<Option<AdaptiveModel>>,
}

impl<'a> PairModels<'a> {
    fn new(level: &'a Level) -> Option<Self> {
        let s = level.codes();
        (level.pair_prior.len() == s * s * s).then(|| PairModels {
            level,
            models: vec![None; s * s],
        })
    }

    fn get(&mut self, left: u16, up: u16) -> Result<&mut AdaptiveModel, VqganError> {
        let s = self.level.codes();
        let ctx = usize::from(left).min(s - 1) * s + usize::from(up).min(s - 1);
        if self.models[ctx].is_none() {
            let row = &self.level.pair_prior[ctx * s..(ctx + 1) * s];
            let total: u64 = row.iter().map(|&c| u64::from(c)).sum::<u64>().max(1);
            let budget = u64::from(PAIR_PRIOR_SYMBOLS * AdaptiveConfig::default().increment);
            // Each observation weighs one coded symbol until the row holds more than PAIR_PRIOR_SYMBOLS.
            let weight = |c: u32| {
                let full = u64::from(c) * u64::from(AdaptiveConfig::default().increment);
                (if total > u64::from(PAIR_PRIOR_SYMBOLS) {
                    (u64::from(c) * budget).div_ceil(total)
                } else {
                    full
                })
                .max(1) as u32
            };
            let counts: Vec<u32> = row.iter().map(|&c| weight(c)).collect();
            self.models[ctx] = Some(AdaptiveModel::with_counts(&counts, AdaptiveConfig::default())?);
        }
        self.models[ctx]
            .as_mut()
            .ok_or_else(|| VqganError::Corrupt("pair model".into()))
    }
}

/// Neighbour-pair counts of a band (`S³`: for every (left, up) context, how often each index follows) for the
/// level's `pair_prior`.
pub fn pair_statistics(band: &[u16], w: usize, codes: usize, counts: &mut Vec<u64>) {
    counts.resize(codes * codes * codes, 0);
    for at in 0..band.len() {
        let (r, c) = (at / w, at % w);
        if r > 0 && c > 0 {
            let (l, u) = (usize::from(band[at - 1]), usize::from(band[at - w]));
            let t = usize::from(band[at]);
            if l < codes && u < codes && t < codes {
                counts[(l * codes + u) * codes + t] += 1;
            }
        }
    }
}

fn rank_model(level: &Level) -> Result<RankModel, VqganError> {
    Ok(RankModel::with_octave_prior(
        level.codes(),
        CONTEXTS,
        &level.rank_prior,
    )?)
}

/// Rank-octave counts (`contexts × octaves`) of a band under the context coder: summed over training maps they
/// become the level's `rank_prior`, so that every band's adaptive models start from the training statistics.
pub fn rank_statistics(band: &[u16], w: usize, level: &Level, counts: &mut Vec<u64>) {
    let octaves = (usize::BITS - level.codes().leading_zeros()) as usize;
    counts.resize(CONTEXTS * octaves, 0);
    for at in 0..band.len() {
        let (r, c) = (at / w, at % w);
        let (around, n, same) = neighbours(band, w, r, c);
        if n > 0 {
            let dist = distances(level, &around[..n]);
            let o = RankModel::octave_of(rank_of(&dist, usize::from(band[at])));
            counts[context(n, same) * octaves + o.min(octaves - 1)] += 1;
        }
    }
}

/// Mode 1 (`pairs` = None) or mode 2 payload of a band.
fn encode_context(
    band: &[u16],
    w: usize,
    level: &Level,
    mut pairs: Option<PairModels>,
) -> Result<Vec<u8>, VqganError> {
    let mut first = first_model(level)?;
    let mut ranks = rank_model(level)?;
    let mut enc = ByteRangeEncoder::new();
    for (at, &t) in band.iter().enumerate() {
        let (r, c) = (at / w, at % w);
        let (around, n, same) = neighbours(band, w, r, c);
        if n == 0 {
            first.encode(&mut enc, u32::from(t))?;
        } else if let (Some(p), true) = (pairs.as_mut(), r > 0 && c > 0) {
            p.get(band[at - 1], band[at - w])?
                .encode(&mut enc, u32::from(t))?;
        } else {
            let dist = distances(level, &around[..n]);
            ranks.encode(&mut enc, context(n, same), rank_of(&dist, usize::from(t)))?;
        }
    }
    Ok(enc.finish())
}

/// Codes one band (`rows × w` indices, each below the level's S) into a chunk payload.
pub fn encode_band(band: &[u16], w: usize, level: &Level) -> Result<Vec<u8>, VqganError> {
    let s = level.codes();
    if w == 0 || band.len() % w != 0 {
        return Err(VqganError::Unsupported(format!(
            "band of {} indices, width {w}",
            band.len()
        )));
    }
    if let Some(&bad) = band.iter().find(|&&i| usize::from(i) >= s) {
        return Err(VqganError::Unsupported(format!("index {bad} ≥ {s}")));
    }
    let mut uniform = Vec::with_capacity((band.len() * level.bits() as usize).div_ceil(8));
    pack(band, level.bits(), &mut uniform);
    let mut best = (MODE_UNIFORM, uniform);
    let context = encode_context(band, w, level, None)?;
    if context.len() < best.1.len() {
        best = (MODE_CONTEXT, context);
    }
    if let Some(pairs) = PairModels::new(level) {
        let pair = encode_context(band, w, level, Some(pairs))?;
        if pair.len() < best.1.len() {
            best = (MODE_PAIR, pair);
        }
    }
    let (mode, body) = best;
    let mut out = Vec::with_capacity(body.len() + 1);
    out.push(mode);
    out.extend_from_slice(&body);
    Ok(out)
}

/// Decodes a band of `rows × w` indices (every one below S) from a chunk payload.
pub fn decode_band(bytes: &[u8], w: usize, rows: usize, level: &Level) -> Result<Vec<u16>, VqganError> {
    let n = w * rows;
    let (&mode, body) = bytes
        .split_first()
        .ok_or_else(|| VqganError::Corrupt("empty index chunk".into()))?;
    match mode {
        MODE_UNIFORM => unpack(body, level.bits(), n),
        MODE_CONTEXT | MODE_PAIR => {
            let mut pairs = match mode {
                MODE_PAIR => Some(PairModels::new(level).ok_or_else(|| {
                    VqganError::Corrupt("pair-coded chunk for a level without a pair table".into())
                })?),
                _ => None,
            };
            let mut first = first_model(level)?;
            let mut ranks = rank_model(level)?;
            let mut dec = ByteRangeDecoder::new(body);
            let mut band = vec![0u16; n];
            for at in 0..n {
                let (r, c) = (at / w, at % w);
                let (around, k, same) = neighbours(&band, w, r, c);
                band[at] = if k == 0 {
                    (first.decode(&mut dec)? as usize).min(level.codes() - 1) as u16
                } else if let (Some(p), true) = (pairs.as_mut(), r > 0 && c > 0) {
                    let (left, up) = (band[at - 1], band[at - w]);
                    (p.get(left, up)?.decode(&mut dec)? as usize).min(level.codes() - 1) as u16
                } else {
                    let dist = distances(level, &around[..k]);
                    at_rank(&dist, ranks.decode(&mut dec, context(k, same))?) as u16
                };
            }
            Ok(band)
        }
        other => Err(VqganError::Corrupt(format!("unknown index chunk mode {other}"))),
    }
}

/// Bits of a band under uniform coding (the paper's rate).
pub fn uniform_bits(indices: usize, level: &Level) -> u64 {
    indices as u64 * u64::from(level.bits())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::levels::toy_level;

    fn smooth_band(w: usize, rows: usize, s: usize) -> Vec<u16> {
        (0..w * rows)
            .map(|i| (((i % w) / 3 + (i / w) / 2) % s) as u16)
            .collect()
    }

    #[test]
    fn bands_round_trip_in_both_modes() {
        let level = toy_level(4, 3, 64);
        for (w, rows) in [(12, 8), (1, 3), (5, 1)] {
            let band = smooth_band(w, rows, 64);
            let bytes = encode_band(&band, w, &level).unwrap();
            assert_eq!(decode_band(&bytes, w, rows, &level).unwrap(), band);
            let mut uniform = vec![MODE_UNIFORM];
            pack(&band, 6, &mut uniform);
            assert_eq!(decode_band(&uniform, w, rows, &level).unwrap(), band);
            assert!(bytes.len() <= uniform.len());
        }
        // Noise-like indices still round-trip.
        let noisy: Vec<u16> = (0..96).map(|i| ((i * 7919 + 13) % 64) as u16).collect();
        let bytes = encode_band(&noisy, 12, &level).unwrap();
        assert_eq!(decode_band(&bytes, 12, 8, &level).unwrap(), noisy);
    }

    #[test]
    fn pair_mode_round_trips_and_wins_on_learned_statistics() {
        let mut level = toy_level(4, 3, 8);
        // Indices that follow a fixed rule of (left, up) that rank order cannot see.
        let rule = |l: u16, u: u16| (l * 3 + u * 5 + 1) % 8;
        let (w, rows) = (16, 16);
        let make = |seed: u16| {
            let mut band = vec![0u16; w * rows];
            for at in 0..band.len() {
                let (r, c) = (at / w, at % w);
                band[at] = if r > 0 && c > 0 {
                    rule(band[at - 1], band[at - w])
                } else {
                    ((at as u16) * 7 + seed) % 8
                };
            }
            band
        };
        let mut counts = Vec::new();
        for seed in 0..8 {
            pair_statistics(&make(seed), w, 8, &mut counts);
        }
        level.pair_prior = counts.iter().map(|&c| c as u32).collect();
        level.validate(4, 3).unwrap();
        let band = make(3);
        let bytes = encode_band(&band, w, &level).unwrap();
        assert_eq!(bytes[0], MODE_PAIR);
        assert_eq!(decode_band(&bytes, w, rows, &level).unwrap(), band);
        let plain = toy_level(4, 3, 8);
        let without = encode_band(&band, w, &plain).unwrap();
        assert!(
            bytes.len() * 2 < without.len(),
            "{} vs {}",
            bytes.len(),
            without.len()
        );
        // A pair-coded chunk needs the table.
        assert!(decode_band(&bytes, w, rows, &plain).is_err());
    }

    #[test]
    fn bad_input_is_an_error() {
        let level = toy_level(4, 3, 8);
        assert!(encode_band(&[8], 1, &level).is_err());
        assert!(encode_band(&[1, 2, 3], 2, &level).is_err());
        assert!(decode_band(&[], 2, 2, &level).is_err());
        assert!(decode_band(&[7, 1, 2], 2, 2, &level).is_err());
        assert!(decode_band(&[MODE_UNIFORM, 1], 4, 4, &level).is_err());
        // Garbage context payloads decode to in-range indices or fail, never panic.
        for seed in 0..20u8 {
            let junk: Vec<u8> = (0..9).map(|i| i * 31 + seed).collect();
            let mut bytes = vec![MODE_CONTEXT];
            bytes.extend(junk);
            if let Ok(b) = decode_band(&bytes, 4, 4, &level) {
                assert!(b.iter().all(|&i| i < 8));
            }
        }
    }
}
