//! The committed Kodak JPEG curve (`results/kodak/jpeg.json`, made by the README's command) must match
//! CompressAI's published JPEG points within 0.3 dB at equal bpp: this checks PSNR and bpp accounting.

use cinder_eval::bdrate::interpolate;
use cinder_eval::Report;
use std::path::Path;

/// CompressAI `results/image/kodak/jpeg.json` points: (bpp, PSNR dB).
const COMPRESSAI_JPEG: [(f64, f64); 3] = [(0.588, 29.79), (0.850, 31.71), (1.127, 33.24)];

#[test]
fn kodak_jpeg_matches_compressai_within_0_3_db() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("results/kodak/jpeg.json");
    let r = Report::load(&path).expect("committed Kodak JPEG results");
    let (bpp, psnr) = (
        r.series("bpp").expect("bpp"),
        r.series("psnr-rgb").expect("psnr-rgb"),
    );
    for (b, p) in COMPRESSAI_JPEG {
        let ours = interpolate(&bpp, &psnr, b).expect("bpp inside our sweep");
        println!(
            "{b} bpp: ours {ours:.3} dB, CompressAI {p} dB, delta {:+.3} dB",
            ours - p
        );
        assert!(
            (ours - p).abs() <= 0.3,
            "{b} bpp: ours {ours:.3} dB vs CompressAI {p} dB"
        );
    }
}
