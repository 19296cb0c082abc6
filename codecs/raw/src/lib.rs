//! # cinder-raw — uncompressed, lossless
//!
//! Stores 8-bit pixels or f32 PCM as they are, in chunks of about 1 MiB, so that the whole pipeline
//! (container, registry, CLI, eval) is testable without any neural codec, and as the rate-1 reference
//! (8 bits per pixel-channel, 32 bits per sample).
//!
//! ```
//! use cinder_core::{EncodeOptions, DecodeOptions, Image, ImageCodec};
//! let codec = cinder_raw::RawCodec;
//! let img = Image::new(2, 2, 1, vec![0, 64, 128, 255])?;
//! let container = ImageCodec::encode(&codec, &img, &EncodeOptions::default())?;
//! assert_eq!(ImageCodec::decode(&codec, &container, &DecodeOptions::default())?, img);
//! # Ok::<(), cinder_core::CodecError>(())
//! ```

use cinder_core::{
    weights_digest, AnyCodec, Audio, AudioCodec, CodecError, CodecInfo, DecodeOptions, EncodeOptions, Image,
    ImageCodec, MediaKind, OpenOptions, QualityInfo, RegisteredCodec,
};
use cinder_format::{ids, Container, Header, MediaParams, WeightsDigest};

/// Target payload per chunk.
const CHUNK_BYTES: usize = 1 << 20;

const QUALITIES: &[QualityInfo] = &[QualityInfo {
    level: 0,
    label: "lossless, uncompressed",
}];

/// Static description of the raw codec.
pub static RAW_INFO: CodecInfo = CodecInfo {
    id: ids::codec::RAW,
    name: "raw",
    description: "uncompressed 8-bit pixels or f32 PCM (lossless reference)",
    kinds: &[MediaKind::Image, MediaKind::Audio],
    lossless: true,
    qualities: QUALITIES,
    default_quality: 0,
};

/// The raw codec opened for images and audio alike (it has no weights).
#[derive(Debug, Clone, Copy, Default)]
pub struct RawCodec;

/// Registry entry (images and audio).
pub fn registered() -> RegisteredCodec {
    RegisteredCodec {
        info: &RAW_INFO,
        open,
    }
}

fn open(opts: &OpenOptions) -> Result<AnyCodec, CodecError> {
    Ok(match RAW_INFO.pick_kind(opts.media)? {
        MediaKind::Image => AnyCodec::Image(Box::new(RawCodec)),
        MediaKind::Audio => AnyCodec::Audio(Box::new(RawCodec)),
    })
}

fn digest() -> WeightsDigest {
    weights_digest(b"cinder-raw v1 (no weights)")
}

fn header(media: MediaParams) -> Header {
    Header {
        codec_id: ids::codec::RAW,
        model_id: 0,
        quality: 0,
        weights_digest: digest(),
        media,
    }
}

fn push_banded(container: &mut Container, id: cinder_format::ChunkId, bytes: &[u8], unit: usize) {
    let per_chunk = (CHUNK_BYTES / unit.max(1)).max(1) * unit.max(1);
    for band in bytes.chunks(per_chunk) {
        container.push(id, band.to_vec());
    }
}

/// Concatenates the payloads of `id`, refusing anything but exactly `expected` bytes.
fn gather(container: &Container, id: cinder_format::ChunkId, expected: u64) -> Result<Vec<u8>, CodecError> {
    let total: u64 = container.chunks_of(id).map(|c| c.data.len() as u64).sum();
    if total != expected {
        return Err(CodecError::Corrupt(format!(
            "raw payload holds {total} bytes, the header implies {expected}"
        )));
    }
    let mut out = Vec::with_capacity(expected as usize);
    for c in container.chunks_of(id) {
        out.extend_from_slice(&c.data);
    }
    Ok(out)
}

fn check_image(image: &Image) -> Result<(), CodecError> {
    image.validate().map_err(|e| CodecError::UnsupportedInput {
        codec: "raw",
        reason: e.to_string(),
    })
}

