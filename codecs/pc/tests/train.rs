//! Training end to end on a tiny synthetic IDX file: files written, validation improves, resume works, the
//! shipped model codes exactly.

use cinder_core::{EncodeOptions, Image, ImageCodec};
use cinder_pc::{train, PcCodec, TrainConfig};
use flate2::write::GzEncoder;
use std::io::Write;

fn write_idx(dir: &std::path::Path, n: u32, w: u32, h: u32) -> std::io::Result<()> {
    let mut body = vec![0, 0, 8, 3];
    for x in [n, h, w] {
        body.extend(x.to_be_bytes());
    }
    let mut s = 99u64;
    for _ in 0..n {
        s = s
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let bright = (s >> 33) % 2 == 0;
        for p in 0..w * h {
            let on = bright && (p % w == (s >> 40) as u32 % w);
            body.push(if on {
                200 + (p % 50) as u8
            } else {
                ((s >> (p % 50)) & 3) as u8
            });
        }
    }
    let mut z = GzEncoder::new(Vec::new(), flate2::Compression::fast());
    z.write_all(&body)?;
    std::fs::write(dir.join("train-images-idx3-ubyte.gz"), z.finish()?)
}

/// A run on the tiny file in `dir`: batches of 64, 10 % validation, output in `dir/run`.
fn small_run(dir: &std::path::Path) -> TrainConfig {
    TrainConfig {
        data: dir.into(),
        out: dir.join("run"),
        batch: 64,
        val_fraction: 0.1,
        ..TrainConfig::default()
    }
}

#[test]
fn trains_resumes_and_ships_a_working_model() {
    let dir = tempfile::tempdir().unwrap();
    write_idx(dir.path(), 300, 5, 4).unwrap();
    let mut cfg = TrainConfig {
        hidden: 3,
        epochs: 2,
        full_epochs: 1,
        ..small_run(dir.path())
    };
    let mut lines = Vec::new();
    let r = train(&cfg, &mut |l| lines.push(l.to_string())).unwrap();
    assert!(r.best_val_bpd < 8.0, "{r:?}");
    assert!((r.quantised_val_bpd - r.best_val_bpd).abs() < 0.05, "{r:?}");
    assert!(lines.iter().any(|l| l.contains("epoch 3")), "{lines:?}");
    // Resuming a finished run does no more steps and rewrites the model.
    cfg.resume = true;
    let again = train(&cfg, &mut |_| {}).unwrap();
    assert_eq!(again.steps, r.steps);
    let bytes = std::fs::read(&r.model).unwrap();
    let codec = PcCodec::from_bytes(&bytes, 0, 0).unwrap();
    let img = Image::new(5, 4, 1, (0..20).map(|i| i as u8).collect()).unwrap();
    let c = codec.encode(&img, &EncodeOptions::default()).unwrap();
    assert_eq!(codec.decode(&c, &Default::default()).unwrap(), img);
}

#[test]
fn augmented_training_uses_the_moved_copies_and_rejects_unknown_moves_and_mismatched_resumes() {
    let dir = tempfile::tempdir().unwrap();
    write_idx(dir.path(), 100, 5, 4).unwrap();
    let mut cfg = TrainConfig {
        hidden: 2,
        epochs: 1,
        full_epochs: 0,
        shifts: 4,
        hflip: true,
        ..small_run(dir.path())
    };
    let mut lines = Vec::new();
    let r = train(&cfg, &mut |l| lines.push(l.to_string())).unwrap();
    // 90 originals, each with 4 moved copies, all of them mirrored: 900 images; validation stays 10 originals.
    assert!(
        lines
            .iter()
            .any(|l| l.contains("90 train (900 with augmentation), 10 validation")),
        "{lines:?}"
    );
    assert_eq!(r.steps, 900u64.div_ceil(64));
    // Resuming with other augmentation flags would change the epoch length: refused, naming the recorded ones.
    cfg.resume = true;
    cfg.hflip = false;
    let err = train(&cfg, &mut |_| {}).unwrap_err();
    assert!(
        err.to_string().contains("trained with --shifts 4 --hflip"),
        "{err}"
    );
    cfg.hflip = true;
    assert_eq!(train(&cfg, &mut |_| {}).unwrap().steps, r.steps);
    cfg.resume = false;
    cfg.shifts = 9;
    cfg.out = dir.path().join("run9");
    let err = train(&cfg, &mut |_| {}).unwrap_err();
    assert!(err.to_string().contains("shifts at most 8"), "{err}");
}
