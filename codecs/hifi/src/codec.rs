//! The `hifi` codec: any audio in, 16 kHz mono speech out, at 1 kbps (quality 1: first residual layer) or 2 kbps
//! (quality 2: both layers) before entropy coding.
//!
//! Container (DESIGN §3): header `codec_id = 4`, `model_id` ([`MODEL_ID`]; 1–4 for earlier weights), quality,
//! weights digest, `MediaParams::Audio { sample_rate: 16000, channels: 1, frames, gain }`; then one `CODE` chunk
//! per block of [`BLOCK_FRAMES`] latent frames (5 s), each an independent range-coded token stream ([`crate::tokens`]).
//!
//! Encoding downmixes and resamples to 16 kHz, then scales the clip to a speech level of −26 dBFS RMS (the
//! training data's level; the gain is kept in the header and undone at decode). The decoded signal has 16 kHz
//! and one channel whatever the input had.

use crate::config::{HOP, SAMPLE_RATE};
use crate::model::HifiModel;
use crate::tokens::{decode_block, encode_block, Neighbours};
use cinder_core::{
    AnyCodec, Audio, AudioCodec, CodecError, CodecInfo, DecodeOptions, EncodeOptions, MediaKind, OpenOptions,
    QualityInfo, RegisteredCodec, WeightsSource,
};
use cinder_format::{ids, Container, Header, MediaParams, WeightsDigest};
use std::sync::{Arc, OnceLock};

/// Model id written by the shipped weights (`weights/hifi_16k.bin`, since 2026-12-07, session 12) and by weights
/// files given with `--weights`.
pub const MODEL_ID: u16 = 5;
/// Latent frames per `CODE` chunk (5 s).
pub const BLOCK_FRAMES: usize = 250;
/// RMS level clips are scaled to before encoding (−26 dBFS).
pub const TARGET_RMS: f32 = 0.05;

/// The shipped model (`weights/hifi_16k.bin`; manifest in `weights/MANIFEST.toml`).
pub static EMBEDDED_WEIGHTS: &[u8] = include_bytes!("../weights/hifi_16k.bin");
/// Earlier releases' models, kept embedded decode-only so that their files decode: `(model id, weights)`, the id
/// being the one their files carry (manifest: `weights/MANIFEST.toml`).
pub static EARLIER_MODELS: &[(u16, &[u8])] = &[
    (1, include_bytes!("../weights/hifi_16k-v1.bin")),
    (2, include_bytes!("../weights/hifi_16k-v2.bin")),
    (3, include_bytes!("../weights/hifi_16k-v3.bin")),
    (4, include_bytes!("../weights/hifi_16k-v4.bin")),
];

/// Static description.
pub static HIFI_INFO: CodecInfo = CodecInfo {
    id: ids::codec::HIFI,
    name: "hifi",
    description:
        "HiFi-Codec: GRVQ neural speech codec, 16 kHz mono, 1 or 2 kbps before entropy coding (burn)",
    kinds: &[MediaKind::Audio],
    lossless: false,
    qualities: &[
        QualityInfo {
            level: 1,
            label: "1 kbps: first residual layer, 2 tokens a frame",
        },
        QualityInfo {
            level: 2,
            label: "2 kbps: both residual layers, 4 tokens a frame",
        },
    ],
    default_quality: 2,
};

/// HiFi-Codec opened at one quality with one set of weights.
#[derive(Debug, Clone)]
pub struct HifiCodec {
    model: Arc<HifiModel>,
    neighbours: Arc<OnceLock<Neighbours>>,
    quality: u8,
    model_id: u16,
}

/// The registry entry.
pub fn registered() -> RegisteredCodec {
    RegisteredCodec {
        info: &HIFI_INFO,
        open,
    }
}

fn open(opts: &OpenOptions) -> Result<AnyCodec, CodecError> {
    HIFI_INFO.pick_kind(opts.media)?;
    let quality = opts.quality.unwrap_or(HIFI_INFO.default_quality);
    let codec = match &opts.weights {
        WeightsSource::Embedded => match EARLIER_MODELS.iter().find(|(id, _)| opts.model == Some(*id)) {
            Some(&(id, weights)) => HifiCodec::open_as(weights, id, quality, opts.device)?,
            None => HifiCodec::open(EMBEDDED_WEIGHTS, quality, opts.device)?,
        },
        WeightsSource::File(p) => {
            let bytes = std::fs::read(p).map_err(|e| CodecError::Weights {
                codec: "hifi",
                reason: format!("cannot read {}: {e}", p.display()),
            })?;
            HifiCodec::open(&bytes, quality, opts.device)?
        }
    };
    Ok(AnyCodec::Audio(Box::new(codec)))
}

