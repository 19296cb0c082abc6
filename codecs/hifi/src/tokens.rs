//! Entropy coding of the GRVQ tokens (replaces the reference's fixed 10 bits a token): per block of frames, one
//! byte-oriented range coder (cinder-entropy) with, for every codebook,
//!
//! * a binary "same token as the previous frame" flag, adaptive, in two contexts (was the previous frame's flag
//!   set?) — long vowels and silence repeat tokens;
//! * otherwise the token itself from an adaptive 1024-ary model that starts from the codebook's usage counts on
//!   the training set (stored in the weights file) and adapts to the file.
//!
//! Blocks are independent (fresh models), so a damaged block loses only its own frames (`--conceal`).

use crate::HifiError;
use cinder_entropy::{AdaptiveConfig, AdaptiveModel, ByteRangeDecoder, ByteRangeEncoder, ContextModel};

/// Adaptation of the token models: a symbol adds 24 to its count; counts are halved at 2^18.
const TOKEN_CONFIG: AdaptiveConfig = AdaptiveConfig {
    increment: 24,
    limit: 1 << 18,
};
/// The prior counts are scaled to this total before adaptation starts.
const PRIOR_TOTAL: u64 = 1 << 15;

struct Models {
    repeat: Vec<ContextModel>,
    token: Vec<AdaptiveModel>,
}

impl Models {
    fn new(prior: &[u32], books: usize, codes: usize) -> Result<Models, HifiError> {
        let mut token = Vec::with_capacity(books);
        for b in 0..books {
            let counts = prior.get(b * codes..(b + 1) * codes).ok_or_else(|| {
                HifiError::BadWeights(format!(
                    "prior has {} counts, need {}",
                    prior.len(),
                    books * codes
                ))
            })?;
            let total: u64 = counts.iter().map(|&c| u64::from(c)).sum::<u64>().max(1);
            let scaled: Vec<u32> = counts
                .iter()
                .map(|&c| ((u64::from(c) * PRIOR_TOTAL).div_ceil(total)).max(1) as u32)
                .collect();
            token.push(AdaptiveModel::with_counts(&scaled, TOKEN_CONFIG)?);
        }
        let repeat = (0..books)
            .map(|_| ContextModel::new(2, 2, AdaptiveConfig::default()))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Models { repeat, token })
    }
}

/// Codes one block: `frames × per` tokens (frame-major) with the first `per` codebooks' models.
pub fn encode_block(tokens: &[u16], per: usize, prior: &[u32], codes: usize) -> Result<Vec<u8>, HifiError> {
    let mut models = Models::new(prior, per, codes)?;
    let mut enc = ByteRangeEncoder::new();
    let mut prev: Option<&[u16]> = None;
    let mut flags = vec![0usize; per];
    for frame in tokens.chunks(per) {
        for b in 0..per {
            let t = u32::from(frame[b]);
            if let Some(p) = prev {
                let same = u32::from(p[b] == frame[b]);
                models.repeat[b].encode(&mut enc, flags[b], same)?;
                flags[b] = same as usize;
                if same == 1 {
                    continue;
                }
            }
            models.token[b].encode(&mut enc, t)?;
        }
        prev = Some(frame);
    }
    Ok(enc.finish())
}

/// Decodes what [`encode_block`] wrote (`frames × per` tokens, every one `< codes`).
pub fn decode_block(
    bytes: &[u8],
    frames: usize,
    per: usize,
    prior: &[u32],
    codes: usize,
) -> Result<Vec<u16>, HifiError> {
    let mut models = Models::new(prior, per, codes)?;
    let mut dec = ByteRangeDecoder::new(bytes);
    let mut out: Vec<u16> = Vec::with_capacity(frames * per);
    let mut flags = vec![0usize; per];
    for f in 0..frames {
        for b in 0..per {
            if f > 0 {
                let same = models.repeat[b].decode(&mut dec, flags[b])?;
                flags[b] = same as usize;
                if same == 1 {
                    let p = out[(f - 1) * per + b];
                    out.push(p);
                    continue;
                }
            }
            let t = models.token[b].decode(&mut dec)?;
            out.push(u16::try_from(t).map_err(|_| HifiError::Corrupt(format!("token {t}")))?);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_round_trip_and_repeats_are_cheap() {
        let codes = 1024;
        let prior: Vec<u32> = (0..4 * codes).map(|i| 1 + (i % 7) as u32).collect();
        let mut tokens = Vec::new();
        for f in 0..200u32 {
            for b in 0..4u32 {
                tokens.push(if f % 10 < 5 {
                    7 + b as u16
                } else {
                    ((f * 131 + b * 17) % 1024) as u16
                });
            }
        }
        let bytes = encode_block(&tokens, 4, &prior, codes).unwrap();
        assert_eq!(decode_block(&bytes, 200, 4, &prior, codes).unwrap(), tokens);
        assert!(
            bytes.len() * 8 < tokens.len() * 10 * 7 / 10,
            "{} bytes",
            bytes.len()
        );
        // Truncated or garbage input: an error or in-range tokens, never a panic.
        for cut in [0, 1, bytes.len() / 2] {
            if let Ok(t) = decode_block(&bytes[..cut], 200, 4, &prior, codes) {
                assert!(t.iter().all(|&v| (v as usize) < codes));
            }
        }
    }
}
