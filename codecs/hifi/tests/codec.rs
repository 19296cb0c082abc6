//! The `hifi` codec end to end with the shipped weights: round trips at both qualities from any rate and channel
//! count, chunked encoding equal to whole-clip encoding, determinism, and bad input (issue 7).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use cinder_core::{Audio, AudioCodec, CodecError, DecodeOptions, EncodeOptions};
use cinder_format::{ids, Container, Limits, MediaParams};
use cinder_hifi::{HifiCodec, HifiModel, EMBEDDED_WEIGHTS, HOP};

/// A voiced, speech-like test signal: a 120–220 Hz glide with harmonics and a syllable-rate envelope.
fn speechy(rate: u32, channels: u16, seconds: f32) -> Audio {
    let n = (rate as f32 * seconds) as usize;
    let mut samples = Vec::with_capacity(n * channels as usize);
    let mut phase = 0.0f32;
    for t in 0..n {
        let x = t as f32 / rate as f32;
        let f0 = 120.0 + 100.0 * (0.7 * x).sin().abs();
        phase += 2.0 * std::f32::consts::PI * f0 / rate as f32;
        let env = 0.5 + 0.5 * (2.0 * std::f32::consts::PI * 4.0 * x).sin();
        let v = env * (0.3 * phase.sin() + 0.15 * (2.0 * phase).sin() + 0.08 * (3.0 * phase).sin());
        for c in 0..channels {
            samples.push(v * (1.0 - 0.2 * c as f32));
        }
    }
    Audio::new(rate, channels, samples).unwrap()
}

fn round_trip(codec: &HifiCodec, audio: &Audio) -> (Container, Audio) {
    let file = codec.encode(audio, &EncodeOptions::default()).unwrap();
    let bytes = file.to_bytes().unwrap();
    let back = Container::from_bytes(&bytes, &Limits::default()).unwrap();
    let decoded = codec.decode(&back, &DecodeOptions::default()).unwrap();
    (file, decoded)
}

#[test]
fn both_qualities_round_trip_any_rate_to_16k_mono() {
    let q1 = HifiCodec::embedded(1).unwrap();
    let q2 = HifiCodec::embedded(2).unwrap();
    let audio = speechy(44_100, 2, 1.3);
    let (f1, d1) = round_trip(&q1, &audio);
    let (f2, d2) = round_trip(&q2, &audio);
    for d in [&d1, &d2] {
        assert_eq!((d.sample_rate, d.channels), (16_000, 1));
        assert_eq!(d.samples.len(), (1.3 * 16_000.0) as usize);
        assert!(d.samples.iter().all(|v| v.is_finite() && v.abs() <= 1.0));
    }
    assert!(
        f1.payload_bytes() <= f2.payload_bytes(),
        "{} > {}",
        f1.payload_bytes(),
        f2.payload_bytes()
    );
    // Rate bound: at most 10 bits a token (plus block overhead).
    let frames = (1.3f64 * 16_000.0 / HOP as f64).ceil();
    assert!((f2.payload_bytes() as f64) < frames * 4.0 * 10.0 / 8.0 + 64.0);
    // Decoding is deterministic.
    let again = q2.decode(&f2, &DecodeOptions::default()).unwrap();
    assert_eq!(again, d2);
    // A q1 codec decodes a q2 file at the file's quality.
    assert_eq!(q1.decode(&f2, &DecodeOptions::default()).unwrap(), d2);
}

#[test]
fn chunked_encoding_gives_whole_clip_tokens() {
    let model = HifiModel::load(EMBEDDED_WEIGHTS, cinder_core::Device::Cpu).unwrap();
    let audio = speechy(16_000, 1, 4.0);
    let whole = model.latents_chunked(&audio.samples, usize::MAX).unwrap();
    let chunked = model.latents_chunked(&audio.samples, 37).unwrap();
    assert_eq!(whole.len(), chunked.len());
    let max = whole
        .iter()
        .zip(&chunked)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0f32, f32::max);
    assert!(max < 1e-3, "chunk seams change the latent by {max}");
    let latent = model.config.latent;
    let mut t_whole = vec![0u16; 4];
    let mut t_chunk = vec![0u16; 4];
    let mut q = vec![0.0f32; latent];
    for (a, b) in whole.chunks(latent).zip(chunked.chunks(latent)) {
        model.codebooks.quantise_frame(a, 2, &mut t_whole, &mut q);
        model.codebooks.quantise_frame(b, 2, &mut t_chunk, &mut q);
        assert_eq!(t_whole, t_chunk);
    }
}

