//! The [`ImageCodec`] contract (DESIGN §2) for the PC coder: one range-coded stream per image, all streams of a
//! set framed in chunks ([`crate::framing`]: `PCST`, or `PCSL` with range-coded stream lengths when smaller),
//! images coded in parallel with rayon (never inside one image). Quality selects the embedded model (0 = MNIST,
//! 1 = Fashion-MNIST); the header's
//! `model_id` records it (see [`crate::weights`]; 0 = a model loaded from a file), and the weights digest
//! binds the file to the exact model bytes.

use crate::coder::{decode_images, encode_images, images_bits, Scratch, Tables, LANES};
use crate::framing::{push_stream_groups, push_streams, split_streams, stream_groups};
use crate::model_io::load;
use crate::PcError;
use cinder_core::{
    weights_digest, AnyCodec, CodecError, CodecInfo, DecodeOptions, EncodeOptions, Image, ImageCodec,
    MediaKind, OpenOptions, QualityInfo, RegisteredCodec, WeightsSource,
};
use cinder_format::{ids, Container, Header, MediaParams, WeightsDigest};
use rayon::prelude::*;
use std::sync::Arc;

const NAME: &str = "pc";

/// Images per stream in the sets [`PcCodec`] writes (`PCGS` chunk): groups of 16 × 16 = 256 images code into
/// 16 streams each, so 10 000 images make 40 groups to decode in parallel and 625 stream ends instead of
/// 10 000.
pub const IMAGES_PER_STREAM: usize = 16;

/// Streams of `count` images coded `per_stream` to a stream: each group of `LANES · per_stream` images has
/// `min(LANES, its images)` streams.
fn stream_count(count: usize, per_stream: usize) -> usize {
    let group = LANES * per_stream.max(1);
    count / group * LANES + (count % group).min(LANES)
}

const QUALITIES: &[QualityInfo] = &[
    QualityInfo {
        level: 0,
        label: "MNIST model (28x28 grey, HCLT M=64)",
    },
    QualityInfo {
        level: 1,
        label: "Fashion-MNIST model (28x28 grey, HCLT M=64)",
    },
];

/// Static description of the PC codec.
pub static PC_INFO: CodecInfo = CodecInfo {
    id: ids::codec::PC,
    name: NAME,
    description: "probabilistic-circuit (HCLT) lossless coder for small grey images (MNIST, Fashion-MNIST)",
    kinds: &[MediaKind::Image],
    lossless: true,
    qualities: QUALITIES,
    default_quality: 0,
};

/// Registry entry.
pub fn registered() -> RegisteredCodec {
    RegisteredCodec { info: &PC_INFO, open }
}

fn open(opts: &OpenOptions) -> Result<AnyCodec, CodecError> {
    PC_INFO.pick_kind(opts.media)?;
    let quality = opts.quality.unwrap_or(PC_INFO.default_quality);
    PC_INFO.check_quality(quality)?;
    let codec = match &opts.weights {
        WeightsSource::Embedded => PcCodec::embedded_model(quality, opts.model)?,
        WeightsSource::File(path) => {
            let bytes = std::fs::read(path).map_err(|e| CodecError::Weights {
                codec: NAME,
                reason: format!("{}: {e}", path.display()),
            })?;
            PcCodec::from_bytes(&bytes, quality, 0)?
        }
    };
    Ok(AnyCodec::Image(Box::new(codec)))
}

/// The PC codec with one loaded model.
#[derive(Clone)]
pub struct PcCodec {
    tables: Arc<Tables>,
    digest: WeightsDigest,
    quality: u8,
    model_id: u16,
}

impl std::fmt::Debug for PcCodec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let c = &self.tables.circuit;
        write!(
            f,
            "PcCodec({}x{}, M={}, model {})",
            c.width, c.height, c.m, self.model_id
        )
    }
}

fn to_codec(e: PcError) -> CodecError {
    match e {
        PcError::ImageSize { .. } => CodecError::UnsupportedInput {
            codec: NAME,
            reason: e.to_string(),
        },
        PcError::BadModel(_) => CodecError::Weights {
            codec: NAME,
            reason: e.to_string(),
        },
        other => CodecError::Corrupt(other.to_string()),
    }
}

