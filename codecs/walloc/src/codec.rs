//! The `walloc` codec: quality levels, container layout and the [`ImageCodec`] implementation.
//!
//! Container: header `codec_id = 3`, `model_id = 1` (linear PCA decoder), quality, digest of the weights file,
//! image size; then one `CODE` chunk per band of [`BAND_ROWS`] latent rows: `first_row varint | rows varint |
//! entropy stream` (see `latents.rs`).

use crate::audio_codec::{WallocAudioCodec, EMBEDDED_DEEP_STEREO_WEIGHTS};
use crate::latents::{decode_band, encode_band, Latents};
use crate::models::{ModelIds, Models};
use crate::pipeline::{decode_latents, decode_latents_deep, encode_latents, Projection};
use crate::WallocError;
use cinder_core::{
    AnyCodec, CodecError, CodecInfo, DecodeOptions, EncodeOptions, Image, ImageCodec, MediaKind, OpenOptions,
    QualityInfo, RegisteredCodec, WeightsSource,
};
use cinder_entropy::{BitCounter, Limits, RangeDecoder, RangeEncoder, Stream};
use cinder_format::{ids, leb128, Container, Header, MediaParams, WeightsDigest};
use rayon::prelude::*;

/// Latent rows per independently decodable band (16 rows = 128 pixel rows).
pub const BAND_ROWS: usize = 16;
/// Model id of the linear (PCA) decoder.
pub const MODEL_LINEAR: u16 = 1;
/// Model id of the deep decoder (same encoder and latents as [`MODEL_LINEAR`]).
pub const MODEL_DEEP: u16 = 2;

/// The shipped linear (PCA) RGB model (`weights/linear_rgb_j3.bin`): the encoder of every image quality.
pub static EMBEDDED_LINEAR_WEIGHTS: &[u8] = include_bytes!("../weights/linear_rgb_j3.bin");
/// The shipped deep decoder (`weights/deep_rgb_j3.bin`, self-contained: it embeds the linear model).
pub static EMBEDDED_DEEP_WEIGHTS: &[u8] = include_bytes!("../weights/deep_rgb_j3.bin");

/// Quality levels: latent channels (dimensionality reduction 192 / C) and the common gain σ / std₀, chosen with
/// `examples/rd_probe.rs` on the training photos `images/train/wikipedia_photos_halfres` (never on Kodak).
const LEVELS: &[(u8, Projection)] = &[
    (
        1,
        Projection {
            channels: 6,
            sigma: 4.0,
            uniform_step: true,
        },
    ),
    (
        2,
        Projection {
            channels: 12,
            sigma: 6.0,
            uniform_step: true,
        },
    ),
    (
        3,
        Projection {
            channels: 24,
            sigma: 8.0,
            uniform_step: true,
        },
    ),
    (
        4,
        Projection {
            channels: 48,
            sigma: 12.0,
            uniform_step: true,
        },
    ),
    (
        5,
        Projection {
            channels: 48,
            sigma: 24.0,
            uniform_step: true,
        },
    ),
];

const QUALITIES: &[QualityInfo] = &[
    QualityInfo {
        level: 1,
        label: "image: 6 latent ch (32x), step 1/4; audio: 27 ch (19x), step 1/2; deep decoders",
    },
    QualityInfo {
        level: 2,
        label: "image: 12 ch (16x), step 1/6; audio: 54 ch (9.5x), step 1/2; deep decoders",
    },
    QualityInfo {
        level: 3,
        label: "image: 24 ch (8x), step 1/8; audio: 108 ch (4.7x), step 1/4; deep decoders",
    },
    QualityInfo {
        level: 4,
        label:
            "image: 48 ch (4x), step 1/12; audio: 108 ch (4.7x), step 1/8; deep image / linear audio decoder",
    },
    QualityInfo {
        level: 5,
        label:
            "image: 48 ch (4x), step 1/24; audio: 108 ch (4.7x), step 1/16; deep image / linear audio decoder",
    },
];

/// Static description.
pub static WALLOC_INFO: CodecInfo = CodecInfo {
    id: ids::codec::WALLOC,
    name: "walloc",
    description: "WaLLoC: wavelet packet transform + linear (PCA) encoder, 8-bit companded latents, context coding, deep decoder (RGB images; stereo audio)",
    kinds: &[MediaKind::Image, MediaKind::Audio],
    lossless: false,
    qualities: QUALITIES,
    default_quality: 2,
};