impl HifiCodec {
    /// Opens the codec from a `CWHF` weights file on `device`.
    pub fn open(weights: &[u8], quality: u8, device: cinder_core::Device) -> Result<HifiCodec, CodecError> {
        HifiCodec::open_as(weights, MODEL_ID, quality, device)
    }

    /// Like [`HifiCodec::open`], writing and accepting `model_id` in headers (e.g. an entry of
    /// [`EARLIER_MODELS`]).
    pub fn open_as(
        weights: &[u8],
        model_id: u16,
        quality: u8,
        device: cinder_core::Device,
    ) -> Result<HifiCodec, CodecError> {
        HIFI_INFO.check_quality(quality)?;
        let model = HifiModel::load(weights, device)?;
        if usize::from(quality) > model.config.layers {
            return Err(CodecError::Weights {
                codec: "hifi",
                reason: format!(
                    "quality {quality} needs {quality} residual layers, the model has {}",
                    model.config.layers
                ),
            });
        }
        Ok(HifiCodec {
            model: Arc::new(model),
            neighbours: Arc::new(OnceLock::new()),
            quality,
            model_id,
        })
    }

    /// The embedded model on the CPU.
    pub fn embedded(quality: u8) -> Result<HifiCodec, CodecError> {
        HifiCodec::open(EMBEDDED_WEIGHTS, quality, cinder_core::Device::Cpu)
    }

    /// The loaded model.
    pub fn model(&self) -> &HifiModel {
        &self.model
    }

    /// 16 kHz mono samples at the coding level, and the gain they were divided by.
    pub fn prepare(audio: &Audio) -> Result<(Vec<f32>, f32), CodecError> {
        let mono = cinder_datasets::resample::to_mono_at(audio, SAMPLE_RATE).map_err(|e| {
            CodecError::UnsupportedInput {
                codec: "hifi",
                reason: format!("cannot resample to 16 kHz mono: {e}"),
            }
        })?;
        let mut samples = mono.samples;
        if samples.iter().any(|v| !v.is_finite()) {
            return Err(CodecError::UnsupportedInput {
                codec: "hifi",
                reason: "the audio holds NaN or infinite samples".into(),
            });
        }
        let n = samples.len().max(1) as f64;
        let rms = (samples.iter().map(|&v| f64::from(v) * f64::from(v)).sum::<f64>() / n).sqrt() as f32;
        let peak = samples.iter().fold(0.0f32, |m, v| m.max(v.abs()));
        let mut scale = if rms > 1e-5 {
            (TARGET_RMS / rms).clamp(0.1, 10.0)
        } else {
            1.0
        };
        if peak * scale > 0.99 {
            scale = 0.99 / peak.max(1e-12);
        }
        samples.iter_mut().for_each(|v| *v *= scale);
        Ok((samples, 1.0 / scale))
    }

    /// Tokens of `audio` at this quality: `frames × (2 · quality)`, frame-major, and the gain.
    pub fn tokens(&self, audio: &Audio) -> Result<(Vec<u16>, usize, f32), CodecError> {
        let (samples, gain) = HifiCodec::prepare(audio)?;
        let layers = usize::from(self.quality);
        let tokens = if samples.is_empty() {
            Vec::new()
        } else {
            self.model.tokens(&samples, layers)?
        };
        Ok((tokens, samples.len(), gain))
    }

    /// The first layer's neighbour tables (built on first use: ≈ 0.1 s).
    fn neighbours(&self) -> &Neighbours {
        self.neighbours
            .get_or_init(|| Neighbours::new(&self.model.codebooks, self.model.config.groups))
    }

    fn per_frame(&self, quality: u8) -> usize {
        usize::from(quality) * self.model.config.groups
    }
}

