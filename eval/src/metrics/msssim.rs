//! SSIM and MS-SSIM (Wang, Simoncelli & Bovik 2003, "Multi-scale structural similarity"), computed the way
//! pytorch-msssim does (the implementation CompressAI reports with): an 11-tap Gaussian window (σ = 1.5)
//! applied separably with no padding ("valid"), K1 = 0.01, K2 = 0.03, data range 255, five scales with the
//! weights of the paper, 2×2 average pooling between scales (zero padding on odd sizes, counted in the mean),
//! contrast-structure terms clamped at 0, and the per-channel values averaged over channels.

use crate::metrics::psnr::check_same;
use crate::EvalError;
use cinder_core::Image;

const WEIGHTS: [f64; 5] = [0.0448, 0.2856, 0.3001, 0.2363, 0.1333];
const WIN: usize = 11;
const SIGMA: f64 = 1.5;

/// One channel as a float plane.
#[derive(Clone)]
struct Plane {
    w: usize,
    h: usize,
    v: Vec<f64>,
}

fn gaussian() -> [f64; WIN] {
    let mut g = [0.0; WIN];
    let half = (WIN / 2) as f64;
    for (i, x) in g.iter_mut().enumerate() {
        let d = i as f64 - half;
        *x = (-(d * d) / (2.0 * SIGMA * SIGMA)).exp();
    }
    let s: f64 = g.iter().sum();
    g.map(|x| x / s)
}

/// Separable "valid" filtering with the Gaussian window.
fn blur(p: &Plane, g: &[f64; WIN]) -> Plane {
    let (ow, oh) = (p.w + 1 - WIN, p.h + 1 - WIN);
    let mut tmp = vec![0.0; ow * p.h];
    for y in 0..p.h {
        let row = &p.v[y * p.w..(y + 1) * p.w];
        for x in 0..ow {
            tmp[y * ow + x] = g.iter().zip(&row[x..x + WIN]).map(|(a, b)| a * b).sum();
        }
    }
    let mut v = vec![0.0; ow * oh];
    for y in 0..oh {
        for x in 0..ow {
            v[y * ow + x] = (0..WIN).map(|k| g[k] * tmp[(y + k) * ow + x]).sum();
        }
    }
    Plane { w: ow, h: oh, v }
}

fn mul(a: &Plane, b: &Plane) -> Plane {
    Plane {
        w: a.w,
        h: a.h,
        v: a.v.iter().zip(&b.v).map(|(x, y)| x * y).collect(),
    }
}

/// (mean SSIM, mean contrast-structure) of two planes.
fn ssim_cs(x: &Plane, y: &Plane, g: &[f64; WIN]) -> (f64, f64) {
    let (c1, c2) = ((0.01f64 * 255.0).powi(2), (0.03f64 * 255.0).powi(2));
    let (mx, my) = (blur(x, g), blur(y, g));
    let (sxx, syy, sxy) = (blur(&mul(x, x), g), blur(&mul(y, y), g), blur(&mul(x, y), g));
    let n = mx.v.len() as f64;
    let (mut ssim, mut cs) = (0.0, 0.0);
    for i in 0..mx.v.len() {
        let (a, b) = (mx.v[i], my.v[i]);
        let (vx, vy, cxy) = (sxx.v[i] - a * a, syy.v[i] - b * b, sxy.v[i] - a * b);
        let cs_i = (2.0 * cxy + c2) / (vx + vy + c2);
        cs += cs_i;
        ssim += (2.0 * a * b + c1) / (a * a + b * b + c1) * cs_i;
    }
    (ssim / n, cs / n)
}

/// 2×2 average pooling; odd sizes get one zero-padded row/column (counted in the mean, as in PyTorch).
fn pool(p: &Plane) -> Plane {
    let (w, h) = ((p.w + p.w % 2) / 2, (p.h + p.h % 2) / 2);
    let (px, py) = (p.w % 2, p.h % 2);
    let at = |x: isize, y: isize| -> f64 {
        if x < 0 || y < 0 || x as usize >= p.w || y as usize >= p.h {
            0.0
        } else {
            p.v[y as usize * p.w + x as usize]
        }
    };
    let mut v = Vec::with_capacity(w * h);
    for y in 0..h {
        for x in 0..w {
            let (x0, y0) = ((2 * x) as isize - px as isize, (2 * y) as isize - py as isize);
            v.push((at(x0, y0) + at(x0 + 1, y0) + at(x0, y0 + 1) + at(x0 + 1, y0 + 1)) / 4.0);
        }
    }
    Plane { w, h, v }
}