#[test]
fn silence_and_empty_input_are_fine_nan_is_an_error() {
    let codec = HifiCodec::embedded(2).unwrap();
    let (_, d) = round_trip(&codec, &Audio::new(16_000, 1, vec![0.0; 1000]).unwrap());
    assert_eq!(d.samples.len(), 1000);
    let (_, d) = round_trip(&codec, &Audio::new(16_000, 1, vec![]).unwrap());
    assert!(d.samples.is_empty());
    let nan = Audio::new(16_000, 1, vec![f32::NAN; 400]).unwrap();
    assert!(matches!(
        codec.encode(&nan, &EncodeOptions::default()),
        Err(CodecError::UnsupportedInput { .. })
    ));
}

#[test]
fn damaged_files_are_errors_or_concealed() {
    let codec = HifiCodec::embedded(2).unwrap();
    let audio = speechy(16_000, 1, 6.0); // two token blocks
    let file = codec.encode(&audio, &EncodeOptions::default()).unwrap();
    assert_eq!(file.chunks_of(ids::chunk::CODED).count(), 2);
    // A block removed: an error, or with `conceal` audio of the right length, the lost block muted.
    let mut cut = Container::new(file.header);
    let first = file.chunks_of(ids::chunk::CODED).next().unwrap();
    cut.push(ids::chunk::CODED, first.data.clone());
    assert!(codec.decode(&cut, &DecodeOptions::default()).is_err());
    let mut opts = DecodeOptions::default();
    opts.conceal = true;
    let concealed = codec.decode(&cut, &opts).unwrap();
    assert_eq!(concealed.samples.len(), audio.samples.len());
    assert!(concealed.samples[250 * HOP..].iter().all(|&v| v == 0.0));
    // A header that declares an hour around these blocks: an error, or with `conceal` an hour of audio that is
    // silent after the coded part, synthesised only where tokens exist (fast).
    let mut long = file.clone();
    let hour = 3600 * 16_000;
    if let MediaParams::Audio { frames, .. } = &mut long.header.media {
        *frames = hour;
    }
    assert!(codec.decode(&long, &DecodeOptions::default()).is_err());
    let start = std::time::Instant::now();
    let padded = codec.decode(&long, &opts).unwrap();
    assert!(start.elapsed().as_secs() < 30, "{:?}", start.elapsed());
    assert_eq!(padded.samples.len(), hour as usize);
    assert!(padded.samples[..250 * HOP].iter().any(|&v| v != 0.0));
    assert!(padded.samples[2 * 250 * HOP..].iter().all(|&v| v == 0.0));
    // Truncated block bytes: an error or audio, never a panic.
    let mut trunc = Container::new(file.header);
    for c in file.chunks_of(ids::chunk::CODED) {
        trunc.push(ids::chunk::CODED, c.data[..c.data.len() / 3].to_vec());
    }
    let _ = codec.decode(&trunc, &DecodeOptions::default());
    // Another model's file: the digest error.
    let mut other = file.clone();
    other.header.weights_digest = [9; 8];
    assert!(matches!(
        codec.decode(&other, &DecodeOptions::default()),
        Err(CodecError::WeightsMismatch { .. })
    ));
    // Corrupt weights are an error.
    assert!(HifiCodec::open(
        &EMBEDDED_WEIGHTS[..EMBEDDED_WEIGHTS.len() - 10],
        2,
        cinder_core::Device::Cpu
    )
    .is_err());
    assert!(HifiCodec::embedded(3).is_err());
}

#[test]
fn files_of_earlier_weights_still_decode() {
    // Earlier releases' weights stay embedded; the registry opens them for files naming their model id.
    let mut reg = cinder_core::Registry::new();
    reg.register(cinder_hifi::registered()).unwrap();
    let audio = speechy(16_000, 1, 0.5);
    assert!(!cinder_hifi::EARLIER_MODELS.is_empty());
    for &(id, weights) in cinder_hifi::EARLIER_MODELS {
        assert_ne!(id, cinder_hifi::MODEL_ID);
        let old = HifiCodec::open_as(weights, id, 2, cinder_core::Device::Cpu).unwrap();
        let (file, decoded) = round_trip(&old, &audio);
        assert_eq!(file.header.model_id, id);
        let media = reg
            .decode(
                &file,
                &cinder_core::OpenOptions::default(),
                &DecodeOptions::default(),
            )
            .unwrap();
        assert_eq!(media, cinder_core::Media::Audio(decoded), "model {id}");
        // The current weights refuse it instead of decoding noise.
        let err = HifiCodec::embedded(2)
            .unwrap()
            .decode(&file, &DecodeOptions::default())
            .unwrap_err();
        assert!(matches!(err, CodecError::WeightsMismatch { .. }), "{err}");
    }
}
