//! The `walloc` codec for stereo audio: the linear WaLLoC on the 1-D J = 8 packet transform (spec A1.1, A1.2,
//! A1.6, A1.8; pipeline in `audio.rs`) as an [`AudioCodec`].
//!
//! Container: header `codec_id = 3`, `model_id = 3` ([`MODEL_LINEAR_STEREO`], linear PCA decoder of
//! `weights/linear_stereo_j8.bin`), quality, weights digest, `MediaParams::Audio { sample_rate, channels,
//! frames, gain }` (the per-clip gain the signal was divided by); then one `CODE` chunk per band of
//! [`crate::BAND_ROWS`] latent rows (64 latent frames a row, ≈ 5.9 s a band at 44.1 kHz), as for images.

use crate::audio::decode_audio_latents_deep;
use crate::audio::{check_channels, decode_audio_latents, encode_audio_latents, prepare, FRAMES_PER_ROW};
use crate::audio::{AUDIO_CHANNELS, AUDIO_LEVELS, BLOCK};
use crate::codec::{count_bits, push_bands, read_bands, WALLOC_INFO};
use crate::latents::Latents;
use crate::models::{ModelIds, Models};
use crate::pipeline::Projection;
use cinder_core::{Audio, AudioCodec, CodecError, CodecInfo, DecodeOptions, EncodeOptions};
use cinder_format::{ids, Container, Header, MediaParams, WeightsDigest};

/// Model id of the linear (PCA) stereo decoder.
pub const MODEL_LINEAR_STEREO: u16 = 3;
/// Model id of the deep stereo decoder (same encoder and latents as [`MODEL_LINEAR_STEREO`]).
pub const MODEL_DEEP_STEREO: u16 = 4;

/// The shipped stereo decoder helps at q1–q3 only (validation SNR gain +0.41 / +0.35 / +0.24 dB, but −0.05 / −0.44
/// at q4 / q5; `weights/deep_stereo_j8/val.csv`): files at q4–q5 keep the linear decoder (model 3).
const AUDIO_MODELS: ModelIds = ModelIds {
    linear: MODEL_LINEAR_STEREO,
    deep: MODEL_DEEP_STEREO,
    deep_qualities: &[1, 2, 3],
};

/// The shipped linear stereo model (`weights/linear_stereo_j8.bin`): the encoder of every audio quality.
pub static EMBEDDED_STEREO_WEIGHTS: &[u8] = include_bytes!("../weights/linear_stereo_j8.bin");
/// The shipped deep stereo decoder (`weights/deep_stereo_j8.bin`, self-contained: it embeds the linear model).
pub static EMBEDDED_DEEP_STEREO_WEIGHTS: &[u8] = include_bytes!("../weights/deep_stereo_j8.bin");

/// Audio quality levels: latent channels (512 / C reduction; 27 and 108 are the paper's 20× and 5×) and the
/// common gain σ / std₀, chosen on the R-D frontier of `examples/audio_rd.rs … sweep` on the 8 training clips
/// only (27 ch saturates near 29.8 dB; 54 ch at σ = 2 and 108 ch at σ ≥ 4 dominate the other settings).
const AUDIO_LEVELS_TABLE: &[(u8, Projection)] = &[
    (1, proj(27, 2.0)),
    (2, proj(54, 2.0)),
    (3, proj(108, 4.0)),
    (4, proj(108, 8.0)),
    (5, proj(108, 16.0)),
];

/// The audio quality table, for training.
#[cfg(feature = "train")]
pub(crate) fn audio_levels() -> &'static [(u8, Projection)] {
    AUDIO_LEVELS_TABLE
}

const fn proj(channels: usize, sigma: f32) -> Projection {
    Projection {
        channels,
        sigma,
        uniform_step: true,
    }
}

/// WaLLoC for mono or stereo audio, opened at one quality with one set of weights (linear `CWLL`, model 3, or
/// linear encoder + deep decoder `CWDD`, model 4).
#[derive(Debug, Clone)]
pub struct WallocAudioCodec {
    models: Models,
    quality: u8,
    projection: Projection,
}

impl WallocAudioCodec {
    /// Opens the audio codec from a weights file's bytes (a 1-D stereo model), networks on the CPU.
    pub fn new(weights: &[u8], quality: u8) -> Result<WallocAudioCodec, CodecError> {
        WallocAudioCodec::open(weights, quality, cinder_core::Device::Cpu)
    }

