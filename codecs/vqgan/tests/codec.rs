//! The `vqgan` codec end to end with the shipped weights: round trips at every quality, lossless index coding,
//! grey input, concealment of lost bands, and bad input (issue 8).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use cinder_core::{CodecError, DecodeOptions, EncodeOptions, Image, ImageCodec};
use cinder_format::{ids, Container, Limits};
use cinder_vqgan::model::psnr;
use cinder_vqgan::restore::Restorer;
use cinder_vqgan::{VqganCodec, VQGAN_INFO};

/// A smooth synthetic photo-like image: gradients, a disc and some texture.
fn picture(width: u32, height: u32, channels: u8) -> Image {
    let mut data = Vec::new();
    for y in 0..height {
        for x in 0..width {
            let (fx, fy) = (x as f32 / width as f32, y as f32 / height as f32);
            let disc = ((fx - 0.6).powi(2) + (fy - 0.4).powi(2)).sqrt() < 0.2;
            let tex = 12.0 * ((x as f32 * 0.7).sin() * (y as f32 * 0.5).cos());
            let rgb = [
                60.0 + 150.0 * fx + tex,
                if disc { 200.0 } else { 90.0 + 80.0 * fy },
                140.0 - 60.0 * fx * fy + tex,
            ];
            for c in 0..usize::from(channels) {
                data.push(rgb[c.min(2)].clamp(0.0, 255.0) as u8);
            }
        }
    }
    Image::new(width, height, channels, data).unwrap()
}

fn round_trip(codec: &VqganCodec, img: &Image) -> (Container, Image) {
    let file = codec.encode(img, &EncodeOptions::default()).unwrap();
    let bytes = file.to_bytes().unwrap();
    let back = Container::from_bytes(&bytes, &Limits::default()).unwrap();
    (file, codec.decode(&back, &DecodeOptions::default()).unwrap())
}

#[test]
fn every_quality_round_trips_within_its_rate() {
    let img = picture(200, 136, 3);
    let mut last = 0;
    for q in VQGAN_INFO.qualities.iter().map(|q| q.level) {
        let codec = VqganCodec::embedded(q).unwrap();
        let (file, out) = round_trip(&codec, &img);
        assert_eq!((out.width, out.height, out.channels), (200, 136, 3));
        // Uniform bound: log2 S bits an index (13 × 9 indices), plus a mode byte per band.
        let indices = 13 * 9;
        let bound = (indices * usize::from(q)).div_ceil(8) + 2;
        assert!(
            file.payload_bytes() <= bound as u64,
            "q{q}: {} > {bound}",
            file.payload_bytes()
        );
        assert!(
            file.payload_bytes() + 8 >= last,
            "q{q} much smaller than the level below"
        );
        last = file.payload_bytes();
        let p = psnr(&img, &out);
        assert!(p > 14.0, "q{q}: PSNR {p:.2} dB");
        // Decoding is deterministic and equals decoding the index map directly (lossless index coding).
        let map = codec.indices(&img).unwrap();
        let direct = codec
            .decode_map(&map, &vec![true; map.data.len()], Restorer::Mean, 200, 136, 3)
            .unwrap();
        assert_eq!(direct, out);
    }
}

#[test]
fn grey_images_come_back_grey() {
    let codec = VqganCodec::embedded(10).unwrap();
    let img = picture(48, 33, 1);
    let (_, out) = round_trip(&codec, &img);
    assert_eq!((out.width, out.height, out.channels), (48, 33, 1));
    assert!(psnr(&img, &out) > 14.0);
}

