//! Quality metrics, one file each. Images: [`psnr_rgb`], [`ms_ssim`]. Audio: [`pesq_wb`], [`stoi`],
//! [`mel_l1`], [`si_sdr`] (after [`compensate_delay`]). Lossless: [`bits_per_dim`]. Every codec, Cinder's or a classic baseline, is
//! scored through these same functions (DESIGN §9).

mod align;
mod mel;
mod msssim;
mod pesq_wb;
mod psnr;
mod sisdr;
mod stoi;

pub use align::{compensate_delay, estimate_delay, MAX_DELAY_S};
pub use mel::{mel_l1, MelConfig};
pub use msssim::{ms_ssim, ssim};
pub use pesq_wb::pesq_wb;
pub use psnr::{mse, psnr_rgb};
pub use sisdr::si_sdr;
pub use stoi::stoi;

/// Bits per dimension: `bytes · 8 / dims` (a dimension is one 8-bit sample: pixel × channel).
pub fn bits_per_dim(bytes: u64, dims: u64) -> f64 {
    if dims == 0 {
        0.0
    } else {
        bytes as f64 * 8.0 / dims as f64
    }
}

/// Reference and degraded mono signals cut to a common length (codecs may pad the last frame).
pub(crate) fn common_length<'a>(a: &'a [f32], b: &'a [f32]) -> (&'a [f32], &'a [f32]) {
    let n = a.len().min(b.len());
    (&a[..n], &b[..n])
}