    /// Opens the audio codec with the deep decoder (if the weights hold one) on `device`.
    pub fn open(
        weights: &[u8],
        quality: u8,
        device: cinder_core::Device,
    ) -> Result<WallocAudioCodec, CodecError> {
        WALLOC_INFO.check_quality(quality)?;
        let projection = crate::codec::projection_for(AUDIO_LEVELS_TABLE, quality)?;
        let models = Models::load(weights, device, AUDIO_MODELS, quality)?;
        let parsed = &models.linear;
        if parsed.axes != 1 || parsed.colours != AUDIO_CHANNELS || parsed.levels != AUDIO_LEVELS {
            return Err(CodecError::Weights {
                codec: "walloc",
                reason: format!(
                    "audio needs a 1-D stereo J={AUDIO_LEVELS} model, got {}-D, {} channels, J={}",
                    parsed.axes, parsed.colours, parsed.levels
                ),
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
        Ok(WallocAudioCodec {
            models,
            quality,
            projection,
        })
    }

    /// The model id new files get.
    pub fn model_id(&self) -> u16 {
        self.models.model_id()
    }

    /// Opens the audio codec with the embedded weights: linear encoder + deep stereo decoder (used for new files
    /// at q1–q3; q4–q5 files use the linear decoder, model 3).
    pub fn embedded(quality: u8) -> Result<WallocAudioCodec, CodecError> {
        WallocAudioCodec::new(EMBEDDED_DEEP_STEREO_WEIGHTS, quality)
    }

    /// Opens the closed-form linear stereo codec (model 3) embedded in the binary.
    pub fn embedded_linear(quality: u8) -> Result<WallocAudioCodec, CodecError> {
        WallocAudioCodec::new(EMBEDDED_STEREO_WEIGHTS, quality)
    }

    /// The compressed-domain representation: integer latents `channels × rows × 64` (64 frames of L/256 a row)
    /// and the gain the clip was divided by.
    pub fn encode_latents(&self, audio: &Audio) -> Result<(Latents, f32), CodecError> {
        let clip = prepare(audio)?;
        Ok((
            encode_audio_latents(&self.models.linear, self.projection, &clip),
            clip.gain,
        ))
    }
}

impl AudioCodec for WallocAudioCodec {
    fn info(&self) -> &'static CodecInfo {
        &WALLOC_INFO
    }
    fn quality(&self) -> u8 {
        self.quality
    }
    fn weights_digest(&self) -> WeightsDigest {
        self.models.digest()
    }

    fn encode(&self, audio: &Audio, _opts: &EncodeOptions) -> Result<Container, CodecError> {
        let (latents, gain) = self.encode_latents(audio)?;
        let header = Header {
            codec_id: ids::codec::WALLOC,
            model_id: self.model_id(),
            quality: self.quality,
            weights_digest: self.models.digest(),
            media: MediaParams::Audio {
                sample_rate: audio.sample_rate,
                channels: audio.channels,
                frames: audio.frames(),
                gain,
            },
        };
        let mut container = Container::new(header);
        push_bands(&mut container, &latents)?;
        Ok(container)
    }

    fn decode(&self, container: &Container, opts: &DecodeOptions) -> Result<Audio, CodecError> {
        let model = container.header.model_id;
        WALLOC_INFO.check_header(&container.header, &self.models.digest_of(model)?)?;
        let MediaParams::Audio {
            sample_rate,
            channels,
            frames,
            gain,
        } = container.header.media
        else {
            return Err(CodecError::MediaKind(
                "the walloc audio decoder got a non-audio header".into(),
            ));
        };
        if container.header.quality != self.quality {
            return Err(CodecError::Corrupt(format!(
                "quality {} does not match the opened audio codec (quality {})",
                container.header.quality, self.quality
            )));
        }
        check_channels(channels)?;
        let frames = usize::try_from(frames)
            .map_err(|_| CodecError::Corrupt(format!("{frames} frames do not fit in memory")))?;
        let padded = frames.div_ceil(BLOCK).max(1) * BLOCK;
        if (padded as u64).saturating_mul(AUDIO_CHANNELS as u64)
            > opts.limits.max_audio_samples.max(2 * BLOCK as u64)
        {
            return Err(CodecError::Corrupt(format!(
                "{frames} frames exceed the decoder's limits"
            )));
        }
        let rows = (padded >> AUDIO_LEVELS) / FRAMES_PER_ROW;
        let latents = read_bands(container, self.projection.channels, rows, FRAMES_PER_ROW, opts)?;
        let weights = &self.models.linear;
        let samples = match self.models.deep_for(model) {
            Some(deep) => {
                let slot = usize::from(self.quality) - 1;
                decode_audio_latents_deep(
                    weights,
                    self.projection,
                    slot,
                    deep,
                    &latents,
                    frames,
                    channels,
                    gain,
                )?
            }
            None => decode_audio_latents(weights, self.projection, &latents, frames, channels, gain),
        };
        Audio::new(sample_rate, channels, samples)
    }

    fn estimate_bits(&self, audio: &Audio, _opts: &EncodeOptions) -> Result<f64, CodecError> {
        let (latents, _) = self.encode_latents(audio)?;
        Ok(count_bits(&latents)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cinder_core::{MediaKind, OpenOptions};

    fn tone(rate: u32, channels: u16, frames: usize, amp: f32) -> Audio {
        let samples = (0..frames)
            .flat_map(|t| {
                let x = t as f32 / rate as f32;
                (0..channels).map(move |c| {
                    amp * ((2.0 * std::f32::consts::PI * (220.0 + 110.0 * c as f32) * x).sin()
                        + 0.3 * (2.0 * std::f32::consts::PI * 1000.0 * x).sin())
                })
            })
            .collect();
        Audio::new(rate, channels, samples).unwrap()
    }

    fn snr(a: &Audio, b: &Audio) -> f64 {
        let (s, e) = a
            .samples
            .iter()
            .zip(&b.samples)
            .fold((0.0f64, 0.0f64), |(s, e), (x, y)| {
                (s + f64::from(*x).powi(2), e + f64::from(x - y).powi(2))
            });
        10.0 * (s / e.max(1e-30)).log10()
    }

    fn round_trip(audio: &Audio, quality: u8) -> (Audio, f32) {
        let codec = WallocAudioCodec::embedded(quality).unwrap();
        let c = codec.encode(audio, &EncodeOptions::default()).unwrap();
        let MediaParams::Audio { gain, .. } = c.header.media else {
            panic!("not audio")
        };
        let bytes = c.to_bytes().unwrap();
        let back = Container::from_bytes(&bytes, &cinder_format::Limits::default()).unwrap();
        (codec.decode(&back, &DecodeOptions::default()).unwrap(), gain)
    }

    #[test]
    fn stereo_round_trip_keeps_shape_rate_and_gain() {
        let audio = tone(44_100, 2, 20_000, 0.4);
        let (back, gain) = round_trip(&audio, 4);
        assert_eq!(
            (back.sample_rate, back.channels, back.frames()),
            (44_100, 2, 20_000)
        );
        let peak = audio.samples.iter().fold(0.0f32, |m, v| m.max(v.abs()));
        assert!((gain - peak / 0.5).abs() < 1e-6, "gain {gain} for peak {peak}");
        let s = snr(&audio, &back);
        assert!(s > 15.0, "SNR {s:.1} dB");
    }

    #[test]
    fn mono_round_trip_decodes_to_mono() {
        let audio = tone(48_000, 1, 5_000, 2.0);
        let (back, gain) = round_trip(&audio, 5);
        assert_eq!(
            (back.sample_rate, back.channels, back.frames()),
            (48_000, 1, 5_000)
        );
        assert!(gain > 2.0, "gain {gain} keeps the loud input's level");
        let s = snr(&audio, &back);
        assert!(
            s > 10.0,
            "SNR {s:.1} dB (a synthetic two-tone; the PCA is fitted on music)"
        );
    }

    #[test]
    fn three_channels_are_a_clear_error() {
        let codec = WallocAudioCodec::embedded(2).unwrap();
        let err = codec
            .encode(&tone(8000, 3, 100, 0.5), &EncodeOptions::default())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("3 audio channels") && err.contains("mono or stereo"),
            "{err}"
        );
    }

    #[test]
    fn open_dispatches_on_media_and_models_do_not_mix() {
        let open = |media| {
            (crate::registered().open)(&OpenOptions {
                media: Some(media),
                quality: Some(1),
                ..OpenOptions::default()
            })
            .unwrap()
        };
        let (cinder_core::AnyCodec::Audio(audio), cinder_core::AnyCodec::Image(image)) =
            (open(MediaKind::Audio), open(MediaKind::Image))
        else {
            panic!("open ignored the media kind")
        };
        let mut c = audio
            .encode(&tone(8000, 2, 300, 0.5), &EncodeOptions::default())
            .unwrap();
        assert!(image.decode(&c, &DecodeOptions::default()).is_err());
        c.header.model_id = crate::MODEL_LINEAR;
        assert!(audio.decode(&c, &DecodeOptions::default()).is_err());
        assert!(crate::WallocCodec::new(EMBEDDED_STEREO_WEIGHTS, 1).is_err());
        assert!(WallocAudioCodec::new(include_bytes!("../weights/linear_rgb_j3.bin"), 1).is_err());
    }

    #[test]
    fn estimate_matches_the_payload() {
        let codec = WallocAudioCodec::embedded(3).unwrap();
        let audio = tone(44_100, 2, 70_000, 0.3);
        let bits = codec.estimate_bits(&audio, &EncodeOptions::default()).unwrap();
        let c = codec.encode(&audio, &EncodeOptions::default()).unwrap();
        let payload: usize = c.chunks_of(ids::chunk::CODED).map(|ch| ch.data.len()).sum();
        assert!(
            (bits / 8.0 - payload as f64).abs() < 64.0,
            "{bits} bits vs {payload} bytes"
        );
    }
}
