//! One interface over every codec the harness measures: Cinder codecs (through
//! `cinder_codecs::default_registry()`, rate from the serialised container) and the classic baselines
//! (rate from the file the tool wrote). Either way, [`Coded::bytes`] is the size of a real file.

use crate::baselines;
use crate::EvalError;
use cinder_core::{
    AnyCodec, Audio, CodecError, DecodeOptions, EncodeOptions, Image, MediaKind, OpenOptions, WeightsSource,
};
use cinder_format::{Container, Limits};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// The result of coding one item at one quality.
#[derive(Debug, Clone)]
pub struct Coded<M> {
    /// Size of the compressed file in bytes.
    pub bytes: u64,
    /// The decoded media.
    pub decoded: M,
    /// Wall-clock encode time in seconds.
    pub encode_s: f64,
    /// Wall-clock decode time in seconds.
    pub decode_s: f64,
    /// The codec's own rate estimate beside what it wrote (Cinder codecs only).
    pub estimate: Option<BitEstimate>,
}

/// A Cinder codec's `estimate_bits` beside the payload it really wrote.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BitEstimate {
    /// What `estimate_bits` returned.
    pub bits: f64,
    /// Bits of the chunk payloads of the file (the file without the container's header and chunk framing),
    /// which is what `estimate_bits` estimates (DESIGN §2).
    pub payload_bits: f64,
}

/// An image codec under evaluation.
pub trait ImageCoder: Send + Sync {
    /// Lossless codecs are scored by bpd and round-trip exactness.
    fn lossless(&self) -> bool;
    /// Encodes and decodes one image at `quality` (meaning per codec; see [`crate::baselines`]).
    fn code(&self, image: &Image, quality: f64) -> Result<Coded<Image>, EvalError>;
    /// Encodes a whole image set into one file and decodes it, for codecs with a set form (the PC coder codes
    /// an MNIST split into one container); `None` when the codec has none.
    fn code_set(&self, images: &[Image], quality: f64) -> Option<Result<Coded<Vec<Image>>, EvalError>> {
        let _ = (images, quality);
        None
    }
}

/// An audio codec under evaluation.
pub trait AudioCoder: Send + Sync {
    /// Lossless codecs are scored by rate and round-trip exactness.
    fn lossless(&self) -> bool;
    /// Encodes and decodes one signal at `quality` (meaning per codec; see [`crate::baselines`]).
    fn code(&self, audio: &Audio, quality: f64) -> Result<Coded<Audio>, EvalError>;
}

/// A codec opened for evaluation.
pub enum Coder {
    /// Image codec.
    Image(Box<dyn ImageCoder>),
    /// Audio codec.
    Audio(Box<dyn AudioCoder>),
}

/// A codec resolved by name: the coder, its default quality sweep and a description for the report.
pub struct Resolved {
    /// The coder.
    pub coder: Coder,
    /// Qualities used when none are given.
    pub default_qualities: Vec<f64>,
    /// One line for the report's `description`.
    pub description: String,
}

/// Opens `name`: a classic baseline (`jpeg`, `webp`, …) or a codec of `cinder_codecs::default_registry()`.
pub fn resolve(name: &str, weights: Option<PathBuf>) -> Result<Resolved, EvalError> {
    if let Some(b) = baselines::open(name)? {
        return Ok(b);
    }
    let registry = cinder_codecs::default_registry();
    let reg = registry.by_name(name).map_err(|e| {
        EvalError::BadArgument(format!(
            "unknown codec '{name}': not a baseline ({}) and {e}",
            baselines::NAMES.join(", ")
        ))
    })?;
    let info = reg.info;
    let cinder = CinderCoder {
        name: info.name,
        weights: weights.map(WeightsSource::File).unwrap_or_default(),
        open: Mutex::new(HashMap::new()),
    };
    let coder = match info.kinds.first() {
        Some(MediaKind::Audio) => Coder::Audio(Box::new(cinder)),
        _ => Coder::Image(Box::new(cinder)),
    };
    Ok(Resolved {
        coder,
        default_qualities: info.qualities.iter().map(|q| f64::from(q.level)).collect(),
        description: format!("Cinder codec '{}': {}", info.name, info.description),
    })
}

/// A Cinder codec; instances are opened once per quality and kept.
struct CinderCoder {
    name: &'static str,
    weights: WeightsSource,
    open: Mutex<HashMap<(u8, bool), Arc<AnyCodec>>>,
}

impl CinderCoder {
    fn get(&self, quality: f64, audio: bool) -> Result<Arc<AnyCodec>, EvalError> {
        let q = quality.round().clamp(0.0, 255.0) as u8;
        let mut map = self
            .open
            .lock()
            .map_err(|_| EvalError::BadArgument("codec cache poisoned".into()))?;
        if let Some(c) = map.get(&(q, audio)) {
            return Ok(c.clone());
        }
        let opts = OpenOptions {
            quality: Some(q),
            weights: self.weights.clone(),
            media: Some(if audio { MediaKind::Audio } else { MediaKind::Image }),
            ..OpenOptions::default()
        };
        let codec = Arc::new(cinder_codecs::default_registry().open(self.name, &opts)?);
        map.insert((q, audio), codec.clone());
        Ok(codec)
    }

