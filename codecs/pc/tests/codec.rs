//! The codec contract on a tiny random model: round trips, determinism, bad input.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

use cinder_core::{CodecError, DecodeOptions, EncodeOptions, Image, ImageCodec};
use cinder_format::{ids, Container, Limits};
use cinder_pc::model_io::random_model_bytes;
use cinder_pc::{framing, PcCodec, IMAGES_PER_STREAM};

fn codec(seed: u64) -> PcCodec {
    PcCodec::from_bytes(&random_model_bytes(7, 5, 4, seed).unwrap(), 0, 0).unwrap()
}

fn images(n: usize) -> Vec<Image> {
    (0..n)
        .map(|i| {
            let data = (0..35)
                .map(|p| {
                    if (p * 7 + i) % 5 == 0 {
                        (p * 37 + i * 11) as u8
                    } else {
                        0
                    }
                })
                .collect();
            Image::new(7, 5, 1, data).unwrap()
        })
        .collect()
}

#[test]
fn single_image_round_trip_through_bytes_is_deterministic() {
    let c = codec(1);
    let img = &images(3)[2];
    let a = c
        .encode(img, &EncodeOptions::default())
        .unwrap()
        .to_bytes()
        .unwrap();
    let b = c
        .encode(img, &EncodeOptions::default())
        .unwrap()
        .to_bytes()
        .unwrap();
    assert_eq!(a, b);
    let back = c
        .decode(
            &Container::from_bytes(&a, &Limits::default()).unwrap(),
            &DecodeOptions::default(),
        )
        .unwrap();
    assert_eq!(&back, img);
    let est = c.estimate_bits(img, &EncodeOptions::default()).unwrap();
    assert!(est > 0.0);
}

#[test]
fn set_round_trip_matches_single_streams() {
    let c = codec(2);
    let imgs = images(40);
    let set = c.encode_set(&imgs, &EncodeOptions::default()).unwrap();
    let bytes = set.to_bytes().unwrap();
    let back = c
        .decode_set(
            &Container::from_bytes(&bytes, &Limits::default()).unwrap(),
            &DecodeOptions::default(),
        )
        .unwrap();
    assert_eq!(back, imgs);
    let streams = c.encode_streams(&imgs, 1).unwrap();
    assert_eq!(streams[5], c.encode_streams(&imgs[5..6], 1).unwrap()[0]);
}

#[test]
fn sets_code_several_images_per_stream_and_still_read_one_per_stream() {
    let c = codec(2);
    // 600 images: groups of 256, 256 and 88 images, 16 streams each.
    let imgs = images(600);
    let decode = |set: &Container| {
        let bytes = set.to_bytes().unwrap();
        c.decode_set(
            &Container::from_bytes(&bytes, &Limits::default()).unwrap(),
            &DecodeOptions::default(),
        )
    };
    let set = c.encode_set(&imgs, &EncodeOptions::default()).unwrap();
    assert_eq!(framing::stream_groups(&set).unwrap(), IMAGES_PER_STREAM);
    assert_eq!(decode(&set).unwrap(), imgs);
    // The first release's layout (one stream per image, no PCGS chunk) still decodes.
    let mut old = Container::new(set.header);
    framing::push_streams(&mut old, &c.encode_streams(&imgs, 1).unwrap()).unwrap();
    assert_eq!(decode(&old).unwrap(), imgs);
    // 48 streams instead of 600 (the bytes saved show on real data: 0.011 bpd on MNIST, README).
    assert_eq!(framing::split_streams(&set, 48).unwrap().len(), 48);
    // A grouping that does not match the streams is an error, not a panic.
    for r in [1usize, 2, 1 << 20] {
        let mut bad = Container::new(set.header);
        framing::push_stream_groups(&mut bad, r);
        for ch in set
            .chunks
            .iter()
            .filter(|ch| ch.id != ids::chunk::PC_STREAM_GROUPS)
        {
            bad.push(ch.id, ch.data.clone());
        }
        assert!(decode(&bad).is_err(), "{r} images per stream");
    }
}

#[test]
fn wrong_size_names_the_model_size() {
    let c = codec(3);
    let rgb = Image::new(7, 5, 3, vec![0; 105]).unwrap();
    let big = Image::new(28, 28, 1, vec![0; 784]).unwrap();
    for img in [rgb, big] {
        let err = c.encode(&img, &EncodeOptions::default()).unwrap_err();
        assert!(matches!(err, CodecError::UnsupportedInput { .. }), "{err}");
        assert!(err.to_string().contains("7x5"), "{err}");
    }
}

#[test]
fn other_model_is_refused_with_the_digest_error() {
    let file = codec(4).encode(&images(1)[0], &EncodeOptions::default()).unwrap();
    let err = codec(5).decode(&file, &DecodeOptions::default()).unwrap_err();
    assert!(matches!(err, CodecError::WeightsMismatch { .. }), "{err}");
}

#[test]
fn truncated_and_corrupt_streams_error_without_panic() {
    let c = codec(6);
    let imgs = images(8);
    let set = c.encode_set(&imgs, &EncodeOptions::default()).unwrap();
    let bytes = set.to_bytes().unwrap();
    for cut in 0..bytes.len() {
        if let Ok(cont) = Container::from_bytes(&bytes[..cut], &Limits::default()) {
            let _ = c.decode_set(&cont, &DecodeOptions::default());
        }
    }
    // A valid container whose stream payload is cut short.
    let mut cont = set.clone();
    let total: usize = cont.chunks.iter().map(|ch| ch.data.len()).sum();
    for ch in cont.chunks.iter_mut() {
        ch.data.truncate(ch.data.len().saturating_sub(3));
    }
    assert!(total > 3);
    assert!(c.decode_set(&cont, &DecodeOptions::default()).is_err());
    // Flipped bytes: an error or some image, never a panic.
    let mut cont = set;
    for i in 0..cont.chunks[0].data.len() {
        let mut bad = cont.clone();
        bad.chunks[0].data[i] ^= 0x5A;
        let _ = c.decode_set(&bad, &DecodeOptions::default());
    }
    cont.chunks.clear();
    assert!(c.decode_set(&cont, &DecodeOptions::default()).is_err());
}
