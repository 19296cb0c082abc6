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

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], HifiError> {
        let end = self.at.checked_add(n).filter(|&e| e <= self.bytes.len());
        let end = end.ok_or_else(|| HifiError::BadWeights(format!("truncated at byte {}", self.at)))?;
        let out = &self.bytes[self.at..end];
        self.at = end;
        Ok(out)
    }
    fn u32(&mut self) -> Result<u32, HifiError> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
    fn u64(&mut self) -> Result<u64, HifiError> {
        let lo = u64::from(self.u32()?);
        let hi = u64::from(self.u32()?);
        Ok(lo | hi << 32)
    }
}

pub use cinder_core::weights_digest as digest_of;

impl HifiWeights {
    /// Parses a weights file.
    pub fn from_bytes(bytes: &[u8]) -> Result<HifiWeights, HifiError> {
        let mut r = Reader { bytes, at: 0 };
        if r.take(4)? != MAGIC {
            return Err(HifiError::BadWeights(
                "not a HiFi-Codec weights file (magic)".into(),
            ));
        }
        let version = r.u32()?;
        if version != VERSION {
            return Err(HifiError::BadWeights(format!(
                "version {version}, this build reads {VERSION}"
            )));
        }
        let mut words = [0u32; 8];
        for w in &mut words {
            *w = r.u32()?;
        }
        let config = HifiConfig::from_words(words)?;
        let books = config.codebooks() * config.codes;
        let values = r.take(books * config.code_dim() * 4)?;
        let data = values
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        let codebooks = crate::grvq::codebooks(&config, data)?;
        let prior = (0..books).map(|_| r.u32()).collect::<Result<Vec<_>, _>>()?;
        let len = usize::try_from(r.u64()?).map_err(|_| HifiError::BadWeights("record length".into()))?;
        let burnpack = r.take(len)?.to_vec();
        if r.at != bytes.len() {
            return Err(HifiError::BadWeights(format!(
                "{} trailing bytes",
                bytes.len() - r.at
            )));
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
        out.extend_from_slice(&VERSION.to_le_bytes());
        for w in config.to_words() {
            out.extend_from_slice(&w.to_le_bytes());
        }
        for v in &codebooks.data {
            out.extend_from_slice(&v.to_le_bytes());
        }
        for c in prior {
            out.extend_from_slice(&c.to_le_bytes());
        }
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
