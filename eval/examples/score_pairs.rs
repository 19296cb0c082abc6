//! Scores reference/degraded pairs with cinder-eval's metrics, for `validation/validate.py`.
//!
//! Input: a TSV file of `audio|image <TAB> reference <TAB> degraded` lines. Output: one JSON object per line.

use cinder_datasets::io::{load_audio, load_image};
use cinder_eval::metrics::{mel_l1, ms_ssim, pesq_wb, psnr_rgb, si_sdr, stoi, MelConfig};
use std::path::Path;

fn main() -> anyhow::Result<()> {
    let list = std::env::args()
        .nth(1)
        .ok_or_else(|| anyhow::anyhow!("usage: score_pairs PAIRS.tsv"))?;
    for line in std::fs::read_to_string(list)?
        .lines()
        .filter(|l| !l.trim().is_empty())
    {
        let f: Vec<&str> = line.split('\t').collect();
        let [kind, r, d] = f[..] else {
            anyhow::bail!("bad line: {line}");
        };
        let value = if kind == "audio" {
            let (a, b) = (load_audio(Path::new(r))?, load_audio(Path::new(d))?);
            serde_json::json!({
                "kind": kind, "ref": r, "deg": d,
                "stoi": stoi(&a, &b)?, "pesq-wb": pesq_wb(&a, &b)?, "si-sdr": si_sdr(&a, &b)?,
                "mel-l1": mel_l1(&a, &b, &MelConfig::default())?,
            })
        } else {
            let (a, b) = (load_image(Path::new(r))?, load_image(Path::new(d))?);
            serde_json::json!({
                "kind": kind, "ref": r, "deg": d,
                "ms-ssim": ms_ssim(&a, &b)?, "psnr": psnr_rgb(&a, &b)?,
            })
        };
        println!("{value}");
    }
    Ok(())
}
