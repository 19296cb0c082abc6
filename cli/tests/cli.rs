//! End-to-end tests of the `cinder` binary on synthetic media.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use assert_cmd::Command;
use cinder_core::{Audio, Image};
use cinder_datasets::{idx, io};
use predicates::prelude::PredicateBooleanExt;
use predicates::str::contains;
use std::path::{Path, PathBuf};

fn cinder() -> Command {
    Command::cargo_bin("cinder").unwrap()
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn gradient(w: u32, h: u32, c: u8) -> Image {
    let data = (0..w * h * c as u32)
        .map(|i| ((i * 7 + i / 13) % 256) as u8)
        .collect();
    Image::new(w, h, c, data).unwrap()
}

#[test]
fn raw_image_round_trip_is_pixel_exact() {
    let dir = tempfile::tempdir().unwrap();
    let img = gradient(37, 23, 3);
    std::fs::write(dir.path().join("in.png"), io::encode_png(&img).unwrap()).unwrap();
    cinder()
        .current_dir(dir.path())
        .args(["encode", "in.png", "--codec", "raw", "-o", "a.cnd"])
        .assert()
        .success();
    cinder()
        .current_dir(dir.path())
        .args(["decode", "a.cnd", "-o", "b.png"])
        .assert()
        .success();
    assert_eq!(io::load_image(&dir.path().join("b.png")).unwrap(), img);
    cinder()
        .current_dir(dir.path())
        .args(["info", "a.cnd"])
        .assert()
        .success()
        .stdout(contains("image 37x23").and(contains("bpp")).and(contains("RIMG")));
}

#[test]
fn flac_to_wav_keeps_samples_and_rate() {
    for name in ["chirp_stereo_44k_16bit.flac", "chirp_mono_22k_24bit.flac"] {
        let dir = tempfile::tempdir().unwrap();
        let src = fixture(name);
        let cnd = dir.path().join("a.cnd");
        let wav = dir.path().join("a.wav");
        cinder()
            .args(["encode"])
            .arg(&src)
            .arg("-o")
            .arg(&cnd)
            .assert()
            .success();
        cinder()
            .args(["decode"])
            .arg(&cnd)
            .arg("-o")
            .arg(&wav)
            .assert()
            .success();
        let original: Audio = io::load_audio(&src).unwrap();
        let decoded = io::load_audio(&wav).unwrap();
        assert_eq!(decoded.sample_rate, original.sample_rate, "{name}");
        assert_eq!(decoded.channels, original.channels, "{name}");
        assert_eq!(decoded.samples, original.samples, "{name}");
        cinder()
            .arg("info")
            .arg(&cnd)
            .assert()
            .success()
            .stdout(contains("kbps"));
    }
}

#[test]
fn refuses_to_overwrite_without_force() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("in.png"),
        io::encode_png(&gradient(4, 4, 1)).unwrap(),
    )
    .unwrap();
    std::fs::write(dir.path().join("in.cnd"), b"precious").unwrap();
    cinder()
        .current_dir(dir.path())
        .args(["encode", "in.png"])
        .assert()
        .failure()
        .stderr(contains("-f"));
    assert_eq!(std::fs::read(dir.path().join("in.cnd")).unwrap(), b"precious");
    cinder()
        .current_dir(dir.path())
        .args(["encode", "in.png", "-f"])
        .assert()
        .success();
    assert_ne!(std::fs::read(dir.path().join("in.cnd")).unwrap(), b"precious");
}

#[test]
fn stdin_to_stdout_round_trip() {
    let img = gradient(9, 5, 4);
    let png = io::encode_png(&img).unwrap();
    let cnd = cinder()
        .args(["encode", "-"])
        .write_stdin(png)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert!(cnd.starts_with(&cinder_format::MAGIC));
    let out = cinder()
        .args(["decode", "-"])
        .write_stdin(cnd)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert_eq!(io::decode_image(&out, Path::new("-")).unwrap(), img);
}

#[test]
fn directory_in_directory_out() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("src");
    std::fs::create_dir(&src).unwrap();
    for (i, c) in [1u8, 3, 4].iter().enumerate() {
        std::fs::write(
            src.join(format!("img{i}.png")),
            io::encode_png(&gradient(8 + i as u32, 6, *c)).unwrap(),
        )
        .unwrap();
    }
    std::fs::copy(fixture("chirp_stereo_44k_16bit.flac"), src.join("chirp.flac")).unwrap();
    cinder()
        .current_dir(dir.path())
        .args(["encode", "src", "-o", "cnd"])
        .assert()
        .success();
    cinder()
        .current_dir(dir.path())
        .args(["decode", "cnd", "-o", "out"])
        .assert()
        .success();
    for i in 0..3 {
        let a = io::load_image(&src.join(format!("img{i}.png"))).unwrap();
        let b = io::load_image(&dir.path().join(format!("out/img{i}.png"))).unwrap();
        assert_eq!(a, b);
    }
    assert!(dir.path().join("out/chirp.wav").exists());
}

