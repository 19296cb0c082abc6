//! The linear WaLLoC model: the PCA of J = 3 WPT coefficient vectors of RGB training images (spec §6.1) —
//! WaLLoC's 1×1 encoder initialisation, and with its transpose the closed-form linear decoder.
//!
//! The same file format holds the 1-D (stereo audio, J = 8 → 512 dims, spec A1.2/A1.6) model; the transform's
//! dimensionality follows from `dim`: `colours · 4^J` is a 2-D model, `colours · 2^J` a 1-D one (the two never
//! coincide for J ≥ 1). Fitting the audio model lives in `audio.rs`.
//!
//! File layout (little-endian): `"CWLL"`, version u8 = 1, `J` u8, colour (or audio) channels u8, dim u16,
//! components u16, then f32 arrays: `mean[dim]`, `components[components × dim]` (unit rows, descending variance),
//! `std[components]` (square roots of the eigenvalues).

use crate::pca::{symmetric_eigen, Moments};
use crate::wpt::{analyse_2d, Planes};
use crate::WallocError;
use cinder_core::Image;
use rayon::prelude::*;

const MAGIC: &[u8; 4] = b"CWLL";

/// PCA weights of the linear WaLLoC.
#[derive(Debug, Clone, PartialEq)]
pub struct LinearWeights {
    /// WPT levels (3 for RGB, 8 for stereo audio).
    pub levels: u32,
    /// Colour channels (3) or audio channels (2).
    pub colours: usize,
    /// Axes of the transform: 2 (images) or 1 (audio); not stored, implied by `dim`.
    pub axes: u32,
    /// WPT vector length: colours · 4^levels (2-D) or colours · 2^levels (1-D).
    pub dim: usize,
    /// Mean WPT vector.
    pub mean: Vec<f32>,
    /// Principal directions, one unit row of `dim` per component, by descending variance.
    pub components: Vec<f32>,
    /// Standard deviation along each component.
    pub std: Vec<f32>,
}

impl LinearWeights {
    /// Number of stored components (the most latent channels any quality can use).
    pub fn len(&self) -> usize {
        self.std.len()
    }

    /// True when no component is stored.
    pub fn is_empty(&self) -> bool {
        self.std.is_empty()
    }

    /// Component `k` as a slice of `dim`.
    pub fn component(&self, k: usize) -> &[f32] {
        &self.components[k * self.dim..(k + 1) * self.dim]
    }

