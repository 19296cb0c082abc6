//! The weights a WaLLoC codec instance holds, shared by the image and the audio codec: the linear (PCA) model —
//! always the encoder — and optionally the deep decoder, each with the digest its files carry. A `CWLL` file
//! gives the linear model alone; a `CWDD` file (see [`crate::deep`]) gives both, so files of either model id
//! decode with it.

use crate::deep::{is_deep_weights, DeepDecoder, DeepWeightsFile};
use crate::weights::LinearWeights;
use cinder_core::{weights_digest, CodecError};
use cinder_format::WeightsDigest;
use std::sync::Arc;

/// Model ids of one media kind: files of the linear decoder and files of the deep decoder, and the quality levels
/// at which new files use the deep decoder (those whose validation gain over the linear decoder was positive).
#[derive(Debug, Clone, Copy)]
pub(crate) struct ModelIds {
    pub linear: u16,
    pub deep: u16,
    pub deep_qualities: &'static [u8],
}

/// Loaded weights (cheap to clone).
#[derive(Debug, Clone)]
pub(crate) struct Models {
    pub linear: Arc<LinearWeights>,
    linear_digest: WeightsDigest,
    pub deep: Option<(Arc<DeepDecoder>, WeightsDigest)>,
    ids: ModelIds,
    /// The codec instance's quality level.
    quality: u8,
}

impl Models {
    /// Parses a `CWLL` or `CWDD` file for a codec at `quality`; the deep decoder (if any) goes on `device`.
    pub fn load(
        bytes: &[u8],
        device: cinder_core::Device,
        ids: ModelIds,
        quality: u8,
    ) -> Result<Models, CodecError> {
        if !is_deep_weights(bytes) {
            return Ok(Models {
                linear: Arc::new(LinearWeights::from_bytes(bytes)?),
                linear_digest: weights_digest(bytes),
                deep: None,
                ids,
                quality,
            });
        }
        let file = DeepWeightsFile::parse(bytes)?;
        let burn_device = cinder_nn::inference_device(device).map_err(|e| CodecError::Weights {
            codec: "walloc",
            reason: e.to_string(),
        })?;
        let decoder = DeepDecoder::load(file.config, file.burnpack, &burn_device)?;
        Ok(Models {
            linear_digest: weights_digest(file.linear_bytes),
            linear: Arc::new(file.linear),
            deep: Some((Arc::new(decoder), weights_digest(bytes))),
            ids,
            quality,
        })
    }

    /// The deep decoder and its digest when new files at this quality use it.
    fn deep_for_new_files(&self) -> Option<&(Arc<DeepDecoder>, WeightsDigest)> {
        self.deep
            .as_ref()
            .filter(|_| self.ids.deep_qualities.contains(&self.quality))
    }

    /// The model id new files get: deep when a deep decoder is loaded and serves this quality.
    pub fn model_id(&self) -> u16 {
        match self.deep_for_new_files() {
            Some(_) => self.ids.deep,
            None => self.ids.linear,
        }
    }

    /// The digest new files carry.
    pub fn digest(&self) -> WeightsDigest {
        self.deep_for_new_files().map_or(self.linear_digest, |(_, d)| *d)
    }

    /// The digest a file of `model` must carry to decode with these weights.
    pub fn digest_of(&self, model: u16) -> Result<WeightsDigest, CodecError> {
        if model == self.ids.linear {
            return Ok(self.linear_digest);
        }
        if model != self.ids.deep {
            return Err(CodecError::Corrupt(format!(
                "WaLLoC model id {model} is not one of this media's models ({} linear, {} deep)",
                self.ids.linear, self.ids.deep
            )));
        }
        self.deep
            .as_ref()
            .map(|(_, d)| *d)
            .ok_or_else(|| CodecError::Weights {
                codec: "walloc",
                reason: format!(
                    "the file needs the deep decoder (model {model}); the loaded weights are linear only"
                ),
            })
    }

    /// The deep decoder when `model` asks for it.
    pub fn deep_for(&self, model: u16) -> Option<&DeepDecoder> {
        (model == self.ids.deep)
            .then_some(())
            .and(self.deep.as_ref())
            .map(|(d, _)| d.as_ref())
    }
}
