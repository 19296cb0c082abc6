//! The image ↔ latent pipeline of the linear WaLLoC: centred reflective padding to a multiple of 2^J
//! (spec A1.1), the WPT, the PCA projection scaled to a target spread σ, companding to 8 bits; and back.

use crate::companding::{dequantise_table, Quantiser};
use crate::deep::{decoder_input, DeepDecoder, MAX_LATENTS};
use crate::latents::Latents;
use crate::weights::LinearWeights;
use crate::wpt::{analyse_2d, synthesise_2d, Planes};
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

/// Converts an image (1 or 3 channels; grey is replicated) to RGB planes in [−0.5, 0.5], padded.
pub(crate) fn to_planes(image: &Image, step: usize) -> Planes {
    let (w, h) = (image.width as usize, image.height as usize);
    let (pw, ph) = (w.div_ceil(step) * step, h.div_ceil(step) * step);
    let (left, top) = (pad_before(w, step), pad_before(h, step));
    let ch = usize::from(image.channels);
    let mut planes = Planes::zeros(3, ph, pw);
    for c in 0..3 {
        let src_c = if ch == 1 { 0 } else { c };
        for y in 0..ph {
            let sy = reflect(y as isize - top as isize, h);
            for x in 0..pw {
                let sx = reflect(x as isize - left as isize, w);
                planes.data[(c * ph + y) * pw + x] =
                    f32::from(image.data[(sy * w + sx) * ch + src_c]) / 255.0 - 0.5;
            }
        }
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
    let wpt = analyse_2d(&to_planes(image, step), weights.levels);
    let n = wpt.height * wpt.width;
    Latents {
        channels: proj.channels.min(weights.len()),
        height: wpt.height,
        width: wpt.width,
        data: project(weights, proj, &wpt.data, n),
    }
}

/// Projects `n` WPT vectors (`wpt[d * n + p]`) onto the first components and quantises: `out[c * n + p]`.
/// Shared by images and audio.
pub(crate) fn project(weights: &LinearWeights, proj: Projection, wpt: &[f32], n: usize) -> Vec<i8> {
    let k = proj.channels.min(weights.len());
    let gains = proj.gains(&weights.std);
    let quantiser = Quantiser::shared();
    let mut data = vec![0i8; k * n];
    let mut v = vec![0.0f32; weights.dim];
    for p in 0..n {
        for (d, slot) in v.iter_mut().enumerate() {
            *slot = wpt[d * n + p] - weights.mean[d];
        }
        for (c, gain) in gains.iter().enumerate() {
            let z: f32 = weights.component(c).iter().zip(&v).map(|(a, b)| a * b).sum();
            data[c * n + p] = quantiser.quantise(z * gain) as i8;
        }
    }
    data
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
