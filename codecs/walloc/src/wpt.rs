//! Wavelet packet transform with the CDF 9/7 (`bior4.4`) biorthogonal wavelet and periodic extension
//! (WaLLoC §3 / spec A1.2), by lifting, so the inverse is exact up to float rounding.
//!
//! One 1-D level splits a signal of even length `n` into `n/2` low-pass and `n/2` high-pass coefficients, scaled so
//! the low-pass DC gain is √2 (PyWavelets' normalisation). The **full packet tree** applies the level to every
//! band, not only the low-pass one: after `J` 2-D levels a `C`-channel image becomes `C·4^J` channels at
//! `1/2^J` resolution, channel index `c·4^J + f1·4^(J−1) + … + fJ` (f1 = first-level band, bands ordered
//! LL, LH, HL, HH); 1-D: `C·2^J` channels, index `c·2^J + f1·2^(J−1) + … + fJ`.

/// CDF 9/7 lifting coefficients (Daubechies & Sweldens 1998).
const ALPHA: f32 = -1.586_134_3;
const BETA: f32 = -0.052_980_117;
const GAMMA: f32 = 0.882_911_1;
const DELTA: f32 = 0.443_506_87;
/// The raw lifting steps have low-pass DC gain K and high-pass Nyquist gain 2/K (K = 1.230174104914001).
const K: f32 = 1.230_174_1;
/// Low-pass scale giving DC gain √2.
const LOW_SCALE: f32 = std::f32::consts::SQRT_2 / K;
/// High-pass scale giving Nyquist gain √2.
const HIGH_SCALE: f32 = K / std::f32::consts::SQRT_2;

/// Forward 1-D level in place on `x` (even length ≥ 2): writes low-pass into `lo`, high-pass into `hi`.
fn forward_1d(x: &[f32], lo: &mut [f32], hi: &mut [f32]) {
    let h = x.len() / 2;
    for i in 0..h {
        lo[i] = x[2 * i];
        hi[i] = x[2 * i + 1];
    }
    let next = |i: usize| if i + 1 == h { 0 } else { i + 1 };
    let prev = |i: usize| if i == 0 { h - 1 } else { i - 1 };
    for i in 0..h {
        hi[i] += ALPHA * (lo[i] + lo[next(i)]);
    }
    for i in 0..h {
        lo[i] += BETA * (hi[prev(i)] + hi[i]);
    }
    for i in 0..h {
        hi[i] += GAMMA * (lo[i] + lo[next(i)]);
    }
    for i in 0..h {
        lo[i] += DELTA * (hi[prev(i)] + hi[i]);
    }
    lo.iter_mut().for_each(|v| *v *= LOW_SCALE);
    hi.iter_mut().for_each(|v| *v *= HIGH_SCALE);
}

/// Inverse of [`forward_1d`]: rebuilds `x` from `lo` and `hi` (both consumed as scratch).
fn inverse_1d(lo: &mut [f32], hi: &mut [f32], x: &mut [f32]) {
    let h = lo.len();
    lo.iter_mut().for_each(|v| *v /= LOW_SCALE);
    hi.iter_mut().for_each(|v| *v /= HIGH_SCALE);
    let next = |i: usize| if i + 1 == h { 0 } else { i + 1 };
    let prev = |i: usize| if i == 0 { h - 1 } else { i - 1 };
    for i in 0..h {
        lo[i] -= DELTA * (hi[prev(i)] + hi[i]);
    }
    for i in 0..h {
        hi[i] -= GAMMA * (lo[i] + lo[next(i)]);
    }
    for i in 0..h {
        lo[i] -= BETA * (hi[prev(i)] + hi[i]);
    }
    for i in 0..h {
        hi[i] -= ALPHA * (lo[i] + lo[next(i)]);
    }
    for i in 0..h {
        x[2 * i] = lo[i];
        x[2 * i + 1] = hi[i];
    }
}

/// Planar multi-channel 2-D signal: `data[(c * height + y) * width + x]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Planes {
    /// Number of channels.
    pub channels: usize,
    /// Height of every plane.
    pub height: usize,
    /// Width of every plane.
    pub width: usize,
    /// Samples, channel-major.
    pub data: Vec<f32>,
}

