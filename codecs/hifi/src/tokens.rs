//! Entropy coding of the GRVQ tokens (replaces the reference's fixed 10 bits a token): per block of frames, one
//! byte-oriented range coder (cinder-entropy), all models adaptive and integer, identical on both sides.
//!
//! * **First-layer tokens** (one per group) are coded by their *rank* among the previous frame's token's
//!   nearest codebook neighbours ([`Neighbours`]; rank 0 = the same token). Speech latents move smoothly, so
//!   small ranks dominate: on held-out training speech the rank entropy is ≈ 1.2 bits below the token entropy.
//!   Ranks go through cinder-entropy's [`RankModel`] (adaptive octave + bits, one context per codebook).
//! * **Second-layer tokens** (residual detail, not smooth) get a binary "same as the previous frame" flag (two
//!   contexts: was the previous flag set?) and otherwise the token from an adaptive 1024-ary model that starts
//!   from the codebook's usage counts on the training set (stored in the weights file).
//! * The first frame of a block codes every token with the usage-prior model.
//!
//! Blocks are independent (fresh models), so a damaged block loses only its own frames (`--conceal`).

use crate::grvq::Codebooks;
use crate::HifiError;
use cinder_entropy::{
    AdaptiveConfig, AdaptiveModel, ByteRangeDecoder, ByteRangeEncoder, ContextModel, RankModel,
};

/// Adaptation of the token models: a symbol adds 24 to its count; counts are halved at 2^18.
const TOKEN_CONFIG: AdaptiveConfig = AdaptiveConfig {
    increment: 24,
    limit: 1 << 18,
};
/// The prior counts are scaled to this total before adaptation starts.
const PRIOR_TOTAL: u64 = 1 << 15;

/// For every first-layer codebook and entry, the other entries ordered by squared Euclidean distance (ties by
/// index): `order[book][prev][rank]` and its inverse `rank[book][prev][code]`. Distances are summed in a fixed
/// order in f32, so encoder and decoder build the same table.
#[derive(Debug, Clone)]
pub struct Neighbours {
    codes: usize,
    order: Vec<u16>,
    rank: Vec<u16>,
}

impl Neighbours {
    /// Builds the tables of the `books` first codebooks.
    pub fn new(codebooks: &Codebooks, books: usize) -> Neighbours {
        let k = codebooks.codes;
        let mut order = vec![0u16; books * k * k];
        let mut rank = vec![0u16; books * k * k];
        for b in 0..books {
            for p in 0..k {
                let e = codebooks.entry(b, p);
                let mut by: Vec<(f32, usize)> = (0..k)
                    .map(|c| {
                        let d: f32 = codebooks
                            .entry(b, c)
                            .iter()
                            .zip(e)
                            .map(|(x, y)| (x - y) * (x - y))
                            .sum();
                        (if c == p { -1.0 } else { d }, c)
                    })
                    .collect();
                by.sort_by(|x, y| x.0.total_cmp(&y.0).then(x.1.cmp(&y.1)));
                let base = (b * k + p) * k;
                for (r, &(_, c)) in by.iter().enumerate() {
                    order[base + r] = c as u16;
                    rank[base + c] = r as u16;
                }
            }
        }
        Neighbours {
            codes: k,
            order,
            rank,
        }
    }

    /// Rank of `code` among the neighbours of `prev` in codebook `book` (0 = `prev` itself).
    pub fn rank(&self, book: usize, prev: usize, code: usize) -> usize {
        usize::from(self.rank[(book * self.codes + prev) * self.codes + code])
    }

    fn books(&self) -> usize {
        self.order.len() / (self.codes * self.codes).max(1)
    }
}

struct Models {
    repeat: Vec<ContextModel>,
    token: Vec<AdaptiveModel>,
    /// One rank context per codebook.
    rank: RankModel,
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
        Ok(Models {
            repeat: (0..books)
                .map(|_| ContextModel::new(2, 2, AdaptiveConfig::default()))
                .collect::<Result<_, _>>()?,
            token,
            rank: RankModel::new(codes, books)?,
        })
    }
}

