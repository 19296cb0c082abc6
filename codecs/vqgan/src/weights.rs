//! The `CWVQ` weights file: a VQGAN model with all its quality levels, in one self-describing blob.
//!
//! Layout (little-endian): `b"CWVQ"`, u32 version (3; versions 1 — no pair tables — and 2 are still read), nine u32 config words ([`VqganConfig::to_words`]),
//! u64 byte length + the burnpack record of [`crate::net::VqganNet`], u32 level count, then per level: u32 S,
//! `S × code_dim` f32 entries, `quant_conv` (`code_dim × z` weights, `code_dim` biases), `post_quant_conv`
//! (`z × code_dim` weights, `z` biases), `S` u32 index counts, u32 n + n u32 rank-octave counts of the context coder, (version 2) u32 n + n u32 neighbour-pair counts
//! (0 or S³); then the decode-side restoration networks — version 3: u32 count, then per network a 4-byte tag,
//! its config words and u64 byte length + burnpack record: `REST` the transformer (five words,
//! [`RestorerConfig::to_words`]), `PFLT` the post filter (two words, [`PostFilterConfig::to_words`]); version 2:
//! optionally (absent in files that end after the levels) the transformer without tag or count. The digest in
//! every `.cnd` header is the first 8 bytes of the file's SHA-256.

use crate::config::VqganConfig;
use crate::levels::Level;
use crate::post_filter::PostFilterConfig;
use crate::restore_net::RestorerConfig;
use crate::VqganError;
use cinder_format::cursor::{put_f32s, put_u32s, ByteCursor};
use cinder_format::WeightsDigest;
use cinder_nn::vq::Codebooks;

const MAGIC: &[u8; 4] = b"CWVQ";
const VERSION: u32 = 3;
const TAG_RESTORER: &[u8; 4] = b"REST";
const TAG_POST_FILTER: &[u8; 4] = b"PFLT";

/// A parsed weights file (the networks still as burnpack bytes).
#[derive(Debug, Clone)]
pub struct VqganWeights {
    /// Network shape.
    pub config: VqganConfig,
    /// Encoder, decoder and the base 1×1 convolutions (burnpack record).
    pub burnpack: Vec<u8>,
    /// Quality levels, by increasing S.
    pub levels: Vec<Level>,
    /// The restoration transformer (config, burnpack record), when the file has one.
    pub restorer: Option<(RestorerConfig, Vec<u8>)>,
    /// The pixel-domain post filter (config, burnpack record), when the file has one.
    pub post_filter: Option<(PostFilterConfig, Vec<u8>)>,
    /// First 8 bytes of the file's SHA-256.
    pub digest: WeightsDigest,
}

