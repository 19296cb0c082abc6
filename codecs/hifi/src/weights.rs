//! The `CWHF` weights file: everything a HiFi-Codec model needs, in one self-describing blob.
//!
//! Layout (little-endian): `b"CWHF"`, u32 version (1), eight u32 config words ([`HifiConfig::to_words`]),
//! `layers × groups × codes × dim` f32 codebook entries, `layers × groups × codes` u32 token counts measured on
//! the training set (the entropy coder's prior, [`crate::tokens`]), u64 byte length + the burnpack record of
//! [`crate::net::HifiNet`]. The digest written into every `.cnd` header is the first 8 bytes of the file's
//! SHA-256.

use crate::config::HifiConfig;
use crate::grvq::Codebooks;
use crate::HifiError;
use cinder_format::cursor::{put_f32s, put_u32s, ByteCursor};
use cinder_format::WeightsDigest;

const MAGIC: &[u8; 4] = b"CWHF";
const VERSION: u32 = 1;

/// A parsed weights file (the network still as burnpack bytes).
#[derive(Debug, Clone)]
pub struct HifiWeights {
    /// Network shape.
    pub config: HifiConfig,
    /// The quantiser.
    pub codebooks: Codebooks,
    /// Token counts per codebook entry on the training set (`books × codes`).
    pub prior: Vec<u32>,
    /// The encoder and decoder (burnpack record).
    pub burnpack: Vec<u8>,
    /// First 8 bytes of the file's SHA-256.
    pub digest: WeightsDigest,
}

pub use cinder_core::weights_digest as digest_of;

impl HifiWeights {
    /// Parses a weights file.
    pub fn from_bytes(bytes: &[u8]) -> Result<HifiWeights, HifiError> {
        let mut r = ByteCursor::new(bytes);
        let cut = |r: &ByteCursor| HifiError::BadWeights(format!("truncated at byte {}", r.position()));
        if r.take(4) != Some(MAGIC.as_slice()) {
            return Err(HifiError::BadWeights(
                "not a HiFi-Codec weights file (magic)".into(),
            ));
        }
        let version = r.u32().ok_or_else(|| cut(&r))?;
        if version != VERSION {
            return Err(HifiError::BadWeights(format!(
                "version {version}, this build reads {VERSION}"
            )));
        }
        let mut words = [0u32; 8];
        for w in &mut words {
            *w = r.u32().ok_or_else(|| cut(&r))?;
        }
        let config = HifiConfig::from_words(words)?;
        let books = config.codebooks() * config.codes;
        let data = r.f32s(books * config.code_dim()).ok_or_else(|| cut(&r))?;
        let codebooks = crate::grvq::codebooks(&config, data)?;
        let prior = r.u32s(books).ok_or_else(|| cut(&r))?;
        let len = r.u64().ok_or_else(|| cut(&r))?;
        let len = usize::try_from(len).map_err(|_| HifiError::BadWeights("record length".into()))?;
        let burnpack = r.take(len).ok_or_else(|| cut(&r))?.to_vec();
        if r.remaining() != 0 {
            return Err(HifiError::BadWeights(format!("{} trailing bytes", r.remaining())));
        }
        Ok(HifiWeights {
            config,
            codebooks,
            prior,
            burnpack,
            digest: digest_of(bytes),
        })
    }

    /// Serialises a model.
    pub fn to_bytes(config: &HifiConfig, codebooks: &Codebooks, prior: &[u32], burnpack: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(64 + codebooks.data.len() * 4 + prior.len() * 4 + burnpack.len());
        out.extend_from_slice(MAGIC);
        put_u32s(&mut out, &[VERSION]);
        put_u32s(&mut out, &config.to_words());
        put_f32s(&mut out, &codebooks.data);
        put_u32s(&mut out, prior);
        out.extend_from_slice(&(burnpack.len() as u64).to_le_bytes());
        out.extend_from_slice(burnpack);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_round_trip_and_reject_damage() {
        let cfg = HifiConfig {
            latent: 4,
            codes: 3,
            ..HifiConfig::default()
        };
        let books = crate::grvq::codebooks(&cfg, (0..24).map(|i| i as f32 * 0.5).collect()).unwrap();
        let prior: Vec<u32> = (0..12).collect();
        let bytes = HifiWeights::to_bytes(&cfg, &books, &prior, b"record");
        let w = HifiWeights::from_bytes(&bytes).unwrap();
        assert_eq!(w.config, cfg);
        assert_eq!(w.codebooks, books);
        assert_eq!(w.prior, prior);
        assert_eq!(w.burnpack, b"record");
        assert_eq!(w.digest, digest_of(&bytes));
        for cut in [0, 3, 10, 40, bytes.len() - 1] {
            assert!(HifiWeights::from_bytes(&bytes[..cut]).is_err(), "{cut}");
        }
        let mut extra = bytes.clone();
        extra.push(0);
        assert!(HifiWeights::from_bytes(&extra).is_err());
        let mut magic = bytes;
        magic[0] = b'X';
        assert!(HifiWeights::from_bytes(&magic).is_err());
    }
}