impl PcCodec {
    /// Opens a model from the bytes of a model file (`quality` and `model_id` are written into headers).
    pub fn from_bytes(bytes: &[u8], quality: u8, model_id: u16) -> Result<PcCodec, CodecError> {
        let loaded = load(bytes).map_err(to_codec)?;
        Ok(PcCodec {
            tables: Arc::new(Tables::new(loaded.circuit, &loaded.params)),
            digest: weights_digest(bytes),
            quality,
            model_id,
        })
    }

    /// Opens the current embedded model: quality 0 = MNIST, 1 = Fashion-MNIST.
    pub fn embedded(quality: u8) -> Result<PcCodec, CodecError> {
        PcCodec::embedded_model(quality, None)
    }

    /// Opens the embedded model of `quality` with `model_id` (one an earlier release shipped, to decode its
    /// files), or the current one when `model_id` is `None` or not embedded.
    pub fn embedded_model(quality: u8, model_id: Option<u16>) -> Result<PcCodec, CodecError> {
        let m = crate::weights::embedded(quality, model_id).ok_or_else(|| CodecError::Weights {
            codec: NAME,
            reason: "this build has no embedded PC models (feature `embedded-weights`); pass a model file"
                .into(),
        })?;
        PcCodec::from_bytes(m.bytes, quality, m.model_id)
    }

    /// The coding tables (circuit shape and parameters).
    pub fn tables(&self) -> &Tables {
        &self.tables
    }

    fn check(&self, img: &Image) -> Result<(), CodecError> {
        let c = &self.tables.circuit;
        if img.channels != 1 || img.width != c.width || img.height != c.height || img.validate().is_err() {
            return Err(to_codec(PcError::ImageSize {
                got: format!("{}x{}x{}", img.width, img.height, img.channels),
                width: c.width,
                height: c.height,
            }));
        }
        Ok(())
    }

    fn header(&self, media: MediaParams) -> Header {
        Header {
            codec_id: ids::codec::PC,
            model_id: self.model_id,
            quality: self.quality,
            weights_digest: self.digest,
            media,
        }
    }

    /// Encodes images into streams, `per_stream` images to a stream: groups of `LANES · per_stream` images
    /// are coded in parallel, each into `min(LANES, group size)` streams (see [`encode_images`]). With
    /// `per_stream = 1` every image has a stream of its own.
    pub fn encode_streams(&self, images: &[Image], per_stream: usize) -> Result<Vec<Vec<u8>>, CodecError> {
        images.iter().try_for_each(|i| self.check(i))?;
        let t = &*self.tables;
        let groups = images
            .par_chunks(LANES * per_stream.max(1))
            .map_init(
                || Scratch::new(t),
                |ws, group| {
                    let xs: Vec<&[u8]> = group.iter().map(|i| &i.data[..]).collect();
                    encode_images(t, ws, &xs)
                },
            )
            .collect::<Result<Vec<_>, _>>()
            .map_err(to_codec)?;
        Ok(groups.into_iter().flatten().collect())
    }

    /// Theoretical bits −log2 p(x) of each image (parallel across images).
    pub fn theoretical_bits(&self, images: &[Image]) -> Result<Vec<f64>, CodecError> {
        images.iter().try_for_each(|i| self.check(i))?;
        let t = &*self.tables;
        let groups = images
            .par_chunks(LANES)
            .map_init(
                || Scratch::new(t),
                |ws, group| {
                    let xs: Vec<&[u8]> = group.iter().map(|i| &i.data[..]).collect();
                    images_bits(t, ws, &xs)
                },
            )
            .collect::<Result<Vec<_>, _>>()
            .map_err(to_codec)?;
        Ok(groups.into_iter().flatten().map(|b| b.0).collect())
    }

