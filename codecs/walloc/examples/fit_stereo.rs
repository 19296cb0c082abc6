//! Fits the linear stereo WaLLoC (PCA of J = 8 1-D WPT vectors, 512 dims) on the TRAINING music clips and
//! writes the weights file that `cinder-walloc` embeds for audio. The split is fixed here and in
//! `weights/MANIFEST.toml`: train on the 5 `librosa_*` clips + `etr_calmrace-ks`, `etr_credits1-cp`,
//! `etr_freezingpoint`; hold out `etr_race1-jt`, `etr_spunkyrace-ks`, `etr_start1-jt`.
//!
//! `cargo run --release -p cinder-walloc --example fit_stereo -- ../shared/data/audio/music codecs/walloc/weights/linear_stereo_j8.bin`
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

/// Training clips (file names in the music folder).
pub const TRAIN: &[&str] = &[
    "librosa_brahms_hungarian_dance_5.flac",
    "librosa_karissa_hobbs_lets_go_fishin.flac",
    "librosa_kevin_macleod_sugar_plum_fairy.flac",
    "librosa_kevin_macleod_vibe_ace.flac",
    "librosa_sorohanro_solo_trumpet_06.flac",
    "etr_calmrace-ks.flac",
    "etr_credits1-cp.flac",
    "etr_freezingpoint.flac",
];

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (data, out) = (PathBuf::from(&args[1]), PathBuf::from(&args[2]));
    let t = std::time::Instant::now();
    let clips: Vec<_> = TRAIN
        .iter()
        .map(|f| cinder_datasets::io::load_audio(&data.join(f)).unwrap())
        .collect();
    for (f, c) in TRAIN.iter().zip(&clips) {
        println!(
            "{f}: {} Hz, {} ch, {:.1} s",
            c.sample_rate,
            c.channels,
            c.frames() as f64 / f64::from(c.sample_rate)
        );
    }
    let weights = cinder_walloc::audio::fit_stereo(&clips, 128).unwrap();
    std::fs::write(&out, weights.to_bytes()).unwrap();
    println!(
        "fitted on {} clips in {:.1} s",
        clips.len(),
        t.elapsed().as_secs_f64()
    );
    let total: f32 = weights.std.iter().map(|s| s * s).sum();
    for k in [27, 54, 108] {
        println!(
            "variance kept by {k} of the 128 kept components: {:.4}",
            weights.std[..k].iter().map(|s| s * s).sum::<f32>() / total
        );
    }
    println!("std of the first components: {:?}", &weights.std[..8]);
}
