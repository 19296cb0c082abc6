//! The codec contract (DESIGN §2): static [`CodecInfo`], the [`ImageCodec`] / [`AudioCodec`] traits and their
//! options.

use crate::{Audio, CodecError, Image, Media, MediaKind};
use cinder_format::{Container, Header, Limits, MediaParams, WeightsDigest};
use std::path::PathBuf;
use std::str::FromStr;

/// One quality level a codec offers.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QualityInfo {
    /// The value of `-q` and of the header's `quality` field.
    pub level: u8,
    /// What the level means, e.g. "12 latent channels (16x)" or "2 kbps".
    pub label: &'static str,
}

/// Static description of a codec.
#[derive(Debug, Clone, Copy)]
pub struct CodecInfo {
    /// Stable numeric id written in every file ([`cinder_format::ids::codec`]).
    pub id: u16,
    /// Name used on the command line.
    pub name: &'static str,
    /// One line for `cinder list`.
    pub description: &'static str,
    /// Media kinds handled (WaLLoC and raw do images and audio), the first being the default.
    pub kinds: &'static [MediaKind],
    /// True when decode(encode(x)) == x for every accepted input (checked by the shared conformance test).
    pub lossless: bool,
    /// Quality levels offered.
    pub qualities: &'static [QualityInfo],
    /// Level used when none is given.
    pub default_quality: u8,
}

impl CodecInfo {
    /// The media kind to open for: the requested one if handled, else an error naming the accepted kinds.
    pub fn pick_kind(&self, requested: Option<MediaKind>) -> Result<MediaKind, CodecError> {
        let first = self.kinds.first().copied().unwrap_or(MediaKind::Image);
        match requested {
            None => Ok(first),
            Some(k) if self.kinds.contains(&k) => Ok(k),
            Some(k) => Err(CodecError::MediaKind(format!(
                "'{}' does not handle {k:?} (it handles {:?})",
                self.name, self.kinds
            ))),
        }
    }

    /// Checks that `quality` is offered.
    pub fn check_quality(&self, quality: u8) -> Result<(), CodecError> {
        if self.qualities.iter().any(|q| q.level == quality) {
            Ok(())
        } else {
            let accepted: Vec<String> = self.qualities.iter().map(|q| q.level.to_string()).collect();
            Err(CodecError::BadQuality {
                quality,
                codec: self.name,
                accepted: accepted.join(", "),
            })
        }
    }

    /// Checks that a header belongs to this codec and to these weights (DESIGN §3: the decoder refuses a file
    /// whose weights digest differs from the loaded model's, naming both).
    pub fn check_header(&self, header: &Header, loaded: &WeightsDigest) -> Result<(), CodecError> {
        if header.codec_id != self.id {
            return Err(CodecError::WrongCodec {
                file: header.codec_id,
                codec: self.name,
                expected: self.id,
            });
        }
        if &header.weights_digest != loaded {
            return Err(CodecError::WeightsMismatch {
                file: crate::hex(&header.weights_digest),
                loaded: crate::hex(loaded),
            });
        }
        Ok(())
    }
}

/// Where a codec's weights come from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum WeightsSource {
    /// The weights embedded in the binary (feature `embedded-weights`).
    #[default]
    Embedded,
    /// A weights file on disk (`--weights PATH`).
    File(PathBuf),
}

/// Where networks run. Entropy coding always runs on the CPU (DESIGN §4).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Device {
    /// burn's `flex` CPU backend.
    #[default]
    Cpu,
    /// burn's `wgpu` backend (Vulkan/Metal/DX12), when built with the `wgpu` feature.
    Wgpu,
}

impl FromStr for Device {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "cpu" | "flex" => Ok(Device::Cpu),
            "wgpu" | "gpu" => Ok(Device::Wgpu),
            other => Err(format!("unknown device '{other}': accepted cpu, wgpu")),
        }
    }
}

/// How to open a codec.
#[derive(Debug, Clone, Default)]
pub struct OpenOptions {
    /// Quality level; `None` picks the codec's default.
    pub quality: Option<u8>,
    /// Weights to load.
    pub weights: WeightsSource,
    /// Where networks run.
    pub device: Device,
    /// Media kind to open for, for codecs that handle several; `None` picks the codec's first.
    pub media: Option<MediaKind>,
    /// Model id of the file about to be decoded (set by [`crate::Registry::open_for`] from its header). A codec
    /// whose shipped model for a quality changed keeps the earlier model embedded and opens it for files that
    /// name it, so old files still decode; `None` (encoding) opens the current model.
    pub model: Option<u16>,
}