impl AudioCodec for HifiCodec {
    fn info(&self) -> &'static CodecInfo {
        &HIFI_INFO
    }
    fn quality(&self) -> u8 {
        self.quality
    }
    fn weights_digest(&self) -> WeightsDigest {
        self.model.digest
    }

    fn encode(&self, audio: &Audio, _opts: &EncodeOptions) -> Result<Container, CodecError> {
        let (tokens, samples, gain) = self.tokens(audio)?;
        let mut container = Container::new(Header {
            codec_id: ids::codec::HIFI,
            model_id: self.model_id,
            quality: self.quality,
            weights_digest: self.model.digest,
            media: MediaParams::Audio {
                sample_rate: SAMPLE_RATE,
                channels: 1,
                frames: samples as u64,
                gain,
            },
        });
        let per = self.per_frame(self.quality);
        for block in tokens.chunks(BLOCK_FRAMES * per) {
            let bytes = encode_block(block, per, &self.model.prior, self.neighbours())?;
            container.push(ids::chunk::CODED, bytes);
        }
        Ok(container)
    }

    fn decode(&self, container: &Container, opts: &DecodeOptions) -> Result<Audio, CodecError> {
        let h = &container.header;
        HIFI_INFO.check_header(h, &self.model.digest)?;
        if h.model_id != self.model_id {
            return Err(CodecError::Corrupt(format!(
                "unknown hifi model id {}",
                h.model_id
            )));
        }
        HIFI_INFO.check_quality(h.quality)?;
        let MediaParams::Audio {
            sample_rate,
            channels,
            frames,
            gain,
        } = h.media
        else {
            return Err(CodecError::MediaKind(
                "the hifi decoder got a non-audio header".into(),
            ));
        };
        if sample_rate != SAMPLE_RATE || channels != 1 {
            return Err(CodecError::Corrupt(format!(
                "hifi files are 16 kHz mono, this one says {sample_rate} Hz × {channels}"
            )));
        }
        if frames > opts.limits.max_audio_samples {
            return Err(CodecError::Corrupt(format!(
                "{frames} samples exceed the decoder's limits"
            )));
        }
        let samples = frames as usize;
        if samples == 0 {
            return Audio::new(SAMPLE_RATE, 1, Vec::new());
        }
        let per = self.per_frame(h.quality);
        let total_frames = HifiModel::frames_for(samples);
        let blocks: Vec<&[u8]> = container
            .chunks_of(ids::chunk::CODED)
            .map(|c| c.data.as_slice())
            .collect();
        let expected = total_frames.div_ceil(BLOCK_FRAMES);
        if blocks.len() != expected && !opts.conceal {
            return Err(CodecError::Corrupt(format!(
                "{} token blocks, the header needs {expected}",
                blocks.len()
            )));
        }
        // Blocks past the last chunk are lost; only blocks up to the last decoded one go through the network, the
        // rest is silence (so a header that declares hours around a few chunks costs no synthesis).
        let present = blocks.len().min(expected);
        let mut tokens = Vec::with_capacity((present * BLOCK_FRAMES).min(total_frames) * per);
        let mut lost = Vec::new();
        let mut last_decoded = None;
        for (b, bytes) in blocks.iter().take(present).enumerate() {
            let n = (total_frames - b * BLOCK_FRAMES).min(BLOCK_FRAMES);
            match decode_block(bytes, n, per, &self.model.prior, self.neighbours()) {
                Ok(t) => {
                    tokens.extend(t);
                    last_decoded = Some(b);
                }
                Err(e) if !opts.conceal => return Err(e.into()),
                Err(_) => {
                    lost.push(b);
                    let fill = if tokens.len() >= per {
                        tokens[tokens.len() - per..].to_vec()
                    } else {
                        vec![0; per]
                    };
                    for _ in 0..n {
                        tokens.extend_from_slice(&fill);
                    }
                }
            }
        }
        let run_frames = last_decoded.map_or(0, |b| ((b + 1) * BLOCK_FRAMES).min(total_frames));
        tokens.truncate(run_frames * per);
        let layers = usize::from(h.quality);
        let mut out = if run_frames == 0 {
            Vec::new()
        } else {
            self.model.decode_tokens(&tokens, layers)?
        };
        out.truncate(samples);
        out.resize(samples, 0.0);
        for b in lost {
            let span = (b * BLOCK_FRAMES * HOP).min(samples)..((b + 1) * BLOCK_FRAMES * HOP).min(samples);
            out[span].iter_mut().for_each(|v| *v = 0.0);
        }
        out.iter_mut().for_each(|v| *v *= gain);
        Audio::new(SAMPLE_RATE, 1, out)
    }

    fn estimate_bits(&self, audio: &Audio, _opts: &EncodeOptions) -> Result<f64, CodecError> {
        let (tokens, _, _) = self.tokens(audio)?;
        let per = self.per_frame(self.quality);
        let mut bits = 0.0;
        for block in tokens.chunks(BLOCK_FRAMES * per) {
            bits += 8.0 * encode_block(block, per, &self.model.prior, self.neighbours())?.len() as f64;
        }
        Ok(bits)
    }
}