impl VqganWeights {
    /// Parses a weights file.
    pub fn from_bytes(bytes: &[u8]) -> Result<VqganWeights, VqganError> {
        let mut r = ByteCursor::new(bytes);
        let cut = |r: &ByteCursor| VqganError::BadWeights(format!("truncated at byte {}", r.position()));
        if r.take(4) != Some(MAGIC.as_slice()) {
            return Err(VqganError::BadWeights("not a VQGAN weights file (magic)".into()));
        }
        let version = r.u32().ok_or_else(|| cut(&r))?;
        if !(1..=VERSION).contains(&version) {
            return Err(VqganError::BadWeights(format!(
                "version {version}, this build reads {VERSION}"
            )));
        }
        let mut words = [0u32; 9];
        for w in &mut words {
            *w = r.u32().ok_or_else(|| cut(&r))?;
        }
        let config = VqganConfig::from_words(words)?;
        let len = r.u64().ok_or_else(|| cut(&r))?;
        let len = usize::try_from(len).map_err(|_| cut(&r))?;
        let burnpack = r.take(len).ok_or_else(|| cut(&r))?.to_vec();
        let count = r.u32().ok_or_else(|| cut(&r))? as usize;
        if count == 0 || count > 16 {
            return Err(VqganError::BadWeights(format!("{count} quality levels")));
        }
        let (z, d) = (config.z_channels, config.code_dim);
        let mut levels: Vec<Level> = Vec::with_capacity(count);
        for _ in 0..count {
            let s = r.u32().ok_or_else(|| cut(&r))? as usize;
            if !s.is_power_of_two() || s < 2 || s > config.codes {
                return Err(VqganError::BadWeights(format!("level with {s} codes")));
            }
            if levels.last().is_some_and(|l| l.codes() >= s) {
                return Err(VqganError::BadWeights("levels not in increasing order".into()));
            }
            let entries = r.f32s(s * d).ok_or_else(|| cut(&r))?;
            let level = Level {
                codebook: Codebooks::new(1, 1, s, d, entries)?,
                quant_w: r.f32s(d * z).ok_or_else(|| cut(&r))?,
                quant_b: r.f32s(d).ok_or_else(|| cut(&r))?,
                post_w: r.f32s(z * d).ok_or_else(|| cut(&r))?,
                post_b: r.f32s(z).ok_or_else(|| cut(&r))?,
                usage: r.u32s(s).ok_or_else(|| cut(&r))?,
                rank_prior: {
                    let n = r.u32().ok_or_else(|| cut(&r))? as usize;
                    if n > 4096 {
                        return Err(VqganError::BadWeights(format!("{n} rank-prior counts")));
                    }
                    r.u32s(n).ok_or_else(|| cut(&r))?
                },
                pair_prior: if version >= 2 {
                    let n = r.u32().ok_or_else(|| cut(&r))? as usize;
                    if n != 0 && n != s * s * s {
                        return Err(VqganError::BadWeights(format!(
                            "{n} pair counts for a level of {s} codes"
                        )));
                    }
                    r.u32s(n).ok_or_else(|| cut(&r))?
                } else {
                    Vec::new()
                },
            };
            level.validate(z, d)?;
            levels.push(level);
        }
        let record = |r: &mut ByteCursor| -> Result<Vec<u8>, VqganError> {
            let len = usize::try_from(r.u64().ok_or_else(|| cut(r))?).map_err(|_| cut(r))?;
            Ok(r.take(len).ok_or_else(|| cut(r))?.to_vec())
        };
        let transformer = |r: &mut ByteCursor| -> Result<(RestorerConfig, Vec<u8>), VqganError> {
            let mut words = [0u32; 5];
            for w in &mut words {
                *w = r.u32().ok_or_else(|| cut(r))?;
            }
            let rc = RestorerConfig::from_words(words)
                .filter(|c| c.code_dim == d)
                .ok_or_else(|| VqganError::BadWeights(format!("restorer config {words:?}")))?;
            Ok((rc, record(r)?))
        };
        let (mut restorer, mut post_filter) = (None, None);
        if version >= 3 {
            let count = r.u32().ok_or_else(|| cut(&r))?;
            for _ in 0..count {
                let tag = r.take(4).ok_or_else(|| cut(&r))?;
                if tag == TAG_RESTORER && restorer.is_none() {
                    restorer = Some(transformer(&mut r)?);
                } else if tag == TAG_POST_FILTER && post_filter.is_none() {
                    let words = [r.u32().ok_or_else(|| cut(&r))?, r.u32().ok_or_else(|| cut(&r))?];
                    let pc = PostFilterConfig::from_words(words)
                        .ok_or_else(|| VqganError::BadWeights(format!("post filter config {words:?}")))?;
                    post_filter = Some((pc, record(&mut r)?));
                } else {
                    return Err(VqganError::BadWeights(format!(
                        "unknown or repeated network tag {:?}",
                        String::from_utf8_lossy(tag)
                    )));
                }
            }
        } else if version == 2 && r.remaining() != 0 {
            restorer = Some(transformer(&mut r)?);
        } else if r.remaining() != 0 {
            // Version 1 transformers predicted vectors from the known cells alone; this build's corrects the
            // fill, so an old transformer is dropped (its file still decodes, with the harmonic fill).
            transformer(&mut r)?;
        }
        if r.remaining() != 0 {
            return Err(VqganError::BadWeights(format!(
                "{} trailing bytes",
                r.remaining()
            )));
        }
        Ok(VqganWeights {
            config,
            burnpack,
            levels,
            restorer,
            post_filter,
            digest: cinder_core::weights_digest(bytes),
        })
    }