/// The image quality table, for training.
#[cfg(feature = "train")]
pub(crate) fn image_levels() -> &'static [(u8, Projection)] {
    LEVELS
}

/// Registry entry.
pub fn registered() -> RegisteredCodec {
    RegisteredCodec {
        info: &WALLOC_INFO,
        open,
    }
}

fn open(opts: &OpenOptions) -> Result<AnyCodec, CodecError> {
    let kind = WALLOC_INFO.pick_kind(opts.media)?;
    let quality = opts.quality.unwrap_or(WALLOC_INFO.default_quality);
    let bytes = match &opts.weights {
        WeightsSource::Embedded if kind == MediaKind::Audio => EMBEDDED_DEEP_STEREO_WEIGHTS.to_vec(),
        WeightsSource::Embedded => EMBEDDED_DEEP_WEIGHTS.to_vec(),
        WeightsSource::File(p) => std::fs::read(p).map_err(|e| CodecError::Weights {
            codec: "walloc",
            reason: format!("cannot read {}: {e}", p.display()),
        })?,
    };
    Ok(match kind {
        MediaKind::Image => AnyCodec::Image(Box::new(WallocCodec::open(&bytes, quality, opts.device)?)),
        MediaKind::Audio => AnyCodec::Audio(Box::new(WallocAudioCodec::open(&bytes, quality, opts.device)?)),
    })
}

/// The projection of `quality` in a quality table (image or audio).
pub(crate) fn projection_for(table: &[(u8, Projection)], quality: u8) -> Result<Projection, CodecError> {
    table
        .iter()
        .find(|(q, _)| *q == quality)
        .map(|(_, p)| *p)
        .ok_or(CodecError::BadQuality {
            quality,
            codec: "walloc",
            accepted: "1 to 5".into(),
        })
}

/// WaLLoC opened at one quality with one set of weights: the linear model alone (`CWLL` file, model 1) or the
/// linear encoder with the deep decoder (`CWDD` file, model 2, the embedded default).
#[derive(Debug, Clone)]
pub struct WallocCodec {
    models: Models,
    quality: u8,
    projection: Projection,
}

const IMAGE_MODELS: ModelIds = ModelIds {
    linear: MODEL_LINEAR,
    deep: MODEL_DEEP,
    deep_qualities: &[1, 2, 3, 4, 5],
};

impl WallocCodec {
    /// Opens the codec from a weights file's bytes (linear `CWLL` or deep `CWDD`), networks on the CPU.
    pub fn new(weights: &[u8], quality: u8) -> Result<WallocCodec, CodecError> {
        WallocCodec::open(weights, quality, cinder_core::Device::Cpu)
    }

    /// Opens the codec from a weights file's bytes with the deep decoder (if any) on `device`.
    pub fn open(weights: &[u8], quality: u8, device: cinder_core::Device) -> Result<WallocCodec, CodecError> {
        WALLOC_INFO.check_quality(quality)?;
        let projection = projection_for(LEVELS, quality)?;
        let models = Models::load(weights, device, IMAGE_MODELS, quality)?;
        let parsed = &models.linear;
        if parsed.axes != 2 || parsed.colours != 3 {
            return Err(CodecError::Weights {
                codec: "walloc",
                reason: "not a 2-D RGB model (an audio model was given to the image codec?)".into(),
            });
        }
        if parsed.len() < projection.channels {
            return Err(CodecError::Weights {
                codec: "walloc",
                reason: format!(
                    "weights hold {} components, quality {quality} needs {}",
                    parsed.len(),
                    projection.channels
                ),
            });
        }
        Ok(WallocCodec {
            models,
            quality,
            projection,
        })
    }

    /// Opens the codec with the weights embedded in the binary (linear encoder + deep decoder).
    pub fn embedded(quality: u8) -> Result<WallocCodec, CodecError> {
        WallocCodec::new(EMBEDDED_DEEP_WEIGHTS, quality)
    }

    /// Opens the closed-form linear codec (PCA encoder and decoder, model 1) embedded in the binary.
    pub fn embedded_linear(quality: u8) -> Result<WallocCodec, CodecError> {
        WallocCodec::new(EMBEDDED_LINEAR_WEIGHTS, quality)
    }