/// Codes one block: `frames × per` tokens (frame-major); the first `ranked` codebooks (the first layer) are
/// rank-coded with `neighbours`.
pub fn encode_block(
    tokens: &[u16],
    per: usize,
    prior: &[u32],
    neighbours: &Neighbours,
) -> Result<Vec<u8>, HifiError> {
    let codes = neighbours.codes;
    let ranked = neighbours.books().min(per);
    let mut models = Models::new(prior, per, codes)?;
    let mut enc = ByteRangeEncoder::new();
    let mut flags = vec![0usize; per];
    for (f, frame) in tokens.chunks(per).enumerate() {
        for b in 0..per {
            let t = usize::from(frame[b]);
            if t >= codes {
                return Err(HifiError::Corrupt(format!("token {t} ≥ {codes}")));
            }
            if f == 0 {
                models.token[b].encode(&mut enc, t as u32)?;
                continue;
            }
            let p = usize::from(tokens[(f - 1) * per + b]);
            if b < ranked {
                let r = neighbours.rank[(b * codes + p) * codes + t];
                models.rank.encode(&mut enc, b, usize::from(r))?;
                continue;
            }
            let same = u32::from(p == t);
            models.repeat[b].encode(&mut enc, flags[b], same)?;
            flags[b] = same as usize;
            if same == 0 {
                models.token[b].encode(&mut enc, t as u32)?;
            }
        }
    }
    Ok(enc.finish())
}

/// Decodes what [`encode_block`] wrote (`frames × per` tokens, every one `< codes`).
pub fn decode_block(
    bytes: &[u8],
    frames: usize,
    per: usize,
    prior: &[u32],
    neighbours: &Neighbours,
) -> Result<Vec<u16>, HifiError> {
    let codes = neighbours.codes;
    let ranked = neighbours.books().min(per);
    let mut models = Models::new(prior, per, codes)?;
    let mut dec = ByteRangeDecoder::new(bytes);
    let mut out: Vec<u16> = Vec::with_capacity(frames * per);
    let mut flags = vec![0usize; per];
    for f in 0..frames {
        for b in 0..per {
            if f == 0 {
                out.push(models.token[b].decode(&mut dec)? as u16);
                continue;
            }
            let p = usize::from(out[(f - 1) * per + b]);
            if b < ranked {
                let r = models.rank.decode(&mut dec, b)?;
                if r >= codes {
                    return Err(HifiError::Corrupt(format!("neighbour rank {r} ≥ {codes}")));
                }
                out.push(neighbours.order[(b * codes + p) * codes + r]);
                continue;
            }
            let same = models.repeat[b].decode(&mut dec, flags[b])?;
            flags[b] = same as usize;
            out.push(if same == 1 {
                p as u16
            } else {
                models.token[b].decode(&mut dec)? as u16
            });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::HifiConfig;

    #[test]
    fn blocks_round_trip_and_smooth_tokens_are_cheap() {
        let cfg = HifiConfig {
            latent: 4,
            codes: 64,
            ..HifiConfig::default()
        };
        let codes = cfg.codes;
        // Entries on a line, so neighbours are index neighbours.
        let data: Vec<f32> = (0..4 * codes).flat_map(|i| [(i % codes) as f32, 0.0]).collect();
        let books = crate::grvq::codebooks(&cfg, data).unwrap();
        let nb = Neighbours::new(&books, 2);
        let prior: Vec<u32> = (0..4 * codes).map(|i| 1 + (i % 7) as u32).collect();
        let mut tokens = Vec::new();
        for f in 0..300u32 {
            let walk = (32.0 + 20.0 * (f as f32 * 0.05).sin()) as u16;
            tokens.extend_from_slice(&[
                walk,
                walk / 2,
                ((f * 37) % 64) as u16,
                if f % 10 < 5 { 3 } else { 9 },
            ]);
        }
        let bytes = encode_block(&tokens, 4, &prior, &nb).unwrap();
        assert_eq!(decode_block(&bytes, 300, 4, &prior, &nb).unwrap(), tokens);
        // 6 bits a token uncoded; the smooth first-layer walks cost far less.
        assert!(
            bytes.len() * 8 < tokens.len() * 6 * 3 / 4,
            "{} bytes",
            bytes.len()
        );
        // Only the first layer: 2 tokens a frame.
        let q1: Vec<u16> = tokens.chunks(4).flat_map(|f| f[..2].to_vec()).collect();
        let b1 = encode_block(&q1, 2, &prior, &nb).unwrap();
        assert_eq!(decode_block(&b1, 300, 2, &prior, &nb).unwrap(), q1);
        // Truncated or garbage input: an error or in-range tokens, never a panic.
        for cut in [0, 1, bytes.len() / 2] {
            if let Ok(t) = decode_block(&bytes[..cut], 300, 4, &prior, &nb) {
                assert!(t.iter().all(|&v| (v as usize) < codes));
            }
        }
        assert!(encode_block(&[64, 0, 0, 0], 4, &prior, &nb).is_err());
    }
}
