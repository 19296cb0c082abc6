//! The container header: which codec, model and quality made the file, and what media it holds.
//! Byte layout: `formats/SPEC.md` §3.

use crate::{ids, leb128, FormatError, Limits};

/// Length of the weights digest: the first 8 bytes of the SHA-256 of the model's weights bundle.
pub const DIGEST_LEN: usize = 8;

/// First [`DIGEST_LEN`] bytes of the SHA-256 of the weights a file was encoded with.
pub type WeightsDigest = [u8; DIGEST_LEN];

/// Parameters of the media a container holds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum MediaParams {
    /// One image, 8-bit, interleaved channels.
    Image {
        /// Width in pixels (≥ 1).
        width: u32,
        /// Height in pixels (≥ 1).
        height: u32,
        /// 1 (grey), 3 (RGB) or 4 (RGBA).
        channels: u8,
    },
    /// One audio signal.
    Audio {
        /// Sample rate in Hz (1 … 768 000).
        sample_rate: u32,
        /// Channel count (1 … 64).
        channels: u16,
        /// Frames (samples per channel).
        frames: u64,
        /// Gain the encoder divided the signal by (1.0 when none); finite and > 0.
        gain: f32,
    },
    /// A set of images that share one size.
    ImageSet {
        /// Width of every image.
        width: u32,
        /// Height of every image.
        height: u32,
        /// Channels of every image (1, 3 or 4).
        channels: u8,
        /// Number of images (≥ 1).
        count: u64,
    },
}

impl MediaParams {
    fn kind(&self) -> u8 {
        match self {
            MediaParams::Image { .. } => ids::media::IMAGE,
            MediaParams::Audio { .. } => ids::media::AUDIO,
            MediaParams::ImageSet { .. } => ids::media::IMAGE_SET,
        }
    }

    /// Checks ranges and [`Limits`]; called by both the writer and the reader.
    pub fn validate(&self, limits: &Limits) -> Result<(), FormatError> {
        match *self {
            MediaParams::Image {
                width,
                height,
                channels,
            } => validate_image(width, height, channels, 1, limits),
            MediaParams::ImageSet {
                width,
                height,
                channels,
                count,
            } => {
                if count == 0 {
                    return Err(invalid("image count", 0, "at least 1"));
                }
                limits.check("image count", count, limits.max_images)?;
                validate_image(width, height, channels, count, limits)
            }
            MediaParams::Audio {
                sample_rate,
                channels,
                frames,
                gain,
            } => {
                if !(1..=768_000).contains(&sample_rate) {
                    return Err(invalid("sample rate", sample_rate.into(), "1 to 768000 Hz"));
                }
                if !(1..=64).contains(&channels) {
                    return Err(invalid("audio channel count", channels.into(), "1 to 64"));
                }
                let samples = frames.saturating_mul(u64::from(channels));
                limits.check("audio sample count", samples, limits.max_audio_samples)?;
                if !(gain.is_finite() && gain > 0.0) {
                    return Err(invalid(
                        "audio gain (f32 bits)",
                        gain.to_bits().into(),
                        "finite and > 0",
                    ));
                }
                Ok(())
            }
        }
    }
}

fn invalid(field: &'static str, value: u64, accepted: &'static str) -> FormatError {
    FormatError::InvalidField {
        field,
        value,
        accepted,
    }
}

fn validate_image(
    width: u32,
    height: u32,
    channels: u8,
    count: u64,
    limits: &Limits,
) -> Result<(), FormatError> {
    for (field, v) in [("image width", width), ("image height", height)] {
        if v == 0 {
            return Err(invalid(field, 0, "at least 1"));
        }
        limits.check(field, v.into(), limits.max_dimension.into())?;
    }
    if !matches!(channels, 1 | 3 | 4) {
        return Err(invalid("image channel count", channels.into(), "1, 3 or 4"));
    }
    let pixels = u64::from(width)
        .saturating_mul(u64::from(height))
        .saturating_mul(count);
    limits.check("pixel count", pixels, limits.max_pixels)
}

/// The fixed part of every container.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Header {
    /// Stable codec id ([`ids::codec`]).
    pub codec_id: u16,
    /// Codec-defined model/variant id.
    pub model_id: u16,
    /// Codec-defined quality level.
    pub quality: u8,
    /// Digest of the weights the encoder used; decoders refuse a mismatch.
    pub weights_digest: WeightsDigest,
    /// What the file holds.
    pub media: MediaParams,
}