    /// The model id new files get: [`MODEL_DEEP`] when a deep decoder is loaded, else [`MODEL_LINEAR`].
    pub fn model_id(&self) -> u16 {
        self.models.model_id()
    }

    /// The compressed-domain representation of an image: integer latents (`channels × H/8 × W/8`, −127 … 127),
    /// e.g. for learning directly on latents. The same for the linear and the deep decoder.
    pub fn encode_latents(&self, image: &Image) -> Result<Latents, CodecError> {
        check_input(image)?;
        Ok(encode_latents(&self.models.linear, self.projection, image))
    }

    /// Reconstructs an image of the given size from latents with this codec's decoder (deep when loaded).
    pub fn decode_latents(
        &self,
        latents: &Latents,
        width: u32,
        height: u32,
        channels: u8,
    ) -> Result<Image, CodecError> {
        self.decode_with(self.model_id(), latents, width, height, channels)
    }

    fn decode_with(
        &self,
        model: u16,
        latents: &Latents,
        width: u32,
        height: u32,
        channels: u8,
    ) -> Result<Image, CodecError> {
        let weights = &self.models.linear;
        match self.models.deep_for(model) {
            Some(deep) => {
                let slot = usize::from(self.quality) - 1;
                Ok(decode_latents_deep(
                    weights,
                    self.projection,
                    slot,
                    deep,
                    latents,
                    (width, height, channels),
                )?)
            }
            None => Ok(decode_latents(
                weights,
                self.projection,
                latents,
                width,
                height,
                channels,
            )),
        }
    }
}

fn check_input(image: &Image) -> Result<(), CodecError> {
    image.validate()?;
    if !matches!(image.channels, 1 | 3) {
        return Err(CodecError::UnsupportedInput {
            codec: "walloc",
            reason: format!(
                "{} channels: WaLLoC RGB takes 3 (RGB) or 1 (grey) channels",
                image.channels
            ),
        });
    }
    Ok(())
}

fn band_ranges(rows: usize) -> Vec<(usize, usize)> {
    (0..rows)
        .step_by(BAND_ROWS)
        .map(|y0| (y0, BAND_ROWS.min(rows - y0)))
        .collect()
}

impl ImageCodec for WallocCodec {
    fn info(&self) -> &'static CodecInfo {
        &WALLOC_INFO
    }
    fn quality(&self) -> u8 {
        self.quality
    }
    fn weights_digest(&self) -> WeightsDigest {
        self.models.digest()
    }

    fn encode(&self, image: &Image, _opts: &EncodeOptions) -> Result<Container, CodecError> {
        let latents = self.encode_latents(image)?;
        let header = Header {
            codec_id: ids::codec::WALLOC,
            model_id: self.model_id(),
            quality: self.quality,
            weights_digest: self.weights_digest(),
            media: MediaParams::Image {
                width: image.width,
                height: image.height,
                channels: image.channels,
            },
        };
        let mut container = Container::new(header);
        push_bands(&mut container, &latents)?;
        Ok(container)
    }

    fn decode(&self, container: &Container, opts: &DecodeOptions) -> Result<Image, CodecError> {
        let model = container.header.model_id;
        WALLOC_INFO.check_header(&container.header, &self.models.digest_of(model)?)?;
        let MediaParams::Image {
            width,
            height,
            channels,
        } = container.header.media
        else {
            return Err(CodecError::MediaKind("walloc decodes images only".into()));
        };
        if container.header.quality != self.quality {
            return Err(CodecError::Corrupt(format!(
                "quality {} does not match the opened codec (quality {})",
                container.header.quality, self.quality
            )));
        }
        let step = 1usize << self.models.linear.levels;
        let (lh, lw) = ((height as usize).div_ceil(step), (width as usize).div_ceil(step));
        let latents = read_bands(container, self.projection.channels, lh, lw, opts)?;
        self.decode_with(model, &latents, width, height, channels)
    }

    fn estimate_bits(&self, image: &Image, _opts: &EncodeOptions) -> Result<f64, CodecError> {
        Ok(count_bits(&self.encode_latents(image)?)?)
    }
}

