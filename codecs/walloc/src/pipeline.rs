//! The image ↔ latent pipeline of the linear WaLLoC: centred reflective padding to a multiple of 2^J
//! (spec A1.1), the WPT, the PCA projection scaled to a target spread σ, companding to 8 bits; and back.

use crate::companding::{dequantise_table, Quantiser};
use crate::deep::{decoder_input, DeepDecoder, MAX_LATENTS};
use crate::latents::Latents;
use crate::weights::LinearWeights;
use crate::wpt::{analyse_2d, analyse_2d_rows, synthesise_2d, Planes};
use crate::WallocError;
use cinder_core::Image;

/// Latent channels and scaling of one quality level.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Projection {
    /// Latent channels used (the first principal components).
    pub channels: usize,
    /// Standard deviation each component is scaled to before companding (the rate knob, spec §6.1).
    pub sigma: f32,
    /// `true`: every component gets the same gain `sigma / std_0` (one quantiser step for all components, the
    /// classic transform-coding allocation); `false`: each component is scaled to std `sigma` (spec §6.1).
    pub uniform_step: bool,
}

impl Projection {
    /// Gain applied to each component's projection before companding.
    pub fn gains(&self, std: &[f32]) -> Vec<f32> {
        let k = self.channels.min(std.len());
        let reference = std.first().copied().unwrap_or(1.0).max(1e-12);
        std[..k]
            .iter()
            .map(|s| {
                if self.uniform_step {
                    self.sigma / reference
                } else {
                    self.sigma / s.max(1e-12)
                }
            })
            .collect()
    }
}

/// Mirror index for reflective padding (no edge repeat), valid for any `i` and `n ≥ 1`.
fn reflect(i: isize, n: usize) -> usize {
    if n == 1 {
        return 0;
    }
    let period = 2 * (n as isize - 1);
    let m = i.rem_euclid(period);
    (if m < n as isize { m } else { period - m }) as usize
}

/// Padding before (left/top) for a size padded up to a multiple of `step`.
fn pad_before(size: usize, step: usize) -> usize {
    (size.div_ceil(step) * step - size) / 2
}

/// The rows of an image's padded RGB planes (see [`to_planes`]), produced one at a time.
struct PaddedRows<'a> {
    image: &'a Image,
    /// Padded size.
    width: usize,
    height: usize,
    top: usize,
    /// Every 8-bit value's sample.
    level: [f32; 256],
    /// Offset in a source pixel row of every padded column.
    columns: Vec<usize>,
}

