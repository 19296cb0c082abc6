//! Model files: the tree and the parameters of an HCLT (spec §1.2), zlib-compressed.
//!
//! Layout: `b"CPCM"`, version `1`, kind (`0` = f32 training checkpoint, `1` = shipped, log-quantised), then a
//! zlib stream of: width, height, M (u32 LE), the parent of each pixel (u32 LE, `u32::MAX` for the root), and
//! the prior, transition and leaf rows. Kind 1 stores each probability as `q = round(−8·log2(θ / row max))`
//! clamped to 0..=255 (1/8-bit steps over 32 bits of range); loading rebuilds `2^(−q/8)` with `libm` and
//! renormalises each row by a sequential f64 sum, so every platform gets bit-identical coding parameters.

use crate::circuit::{Circuit, Params, K};
use crate::structure::Tree;
use crate::PcError;
use flate2::read::ZlibDecoder;
use flate2::write::ZlibEncoder;
use flate2::Compression;
use std::io::{Read, Write};

const MAGIC: &[u8; 4] = b"CPCM";
const VERSION: u8 = 1;
/// Largest decompressed model body a reader accepts (guards against zip bombs).
const MAX_BODY: u64 = 1 << 30;

/// How parameters are stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Storage {
    /// Exact f32 (training checkpoints).
    F32,
    /// 8-bit log-quantised (shipped models).
    LogU8,
}

/// Serialises a model.
pub fn save(c: &Circuit, prm: &Params<f32>, storage: Storage) -> Result<Vec<u8>, PcError> {
    let mut body = Vec::new();
    for v in [c.width, c.height, c.m as u32] {
        body.extend(v.to_le_bytes());
    }
    for &p in &c.tree.parent {
        body.extend(p.to_le_bytes());
    }
    let m = c.m;
    for (rows, len) in [(&prm.prior, m), (&prm.trans, m), (&prm.leaf, K)] {
        for row in rows.chunks(len) {
            match storage {
                Storage::F32 => row.iter().for_each(|x| body.extend(x.to_le_bytes())),
                Storage::LogU8 => body.extend(quantise_row(row)),
            }
        }
    }
    let (kind, level) = match storage {
        Storage::F32 => (0u8, Compression::fast()),
        Storage::LogU8 => (1u8, Compression::best()),
    };
    let mut out = MAGIC.to_vec();
    out.extend([VERSION, kind]);
    let mut z = ZlibEncoder::new(out, level);
    z.write_all(&body)
        .map_err(|e| PcError::BadModel(format!("compressing: {e}")))?;
    z.finish()
        .map_err(|e| PcError::BadModel(format!("compressing: {e}")))
}

fn quantise_row(row: &[f32]) -> Vec<u8> {
    let mx = row.iter().fold(0f32, |a, &b| a.max(b));
    row.iter()
        .map(|&x| {
            if mx <= 0.0 || x <= 0.0 {
                255
            } else {
                (-8.0 * libm::log2(f64::from(x) / f64::from(mx)))
                    .round()
                    .clamp(0.0, 255.0) as u8
            }
        })
        .collect()
}

/// A loaded model: its shape and normalised f64 parameters.
pub struct Loaded {
    /// The circuit shape.
    pub circuit: Circuit,
    /// Parameters, every row summing to 1 (up to rounding).
    pub params: Params<f64>,
    /// How the file stored them.
    pub storage: Storage,
}

/// Parses a model file.
pub fn load(bytes: &[u8]) -> Result<Loaded, PcError> {
    if bytes.len() < 6 || &bytes[..4] != MAGIC {
        return Err(PcError::BadModel(
            "not a cinder-pc model (magic CPCM missing)".into(),
        ));
    }
    if bytes[4] != VERSION {
        return Err(PcError::BadModel(format!(
            "model version {} (this build reads {VERSION})",
            bytes[4]
        )));
    }
    let storage = match bytes[5] {
        0 => Storage::F32,
        1 => Storage::LogU8,
        k => return Err(PcError::BadModel(format!("unknown storage kind {k}"))),
    };
    let mut body = Vec::new();
    ZlibDecoder::new(&bytes[6..])
        .take(MAX_BODY)
        .read_to_end(&mut body)
        .map_err(|e| PcError::BadModel(format!("decompressing: {e}")))?;
    let mut r = Cursor { b: &body, at: 0 };
    let (width, height, m) = (r.u32()?, r.u32()?, r.u32()? as usize);
    let d = width as usize * height as usize;
    if d == 0 || d > 1 << 20 || m == 0 || m > 1024 {
        return Err(PcError::BadModel(format!("bad shape {width}x{height}, M = {m}")));
    }
    // Check the declared size against the bytes present before allocating anything it implies.
    let per = match storage {
        Storage::F32 => 4u64,
        Storage::LogU8 => 1,
    };
    let (du, mu) = (d as u64, m as u64);
    let params = mu + du * mu * mu + du * mu * K as u64; // upper bound: at most D slots
    if 12 + 4 * du + per * (mu + du * mu * K as u64) > body.len() as u64
        || 12 + 4 * du + per * params < body.len() as u64
    {
        return Err(PcError::BadModel(format!(
            "{width}x{height} model with M = {m} does not match its {} bytes",
            body.len()
        )));
    }
    let parent = (0..d).map(|_| r.u32()).collect::<Result<Vec<_>, _>>()?;
    let circuit = Circuit::new(width, height, m, Tree::from_parents(parent)?)?;
    let mut read = |n: usize, len: usize| -> Result<Vec<f64>, PcError> {
        let mut out = Vec::new();
        for _ in 0..n / len {
            let mut row: Vec<f64> = match storage {
                Storage::F32 => (0..len)
                    .map(|_| r.f32().map(f64::from))
                    .collect::<Result<_, _>>()?,
                Storage::LogU8 => r
                    .take(len)?
                    .iter()
                    .map(|&q| libm::exp2(-f64::from(q) / 8.0))
                    .collect(),
            };
            normalise64(&mut row);
            out.extend(row);
        }
        Ok(out)
    };
    let prior = read(m, m)?;
    let trans = read(circuit.trans_len(), m)?;
    let leaf = read(circuit.leaf_len(), K)?;
    if r.at != body.len() {
        return Err(PcError::BadModel(format!("{} trailing bytes", body.len() - r.at)));
    }
    Ok(Loaded {
        circuit,
        params: Params { prior, trans, leaf },
        storage,
    })
}

