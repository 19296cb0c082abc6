//! Frozen vectors (`formats/tests/vectors/v1/`): every file decodes forever to the media checksum in MANIFEST,
//! and every prefix and bit flip of every vector gives a clean error or identical output — never a panic.
//!
//! Regenerate (only when adding vectors; never change existing ones):
//! `CINDER_WRITE_VECTORS=1 cargo test --release -p cinder-codecs --test vectors -- --ignored write_vectors`
#![allow(clippy::unwrap_used, clippy::expect_used)]

use cinder_core::{Audio, AudioCodec, DecodeOptions, EncodeOptions, Image, ImageCodec, Media, OpenOptions};
use cinder_format::{ids, Container, Limits};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../formats/tests/vectors/v1")
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// SHA-256 of decoded media: pixels as bytes; samples as f32 LE; sets as the concatenation.
fn media_sha256(media: &Media) -> String {
    let mut h = Sha256::new();
    match media {
        Media::Image(i) => h.update(&i.data),
        Media::ImageSet(set) => set.iter().for_each(|i| h.update(&i.data)),
        Media::Audio(a) => a.samples.iter().for_each(|s| h.update(s.to_le_bytes())),
    }
    hex(&h.finalize())
}

fn decode(bytes: &[u8]) -> Result<Media, Box<dyn std::error::Error>> {
    let container = Container::from_bytes(bytes, &Limits::default())?;
    let registry = cinder_codecs::default_registry();
    Ok(registry.decode(&container, &OpenOptions::default(), &DecodeOptions::default())?)
}

struct Entry {
    file: String,
    file_sha: String,
    media_sha: String,
}

fn manifest() -> Vec<Entry> {
    let text = std::fs::read_to_string(dir().join("MANIFEST")).unwrap();
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            Entry {
                file: f[0].into(),
                file_sha: f[1].into(),
                media_sha: f[2].into(),
            }
        })
        .collect()
}

#[test]
fn frozen_vectors_decode_to_their_checksums() {
    let entries = manifest();
    assert!(entries.len() >= 4);
    for e in entries {
        let bytes = std::fs::read(dir().join(&e.file)).unwrap();
        assert_eq!(
            hex(&Sha256::digest(&bytes)),
            e.file_sha,
            "{} changed on disk",
            e.file
        );
        let media = decode(&bytes).unwrap_or_else(|err| panic!("{}: {err}", e.file));
        assert_eq!(
            media_sha256(&media),
            e.media_sha,
            "{} decodes differently",
            e.file
        );
    }
}

#[test]
fn frozen_vectors_survive_every_prefix_and_bit_flip() {
    for e in manifest() {
        let bytes = std::fs::read(dir().join(&e.file)).unwrap();
        for n in 0..bytes.len() {
            assert!(decode(&bytes[..n]).is_err(), "{}: prefix {n} accepted", e.file);
        }
        for bit in 0..bytes.len() * 8 {
            let mut b = bytes.clone();
            b[bit / 8] ^= 1 << (bit % 8);
            if let Ok(media) = decode(&b) {
                assert_eq!(
                    media_sha256(&media),
                    e.media_sha,
                    "{}: flip {bit} changed the output",
                    e.file
                );
            }
        }
    }
}

#[test]
fn wrong_weights_digest_names_both_digests() {
    let codec = cinder_raw::RawCodec;
    let img = Image::new(2, 2, 1, vec![1, 2, 3, 4]).unwrap();
    let mut c = ImageCodec::encode(&codec, &img, &EncodeOptions::default()).unwrap();
    c.header.weights_digest = *b"\x01\x02\x03\x04\x05\x06\x07\x08";
    let err = ImageCodec::decode(&codec, &c, &DecodeOptions::default())
        .unwrap_err()
        .to_string();
    assert!(err.contains("0102030405060708"), "{err}");
    assert!(err.contains(&hex(&ImageCodec::weights_digest(&codec))), "{err}");
}

