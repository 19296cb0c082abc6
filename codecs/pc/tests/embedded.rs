//! The shipped models still load and code (DESIGN §7).
#![cfg(feature = "embedded-weights")]
#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

use cinder_core::{CodecError, DecodeOptions, EncodeOptions, Image, ImageCodec, OpenOptions, Registry};
use cinder_pc::PcCodec;

fn digit() -> Image {
    // A crude "1": a vertical bar on black, like MNIST.
    let data = (0..784).map(|i| {
        if (12..16).contains(&(i % 28)) && (4..24).contains(&(i / 28)) {
            250
        } else {
            0
        }
    });
    Image::new(28, 28, 1, data.collect()).unwrap()
}

#[test]
fn embedded_models_load_and_round_trip() {
    for q in [0u8, 1] {
        let codec = PcCodec::embedded(q).unwrap();
        let c = &codec.tables().circuit;
        assert_eq!((c.width, c.height, c.m), (28, 28, 64));
        let img = digit();
        let file = codec.encode(&img, &EncodeOptions::default()).unwrap();
        assert_eq!(file.header.model_id, u16::from(q) + 5);
        assert_eq!(codec.decode(&file, &DecodeOptions::default()).unwrap(), img);
        let bits = codec.estimate_bits(&img, &EncodeOptions::default()).unwrap();
        assert!(bits < 784.0 * 8.0, "{bits}");
    }
    // The two models are distinct: a Fashion decoder refuses an MNIST file.
    let file = PcCodec::embedded(0)
        .unwrap()
        .encode(&digit(), &EncodeOptions::default())
        .unwrap();
    let err = PcCodec::embedded(1)
        .unwrap()
        .decode(&file, &DecodeOptions::default())
        .unwrap_err();
    assert!(matches!(err, CodecError::WeightsMismatch { .. }), "{err}");
}

#[test]
fn registry_entry_opens_by_quality() {
    let reg = cinder_pc::registered();
    let opts = OpenOptions {
        quality: Some(1),
        ..OpenOptions::default()
    };
    let cinder_core::AnyCodec::Image(c) = (reg.open)(&opts).unwrap() else {
        panic!("not an image codec")
    };
    assert_eq!(c.quality(), 1);
}

#[test]
fn files_of_the_replaced_models_still_decode() {
    // The first release's M=32 models (model ids 1 and 2) and the M=64 models trained without augmentation
    // (ids 3 and 4) stay embedded for decoding; the registry opens the model a file's header names.
    let mut reg = Registry::new();
    reg.register(cinder_pc::registered()).unwrap();
    for (q, old_id, m) in [(0u8, 1u16, 32), (1, 2, 32), (0, 3, 64), (1, 4, 64)] {
        let old = PcCodec::embedded_model(q, Some(old_id)).unwrap();
        assert_eq!(old.tables().circuit.m, m);
        let file = old.encode(&digit(), &EncodeOptions::default()).unwrap();
        assert_eq!(file.header.model_id, old_id);
        let media = reg
            .decode(&file, &OpenOptions::default(), &DecodeOptions::default())
            .unwrap();
        assert_eq!(media, cinder_core::Media::Image(digit()));
        // The current model refuses it with the digest error instead of decoding garbage.
        let err = PcCodec::embedded(q)
            .unwrap()
            .decode(&file, &DecodeOptions::default())
            .unwrap_err();
        assert!(matches!(err, CodecError::WeightsMismatch { .. }), "{err}");
    }
}