#[test]
fn lost_bands_are_concealed_only_when_asked() {
    let codec = VqganCodec::embedded(10).unwrap();
    // `--conceal` runs the harmonic fill and the shipped post filter.
    assert!(codec.model().has_post_filter());
    let img = picture(64, 560, 3); // 35 index rows: 3 bands
    let file = codec.encode(&img, &EncodeOptions::default()).unwrap();
    assert_eq!(file.chunks_of(ids::chunk::CODED).count(), 3);
    let clean = codec.decode(&file, &DecodeOptions::default()).unwrap();
    let mut lost = file.clone();
    let coded: Vec<usize> = (0..lost.chunks.len())
        .filter(|&i| lost.chunks[i].id == ids::chunk::CODED)
        .collect();
    lost.chunks.remove(coded[1]); // the middle band
    let strict = codec.decode(&lost, &DecodeOptions::default());
    assert!(matches!(strict, Err(CodecError::Corrupt(_))), "{strict:?}");
    let mut conceal = DecodeOptions::default();
    conceal.conceal = true;
    let patched = codec.decode(&lost, &conceal).unwrap();
    assert_eq!((patched.width, patched.height), (64, 560));
    // Damaged (not missing) band: an error, or concealment when asked.
    let mut damaged = file.clone();
    let idx = damaged
        .chunks
        .iter()
        .position(|c| c.id == ids::chunk::CODED)
        .unwrap();
    damaged.chunks[idx].data = vec![9, 9, 9];
    assert!(codec.decode(&damaged, &DecodeOptions::default()).is_err());
    let fixed = codec.decode(&damaged, &conceal).unwrap();
    assert_eq!(fixed.data.len(), clean.data.len());
    assert!(psnr(&clean, &fixed) > 10.0);
}

#[test]
fn bad_input_is_refused_cleanly() {
    let codec = VqganCodec::embedded(10).unwrap();
    let rgba = Image::new(32, 32, 4, vec![0; 32 * 32 * 4]).unwrap();
    assert!(matches!(
        codec.encode(&rgba, &EncodeOptions::default()),
        Err(CodecError::UnsupportedInput { .. })
    ));
    let mut file = codec
        .encode(&picture(40, 40, 3), &EncodeOptions::default())
        .unwrap();
    file.header.weights_digest[0] ^= 1;
    assert!(codec.decode(&file, &DecodeOptions::default()).is_err());
    assert!(VqganCodec::embedded(2).is_err());
    assert!(VqganCodec::open(b"CWVQ", 10, cinder_core::Device::Cpu).is_err());
}

#[test]
fn tiled_inference_is_seamless_and_a_no_op_for_one_tile() {
    use cinder_vqgan::tiling::Tiling;
    use cinder_vqgan::{VqganModel, EMBEDDED_WEIGHTS};
    let load = |t: Tiling| {
        VqganModel::load(EMBEDDED_WEIGHTS, cinder_core::Device::Cpu)
            .unwrap()
            .with_tiling(t)
    };
    let (tiled, whole) = (load(Tiling::default()), load(Tiling::whole()));
    // One extended tile covers a 160×160 image (10 positions ≤ a 16-position core): identical output.
    let small = picture(160, 160, 3);
    assert_eq!(
        tiled.reconstruct(&small, 1024).unwrap(),
        whole.reconstruct(&small, 1024).unwrap()
    );
    // 400×272 → 25×17 positions → 2×2 tiles: the tiles join without seams worth a decibel.
    let big = picture(400, 272, 3);
    let (t, w) = (
        psnr(&big, &tiled.reconstruct(&big, 1024).unwrap()),
        psnr(&big, &whole.reconstruct(&big, 1024).unwrap()),
    );
    assert!(t > w - 1.0 && t > 18.0, "tiled {t:.2} dB, whole {w:.2} dB");
}

#[test]
fn files_of_the_previous_release_still_decode() {
    // The previous release's weights (digest 970b91f9…) differ from the shipped ones only by the added post
    // filter, so their files decode with the shipped weights; any other digest is still refused.
    let codec = VqganCodec::embedded(10).unwrap();
    let (mut file, decoded) = round_trip(&codec, &picture(48, 32, 3));
    file.header.weights_digest = [0x97, 0x0b, 0x91, 0xf9, 0x2f, 0xec, 0x78, 0x9b];
    assert_eq!(codec.decode(&file, &DecodeOptions::default()).unwrap(), decoded);
    file.header.weights_digest = [0x97, 0x0b, 0x91, 0xf9, 0x2f, 0xec, 0x78, 0x9c];
    let err = codec.decode(&file, &DecodeOptions::default()).unwrap_err();
    assert!(matches!(err, CodecError::WeightsMismatch { .. }), "{err}");
}