    /// Serialises to the file layout above.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = MAGIC.to_vec();
        out.extend_from_slice(&[1, self.levels as u8, self.colours as u8]);
        out.extend_from_slice(&(self.dim as u16).to_le_bytes());
        out.extend_from_slice(&(self.len() as u16).to_le_bytes());
        for v in self.mean.iter().chain(&self.components).chain(&self.std) {
            out.extend_from_slice(&v.to_le_bytes());
        }
        out
    }

    /// Parses and validates a weights file.
    pub fn from_bytes(bytes: &[u8]) -> Result<LinearWeights, WallocError> {
        let bad = |m: &str| WallocError::BadWeights(m.to_string());
        if bytes.len() < 11 || &bytes[..4] != MAGIC {
            return Err(bad("missing CWLL magic"));
        }
        if bytes[4] != 1 {
            return Err(WallocError::BadWeights(format!(
                "weights version {} (this build reads 1)",
                bytes[4]
            )));
        }
        let (levels, colours) = (u32::from(bytes[5]), usize::from(bytes[6]));
        let dim = usize::from(u16::from_le_bytes([bytes[7], bytes[8]]));
        let k = usize::from(u16::from_le_bytes([bytes[9], bytes[10]]));
        if levels == 0 || colours == 0 || k == 0 || k > dim {
            return Err(bad("inconsistent dimensions"));
        }
        let axes = if levels <= 4 && dim == colours << (2 * levels) {
            2
        } else if levels <= 12 && dim == colours << levels {
            1
        } else {
            return Err(bad("inconsistent dimensions"));
        };
        let floats: Vec<f32> = bytes[11..]
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        if bytes.len() != 11 + 4 * (dim + k * dim + k) || floats.iter().any(|v| !v.is_finite()) {
            return Err(bad("wrong length or non-finite values"));
        }
        let (mean, rest) = floats.split_at(dim);
        let (components, std) = rest.split_at(k * dim);
        Ok(LinearWeights {
            levels,
            colours,
            axes,
            dim,
            mean: mean.to_vec(),
            components: components.to_vec(),
            std: std.to_vec(),
        })
    }

    /// Fits the PCA on training images (RGB; each cropped to a multiple of 2^levels), keeping `keep`
    /// components. Deterministic: per-image moments are merged in input order.
    pub fn fit(images: &[Image], levels: u32, keep: usize) -> Result<LinearWeights, WallocError> {
        let colours = 3usize;
        let dim = colours << (2 * levels);
        let per_image: Vec<Moments> = images
            .par_iter()
            .filter(|im| im.channels == 3 && im.width >= 1 << levels && im.height >= 1 << levels)
            .map(|im| {
                let planes = crop_to_planes(im, levels);
                let wpt = analyse_2d(&planes, levels);
                let mut m = Moments::new(dim);
                let n = wpt.height * wpt.width;
                let mut v = vec![0.0f32; dim];
                for p in 0..n {
                    for (c, slot) in v.iter_mut().enumerate() {
                        *slot = wpt.data[c * n + p];
                    }
                    m.add(&v);
                }
                m
            })
            .collect();
        let mut total = Moments::new(dim);
        per_image.iter().for_each(|m| total.merge(m));
        LinearWeights::from_moments(&total, levels, colours, 2, keep)
    }

    /// The PCA of accumulated WPT-vector moments (`colours · 2^(axes·levels)` dims), keeping `keep` components.
    pub(crate) fn from_moments(
        total: &Moments,
        levels: u32,
        colours: usize,
        axes: u32,
        keep: usize,
    ) -> Result<LinearWeights, WallocError> {
        let dim = colours << (axes * levels);
        if total.count() < dim as u64 {
            return Err(WallocError::NoData(format!(
                "{} WPT vectors for {dim} dimensions",
                total.count()
            )));
        }
        let (mean, cov) = total.mean_cov();
        let (values, vectors) = symmetric_eigen(&cov, dim);
        let keep = keep.min(dim);
        Ok(LinearWeights {
            levels,
            colours,
            axes,
            dim,
            mean: mean.iter().map(|&v| v as f32).collect(),
            components: vectors[..keep].iter().flatten().map(|&v| v as f32).collect(),
            std: values[..keep]
                .iter()
                .map(|&v| v.max(1e-12).sqrt() as f32)
                .collect(),
        })
    }
}

/// Crops (top-left) to a multiple of 2^levels and converts to planes in [−0.5, 0.5].
fn crop_to_planes(im: &Image, levels: u32) -> Planes {
    let mask = !((1usize << levels) - 1);
    let (w, h) = (im.width as usize & mask, im.height as usize & mask);
    let mut planes = Planes::zeros(3, h, w);
    for c in 0..3 {
        for y in 0..h {
            for x in 0..w {
                let v = im.data[(y * im.width as usize + x) * 3 + c];
                planes.data[(c * h + y) * w + x] = f32::from(v) / 255.0 - 0.5;
            }
        }
    }
    planes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn image(seed: u32) -> Image {
        let (w, h) = (40u32, 24u32);
        let data = (0..w * h * 3)
            .map(|i| {
                let (x, y, c) = ((i / 3) % w, (i / 3) / w, i % 3);
                ((x * 5 + y * 3 + c * 40 + seed * 17 + (x * y) % 7) % 256) as u8
            })
            .collect();
        Image::new(w, h, 3, data).unwrap()
    }

    #[test]
    fn fit_then_serialise_round_trip() {
        let imgs: Vec<Image> = (0..4).map(image).collect();
        let w = LinearWeights::fit(&imgs, 2, 8).unwrap();
        assert_eq!((w.dim, w.len()), (48, 8));
        assert!(w.std.windows(2).all(|p| p[0] >= p[1]));
        let norm: f32 = w.component(0).iter().map(|v| v * v).sum();
        assert!((norm - 1.0).abs() < 1e-4);
        assert_eq!(LinearWeights::from_bytes(&w.to_bytes()).unwrap(), w);
        assert_eq!(
            LinearWeights::fit(&imgs, 2, 8).unwrap(),
            w,
            "fitting is deterministic"
        );
    }

    #[test]
    fn bad_weights_are_refused() {
        assert!(LinearWeights::from_bytes(b"CWLL").is_err());
        let imgs: Vec<Image> = (0..4).map(image).collect();
        let mut bytes = LinearWeights::fit(&imgs, 2, 4).unwrap().to_bytes();
        bytes.pop();
        assert!(LinearWeights::from_bytes(&bytes).is_err());
    }
}