    /// Decodes `count` images from the streams of [`PcCodec::encode_streams`] with the same `per_stream`,
    /// groups in parallel.
    pub fn decode_streams(
        &self,
        streams: &[&[u8]],
        count: usize,
        per_stream: usize,
    ) -> Result<Vec<Image>, CodecError> {
        let t = &*self.tables;
        let c = &t.circuit;
        let group = LANES * per_stream.max(1);
        let need = stream_count(count, per_stream);
        if streams.len() != need {
            return Err(CodecError::Corrupt(format!(
                "{count} images in groups of {group} need {need} PC streams, the file holds {}",
                streams.len()
            )));
        }
        // Every group but the last has LANES streams.
        let images = streams
            .par_chunks(LANES)
            .enumerate()
            .map_init(
                || Scratch::new(t),
                |ws, (g, group_streams)| decode_images(t, ws, group_streams, (count - g * group).min(group)),
            )
            .collect::<Result<Vec<_>, _>>()
            .map_err(to_codec)?;
        images
            .into_iter()
            .flatten()
            .map(|px| Image::new(c.width, c.height, 1, px))
            .collect()
    }

    fn check_media(&self, w: u32, h: u32, ch: u8) -> Result<(), CodecError> {
        let c = &self.tables.circuit;
        if (w, h, ch) != (c.width, c.height, 1) {
            return Err(CodecError::Corrupt(format!(
                "file holds {w}x{h}x{ch} images, the loaded PC model codes {}x{}x1",
                c.width, c.height
            )));
        }
        Ok(())
    }
}

impl ImageCodec for PcCodec {
    fn info(&self) -> &'static CodecInfo {
        &PC_INFO
    }
    fn quality(&self) -> u8 {
        self.quality
    }
    fn weights_digest(&self) -> WeightsDigest {
        self.digest
    }

    fn encode(&self, image: &Image, _opts: &EncodeOptions) -> Result<Container, CodecError> {
        let streams = self.encode_streams(std::slice::from_ref(image), 1)?;
        let mut c = Container::new(self.header(MediaParams::Image {
            width: image.width,
            height: image.height,
            channels: 1,
        }));
        push_streams(&mut c, &streams)?;
        Ok(c)
    }

    fn decode(&self, container: &Container, _opts: &DecodeOptions) -> Result<Image, CodecError> {
        PC_INFO.check_header(&container.header, &self.digest)?;
        let MediaParams::Image {
            width,
            height,
            channels,
        } = container.header.media
        else {
            return Err(CodecError::MediaKind(
                "PC image decoder got a non-image header".into(),
            ));
        };
        self.check_media(width, height, channels)?;
        let streams = split_streams(container, 1)?;
        let mut out = self.decode_streams(&streams, 1, 1)?;
        out.pop()
            .ok_or_else(|| CodecError::Corrupt("no PC stream".into()))
    }

    fn estimate_bits(&self, image: &Image, _opts: &EncodeOptions) -> Result<f64, CodecError> {
        self.check(image)?;
        let t = &*self.tables;
        let bits = images_bits(t, &mut Scratch::new(t), &[&image.data]).map_err(to_codec)?;
        Ok(bits.first().map_or(0.0, |b| b.0))
    }

    fn encode_set(&self, images: &[Image], _opts: &EncodeOptions) -> Result<Container, CodecError> {
        let first = images.first().ok_or(CodecError::UnsupportedInput {
            codec: NAME,
            reason: "empty image set".into(),
        })?;
        let streams = self.encode_streams(images, IMAGES_PER_STREAM)?;
        let mut c = Container::new(self.header(MediaParams::ImageSet {
            width: first.width,
            height: first.height,
            channels: 1,
            count: images.len() as u64,
        }));
        if images.len() > LANES {
            // Up to LANES images the grouped layout is the one-image-per-stream layout: no chunk needed.
            push_stream_groups(&mut c, IMAGES_PER_STREAM);
        }
        push_streams(&mut c, &streams)?;
        Ok(c)
    }

    fn decode_set(&self, container: &Container, _opts: &DecodeOptions) -> Result<Vec<Image>, CodecError> {
        PC_INFO.check_header(&container.header, &self.digest)?;
        let MediaParams::ImageSet {
            width,
            height,
            channels,
            count,
        } = container.header.media
        else {
            return Err(CodecError::MediaKind(
                "PC set decoder got a non-set header".into(),
            ));
        };
        self.check_media(width, height, channels)?;
        let per_stream = stream_groups(container)?;
        let count = usize::try_from(count)
            .map_err(|_| CodecError::Corrupt(format!("header declares {count} images")))?;
        let streams = split_streams(container, stream_count(count, per_stream) as u64)?;
        self.decode_streams(&streams, count, per_stream)
    }
}