impl Planes {
    /// Zero planes.
    pub fn zeros(channels: usize, height: usize, width: usize) -> Planes {
        Planes {
            channels,
            height,
            width,
            data: vec![0.0; channels * height * width],
        }
    }

    /// One channel's plane.
    pub fn plane(&self, c: usize) -> &[f32] {
        let n = self.height * self.width;
        &self.data[c * n..(c + 1) * n]
    }
}

/// One 2-D analysis level on one plane (h×w, both even) into four planes of (h/2)×(w/2): LL, LH, HL, HH.
fn analyse_plane(src: &[f32], h: usize, w: usize, out: &mut [f32]) {
    let (h2, w2) = (h / 2, w / 2);
    // Rows: each row → [low | high] halves.
    let mut rows = vec![0.0f32; h * w];
    let (mut lo, mut hi) = (vec![0.0; w2], vec![0.0; w2]);
    for y in 0..h {
        forward_1d(&src[y * w..(y + 1) * w], &mut lo, &mut hi);
        rows[y * w..y * w + w2].copy_from_slice(&lo);
        rows[y * w + w2..(y + 1) * w].copy_from_slice(&hi);
    }
    // Columns.
    let (mut col, mut clo, mut chi) = (vec![0.0; h], vec![0.0; h2], vec![0.0; h2]);
    let band = h2 * w2;
    for x in 0..w {
        for y in 0..h {
            col[y] = rows[y * w + x];
        }
        forward_1d(&col, &mut clo, &mut chi);
        let (horizontal_high, xx) = (x >= w2, x % w2);
        // band order: 0 LL (low rows, low cols), 1 LH, 2 HL, 3 HH
        let (b_lo, b_hi) = if horizontal_high { (1, 3) } else { (0, 2) };
        for y in 0..h2 {
            out[b_lo * band + y * w2 + xx] = clo[y];
            out[b_hi * band + y * w2 + xx] = chi[y];
        }
    }
}

/// Inverse of [`analyse_plane`].
fn synthesise_plane(bands: &[f32], h2: usize, w2: usize, dst: &mut [f32]) {
    let (h, w) = (2 * h2, 2 * w2);
    let band = h2 * w2;
    let mut rows = vec![0.0f32; h * w];
    let (mut col, mut clo, mut chi) = (vec![0.0; h], vec![0.0; h2], vec![0.0; h2]);
    for x in 0..w {
        let (horizontal_high, xx) = (x >= w2, x % w2);
        let (b_lo, b_hi) = if horizontal_high { (1, 3) } else { (0, 2) };
        for y in 0..h2 {
            clo[y] = bands[b_lo * band + y * w2 + xx];
            chi[y] = bands[b_hi * band + y * w2 + xx];
        }
        inverse_1d(&mut clo, &mut chi, &mut col);
        for y in 0..h {
            rows[y * w + x] = col[y];
        }
    }
    let (mut lo, mut hi) = (vec![0.0; w2], vec![0.0; w2]);
    for y in 0..h {
        lo.copy_from_slice(&rows[y * w..y * w + w2]);
        hi.copy_from_slice(&rows[y * w + w2..(y + 1) * w]);
        inverse_1d(&mut lo, &mut hi, &mut dst[y * w..(y + 1) * w]);
    }
}

/// Full-packet 2-D analysis, `levels` times. Height and width must be multiples of `2^levels`.
pub fn analyse_2d(input: &Planes, levels: u32) -> Planes {
    let mut cur = input.clone();
    for _ in 0..levels {
        let (h2, w2) = (cur.height / 2, cur.width / 2);
        let mut next = Planes::zeros(cur.channels * 4, h2, w2);
        let out_plane = 4 * h2 * w2;
        for c in 0..cur.channels {
            analyse_plane(
                cur.plane(c),
                cur.height,
                cur.width,
                &mut next.data[c * out_plane..(c + 1) * out_plane],
            );
        }
        cur = next;
    }
    cur
}

