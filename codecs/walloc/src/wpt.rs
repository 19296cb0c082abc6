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

/// The four lifting steps of one forward level on de-interleaved `lo` (even samples) and `hi` (odd samples), both
/// of length `h ≥ 1`, with periodic extension (the next of the last sample is the first, the previous of the first
/// is the last). Unscaled.
#[inline]
fn lift_forward(lo: &mut [f32], hi: &mut [f32]) {
    let h = lo.len();
    // hi[i] += c·(lo[i] + lo[i + 1]), the last one wrapping to lo[0].
    let predict = |lo: &[f32], hi: &mut [f32], c: f32| {
        hi[..h - 1]
            .iter_mut()
            .zip(lo.iter().zip(&lo[1..]))
            .for_each(|(d, (a, b))| *d += c * (a + b));
        hi[h - 1] += c * (lo[h - 1] + lo[0]);
    };
    // lo[i] += c·(hi[i − 1] + hi[i]), the first one wrapping to hi[h − 1].
    let update = |hi: &[f32], lo: &mut [f32], c: f32| {
        lo[0] += c * (hi[h - 1] + hi[0]);
        lo[1..]
            .iter_mut()
            .zip(hi.iter().zip(&hi[1..]))
            .for_each(|(d, (a, b))| *d += c * (a + b));
    };
    predict(lo, hi, ALPHA);
    update(hi, lo, BETA);
    predict(lo, hi, GAMMA);
    update(hi, lo, DELTA);
}

