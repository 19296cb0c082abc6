//! PSNR on 8-bit RGB (or grey) samples, as CompressAI reports it: `10·log10(255² / MSE)` with the MSE over
//! every sample of every channel of one image; a dataset's value is the mean of per-image PSNRs.

use crate::EvalError;
use cinder_core::Image;

/// Mean squared error over all samples of two same-sized images (alpha, if any, is ignored).
pub fn mse(a: &Image, b: &Image) -> Result<f64, EvalError> {
    check_same(a, b)?;
    let c = a.channels as usize;
    let used = c.min(3);
    let mut sum = 0u64;
    let mut n = 0u64;
    for (pa, pb) in a.data.chunks_exact(c).zip(b.data.chunks_exact(c)) {
        for k in 0..used {
            let d = i64::from(pa[k]) - i64::from(pb[k]);
            sum += (d * d) as u64;
        }
        n += used as u64;
    }
    Ok(sum as f64 / n.max(1) as f64)
}

/// PSNR in dB (peak 255); identical images give `f64::INFINITY`.
pub fn psnr_rgb(a: &Image, b: &Image) -> Result<f64, EvalError> {
    let m = mse(a, b)?;
    Ok(if m == 0.0 {
        f64::INFINITY
    } else {
        10.0 * (255.0f64 * 255.0 / m).log10()
    })
}

pub(crate) fn check_same(a: &Image, b: &Image) -> Result<(), EvalError> {
    if (a.width, a.height, a.channels) != (b.width, b.height, b.channels) || a.data.len() != b.data.len() {
        return Err(EvalError::metric(
            "psnr/ms-ssim",
            format!(
                "image sizes differ: {}x{}x{} vs {}x{}x{}",
                a.width, a.height, a.channels, b.width, b.height, b.channels
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn psnr_matches_hand_computation() {
        let a = Image::new(2, 1, 3, vec![0, 0, 0, 10, 10, 10]).unwrap();
        let b = Image::new(2, 1, 3, vec![1, 1, 1, 10, 10, 10]).unwrap();
        // MSE = 3 / 6 = 0.5 → 10·log10(65025 / 0.5)
        let expect = 10.0 * (65025.0f64 / 0.5).log10();
        assert!((psnr_rgb(&a, &b).unwrap() - expect).abs() < 1e-12);
        assert_eq!(psnr_rgb(&a, &a).unwrap(), f64::INFINITY);
        let c = Image::new(1, 1, 3, vec![0, 0, 0]).unwrap();
        assert!(psnr_rgb(&a, &c).is_err());
    }
}