/// Inverse of [`analyse_2d`].
pub fn synthesise_2d(coeffs: &Planes, levels: u32) -> Planes {
    let mut cur = coeffs.clone();
    for _ in 0..levels {
        let (h, w) = (cur.height * 2, cur.width * 2);
        let mut next = Planes::zeros(cur.channels / 4, h, w);
        let in_group = 4 * cur.height * cur.width;
        for c in 0..next.channels {
            synthesise_plane(
                &cur.data[c * in_group..(c + 1) * in_group],
                cur.height,
                cur.width,
                &mut next.data[c * h * w..(c + 1) * h * w],
            );
        }
        cur = next;
    }
    cur
}

/// Full-packet 1-D analysis of `channels` signals of equal length (`data[c * len + t]`), `levels` times; the
/// length must be a multiple of `2^levels`. Returns `channels·2^levels` signals of `len / 2^levels`.
pub fn analyse_1d(data: &[f32], channels: usize, levels: u32) -> Vec<f32> {
    let mut cur = data.to_vec();
    let mut ch = channels;
    for _ in 0..levels {
        let len = cur.len() / ch;
        let half = len / 2;
        let mut next = vec![0.0f32; cur.len()];
        for c in 0..ch {
            let (lo, hi) = next[c * len..(c + 1) * len].split_at_mut(half);
            forward_1d(&cur[c * len..(c + 1) * len], lo, hi);
        }
        cur = next;
        ch *= 2;
    }
    cur
}

/// Inverse of [`analyse_1d`] (`channels` is the number of *output* signals).
pub fn synthesise_1d(coeffs: &[f32], channels: usize, levels: u32) -> Vec<f32> {
    let mut cur = coeffs.to_vec();
    let mut ch = channels << levels;
    for _ in 0..levels {
        ch /= 2;
        let len = cur.len() / ch;
        let half = len / 2;
        let mut next = vec![0.0f32; cur.len()];
        for c in 0..ch {
            let (lo, hi) = cur[c * len..(c + 1) * len].split_at_mut(half);
            inverse_1d(lo, hi, &mut next[c * len..(c + 1) * len]);
        }
        cur = next;
    }
    cur
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signal(n: usize, seed: u32) -> Vec<f32> {
        (0..n)
            .map(|i| (((i as u32 * 2_654_435_761u32) ^ seed) % 1000) as f32 / 500.0 - 1.0)
            .collect()
    }

    #[test]
    fn dc_gain_is_sqrt2_and_high_pass_kills_dc() {
        let x = vec![1.0f32; 16];
        let (mut lo, mut hi) = (vec![0.0; 8], vec![0.0; 8]);
        forward_1d(&x, &mut lo, &mut hi);
        for v in lo {
            assert!((v - std::f32::consts::SQRT_2).abs() < 1e-5, "{v}");
        }
        for v in hi {
            assert!(v.abs() < 1e-5, "{v}");
        }
    }

    #[test]
    fn one_d_packet_round_trip() {
        let x = signal(2 * 256, 7);
        let y = analyse_1d(&x, 2, 8);
        let back = synthesise_1d(&y, 2, 8);
        let err = x
            .iter()
            .zip(&back)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f32::max);
        assert!(err < 1e-5, "max error {err}");
    }

    #[test]
    fn two_d_packet_round_trip_and_energy() {
        let p = Planes {
            channels: 3,
            height: 16,
            width: 24,
            data: signal(3 * 16 * 24, 3),
        };
        let y = analyse_2d(&p, 3);
        assert_eq!((y.channels, y.height, y.width), (192, 2, 3));
        let back = synthesise_2d(&y, 3);
        let err = p
            .data
            .iter()
            .zip(&back.data)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f32::max);
        assert!(err < 1e-5, "max error {err}");
        let e_in: f32 = p.data.iter().map(|v| v * v).sum();
        let e_out: f32 = y.data.iter().map(|v| v * v).sum();
        assert!((e_out / e_in - 1.0).abs() < 0.25, "energy ratio {}", e_out / e_in);
    }

    #[test]
    fn constant_image_goes_to_the_first_channel_of_each_colour() {
        let p = Planes {
            channels: 1,
            height: 8,
            width: 8,
            data: vec![0.5; 64],
        };
        let y = analyse_2d(&p, 3);
        assert!((y.data[0] - 0.5 * 8.0).abs() < 1e-4, "{}", y.data[0]);
        assert!(y.data[1..].iter().all(|v| v.abs() < 1e-4));
    }
}