/// Forward 1-D level in place on `x` (even length ≥ 2): writes low-pass into `lo`, high-pass into `hi`.
fn forward_1d(x: &[f32], lo: &mut [f32], hi: &mut [f32]) {
    let h = x.len() / 2;
    let (lo, hi) = (&mut lo[..h], &mut hi[..h]);
    for ((pair, l), r) in x.chunks_exact(2).zip(lo.iter_mut()).zip(hi.iter_mut()) {
        *l = pair[0];
        *r = pair[1];
    }
    lift_forward(lo, hi);
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

/// The row half of one 2-D analysis level: row `y` (of `w` samples, even) → [low | high] halves, into row `y / 2`
/// of `lo` (even `y`) or of `hi` (odd `y`).
#[inline]
fn analyse_row(row: &[f32], y: usize, lo: &mut [f32], hi: &mut [f32]) {
    let w = row.len();
    let dst = if y % 2 == 0 { lo } else { hi };
    let (l, r) = dst[(y / 2) * w..(y / 2 + 1) * w].split_at_mut(w / 2);
    forward_1d(row, l, r);
}

/// The column half of one 2-D analysis level, after [`analyse_row`] on all `2·h2` rows of width `w`: four planes
/// of `h2 × w/2` (LL, LH, HL, HH) into `out`.
///
/// Every coefficient goes through exactly the float operations of a column-by-column [`forward_1d`]; the lifting
/// steps just run across whole rows (`lo`/`hi` hold the even/odd rows), which is cache friendly and vectorises.
fn analyse_columns(lo: &mut [f32], hi: &mut [f32], h2: usize, w: usize, out: &mut [f32]) {
    let w2 = w / 2;
    let rows_step = |dst: &mut [f32], a: &[f32], b: &[f32], c: f32| {
        dst.iter_mut()
            .zip(a.iter().zip(b))
            .for_each(|(d, (a, b))| *d += c * (a + b));
    };
    let predict = |lo: &[f32], hi: &mut [f32], c: f32| {
        for (i, d) in hi.chunks_exact_mut(w).enumerate() {
            let j = if i + 1 == h2 { 0 } else { i + 1 };
            rows_step(d, &lo[i * w..(i + 1) * w], &lo[j * w..(j + 1) * w], c);
        }
    };
    let update = |hi: &[f32], lo: &mut [f32], c: f32| {
        for (i, d) in lo.chunks_exact_mut(w).enumerate() {
            let j = if i == 0 { h2 - 1 } else { i - 1 };
            rows_step(d, &hi[j * w..(j + 1) * w], &hi[i * w..(i + 1) * w], c);
        }
    };
    predict(lo, hi, ALPHA);
    update(hi, lo, BETA);
    predict(lo, hi, GAMMA);
    update(hi, lo, DELTA);
    // band order: 0 LL (low rows, low cols), 1 LH, 2 HL, 3 HH
    let band = h2 * w2;
    let (low_bands, high_bands) = out[..4 * band].split_at_mut(2 * band);
    let (ll, lh) = low_bands.split_at_mut(band);
    let (hl, hh) = high_bands.split_at_mut(band);
    let scale_into = |dst: &mut [f32], src: &[f32], s: f32| {
        dst.iter_mut().zip(src).for_each(|(d, v)| *d = v * s);
    };
    for y in 0..h2 {
        let (l, r) = lo[y * w..(y + 1) * w].split_at(w2);
        scale_into(&mut ll[y * w2..(y + 1) * w2], l, LOW_SCALE);
        scale_into(&mut lh[y * w2..(y + 1) * w2], r, LOW_SCALE);
        let (l, r) = hi[y * w..(y + 1) * w].split_at(w2);
        scale_into(&mut hl[y * w2..(y + 1) * w2], l, HIGH_SCALE);
        scale_into(&mut hh[y * w2..(y + 1) * w2], r, HIGH_SCALE);
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
    let (h, w) = (input.height, input.width);
    analyse_2d_rows(input.channels, h, w, levels, |c, y, out| {
        out.copy_from_slice(&input.data[(c * h + y) * w..(c * h + y + 1) * w]);
    })
}

/// [`analyse_2d`] of `channels` planes of `height × width` whose rows are produced on demand: `row(c, y, out)`
/// writes row `y` of plane `c` into `out` (so the input never exists as a whole).
///
/// The packet tree is walked depth first (each band of a level is analysed further before the next band is
/// made), which writes every leaf straight into the output and keeps the intermediate levels small.
pub(crate) fn analyse_2d_rows(
    channels: usize,
    height: usize,
    width: usize,
    levels: u32,
    row: impl Fn(usize, usize, &mut [f32]),
) -> Planes {
    let shrink = 1usize << levels;
    let mut out = Planes::zeros(channels << (2 * levels), height / shrink, width / shrink);
    let (mut lo, mut hi, mut row_buf) = (Vec::new(), Vec::new(), vec![0.0f32; width]);
    let mut bands = vec![Vec::new(); (levels as usize).saturating_sub(1)];
    if levels == 0 {
        for (i, dst) in out.data.chunks_exact_mut(width.max(1)).enumerate() {
            row(i / height, i % height, dst);
        }
    } else {
        let src = Source::Rows(&row);
        let scratch = (&mut lo, &mut hi, &mut row_buf);
        analyse_tree(src, channels, height, width, &mut out.data, scratch, &mut bands);
    }
    out
}

/// Where the rows of a level's input come from.
#[derive(Clone, Copy)]
enum Source<'a> {
    /// Planar samples, `data[(c * h + y) * w + x]`.
    Planes(&'a [f32]),
    /// Produced on demand (see [`analyse_2d_rows`]).
    Rows(&'a dyn Fn(usize, usize, &mut [f32])),
}

/// The packet subtree of `1 + levels.len()` levels of each of `channels` planes of `h × w` from `src`, into
/// `out` (each plane's leaves contiguous, in band order). `scratch` = the even and odd rows of one
/// row-transformed plane and a row buffer; `levels` = one buffer per intermediate level.
fn analyse_tree(
    src: Source<'_>,
    channels: usize,
    h: usize,
    w: usize,
    out: &mut [f32],
    scratch: (&mut Vec<f32>, &mut Vec<f32>, &mut Vec<f32>),
    levels: &mut [Vec<f32>],
) {
    let (lo, hi, row) = scratch;
    let region = h * w;
    for c in 0..channels {
        let dst = &mut out[c * region..(c + 1) * region];
        match levels.split_first_mut() {
            None => analyse_plane(src, c, h, w, dst, lo, hi, row),
            Some((bands, deeper)) => {
                bands.resize(region, 0.0);
                analyse_plane(src, c, h, w, bands, lo, hi, row);
                let scratch = (&mut *lo, &mut *hi, &mut *row);
                analyse_tree(Source::Planes(bands), 4, h / 2, w / 2, dst, scratch, deeper);
            }
        }
    }
}

/// One 2-D level of plane `c` (`h × w`) of `src` into four planes of `h/2 × w/2` (LL, LH, HL, HH) in `out`.
#[allow(clippy::too_many_arguments)]
fn analyse_plane(
    src: Source<'_>,
    c: usize,
    h: usize,
    w: usize,
    out: &mut [f32],
    lo: &mut Vec<f32>,
    hi: &mut Vec<f32>,
    row_buf: &mut Vec<f32>,
) {
    let h2 = h / 2;
    if h2 == 0 || w / 2 == 0 {
        return;
    }
    lo.clear();
    lo.resize(h2 * w, 0.0);
    hi.clear();
    hi.resize(h2 * w, 0.0);
    row_buf.resize(w, 0.0);
    for y in 0..2 * h2 {
        let row: &[f32] = match src {
            Source::Planes(data) => &data[(c * h + y) * w..(c * h + y + 1) * w],
            Source::Rows(fill) => {
                fill(c, y, &mut row_buf[..w]);
                &row_buf[..w]
            }
        };
        analyse_row(row, y, lo, hi);
    }
    analyse_columns(lo, hi, h2, w, out);
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

    /// The original, straightforward level: per-sample `next`/`prev` wrapping, columns gathered one by one.
    fn reference_forward_1d(x: &[f32], lo: &mut [f32], hi: &mut [f32]) {
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

    fn reference_analyse_2d(input: &Planes, levels: u32) -> Planes {
        let mut cur = input.clone();
        for _ in 0..levels {
            let (h, w) = (cur.height, cur.width);
            let (h2, w2) = (h / 2, w / 2);
            let mut next = Planes::zeros(cur.channels * 4, h2, w2);
            let band = h2 * w2;
            for c in 0..cur.channels {
                let src = cur.plane(c);
                let out = &mut next.data[c * 4 * band..(c + 1) * 4 * band];
                let mut rows = vec![0.0f32; h * w];
                let (mut lo, mut hi) = (vec![0.0; w2], vec![0.0; w2]);
                for y in 0..h {
                    reference_forward_1d(&src[y * w..(y + 1) * w], &mut lo, &mut hi);
                    rows[y * w..y * w + w2].copy_from_slice(&lo);
                    rows[y * w + w2..(y + 1) * w].copy_from_slice(&hi);
                }
                let (mut col, mut clo, mut chi) = (vec![0.0; h], vec![0.0; h2], vec![0.0; h2]);
                for x in 0..w {
                    for y in 0..h {
                        col[y] = rows[y * w + x];
                    }
                    reference_forward_1d(&col, &mut clo, &mut chi);
                    let (b_lo, b_hi) = if x >= w2 { (1, 3) } else { (0, 2) };
                    for y in 0..h2 {
                        out[b_lo * band + y * w2 + x % w2] = clo[y];
                        out[b_hi * band + y * w2 + x % w2] = chi[y];
                    }
                }
            }
            cur = next;
        }
        cur
    }

    #[test]
    fn analysis_is_bit_identical_to_the_reference() {
        for (channels, height, width, levels) in [(3, 16, 24, 3), (1, 2, 2, 1), (2, 8, 40, 3), (3, 24, 8, 2)]
        {
            let p = Planes {
                channels,
                height,
                width,
                data: signal(channels * height * width, 11),
            };
            let fast = analyse_2d(&p, levels);
            let slow = reference_analyse_2d(&p, levels);
            assert_eq!(
                (fast.channels, fast.height, fast.width),
                (slow.channels, slow.height, slow.width)
            );
            assert!(fast
                .data
                .iter()
                .zip(&slow.data)
                .all(|(a, b)| a.to_bits() == b.to_bits()));
        }
        let x = signal(64, 5);
        let (mut lo, mut hi, mut rlo, mut rhi) = (vec![0.0; 32], vec![0.0; 32], vec![0.0; 32], vec![0.0; 32]);
        forward_1d(&x, &mut lo, &mut hi);
        reference_forward_1d(&x, &mut rlo, &mut rhi);
        assert!(lo
            .iter()
            .chain(&hi)
            .zip(rlo.iter().chain(&rhi))
            .all(|(a, b)| a.to_bits() == b.to_bits()));
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
