//! The stereo-audio ↔ latent pipeline of the linear WaLLoC (spec `walloc-vqgan.md` A1.1 audio pre-processing,
//! A1.2 1-D WPT, A1.6 and A1.8 stereo configurations), and the PCA fit of its 512-dim WPT vectors.
//!
//! * Input: 1 or 2 channels at any sample rate (kept as is). Mono is duplicated to stereo and decoded back to
//!   mono (mean of the two reconstructed channels); more than 2 channels is refused.
//! * Per-clip gain: the signal is divided by `gain = peak / 0.5` so its peak is ±0.5 as in the reference (A1.1;
//!   no mean removal). Unlike the reference, the gain is transmitted: `MediaParams::Audio { gain }`.
//! * Length: zero-padded at the end to a multiple of [`BLOCK`] = 2^J · [`FRAMES_PER_ROW`] samples, trimmed back
//!   after decoding.
//! * Transform: the 1-D full-packet CDF 9/7 WPT with J = 8 of both channels → 512 channels at L/256 (A1.2).
//! * Latents: the first C principal components (27, 54 or 108, A1.8), companded to 8 bits like the image side,
//!   laid out as a [`Latents`] map of `C × (L / 256 / 64) × 64`: each latent row is 64 consecutive frames
//!   (≈ 0.37 s at 44.1 kHz), so a band of 16 rows is ≈ 5.9 s and decodes on its own.

use crate::deep::{decoder_input, DeepDecoder, MAX_AUDIO_LATENTS};
use crate::latents::Latents;
use crate::pca::Moments;
use crate::pipeline::{project, reconstruct, Projection};
use crate::weights::LinearWeights;
use crate::wpt::{analyse_1d, synthesise_1d};
use crate::WallocError;
use cinder_core::Audio;
use rayon::prelude::*;

/// WPT levels of the stereo model (512 channels at L/256).
pub const AUDIO_LEVELS: u32 = 8;
/// Audio channels the transform works on.
pub const AUDIO_CHANNELS: usize = 2;
/// Latent frames per latent row.
pub const FRAMES_PER_ROW: usize = 64;
/// Samples per latent row: the padding unit.
pub const BLOCK: usize = FRAMES_PER_ROW << AUDIO_LEVELS;
/// Music clips (file stems in `../shared/data/audio/music`) held out from every stereo fit and training run: the
/// evaluation clips of the README's stereo table.
pub const HELD_OUT_MUSIC: &[&str] = &["etr_race1-jt", "etr_spunkyrace-ks", "etr_start1-jt"];
/// Peak of the normalised signal (spec A1.1).
pub const PEAK: f32 = 0.5;

/// A clip made ready for the transform: planar stereo `planar[c * padded + t]` with peak ±0.5.
#[derive(Debug, Clone, PartialEq)]
pub struct Prepared {
    /// Planar stereo samples, zero-padded to `padded` per channel.
    pub planar: Vec<f32>,
    /// Padded length (a multiple of [`BLOCK`], ≥ one block).
    pub padded: usize,
    /// Frames of the original clip.
    pub frames: usize,
    /// Gain the signal was divided by.
    pub gain: f32,
}

/// Refuses channel counts other than 1 and 2.
pub fn check_channels(channels: u16) -> Result<(), WallocError> {
    if matches!(channels, 1 | 2) {
        Ok(())
    } else {
        Err(WallocError::Unsupported(format!(
            "{channels} audio channels: WaLLoC audio takes mono or stereo"
        )))
    }
}

/// Normalises, duplicates mono to stereo and zero-pads (spec A1.1). Non-finite samples become 0.
pub fn prepare(audio: &Audio) -> Result<Prepared, WallocError> {
    check_channels(audio.channels)?;
    let ch = usize::from(audio.channels);
    let frames = audio.samples.len() / ch;
    let padded = frames.div_ceil(BLOCK).max(1) * BLOCK;
    let clean = |v: f32| if v.is_finite() { v } else { 0.0 };
    let peak = audio.samples.iter().fold(0.0f32, |m, &v| m.max(clean(v).abs()));
    let gain = if peak > 0.0 { peak / PEAK } else { 1.0 };
    let mut planar = vec![0.0f32; AUDIO_CHANNELS * padded];
    for c in 0..AUDIO_CHANNELS {
        let src = c.min(ch - 1);
        for t in 0..frames {
            planar[c * padded + t] = clean(audio.samples[t * ch + src]) / gain;
        }
    }
    Ok(Prepared {
        planar,
        padded,
        frames,
        gain,
    })
}

/// Prepared stereo → integer latents (`channels × padded/BLOCK rows × 64`).
pub fn encode_audio_latents(weights: &LinearWeights, proj: Projection, clip: &Prepared) -> Latents {
    let wpt = analyse_1d(&clip.planar, AUDIO_CHANNELS, weights.levels);
    let n = clip.padded >> weights.levels;
    Latents {
        channels: proj.channels.min(weights.len()),
        height: n / FRAMES_PER_ROW,
        width: FRAMES_PER_ROW,
        data: project(weights, proj, &wpt, n),
    }
}

