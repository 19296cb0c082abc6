//! Bjøntegaard delta rate and delta quality (VCEG-M33, 2001): fit a cubic polynomial to each curve (log rate
//! as a function of quality, and quality as a function of log rate), integrate both over the overlapping
//! interval, and compare the averages. BD-rate is the average rate change of `test` against `anchor` at equal
//! quality, in percent (negative = `test` saves rate).

use crate::EvalError;

/// Least-squares polynomial of degree `min(3, n−1)` through `(x, y)`: coefficients, lowest order first.
#[allow(clippy::needless_range_loop)] // small dense matrix: indices read as the maths
fn polyfit(x: &[f64], y: &[f64]) -> Result<Vec<f64>, EvalError> {
    let deg = 3.min(x.len().saturating_sub(1));
    if x.len() < 2 {
        return Err(EvalError::BadArgument(
            "BD-rate needs at least 2 points per curve".into(),
        ));
    }
    let m = deg + 1;
    // Normal equations A^T A c = A^T y (sizes ≤ 4), solved by Gaussian elimination with partial pivoting.
    let mut a = vec![vec![0.0; m + 1]; m];
    for (&xi, &yi) in x.iter().zip(y) {
        for r in 0..m {
            for c in 0..m {
                a[r][c] += xi.powi((r + c) as i32);
            }
            a[r][m] += yi * xi.powi(r as i32);
        }
    }
    for col in 0..m {
        let pivot = (col..m)
            .max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))
            .unwrap_or(col);
        a.swap(col, pivot);
        if a[col][col].abs() < 1e-300 {
            return Err(EvalError::BadArgument(
                "BD-rate: degenerate curve (repeated points)".into(),
            ));
        }
        for r in 0..m {
            if r != col {
                let f = a[r][col] / a[col][col];
                for c in col..=m {
                    a[r][c] -= f * a[col][c];
                }
            }
        }
    }
    Ok((0..m).map(|i| a[i][m] / a[i][i]).collect())
}

/// ∫ p(x) dx from `lo` to `hi`.
fn integral(p: &[f64], lo: f64, hi: f64) -> f64 {
    let prim = |x: f64| {
        p.iter()
            .enumerate()
            .map(|(k, c)| c * x.powi(k as i32 + 1) / (k + 1) as f64)
            .sum::<f64>()
    };
    prim(hi) - prim(lo)
}

fn checked(rate: &[f64], quality: &[f64]) -> Result<(Vec<f64>, Vec<f64>), EvalError> {
    if rate.len() != quality.len() {
        return Err(EvalError::BadArgument(
            "BD-rate: rate and quality lists differ in length".into(),
        ));
    }
    let pts: Vec<(f64, f64)> = rate
        .iter()
        .zip(quality)
        .filter(|(r, q)| r.is_finite() && **r > 0.0 && q.is_finite())
        .map(|(r, q)| (r.ln(), *q))
        .collect();
    Ok(pts.into_iter().unzip())
}

/// BD-rate of `test` against `anchor`, in percent.
pub fn bd_rate(anchor: (&[f64], &[f64]), test: (&[f64], &[f64])) -> Result<f64, EvalError> {
    let (la, qa) = checked(anchor.0, anchor.1)?;
    let (lt, qt) = checked(test.0, test.1)?;
    let (pa, pt) = (polyfit(&qa, &la)?, polyfit(&qt, &lt)?);
    let lo = fold(&qa, f64::min).max(fold(&qt, f64::min));
    let hi = fold(&qa, f64::max).min(fold(&qt, f64::max));
    if hi <= lo {
        return Err(EvalError::BadArgument(
            "BD-rate: the curves' quality ranges do not overlap".into(),
        ));
    }
    let avg = (integral(&pt, lo, hi) - integral(&pa, lo, hi)) / (hi - lo);
    Ok((avg.exp() - 1.0) * 100.0)
}

/// BD-quality (e.g. BD-PSNR in dB) of `test` against `anchor`: average quality gain at equal rate.
pub fn bd_quality(anchor: (&[f64], &[f64]), test: (&[f64], &[f64])) -> Result<f64, EvalError> {
    let (la, qa) = checked(anchor.0, anchor.1)?;
    let (lt, qt) = checked(test.0, test.1)?;
    let (pa, pt) = (polyfit(&la, &qa)?, polyfit(&lt, &qt)?);
    let lo = fold(&la, f64::min).max(fold(&lt, f64::min));
    let hi = fold(&la, f64::max).min(fold(&lt, f64::max));
    if hi <= lo {
        return Err(EvalError::BadArgument(
            "BD-quality: the curves' rate ranges do not overlap".into(),
        ));
    }
    Ok((integral(&pt, lo, hi) - integral(&pa, lo, hi)) / (hi - lo))
}

fn fold(v: &[f64], f: fn(f64, f64) -> f64) -> f64 {
    v.iter().copied().reduce(f).unwrap_or(f64::NAN)
}

/// Quality of a curve at `rate`, by linear interpolation in log rate (points sorted by rate); `None` outside.
pub fn interpolate(rate: &[f64], quality: &[f64], at: f64) -> Option<f64> {
    let mut pts: Vec<(f64, f64)> = rate.iter().copied().zip(quality.iter().copied()).collect();
    pts.sort_by(|a, b| a.0.total_cmp(&b.0));
    pts.windows(2).find(|w| w[0].0 <= at && at <= w[1].0).map(|w| {
        let t = (at.ln() - w[0].0.ln()) / (w[1].0.ln() - w[0].0.ln());
        w[0].1 + t * (w[1].1 - w[0].1)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const RATE: [f64; 4] = [1.0, 2.0, 4.0, 8.0];
    const PSNR: [f64; 4] = [30.0, 32.0, 34.0, 36.0];

    #[test]
    fn scaled_rates_give_the_scale() {
        // Hand computation: every test rate is 1.2× the anchor's at equal PSNR → BD-rate = +20 %.
        let test: Vec<f64> = RATE.iter().map(|r| r * 1.2).collect();
        let bd = bd_rate((&RATE, &PSNR), (&test, &PSNR)).unwrap();
        assert!((bd - 20.0).abs() < 1e-9, "{bd}");
    }

    #[test]
    fn shifted_quality_matches_hand_computation() {
        // Anchor: ln r = (p − 30)/2 · ln 2. Test gains 1 dB at every rate: ln r = (p − 31)/2 · ln 2.
        // Over the overlap [31, 36] the log-rate difference is −ln2/2 everywhere, so
        // BD-rate = 2^(−1/2) − 1 = −29.289 %, and BD-PSNR = +1 dB.
        let test_psnr: Vec<f64> = PSNR.iter().map(|p| p + 1.0).collect();
        let bd = bd_rate((&RATE, &PSNR), (&RATE, &test_psnr)).unwrap();
        assert!((bd - (0.5f64.sqrt() - 1.0) * 100.0).abs() < 1e-9, "{bd}");
        let bdq = bd_quality((&RATE, &PSNR), (&RATE, &test_psnr)).unwrap();
        assert!((bdq - 1.0).abs() < 1e-9, "{bdq}");
    }

    #[test]
    fn non_overlapping_curves_are_refused_and_interpolation_works() {
        let high: Vec<f64> = PSNR.iter().map(|p| p + 20.0).collect();
        assert!(bd_rate((&RATE, &PSNR), (&RATE, &high)).is_err());
        assert_eq!(interpolate(&RATE, &PSNR, 2.0f64.sqrt() * 2.0), Some(33.0));
        assert_eq!(interpolate(&RATE, &PSNR, 9.0), None);
    }
}
