//! Integer latents and their context-adaptive entropy coding (our replacement for WaLLoC's lossless-WebP
//! storage, spec A3/A4): each latent is predicted from its left, upper and upper-left neighbours in the same
//! channel (the LOCO-I median predictor), and the wrapped residual is coded with an adaptive model chosen by
//! channel and local activity. Bands of latent rows are coded independently (fresh models, no cross-band
//! context), so bands decode in parallel and a lost band does not take the others with it.

use crate::companding::{LEVELS, MAX_LEVEL};
use crate::WallocError;
use cinder_entropy::{AdaptiveConfig, AdaptiveModel, BitCounter, FifoDecoder, FifoEncoder, Uniform};

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

/// Context models for one band, each starting from a two-sided geometric prior whose spread grows with the
/// activity bucket (so little is spent learning that residuals cluster at zero).
fn context_models() -> Result<Vec<AdaptiveModel>, WallocError> {
    let config = AdaptiveConfig {
        increment: 32,
        limit: 1 << 16,
    };
    let mut models = Vec::with_capacity(GROUPS * GROUP_CONTEXTS);
    for _ in 0..GROUPS * ENERGY_BUCKETS {
        for bucket in 0..BUCKETS {
            let spread = 0.2 * f64::from(1u32 << bucket.min(8));
            let counts: Vec<u32> = (-MAX_LEVEL..=MAX_LEVEL)
                .map(|r| (1000.0 * (-f64::from(r.abs()) / spread).exp()).round().max(1.0) as u32)
                .collect();
            models.push(AdaptiveModel::with_counts(&counts, config)?);
        }
    }
    Ok(models)
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

fn code_plane<E: FifoEncoder>(
    plane: &[i8],
    energy: &[u16],
    width: usize,
    mode: u32,
    models: &mut [AdaptiveModel],
    enc: &mut E,
) -> Result<(), WallocError> {
    for (i, &value) in plane.iter().enumerate() {
        let (pred, bucket) = predict(plane, width, i % width, i / width, mode);
        let r = wrap(i32::from(value) - pred);
        models[context(energy[i], bucket)].encode(enc, (r + MAX_LEVEL) as u32)?;
    }
    Ok(())
}

/// Codes a band (`channels × rows × width`, planar) into `enc`. For each channel the encoder picks the
/// predictor that costs fewest bits (priced with the same models) and writes its index first.
pub fn encode_band<E: FifoEncoder>(
    band: &[i8],
    channels: usize,
    rows: usize,
    width: usize,
    enc: &mut E,
) -> Result<(), WallocError> {
    let mut models = context_models()?;
    let plane_len = rows * width;
    let choose = Uniform::new(PREDICTORS)?;
    let mut energy = vec![0u16; plane_len];
    for c in 0..channels {
        let plane = &band[c * plane_len..(c + 1) * plane_len];
        let group_models = &mut models[group(c) * GROUP_CONTEXTS..(group(c) + 1) * GROUP_CONTEXTS];
        let mut best = (f64::INFINITY, 0);
        for mode in 0..PREDICTORS {
            let mut trial = group_models.to_vec();
            let mut counter = BitCounter::new();
            code_plane(plane, &energy, width, mode, &mut trial, &mut counter)?;
            if counter.bits() < best.0 {
                best = (counter.bits(), mode);
            }
        }
        enc.encode(best.1, &choose)?;
        code_plane(plane, &energy, width, best.1, group_models, enc)?;
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
    use cinder_entropy::{Limits, RangeDecoder, RangeEncoder, Stream};

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
}