    fn lossless_flag(&self) -> bool {
        cinder_codecs::default_registry()
            .by_name(self.name)
            .map(|r| r.info.lossless)
            .unwrap_or(false)
    }
}

/// Serialises a container and parses it back: the rate is the real file size, the decoder sees real bytes.
fn through_bytes(c: &Container) -> Result<(u64, Container), EvalError> {
    let bytes = c.to_bytes()?;
    let back = Container::from_bytes(&bytes, &Limits::default())?;
    Ok((bytes.len() as u64, back))
}

/// Times `encode` (including serialisation), feeds the re-parsed bytes to `decode` (timed), and records the
/// codec's own bit estimate: the one measurement path of every Cinder codec, single items and sets alike.
fn measure<M>(
    encode: impl FnOnce() -> Result<Container, CodecError>,
    decode: impl FnOnce(&Container) -> Result<M, CodecError>,
    estimate_bits: impl FnOnce() -> Option<f64>,
) -> Result<Coded<M>, EvalError> {
    let t = Instant::now();
    let container = encode()?;
    let (bytes, back) = through_bytes(&container)?;
    let encode_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let decoded = decode(&back)?;
    let decode_s = t.elapsed().as_secs_f64();
    Ok(Coded {
        bytes,
        decoded,
        encode_s,
        decode_s,
        estimate: estimate_bits().map(|bits| BitEstimate {
            bits,
            payload_bits: container.payload_bytes() as f64 * 8.0,
        }),
    })
}

impl ImageCoder for CinderCoder {
    fn lossless(&self) -> bool {
        self.lossless_flag()
    }
    fn code(&self, image: &Image, quality: f64) -> Result<Coded<Image>, EvalError> {
        let codec = self.get(quality, false)?;
        let AnyCodec::Image(c) = codec.as_ref() else {
            return Err(CodecError::MediaKind(format!("'{}' is not an image codec", self.name)).into());
        };
        let eo = EncodeOptions::default();
        measure(
            || c.encode(image, &eo),
            |back| c.decode(back, &DecodeOptions::default()),
            || c.estimate_bits(image, &eo).ok(),
        )
    }

    fn code_set(&self, images: &[Image], quality: f64) -> Option<Result<Coded<Vec<Image>>, EvalError>> {
        self.code_set_inner(images, quality).transpose()
    }
}

impl CinderCoder {
    fn code_set_inner(&self, images: &[Image], quality: f64) -> Result<Option<Coded<Vec<Image>>>, EvalError> {
        let codec = self.get(quality, false)?;
        let AnyCodec::Image(c) = codec.as_ref() else {
            return Ok(None);
        };
        let eo = EncodeOptions::default();
        let coded = measure(
            || c.encode_set(images, &eo),
            |back| c.decode_set(back, &DecodeOptions::default()),
            || {
                images
                    .iter()
                    .map(|im| c.estimate_bits(im, &eo).ok())
                    .sum::<Option<f64>>()
            },
        );
        match coded {
            Err(EvalError::Codec(CodecError::Unsupported { .. })) => Ok(None),
            other => other.map(Some),
        }
    }
}

impl AudioCoder for CinderCoder {
    fn lossless(&self) -> bool {
        self.lossless_flag()
    }
    fn code(&self, audio: &Audio, quality: f64) -> Result<Coded<Audio>, EvalError> {
        let codec = self.get(quality, true)?;
        let AnyCodec::Audio(c) = codec.as_ref() else {
            return Err(CodecError::MediaKind(format!("'{}' is not an audio codec", self.name)).into());
        };
        let eo = EncodeOptions::default();
        measure(
            || c.encode(audio, &eo),
            |back| c.decode(back, &DecodeOptions::default()),
            || c.estimate_bits(audio, &eo).ok(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_codec_round_trips_through_real_bytes() {
        let r = resolve("raw", None).unwrap();
        let Coder::Image(c) = r.coder else {
            panic!("raw opens as an image codec")
        };
        let img = Image::new(4, 2, 3, (0..24).collect()).unwrap();
        let coded = c.code(&img, r.default_qualities[0]).unwrap();
        assert_eq!(coded.decoded, img);
        assert!(coded.bytes > 24, "container bytes include the header");
        assert!(c.lossless());
    }

    #[test]
    fn unknown_names_list_the_baselines() {
        let Err(e) = resolve("nope", None) else {
            panic!("resolved a bogus codec")
        };
        assert!(e.to_string().contains("jpeg"));
    }
}