#[test]
fn lossless_codecs_round_trip_exactly() {
    let registry = cinder_codecs::default_registry();
    for codec in registry.iter().filter(|c| c.info.lossless) {
        for kind in codec.info.kinds {
            let opts = OpenOptions {
                media: Some(*kind),
                ..OpenOptions::default()
            };
            match (codec.open)(&opts).unwrap() {
                cinder_core::AnyCodec::Image(c) => {
                    let img = synthetic_image(c.info().name);
                    let Ok(cont) = c.encode(&img, &EncodeOptions::default()) else {
                        continue;
                    };
                    let bytes = cont.to_bytes().unwrap();
                    assert_eq!(decode(&bytes).unwrap(), Media::Image(img), "{}", c.info().name);
                }
                cinder_core::AnyCodec::Audio(c) => {
                    let audio = Audio::new(
                        16_000,
                        2,
                        (0..2000).map(|i| ((i % 97) as f32 - 48.0) / 64.0).collect(),
                    )
                    .unwrap();
                    let bytes = c
                        .encode(&audio, &EncodeOptions::default())
                        .unwrap()
                        .to_bytes()
                        .unwrap();
                    assert_eq!(decode(&bytes).unwrap(), Media::Audio(audio), "{}", c.info().name);
                }
            }
        }
    }
}

fn synthetic_image(_codec: &str) -> Image {
    Image::new(28, 28, 1, (0..784).map(|i| ((i * 13) % 256) as u8).collect()).unwrap()
}

#[test]
#[ignore = "writes new vectors; run only when adding vectors"]
fn write_vectors() {
    if std::env::var_os("CINDER_WRITE_VECTORS").is_none() {
        return;
    }
    let raw = cinder_raw::RawCodec;
    let opts = EncodeOptions::default();
    let grad = |w: u32, h: u32, c: u8| {
        Image::new(
            w,
            h,
            c,
            (0..w * h * c as u32)
                .map(|i| ((i * 29 + 7) % 256) as u8)
                .collect(),
        )
        .unwrap()
    };
    let mut vectors: Vec<(&str, Container)> = vec![
        (
            "raw_grey_7x5.cnd",
            ImageCodec::encode(&raw, &grad(7, 5, 1), &opts).unwrap(),
        ),
        (
            "raw_rgb_6x4.cnd",
            ImageCodec::encode(&raw, &grad(6, 4, 3), &opts).unwrap(),
        ),
        (
            "raw_audio_stereo_8k.cnd",
            AudioCodec::encode(
                &raw,
                &Audio::new(8000, 2, (0..40).map(|i| (i as f32 * 0.37).sin() * 0.5).collect()).unwrap(),
                &opts,
            )
            .unwrap(),
        ),
        (
            "raw_set_3x_4x3.cnd",
            ImageCodec::encode_set(&raw, &[grad(4, 3, 1), grad(4, 3, 1), grad(4, 3, 1)], &opts).unwrap(),
        ),
    ];
    let walloc = cinder_walloc::WallocCodec::embedded_linear(1).unwrap();
    vectors.push((
        "walloc_q1_rgb_20x12.cnd",
        walloc.encode(&grad(20, 12, 3), &opts).unwrap(),
    ));
    let pc = cinder_pc::PcCodec::embedded(0).unwrap();
    let digits: Vec<Image> = (0..2u32)
        .map(|k| {
            let data = (0..784u32)
                .map(|i| {
                    if (i / 28).abs_diff(14) + (i % 28).abs_diff(14) < 6 + k {
                        255
                    } else {
                        0
                    }
                })
                .collect();
            Image::new(28, 28, 1, data).unwrap()
        })
        .collect();
    vectors.push(("pc_mnist_set_2x28x28.cnd", pc.encode_set(&digits, &opts).unwrap()));
    let mut with_note = ImageCodec::encode(&raw, &grad(3, 3, 4), &opts).unwrap();
    with_note.push(ids::chunk::NOTE, b"encoder=cinder 0.1.0\n".to_vec());
    vectors.push(("raw_rgba_3x3_note.cnd", with_note));
    let mut manifest =
        String::from("# file  sha256(file)  sha256(decoded media: pixels as bytes, samples as f32 LE)\n");
    for (name, c) in vectors {
        let bytes = c.to_bytes().unwrap();
        std::fs::write(dir().join(name), &bytes).unwrap();
        let media = decode(&bytes).unwrap();
        manifest.push_str(&format!(
            "{name} {} {}\n",
            hex(&Sha256::digest(&bytes)),
            media_sha256(&media)
        ));
    }
    std::fs::write(dir().join("MANIFEST"), manifest).unwrap();
}