impl<'a> PaddedRows<'a> {
    fn new(image: &'a Image, step: usize) -> PaddedRows<'a> {
        let (w, h) = (image.width as usize, image.height as usize);
        let left = pad_before(w, step);
        let ch = usize::from(image.channels);
        let width = w.div_ceil(step) * step;
        let mut level = [0.0f32; 256];
        level
            .iter_mut()
            .zip(0..=255u8)
            .for_each(|(l, v)| *l = f32::from(v) / 255.0 - 0.5);
        PaddedRows {
            image,
            width,
            height: h.div_ceil(step) * step,
            top: pad_before(h, step),
            level,
            columns: (0..width)
                .map(|x| reflect(x as isize - left as isize, w) * ch)
                .collect(),
        }
    }

    /// Writes row `y` of colour plane `c` into `out` (`width` samples). The image must not be empty.
    fn fill(&self, c: usize, y: usize, out: &mut [f32]) {
        let (w, h) = (self.image.width as usize, self.image.height as usize);
        let ch = usize::from(self.image.channels);
        let src_c = if ch == 1 { 0 } else { c };
        let sy = reflect(y as isize - self.top as isize, h);
        let src = &self.image.data[sy * w * ch + src_c..(sy + 1) * w * ch];
        out.iter_mut()
            .zip(&self.columns)
            .for_each(|(o, &sx)| *o = self.level[usize::from(src[sx])]);
    }
}

/// Converts an image (1 or 3 channels; grey is replicated) to RGB planes in [−0.5, 0.5], padded.
pub(crate) fn to_planes(image: &Image, step: usize) -> Planes {
    let rows = PaddedRows::new(image, step);
    let (pw, ph) = (rows.width, rows.height);
    let mut planes = Planes::zeros(3, ph, pw);
    if image.data.is_empty() {
        return planes;
    }
    for (i, out) in planes.data.chunks_exact_mut(pw).enumerate() {
        rows.fill(i / ph, i % ph, out);
    }
    planes
}

/// Crops planes back to `width × height` with `channels` (grey = mean of RGB) and rounds to 8 bits.
pub(crate) fn from_planes(planes: &Planes, width: u32, height: u32, channels: u8, step: usize) -> Image {
    let (w, h) = (width as usize, height as usize);
    let (left, top) = (pad_before(w, step), pad_before(h, step));
    let (pw, ph) = (planes.width, planes.height);
    let px = |c: usize, x: usize, y: usize| planes.data[(c * ph + y + top) * pw + x + left];
    let to_u8 = |v: f32| ((v + 0.5) * 255.0).round().clamp(0.0, 255.0) as u8;
    let mut data = Vec::with_capacity(w * h * usize::from(channels));
    for y in 0..h {
        for x in 0..w {
            if channels == 1 {
                data.push(to_u8((px(0, x, y) + px(1, x, y) + px(2, x, y)) / 3.0));
            } else {
                (0..3).for_each(|c| data.push(to_u8(px(c, x, y))));
            }
        }
    }
    Image {
        width,
        height,
        channels,
        data,
    }
}

/// Image → integer latents (the compressed-domain representation).
pub fn encode_latents(weights: &LinearWeights, proj: Projection, image: &Image) -> Latents {
    let step = 1usize << weights.levels;
    let wpt = if image.data.is_empty() {
        analyse_2d(&to_planes(image, step), weights.levels)
    } else {
        let rows = PaddedRows::new(image, step);
        let (pw, ph) = (rows.width, rows.height);
        analyse_2d_rows(3, ph, pw, weights.levels, |c, y, out| rows.fill(c, y, out))
    };
    let n = wpt.height * wpt.width;
    Latents {
        channels: proj.channels.min(weights.len()),
        height: wpt.height,
        width: wpt.width,
        data: project(weights, proj, &wpt.data, n),
    }
}

/// Positions projected together by [`project`] (a block of centred WPT vectors stays in L1).
const PROJECT_BLOCK: usize = 32;

/// Projects `n` WPT vectors (`wpt[d * n + p]`) onto the first components and quantises: `out[c * n + p]`.
/// Shared by images and audio.
///
/// Works on blocks of [`PROJECT_BLOCK`] consecutive positions (contiguous in `wpt`), so the dot products
/// vectorise across positions; each position's dot product still sums its terms in component order `d = 0, 1, …`
/// from the same start value as `Iterator::sum`, so every latent is bit-identical to the per-position loop.
pub(crate) fn project(weights: &LinearWeights, proj: Projection, wpt: &[f32], n: usize) -> Vec<i8> {
    let k = proj.channels.min(weights.len());
    let gains = proj.gains(&weights.std);
    let quantiser = Quantiser::shared();
    let dim = weights.dim;
    let mut data = vec![0i8; k * n];
    let mut block = vec![0.0f32; dim * PROJECT_BLOCK];
    let mut p0 = 0;
    while p0 < n {
        let len = PROJECT_BLOCK.min(n - p0);
        // block[d * len + j] = centred component d of position p0 + j.
        for (d, (row, mean)) in block.chunks_exact_mut(len).zip(&weights.mean).enumerate() {
            row.iter_mut()
                .zip(&wpt[d * n + p0..d * n + p0 + len])
                .for_each(|(v, x)| *v = x - mean);
        }
        let centred = &block[..dim * len];
        for (c, gain) in gains.iter().enumerate() {
            let out = &mut data[c * n + p0..c * n + p0 + len];
            if len == PROJECT_BLOCK {
                let z = dot_block::<PROJECT_BLOCK>(weights.component(c), centred);
                quantise_into(quantiser, &z, *gain, out);
            } else {
                for (j, slot) in out.iter_mut().enumerate() {
                    let z: f32 = weights
                        .component(c)
                        .iter()
                        .zip(centred.iter().skip(j).step_by(len))
                        .map(|(a, b)| a * b)
                        .sum();
                    *slot = quantiser.quantise(z * gain) as i8;
                }
            }
        }
        p0 += len;
    }
    data
}

/// `B` dot products of `component` with the columns of `centred` (`centred[d * B + j]`), each summed in order
/// of `d` starting from −0.0 (exactly as `Iterator::<f32>::sum` does).
#[inline]
fn dot_block<const B: usize>(component: &[f32], centred: &[f32]) -> [f32; B] {
    let mut acc = [-0.0f32; B];
    for (a, row) in component.iter().zip(centred.chunks_exact(B)) {
        acc.iter_mut().zip(row).for_each(|(s, b)| *s += a * b);
    }
    acc
}

#[inline]
fn quantise_into(quantiser: &Quantiser, z: &[f32], gain: f32, out: &mut [i8]) {
    out.iter_mut()
        .zip(z)
        .for_each(|(o, z)| *o = quantiser.quantise(z * gain) as i8);
}

/// The linear decoder: `n` WPT vectors (`out[d * n + p]`) from latents `data[c * n + p]` of `channels`
/// components. Shared by images and audio.
pub(crate) fn reconstruct(
    weights: &LinearWeights,
    proj: Projection,
    data: &[i8],
    channels: usize,
    n: usize,
) -> Vec<f32> {
    let table = dequantise_table();
    let k = channels.min(weights.len());
    let inv_gains: Vec<f32> = proj.gains(&weights.std).iter().map(|g| 1.0 / g).collect();
    let mut wpt = vec![0.0f32; weights.dim * n];
    let mut v = vec![0.0f32; weights.dim];
    for p in 0..n {
        v.copy_from_slice(&weights.mean);
        for c in 0..k {
            let z = table[(i32::from(data[c * n + p]) + 127) as usize] * inv_gains[c];
            weights
                .component(c)
                .iter()
                .zip(v.iter_mut())
                .for_each(|(a, out)| *out += a * z);
        }
        for (d, val) in v.iter().enumerate() {
            wpt[d * n + p] = *val;
        }
    }
    wpt
}

/// Integer latents → image, with the linear (PCA-transpose) decoder.
pub fn decode_latents(
    weights: &LinearWeights,
    proj: Projection,
    latents: &Latents,
    width: u32,
    height: u32,
    channels: u8,
) -> Image {
    let n = latents.height * latents.width;
    let mut wpt = Planes::zeros(weights.dim, latents.height, latents.width);
    wpt.data = reconstruct(weights, proj, &latents.data, latents.channels, n);
    let planes = synthesise_2d(&wpt, weights.levels);
    from_planes(&planes, width, height, channels, 1 << weights.levels)
}

/// Integer latents → image with the deep decoder: the linear reconstruction plus the network's WPT correction
/// (`slot` = the quality level's index, `size` = width, height, channels of the output).
pub fn decode_latents_deep(
    weights: &LinearWeights,
    proj: Projection,
    slot: usize,
    deep: &DeepDecoder,
    latents: &Latents,
    size: (u32, u32, u8),
) -> Result<Image, WallocError> {
    let n = latents.height * latents.width;
    let mut wpt = Planes::zeros(weights.dim, latents.height, latents.width);
    wpt.data = reconstruct(weights, proj, &latents.data, latents.channels, n);
    let input = decoder_input(
        weights,
        proj,
        slot,
        &latents.data,
        (latents.channels, MAX_LATENTS),
        n,
    );
    let correction = deep.residual(&input, latents.height, latents.width)?;
    wpt.data.iter_mut().zip(&correction).for_each(|(a, b)| *a += b);
    let planes = synthesise_2d(&wpt, weights.levels);
    Ok(from_planes(&planes, size.0, size.1, size.2, 1 << weights.levels))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reflect_handles_all_sizes() {
        assert_eq!(reflect(-1, 5), 1);
        assert_eq!(reflect(5, 5), 3);
        assert_eq!(reflect(-7, 3), 1);
        assert_eq!(reflect(4, 1), 0);
        for n in 1..6 {
            for i in -20..20 {
                assert!(reflect(i, n) < n);
            }
        }
    }

    #[test]
    fn padding_round_trips_exactly_without_quantisation() {
        let img = Image::new(5, 3, 3, (0..45).map(|i| (i * 5) as u8).collect()).unwrap();
        let planes = to_planes(&img, 8);
        assert_eq!((planes.width, planes.height), (8, 8));
        assert_eq!(from_planes(&planes, 5, 3, 3, 8), img);
    }
}