/// Codes `latents` band by band (in parallel) into one `CODE` chunk per band.
pub(crate) fn push_bands(container: &mut Container, latents: &Latents) -> Result<(), WallocError> {
    let payloads: Vec<Result<Vec<u8>, WallocError>> = band_ranges(latents.height)
        .into_par_iter()
        .map(|(y0, rows)| {
            let mut enc = RangeEncoder::new();
            encode_band(
                &latents.band(y0, y0 + rows),
                latents.channels,
                rows,
                latents.width,
                &mut enc,
            )?;
            let mut payload = Vec::new();
            leb128::write_u64(&mut payload, y0 as u64);
            leb128::write_u64(&mut payload, rows as u64);
            payload.extend_from_slice(&enc.finish().to_bytes());
            Ok(payload)
        })
        .collect();
    for p in payloads {
        container.push(ids::chunk::CODED, p?);
    }
    Ok(())
}

/// Bits the bands of `latents` take (band by band, as in the file), priced with the coder's own models.
pub fn count_bits(latents: &Latents) -> Result<f64, WallocError> {
    let mut total = 0.0;
    for (y0, rows) in band_ranges(latents.height) {
        let mut counter = BitCounter::new();
        encode_band(
            &latents.band(y0, y0 + rows),
            latents.channels,
            rows,
            latents.width,
            &mut counter,
        )?;
        total += counter.bits();
    }
    Ok(total)
}

/// Reads the `CODE` chunks of a `channels × lh × lw` latent map (bands decode in parallel; with
/// `opts.conceal` missing or corrupt bands stay zero).
pub(crate) fn read_bands(
    container: &Container,
    channels: usize,
    lh: usize,
    lw: usize,
    opts: &DecodeOptions,
) -> Result<Latents, CodecError> {
    let mut latents = Latents {
        channels,
        height: lh,
        width: lw,
        data: vec![0; channels * lh * lw],
    };
    let expected = band_ranges(lh);
    let chunks: Vec<&[u8]> = container
        .chunks_of(ids::chunk::CODED)
        .map(|c| c.data.as_slice())
        .collect();
    let decoded: Vec<Result<DecodedBand, WallocError>> = chunks
        .par_iter()
        .map(|data| decode_chunk(data, &latents, &opts.limits))
        .collect();
    let mut seen = vec![false; expected.len()];
    for result in decoded {
        match result {
            Ok((y0, rows, band)) => {
                let idx = expected.iter().position(|&r| r == (y0, rows)).ok_or_else(|| {
                    CodecError::Corrupt(format!(
                        "band at latent row {y0} ({rows} rows) does not fit {lh} rows"
                    ))
                })?;
                if std::mem::replace(&mut seen[idx], true) {
                    return Err(CodecError::Corrupt(format!(
                        "band at latent row {y0} appears twice"
                    )));
                }
                latents.set_band(y0, rows, &band);
            }
            Err(e) if !opts.conceal => return Err(e.into()),
            Err(_) => {}
        }
    }
    if let Some(missing) = seen.iter().position(|s| !s) {
        if !opts.conceal {
            return Err(CodecError::Corrupt(format!(
                "latent band {missing} of {} is missing (decode with --conceal to fill it)",
                expected.len()
            )));
        }
    }
    Ok(latents)
}

/// One decoded band: first latent row, row count, planar values.
type DecodedBand = (usize, usize, Vec<i8>);

fn decode_chunk(
    data: &[u8],
    shape: &Latents,
    limits: &cinder_format::Limits,
) -> Result<DecodedBand, WallocError> {
    let corrupt = |m: &str| WallocError::Corrupt(m.to_string());
    let (y0, n0) = leb128::read_u64(data, "band row").map_err(|_| corrupt("bad band row"))?;
    let (rows, n1) = leb128::read_u64(&data[n0..], "band rows").map_err(|_| corrupt("bad band row count"))?;
    if rows == 0 || rows > BAND_ROWS as u64 || y0 >= shape.height as u64 {
        return Err(corrupt("band outside the latent map"));
    }
    let entropy_limits = Limits {
        max_words: (limits.max_chunk_bytes / 4) as usize,
        ..Limits::default()
    };
    let stream = Stream::from_bytes(&data[n0 + n1..], &entropy_limits)?;
    let mut dec = RangeDecoder::new(&stream)?;
    let band = decode_band(&mut dec, shape.channels, rows as usize, shape.width)?;
    Ok((y0 as usize, rows as usize, band))
}