/// Normalises a row by a sequential f64 sum (uniform if the sum is not positive).
pub fn normalise64(row: &mut [f64]) {
    let mut s = 0.0;
    for &x in row.iter() {
        s += x;
    }
    if s > 0.0 && s.is_finite() {
        row.iter_mut().for_each(|x| *x /= s);
    } else {
        let u = 1.0 / row.len() as f64;
        row.iter_mut().for_each(|x| *x = u);
    }
}

/// f64 parameters back to f32 (to resume training from a checkpoint).
pub fn to_f32(p: &Params<f64>) -> Params<f32> {
    let f = |v: &[f64]| v.iter().map(|&x| x as f32).collect();
    Params {
        prior: f(&p.prior),
        trans: f(&p.trans),
        leaf: f(&p.leaf),
    }
}

struct Cursor<'a> {
    b: &'a [u8],
    at: usize,
}

impl Cursor<'_> {
    fn take(&mut self, n: usize) -> Result<&[u8], PcError> {
        let s = self
            .b
            .get(self.at..self.at + n)
            .ok_or_else(|| PcError::BadModel("model file is truncated".into()))?;
        self.at += n;
        Ok(s)
    }
    fn u32(&mut self) -> Result<u32, PcError> {
        let s = self.take(4)?;
        Ok(u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
    }
    fn f32(&mut self) -> Result<f32, PcError> {
        Ok(f32::from_bits(self.u32()?))
    }
}

/// A small random HCLT (random tree, skewed random parameters) as shipped-format model bytes: for tests of
/// this crate and of crates that register the codec, which must not depend on trained weights.
pub fn random_model_bytes(width: u32, height: u32, m: usize, seed: u64) -> Result<Vec<u8>, PcError> {
    use crate::circuit::SplitMix;
    use crate::structure::NO_PARENT;
    let d = width as usize * height as usize;
    let mut rng = SplitMix(seed);
    // Random recursive tree: each pixel after the first hangs off an earlier one.
    let parent: Vec<u32> = (0..d)
        .map(|v| if v == 0 { NO_PARENT } else { rng.below(v) as u32 })
        .collect();
    let c = Circuit::new(width, height, m, Tree::from_parents(parent)?)?;
    let mut skewed = |n: usize, len: usize| -> Vec<f32> {
        let mut v: Vec<f32> = (0..n).map(|_| (rng.uniform().powi(6) + 1e-4) as f32).collect();
        v.chunks_mut(len).for_each(crate::circuit::normalise);
        v
    };
    let prm = Params {
        prior: skewed(m, m),
        trans: skewed(c.trans_len(), m),
        leaf: skewed(c.leaf_len(), K),
    };
    save(&c, &prm, Storage::LogU8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_refuses_bad_files() {
        let bytes = random_model_bytes(3, 2, 2, 1).unwrap();
        let l = load(&bytes).unwrap();
        assert_eq!((l.circuit.width, l.circuit.height, l.circuit.m), (3, 2, 2));
        assert_eq!(l.storage, Storage::LogU8);
        let f = save(&l.circuit, &to_f32(&l.params), Storage::F32).unwrap();
        let l2 = load(&f).unwrap();
        for (a, b) in l.params.leaf.iter().zip(&l2.params.leaf) {
            assert!((a - b).abs() < 1e-6);
        }
        assert!(load(&bytes[..bytes.len() - 3]).is_err());
        assert!(load(b"CPCM").is_err());
        // A header declaring a huge model with no bytes behind it is refused before allocating.
        let mut body = Vec::new();
        for v in [1024u32, 1024, 1024] {
            body.extend(v.to_le_bytes());
        }
        let mut z = ZlibEncoder::new(b"CPCM\x01\x01".to_vec(), Compression::fast());
        z.write_all(&body).unwrap();
        let err = load(&z.finish().unwrap()).err().unwrap();
        assert!(err.to_string().contains("does not match"), "{err}");
    }
}