impl Header {
    /// Serialises the header payload (without length prefix and CRC).
    pub fn to_payload(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(40);
        out.extend_from_slice(&self.codec_id.to_le_bytes());
        out.extend_from_slice(&self.model_id.to_le_bytes());
        out.push(self.quality);
        out.extend_from_slice(&self.weights_digest);
        out.push(self.media.kind());
        match self.media {
            MediaParams::Image {
                width,
                height,
                channels,
            } => write_image(&mut out, width, height, channels),
            MediaParams::ImageSet {
                width,
                height,
                channels,
                count,
            } => {
                write_image(&mut out, width, height, channels);
                leb128::write_u64(&mut out, count);
            }
            MediaParams::Audio {
                sample_rate,
                channels,
                frames,
                gain,
            } => {
                leb128::write_u64(&mut out, sample_rate.into());
                leb128::write_u64(&mut out, channels.into());
                leb128::write_u64(&mut out, frames);
                out.extend_from_slice(&gain.to_le_bytes());
            }
        }
        out
    }

    /// Parses a header payload. `newer_minor` allows trailing fields appended by a newer minor version.
    pub fn from_payload(payload: &[u8], newer_minor: bool, limits: &Limits) -> Result<Header, FormatError> {
        let mut r = Cursor { buf: payload, pos: 0 };
        let codec_id = u16::from_le_bytes(r.array("codec id")?);
        let model_id = u16::from_le_bytes(r.array("model id")?);
        let quality = r.array::<1>("quality")?[0];
        let weights_digest = r.array::<DIGEST_LEN>("weights digest")?;
        let kind = r.array::<1>("media kind")?[0];
        let media = match kind {
            ids::media::IMAGE => {
                let (width, height, channels) = read_image(&mut r)?;
                MediaParams::Image {
                    width,
                    height,
                    channels,
                }
            }
            ids::media::IMAGE_SET => {
                let (width, height, channels) = read_image(&mut r)?;
                let count = r.varint("image count")?;
                MediaParams::ImageSet {
                    width,
                    height,
                    channels,
                    count,
                }
            }
            ids::media::AUDIO => {
                let sample_rate = r.varint_u32("sample rate")?;
                let channels = r.varint("audio channel count")?;
                let channels = u16::try_from(channels)
                    .map_err(|_| invalid("audio channel count", channels, "1 to 64"))?;
                let frames = r.varint("audio frame count")?;
                let gain = f32::from_le_bytes(r.array("audio gain")?);
                MediaParams::Audio {
                    sample_rate,
                    channels,
                    frames,
                    gain,
                }
            }
            other => {
                return Err(invalid(
                    "media kind",
                    other.into(),
                    "1 (image), 2 (audio) or 3 (image set)",
                ))
            }
        };
        if r.pos != payload.len() && !newer_minor {
            return Err(FormatError::Structure("header has trailing bytes"));
        }
        media.validate(limits)?;
        Ok(Header {
            codec_id,
            model_id,
            quality,
            weights_digest,
            media,
        })
    }
}

fn write_image(out: &mut Vec<u8>, width: u32, height: u32, channels: u8) {
    leb128::write_u64(out, width.into());
    leb128::write_u64(out, height.into());
    out.push(channels);
}

fn read_image(r: &mut Cursor<'_>) -> Result<(u32, u32, u8), FormatError> {
    let width = r.varint_u32("image width")?;
    let height = r.varint_u32("image height")?;
    let channels = r.array::<1>("image channel count")?[0];
    Ok((width, height, channels))
}

struct Cursor<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl Cursor<'_> {
    fn array<const N: usize>(&mut self, what: &'static str) -> Result<[u8; N], FormatError> {
        let rest = &self.buf[self.pos..];
        let bytes: [u8; N] = rest
            .get(..N)
            .and_then(|s| s.try_into().ok())
            .ok_or(FormatError::Truncated {
                what,
                needed: (N - rest.len().min(N)) as u64,
            })?;
        self.pos += N;
        Ok(bytes)
    }

    fn varint(&mut self, what: &'static str) -> Result<u64, FormatError> {
        let (v, n) = leb128::read_u64(&self.buf[self.pos..], what)?;
        self.pos += n;
        Ok(v)
    }

    fn varint_u32(&mut self, what: &'static str) -> Result<u32, FormatError> {
        let v = self.varint(what)?;
        u32::try_from(v).map_err(|_| invalid(what, v, "at most 2^32 - 1"))
    }
}