#[test]
fn idx_image_set_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let set: Vec<Image> = (0..5)
        .map(|_| gradient(6, 4, 1))
        .enumerate()
        .map(|(k, mut im)| {
            im.data[0] = k as u8;
            im
        })
        .collect();
    std::fs::write(
        dir.path().join("t-idx3-ubyte"),
        idx::encode_idx_images(&set).unwrap(),
    )
    .unwrap();
    cinder()
        .current_dir(dir.path())
        .args(["encode", "t-idx3-ubyte", "--codec", "raw", "-o", "s.cnd"])
        .assert()
        .success();
    cinder()
        .current_dir(dir.path())
        .args(["decode", "s.cnd", "-o", "back.idx"])
        .assert()
        .success();
    assert_eq!(idx::read_idx_images(&dir.path().join("back.idx")).unwrap(), set);
    cinder()
        .current_dir(dir.path())
        .args(["decode", "s.cnd", "-o", "pngs"])
        .assert()
        .success();
    assert_eq!(
        io::load_image(&dir.path().join("pngs/00004.png")).unwrap(),
        set[4]
    );
    cinder()
        .current_dir(dir.path())
        .args(["info", "s.cnd"])
        .assert()
        .success()
        .stdout(contains("bpd"));
}

#[test]
fn errors_exit_nonzero_with_cause_chain() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("bad.cnd"), b"\x8eCND\x01\x00\x05garbage").unwrap();
    cinder()
        .current_dir(dir.path())
        .args(["decode", "bad.cnd"])
        .assert()
        .failure()
        .stderr(contains("error: cannot read bad.cnd").and(contains("caused by:")));
    cinder()
        .args(["encode", "x.png", "--codec", "nope"])
        .assert()
        .failure();
    cinder()
        .current_dir(dir.path())
        .args(["encode", "bad.cnd"])
        .assert()
        .failure()
        .stderr(contains("decode"));
}

#[test]
fn list_names_the_raw_codec() {
    cinder().arg("list").assert().success().stdout(contains("raw"));
}

#[test]
fn demo_round_trips_the_bundled_samples_exactly() {
    cinder()
        .arg("demo")
        .assert()
        .success()
        .stdout(contains("exact true").and(contains("kbps")));
}

#[test]
fn roundtrip_reports_rate() {
    cinder()
        .arg("roundtrip")
        .arg(fixture("chirp_mono_22k_24bit.flac"))
        .assert()
        .success()
        .stdout(contains("exact true"));
}

#[test]
fn train_pc_then_code_with_the_trained_model() {
    let dir = tempfile::tempdir().unwrap();
    let images: Vec<Image> = (0..120u32)
        .map(|k| {
            let data = (0..784u32)
                .map(|i| {
                    let (y, x) = (i / 28, i % 28);
                    if x.abs_diff(14) + y.abs_diff(14) < 5 + k % 4 {
                        255
                    } else {
                        0
                    }
                })
                .collect();
            Image::new(28, 28, 1, data).unwrap()
        })
        .collect();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut gz, &idx::encode_idx_images(&images).unwrap()).unwrap();
    std::fs::write(
        dir.path().join("train-images-idx3-ubyte.gz"),
        gz.finish().unwrap(),
    )
    .unwrap();
    cinder()
        .current_dir(dir.path())
        .args([
            "train", "pc", "--data", ".", "--out", "run", "--hidden", "2", "--epochs", "1",
        ])
        .args(["--full-epochs", "1", "--batch", "32"])
        .assert()
        .success()
        .stdout(contains("best validation"));
    std::fs::write(
        dir.path().join("set.idx"),
        idx::encode_idx_images(&images[..10]).unwrap(),
    )
    .unwrap();
    let weights = ["--weights", "run/model.pcm"];
    cinder()
        .current_dir(dir.path())
        .args(["encode", "set.idx", "--codec", "pc", "-o", "set.cnd"])
        .args(weights)
        .assert()
        .success();
    cinder()
        .current_dir(dir.path())
        .args(["decode", "set.cnd", "-o", "back.idx"])
        .args(weights)
        .assert()
        .success();
    assert_eq!(
        idx::read_idx_images(&dir.path().join("back.idx")).unwrap(),
        images[..10].to_vec()
    );
}

#[test]
fn conceal_decodes_a_vqgan_file_with_a_corrupted_band() {
    let dir = tempfile::tempdir().unwrap();
    // 48 × 544 pixels: 34 index rows, three bands of 16 / 16 / 2 rows.
    std::fs::write(
        dir.path().join("in.png"),
        io::encode_png(&gradient(48, 544, 3)).unwrap(),
    )
    .unwrap();
    cinder()
        .current_dir(dir.path())
        .args(["encode", "in.png", "--codec", "vqgan", "-q", "10", "-o", "a.cnd"])
        .assert()
        .success();
    let mut bytes = std::fs::read(dir.path().join("a.cnd")).unwrap();
    let first_band = bytes.windows(4).position(|w| w == b"CODE").unwrap();
    bytes[first_band + 12] ^= 0x5A;
    std::fs::write(dir.path().join("bad.cnd"), &bytes).unwrap();
    cinder()
        .current_dir(dir.path())
        .args(["decode", "bad.cnd", "-o", "strict.png"])
        .assert()
        .failure()
        .stderr(contains("CRC"));
    cinder()
        .current_dir(dir.path())
        .args(["decode", "bad.cnd", "-o", "concealed.png", "--conceal"])
        .assert()
        .success()
        .stderr(contains("dropped"));
    let out = io::load_image(&dir.path().join("concealed.png")).unwrap();
    assert_eq!((out.width, out.height, out.channels), (48, 544, 3));
}