    /// Serialises a model.
    pub fn to_bytes(
        config: &VqganConfig,
        burnpack: &[u8],
        levels: &[Level],
        restorer: Option<(&RestorerConfig, &[u8])>,
        post_filter: Option<(&PostFilterConfig, &[u8])>,
    ) -> Vec<u8> {
        let mut out = Vec::with_capacity(64 + burnpack.len());
        out.extend_from_slice(MAGIC);
        put_u32s(&mut out, &[VERSION]);
        put_u32s(&mut out, &config.to_words());
        out.extend_from_slice(&(burnpack.len() as u64).to_le_bytes());
        out.extend_from_slice(burnpack);
        put_u32s(&mut out, &[levels.len() as u32]);
        for l in levels {
            put_u32s(&mut out, &[l.codes() as u32]);
            put_f32s(&mut out, &l.codebook.data);
            put_f32s(&mut out, &l.quant_w);
            put_f32s(&mut out, &l.quant_b);
            put_f32s(&mut out, &l.post_w);
            put_f32s(&mut out, &l.post_b);
            put_u32s(&mut out, &l.usage);
            put_u32s(&mut out, &[l.rank_prior.len() as u32]);
            put_u32s(&mut out, &l.rank_prior);
            put_u32s(&mut out, &[l.pair_prior.len() as u32]);
            put_u32s(&mut out, &l.pair_prior);
        }
        put_u32s(
            &mut out,
            &[u32::from(restorer.is_some()) + u32::from(post_filter.is_some())],
        );
        let mut put = |tag: &[u8; 4], words: &[u32], record: &[u8]| {
            out.extend_from_slice(tag);
            put_u32s(&mut out, words);
            out.extend_from_slice(&(record.len() as u64).to_le_bytes());
            out.extend_from_slice(record);
        };
        if let Some((rc, record)) = restorer {
            put(TAG_RESTORER, &rc.to_words(), record);
        }
        if let Some((pc, record)) = post_filter {
            put(TAG_POST_FILTER, &pc.to_words(), record);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::levels::toy_level;

    #[test]
    fn weights_round_trip_and_reject_damage() {
        let cfg = VqganConfig {
            z_channels: 3,
            code_dim: 2,
            codes: 16,
            ..VqganConfig::default()
        };
        let mut small = toy_level(3, 2, 8);
        small.pair_prior = (0..512).collect();
        let levels = vec![small, toy_level(3, 2, 16)];
        let bytes = VqganWeights::to_bytes(&cfg, b"record", &levels, None, None);
        let w = VqganWeights::from_bytes(&bytes).unwrap();
        assert_eq!(w.config, cfg);
        assert_eq!(w.levels, levels);
        assert_eq!(w.burnpack, b"record");
        for cut in [0, 3, 10, 40, bytes.len() - 1] {
            assert!(VqganWeights::from_bytes(&bytes[..cut]).is_err(), "{cut}");
        }
        let mut extra = bytes.clone();
        extra.push(0);
        assert!(VqganWeights::from_bytes(&extra).is_err());
        let reversed = VqganWeights::to_bytes(
            &cfg,
            b"record",
            &[toy_level(3, 2, 16), toy_level(3, 2, 8)],
            None,
            None,
        );
        assert!(VqganWeights::from_bytes(&reversed).is_err());
        let rc = RestorerConfig::small(2);
        let pf = PostFilterConfig::small();
        let with = VqganWeights::to_bytes(
            &cfg,
            b"record",
            &levels,
            Some((&rc, b"transformer")),
            Some((&pf, b"filter")),
        );
        let w = VqganWeights::from_bytes(&with).unwrap();
        assert_eq!(w.restorer, Some((rc, b"transformer".to_vec())));
        assert_eq!(w.post_filter, Some((pf, b"filter".to_vec())));
        assert!(VqganWeights::from_bytes(&with[..with.len() - 1]).is_err());
        let only = VqganWeights::to_bytes(&cfg, b"record", &levels, None, Some((&pf, b"filter")));
        let w = VqganWeights::from_bytes(&only).unwrap();
        assert_eq!(
            (w.restorer, w.post_filter),
            (None, Some((pf, b"filter".to_vec())))
        );
        // A version 2 file: the transformer follows the levels without tag or count.
        let mut v2 = VqganWeights::to_bytes(&cfg, b"record", &levels, None, None);
        v2[4..8].copy_from_slice(&2u32.to_le_bytes());
        v2.truncate(v2.len() - 4);
        put_u32s(&mut v2, &rc.to_words());
        v2.extend_from_slice(&11u64.to_le_bytes());
        v2.extend_from_slice(b"transformer");
        let w = VqganWeights::from_bytes(&v2).unwrap();
        assert_eq!(
            (w.restorer, w.post_filter),
            (Some((rc, b"transformer".to_vec())), None)
        );
    }
}