fn planes(img: &Image) -> Vec<Plane> {
    let c = img.channels as usize;
    (0..c.min(3))
        .map(|k| Plane {
            w: img.width as usize,
            h: img.height as usize,
            v: img
                .data
                .iter()
                .skip(k)
                .step_by(c)
                .map(|&s| f64::from(s))
                .collect(),
        })
        .collect()
}

/// Single-scale SSIM, averaged over channels. Needs both sides ≥ 11.
pub fn ssim(a: &Image, b: &Image) -> Result<f64, EvalError> {
    check_same(a, b)?;
    if a.width < WIN as u32 || a.height < WIN as u32 {
        return Err(EvalError::metric("ssim", "images must be at least 11x11"));
    }
    let g = gaussian();
    let (pa, pb) = (planes(a), planes(b));
    let n = pa.len() as f64;
    Ok(pa.iter().zip(&pb).map(|(x, y)| ssim_cs(x, y, &g).0).sum::<f64>() / n)
}

/// MS-SSIM over five scales, averaged over channels. Needs the smaller side > 160 (10 · 2⁴), as in
/// pytorch-msssim.
pub fn ms_ssim(a: &Image, b: &Image) -> Result<f64, EvalError> {
    check_same(a, b)?;
    let min_side = (WIN - 1) * (1 << (WEIGHTS.len() - 1));
    if (a.width.min(a.height) as usize) <= min_side {
        return Err(EvalError::metric(
            "ms-ssim",
            format!("the smaller side must be larger than {min_side} pixels"),
        ));
    }
    let g = gaussian();
    let (pa, pb) = (planes(a), planes(b));
    let mut total = 0.0;
    for (mut x, mut y) in pa.into_iter().zip(pb) {
        let mut value = 1.0;
        for (level, w) in WEIGHTS.iter().enumerate() {
            let (s, cs) = ssim_cs(&x, &y, &g);
            if level + 1 < WEIGHTS.len() {
                value *= cs.max(0.0).powf(*w);
                x = pool(&x);
                y = pool(&y);
            } else {
                value *= s.max(0.0).powf(*w);
            }
        }
        total += value;
    }
    Ok(total / f64::from(a.channels.min(3)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use cinder_datasets::synthetic::synthetic_image;

    #[test]
    fn identical_images_score_one_and_noise_lowers_it() {
        let a = synthetic_image(176, 170, 3, 1);
        assert!((ms_ssim(&a, &a).unwrap() - 1.0).abs() < 1e-12);
        assert!((ssim(&a, &a).unwrap() - 1.0).abs() < 1e-12);
        let mut b = a.clone();
        for (i, v) in b.data.iter_mut().enumerate() {
            *v = v.saturating_add((i % 7) as u8 * 3);
        }
        let (s1, m1) = (ssim(&a, &b).unwrap(), ms_ssim(&a, &b).unwrap());
        assert!(s1 < 1.0 && s1 > 0.5, "ssim {s1}");
        assert!(m1 < 1.0 && m1 > 0.5, "ms-ssim {m1}");
    }

    #[test]
    fn small_images_are_refused() {
        let a = synthetic_image(100, 200, 3, 1);
        assert!(ms_ssim(&a, &a).is_err());
    }

    #[test]
    fn pooling_pads_odd_sizes_with_zeros() {
        let p = Plane {
            w: 3,
            h: 1,
            v: vec![4.0, 8.0, 12.0],
        };
        // Padding (1 column left, 1 row top: PyTorch pads both sides by s%2, output floor((3+2-2)/2)+1 = 2).
        let q = pool(&p);
        assert_eq!((q.w, q.h), (2, 1));
        assert_eq!(q.v, vec![1.0, 5.0]);
    }
}