impl ImageCodec for RawCodec {
    fn info(&self) -> &'static CodecInfo {
        &RAW_INFO
    }
    fn quality(&self) -> u8 {
        0
    }
    fn weights_digest(&self) -> WeightsDigest {
        digest()
    }

    fn encode(&self, image: &Image, _opts: &EncodeOptions) -> Result<Container, CodecError> {
        check_image(image)?;
        let media = MediaParams::Image {
            width: image.width,
            height: image.height,
            channels: image.channels,
        };
        let mut c = Container::new(header(media));
        push_banded(
            &mut c,
            ids::chunk::RAW_IMAGE_ROWS,
            &image.data,
            image.width as usize * image.channels as usize,
        );
        Ok(c)
    }

    fn decode(&self, container: &Container, _opts: &DecodeOptions) -> Result<Image, CodecError> {
        RAW_INFO.check_header(&container.header, &digest())?;
        let MediaParams::Image {
            width,
            height,
            channels,
        } = container.header.media
        else {
            return Err(CodecError::MediaKind(
                "raw image decoder got a non-image header".into(),
            ));
        };
        let n = u64::from(width) * u64::from(height) * u64::from(channels);
        Image::new(
            width,
            height,
            channels,
            gather(container, ids::chunk::RAW_IMAGE_ROWS, n)?,
        )
    }

    fn estimate_bits(&self, image: &Image, _opts: &EncodeOptions) -> Result<f64, CodecError> {
        Ok(image.data.len() as f64 * 8.0)
    }

    fn encode_set(&self, images: &[Image], _opts: &EncodeOptions) -> Result<Container, CodecError> {
        let first = images.first().ok_or(CodecError::UnsupportedInput {
            codec: "raw",
            reason: "empty image set".into(),
        })?;
        let mut data = Vec::with_capacity(first.data.len() * images.len());
        for img in images {
            check_image(img)?;
            if (img.width, img.height, img.channels) != (first.width, first.height, first.channels) {
                return Err(CodecError::UnsupportedInput {
                    codec: "raw",
                    reason: format!(
                        "image sets need one size: {}x{}x{} then {}x{}x{}",
                        first.width, first.height, first.channels, img.width, img.height, img.channels
                    ),
                });
            }
            data.extend_from_slice(&img.data);
        }
        let media = MediaParams::ImageSet {
            width: first.width,
            height: first.height,
            channels: first.channels,
            count: images.len() as u64,
        };
        let mut c = Container::new(header(media));
        push_banded(&mut c, ids::chunk::RAW_IMAGE_ROWS, &data, first.data.len());
        Ok(c)
    }

    fn decode_set(&self, container: &Container, _opts: &DecodeOptions) -> Result<Vec<Image>, CodecError> {
        RAW_INFO.check_header(&container.header, &digest())?;
        let MediaParams::ImageSet {
            width,
            height,
            channels,
            count,
        } = container.header.media
        else {
            return Err(CodecError::MediaKind(
                "raw set decoder got a non-set header".into(),
            ));
        };
        let per = u64::from(width) * u64::from(height) * u64::from(channels);
        let data = gather(container, ids::chunk::RAW_IMAGE_ROWS, per * count)?;
        data.chunks(per as usize)
            .map(|d| Image::new(width, height, channels, d.to_vec()))
            .collect()
    }
}

impl AudioCodec for RawCodec {
    fn info(&self) -> &'static CodecInfo {
        &RAW_INFO
    }
    fn quality(&self) -> u8 {
        0
    }
    fn weights_digest(&self) -> WeightsDigest {
        digest()
    }

    fn encode(&self, audio: &Audio, _opts: &EncodeOptions) -> Result<Container, CodecError> {
        let audio = Audio::new(audio.sample_rate, audio.channels, audio.samples.clone())?;
        let media = MediaParams::Audio {
            sample_rate: audio.sample_rate,
            channels: audio.channels,
            frames: audio.frames(),
            gain: 1.0,
        };
        let bytes: Vec<u8> = audio.samples.iter().flat_map(|s| s.to_le_bytes()).collect();
        let mut c = Container::new(header(media));
        push_banded(
            &mut c,
            ids::chunk::RAW_AUDIO_FRAMES,
            &bytes,
            4 * audio.channels as usize,
        );
        Ok(c)
    }

    fn decode(&self, container: &Container, _opts: &DecodeOptions) -> Result<Audio, CodecError> {
        RAW_INFO.check_header(&container.header, &digest())?;
        let MediaParams::Audio {
            sample_rate,
            channels,
            frames,
            ..
        } = container.header.media
        else {
            return Err(CodecError::MediaKind(
                "raw audio decoder got a non-audio header".into(),
            ));
        };
        let bytes = gather(
            container,
            ids::chunk::RAW_AUDIO_FRAMES,
            frames * u64::from(channels) * 4,
        )?;
        let samples = bytes
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        Audio::new(sample_rate, channels, samples)
    }

    fn estimate_bits(&self, audio: &Audio, _opts: &EncodeOptions) -> Result<f64, CodecError> {
        Ok(audio.samples.len() as f64 * 32.0)
    }
}
