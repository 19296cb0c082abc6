//! Training data: every speech file of a folder, decoded once, downmixed and resampled to 16 kHz, held in
//! memory (the shared LibriSpeech subset is 52 min = 200 MB of f32). Every `val_every`-th file (sorted order) is
//! held out for validation. A batch is a pure function of `(seed, step)`: files drawn in proportion to their
//! length, a random offset, and a random gain of ±6 dB (spec §6.1) capped so that the peak stays below 0.99.

use crate::config::SAMPLE_RATE;
use crate::HifiError;
use cinder_datasets::folders::AudioFolder;
use cinder_nn::train_io::sample_seed;
use std::path::Path;

/// Training and validation clips at 16 kHz.
#[derive(Debug, Clone)]
pub struct SpeechData {
    /// Clips used for training.
    pub train: Vec<Vec<f32>>,
    /// Held-out clips.
    pub val: Vec<Vec<f32>>,
}

impl SpeechData {
    /// Loads a folder (recursively), holding out every `val_every`-th file.
    pub fn load(dir: &Path, val_every: usize, log: &mut dyn FnMut(&str)) -> Result<SpeechData, HifiError> {
        let folder = AudioFolder::open(dir, Some(SAMPLE_RATE), true)
            .map_err(|e| HifiError::Data(format!("{}: {e}", dir.display())))?;
        let (mut train, mut val) = (Vec::new(), Vec::new());
        for i in 0..folder.len() {
            let audio = folder.get(i).map_err(|e| HifiError::Data(e.to_string()))?;
            if val_every > 0 && i % val_every == val_every - 1 {
                val.push(audio.samples);
            } else {
                train.push(audio.samples);
            }
        }
        let secs = |v: &[Vec<f32>]| v.iter().map(|c| c.len()).sum::<usize>() as f64 / f64::from(SAMPLE_RATE);
        log(&format!(
            "speech data: {} training files ({:.1} min), {} held out ({:.1} min)",
            train.len(),
            secs(&train) / 60.0,
            val.len(),
            secs(&val) / 60.0
        ));
        if train.is_empty() {
            return Err(HifiError::Data(format!("no audio files in {}", dir.display())));
        }
        Ok(SpeechData { train, val })
    }

    /// `batch` crops of `crop` samples for `step`, concatenated.
    pub fn batch(&self, seed: u64, step: u64, batch: usize, crop: usize) -> Vec<f32> {
        let total: u64 = self.train.iter().map(|c| c.len() as u64).sum();
        let mut out = Vec::with_capacity(batch * crop);
        for i in 0..batch {
            let r = sample_seed(seed, step, i as u64);
            let mut pick = r % total.max(1);
            let mut clip = &self.train[0];
            for c in &self.train {
                if pick < c.len() as u64 {
                    clip = c;
                    break;
                }
                pick -= c.len() as u64;
            }
            let r2 = sample_seed(seed ^ 0x5EED, step, i as u64);
            let start = if clip.len() > crop {
                (r2 % (clip.len() - crop + 1) as u64) as usize
            } else {
                0
            };
            let mut piece: Vec<f32> = clip[start..(start + crop).min(clip.len())].to_vec();
            piece.resize(crop, 0.0);
            let db = ((r2 >> 40) as f64 / (1u64 << 24) as f64 - 0.5) * 12.0;
            let peak = piece.iter().fold(0.0f32, |m, v| m.max(v.abs())).max(1e-6);
            let gain = (10f64.powf(db / 20.0) as f32).min(0.99 / peak);
            out.extend(piece.iter().map(|v| v * gain));
        }
        out
    }
}