/// Integer latents → audio of `frames` frames and `channels` (1 or 2) channels, gain restored.
pub fn decode_audio_latents(
    weights: &LinearWeights,
    proj: Projection,
    latents: &Latents,
    frames: usize,
    channels: u16,
    gain: f32,
) -> Vec<f32> {
    let n = latents.height * latents.width;
    let padded = n << weights.levels;
    let wpt = reconstruct(weights, proj, &latents.data, latents.channels, n);
    to_samples(&wpt, weights.levels, padded, frames, channels, gain)
}

/// Integer latents → audio with the deep decoder: the linear reconstruction plus the network's WPT correction
/// (`slot` = the quality level's index).
#[allow(clippy::too_many_arguments)]
pub fn decode_audio_latents_deep(
    weights: &LinearWeights,
    proj: Projection,
    slot: usize,
    deep: &DeepDecoder,
    latents: &Latents,
    frames: usize,
    channels: u16,
    gain: f32,
) -> Result<Vec<f32>, WallocError> {
    let n = latents.height * latents.width;
    let mut wpt = reconstruct(weights, proj, &latents.data, latents.channels, n);
    let input = decoder_input(
        weights,
        proj,
        slot,
        &latents.data,
        (latents.channels, MAX_AUDIO_LATENTS),
        n,
    );
    let correction = deep.residual_1d(&input, n)?;
    wpt.iter_mut().zip(&correction).for_each(|(a, b)| *a += b);
    Ok(to_samples(
        &wpt,
        weights.levels,
        n << weights.levels,
        frames,
        channels,
        gain,
    ))
}

/// WPT coefficients → interleaved samples: synthesis, trim to `frames`, downmix to mono if asked, gain back.
fn to_samples(wpt: &[f32], levels: u32, padded: usize, frames: usize, channels: u16, gain: f32) -> Vec<f32> {
    let planar = synthesise_1d(wpt, AUDIO_CHANNELS, levels);
    let (left, right) = planar.split_at(padded);
    let frames = frames.min(padded);
    if channels == 1 {
        (0..frames).map(|t| 0.5 * (left[t] + right[t]) * gain).collect()
    } else {
        (0..frames)
            .flat_map(|t| [left[t] * gain, right[t] * gain])
            .collect()
    }
}

/// Fits the stereo PCA (J = [`AUDIO_LEVELS`], 512 dims) on training clips (mono is duplicated; clips with other
/// channel counts are skipped), keeping `keep` components. Only frames wholly inside a clip count (padding is
/// left out). Deterministic: per-clip moments are merged in input order.
pub fn fit_stereo(clips: &[Audio], keep: usize) -> Result<LinearWeights, WallocError> {
    let dim = AUDIO_CHANNELS << AUDIO_LEVELS;
    let per_clip: Vec<Moments> = clips
        .par_iter()
        .filter_map(|clip| prepare(clip).ok())
        .map(|clip| {
            let wpt = analyse_1d(&clip.planar, AUDIO_CHANNELS, AUDIO_LEVELS);
            let n = clip.padded >> AUDIO_LEVELS;
            let mut m = Moments::new(dim);
            let mut v = vec![0.0f32; dim];
            for p in 0..clip.frames >> AUDIO_LEVELS {
                for (d, slot) in v.iter_mut().enumerate() {
                    *slot = wpt[d * n + p];
                }
                m.add(&v);
            }
            m
        })
        .collect();
    let mut total = Moments::new(dim);
    per_clip.iter().for_each(|m| total.merge(m));
    LinearWeights::from_moments(&total, AUDIO_LEVELS, AUDIO_CHANNELS, 1, keep)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prepare_pads_normalises_and_duplicates_mono() {
        let audio = Audio::new(8000, 1, vec![0.25, -1.0, 0.5]).unwrap();
        let p = prepare(&audio).unwrap();
        assert_eq!((p.padded, p.frames), (BLOCK, 3));
        assert!((p.gain - 2.0).abs() < 1e-6);
        assert_eq!(&p.planar[..3], &[0.125, -0.5, 0.25]);
        assert_eq!(&p.planar[BLOCK..BLOCK + 3], &[0.125, -0.5, 0.25]);
        assert!(p.planar[3..BLOCK].iter().all(|&v| v == 0.0));
    }

    #[test]
    fn silence_keeps_unit_gain() {
        let p = prepare(&Audio::new(8000, 2, vec![0.0; 10]).unwrap()).unwrap();
        assert_eq!(p.gain, 1.0);
    }

    #[test]
    fn three_channels_are_refused() {
        let err = prepare(&Audio::new(8000, 3, vec![0.0; 9]).unwrap()).unwrap_err();
        assert!(err.to_string().contains("3 audio channels"), "{err}");
    }
}