/// Options for encoding (reserved for per-call settings; construct with `Default`).
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct EncodeOptions {}

/// Options for decoding.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct DecodeOptions {
    /// Limits applied to everything the file declares.
    pub limits: Limits,
    /// Reconstruct what can be reconstructed when chunks are missing or corrupt, instead of failing.
    pub conceal: bool,
}

/// An image codec opened at one quality level with one set of weights.
pub trait ImageCodec: Send + Sync {
    /// Static description.
    fn info(&self) -> &'static CodecInfo;
    /// The quality level this instance encodes at.
    fn quality(&self) -> u8;
    /// Digest of the loaded weights, written into every file.
    fn weights_digest(&self) -> WeightsDigest;
    /// Encodes one image into an in-memory container.
    fn encode(&self, image: &Image, opts: &EncodeOptions) -> Result<Container, CodecError>;
    /// Decodes a container made by this codec with these weights.
    fn decode(&self, container: &Container, opts: &DecodeOptions) -> Result<Image, CodecError>;
    /// Bits the payload would take, from the same tables as the real coder.
    fn estimate_bits(&self, image: &Image, opts: &EncodeOptions) -> Result<f64, CodecError>;
    /// Encodes several images of one size into one container. Codecs that do not support sets refuse.
    fn encode_set(&self, images: &[Image], opts: &EncodeOptions) -> Result<Container, CodecError> {
        let _ = (images, opts);
        Err(CodecError::Unsupported {
            codec: self.info().name,
            what: "image sets",
        })
    }
    /// Decodes an image-set container.
    fn decode_set(&self, container: &Container, opts: &DecodeOptions) -> Result<Vec<Image>, CodecError> {
        let _ = (container, opts);
        Err(CodecError::Unsupported {
            codec: self.info().name,
            what: "image sets",
        })
    }
}

/// An audio codec opened at one quality level with one set of weights.
pub trait AudioCodec: Send + Sync {
    /// Static description.
    fn info(&self) -> &'static CodecInfo;
    /// The quality level this instance encodes at.
    fn quality(&self) -> u8;
    /// Digest of the loaded weights, written into every file.
    fn weights_digest(&self) -> WeightsDigest;
    /// Encodes audio into an in-memory container.
    fn encode(&self, audio: &Audio, opts: &EncodeOptions) -> Result<Container, CodecError>;
    /// Decodes a container made by this codec with these weights.
    fn decode(&self, container: &Container, opts: &DecodeOptions) -> Result<Audio, CodecError>;
    /// Bits the payload would take, from the same tables as the real coder.
    fn estimate_bits(&self, audio: &Audio, opts: &EncodeOptions) -> Result<f64, CodecError>;
}

/// An opened codec of either kind.
pub enum AnyCodec {
    /// An image codec.
    Image(Box<dyn ImageCodec>),
    /// An audio codec.
    Audio(Box<dyn AudioCodec>),
}

impl AnyCodec {
    /// Static description.
    pub fn info(&self) -> &'static CodecInfo {
        match self {
            AnyCodec::Image(c) => c.info(),
            AnyCodec::Audio(c) => c.info(),
        }
    }

    /// Decodes a container of this codec: an image, an image set or audio, as its header says. Open the codec
    /// once (e.g. with [`crate::Registry::open_for`]) and call this for many files to load the weights once.
    pub fn decode(&self, container: &Container, opts: &DecodeOptions) -> Result<Media, CodecError> {
        match (self, container.header.media) {
            (AnyCodec::Image(c), MediaParams::ImageSet { .. }) => {
                Ok(Media::ImageSet(c.decode_set(container, opts)?))
            }
            (AnyCodec::Image(c), MediaParams::Image { .. }) => Ok(Media::Image(c.decode(container, opts)?)),
            (AnyCodec::Audio(c), MediaParams::Audio { .. }) => Ok(Media::Audio(c.decode(container, opts)?)),
            (c, media) => Err(CodecError::MediaKind(format!(
                "codec '{}' cannot decode {:?} media",
                c.info().name,
                media
            ))),
        }
    }
}
