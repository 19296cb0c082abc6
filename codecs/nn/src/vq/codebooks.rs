//! Group-residual vector quantisation (HiFi-Codec spec §1.5; a single plain codebook is the case
//! `layers = groups = 1`, as in VQGAN): the latent of every frame is split along channels into `groups` slices;
//! each slice goes through `layers` residual stages, each stage with its own codebook. Tokens are ordered
//! layer-major, `[l1g1, l1g2, l2g1, l2g2]`.
//!
//! This module is the inference side (plain `f32`, no tensors): nearest-neighbour search by squared Euclidean
//! distance (ties go to the lowest index, so encoding is a pure function of the latent) and table look-up. The
//! codebooks are trained with EMA updates, k-means initialisation and dead-code restarts ([`super::VqState`]).

use crate::NnError;

/// All codebooks of one model: `layers × groups × codes × dim` floats.
#[derive(Debug, Clone, PartialEq)]
pub struct Codebooks {
    /// Residual layers.
    pub layers: usize,
    /// Channel groups.
    pub groups: usize,
    /// Entries per codebook.
    pub codes: usize,
    /// Channels per entry.
    pub dim: usize,
    /// The entries, `[layer][group][code][dim]`.
    pub data: Vec<f32>,
    norms: Vec<f32>,
}

impl Codebooks {
    /// Codebooks from their entries (`layers × groups × codes × dim` values).
    pub fn new(
        layers: usize,
        groups: usize,
        codes: usize,
        dim: usize,
        data: Vec<f32>,
    ) -> Result<Codebooks, NnError> {
        let need = layers * groups * codes * dim;
        if data.len() != need || codes == 0 || dim == 0 {
            return Err(NnError::Codebook(format!(
                "{} codebook values for {layers} × {groups} × {codes} × {dim}",
                data.len()
            )));
        }
        if data.iter().any(|v| !v.is_finite()) {
            return Err(NnError::Codebook("non-finite codebook entry".into()));
        }
        let mut books = Codebooks {
            layers,
            groups,
            codes,
            dim,
            data,
            norms: Vec::new(),
        };
        books.refresh();
        Ok(books)
    }

    /// Recomputes the cached squared norms after `data` changed.
    pub fn refresh(&mut self) {
        self.norms = self
            .data
            .chunks(self.dim)
            .map(|c| c.iter().map(|v| v * v).sum())
            .collect();
    }

    /// Index of codebook (layer, group) in token order.
    pub fn book_index(&self, layer: usize, group: usize) -> usize {
        layer * self.groups + group
    }

    /// Entry `code` of codebook `book`.
    pub fn entry(&self, book: usize, code: usize) -> &[f32] {
        let at = (book * self.codes + code) * self.dim;
        &self.data[at..at + self.dim]
    }

    /// The nearest entry of codebook `book` to `v` and its squared distance.
    pub fn nearest(&self, book: usize, v: &[f32]) -> (usize, f32) {
        let base = book * self.codes;
        let mut best = (0usize, f32::INFINITY);
        for code in 0..self.codes {
            let c = self.entry(book, code);
            let dot: f32 = c.iter().zip(v).map(|(a, b)| a * b).sum();
            let d = self.norms[base + code] - 2.0 * dot;
            if d < best.1 {
                best = (code, d);
            }
        }
        let vv: f32 = v.iter().map(|x| x * x).sum();
        (best.0, (best.1 + vv).max(0.0))
    }

    /// Quantises one frame's latent (`groups × dim` values) with the first `layers` layers: writes
    /// `layers × groups` tokens and the quantised latent (sum over layers).
    pub fn quantise_frame(&self, latent: &[f32], layers: usize, tokens: &mut [u16], quantised: &mut [f32]) {
        let mut residual = latent.to_vec();
        quantised.fill(0.0);
        for layer in 0..layers {
            for group in 0..self.groups {
                let span = group * self.dim..(group + 1) * self.dim;
                let book = self.book_index(layer, group);
                let (code, _) = self.nearest(book, &residual[span.clone()]);
                tokens[book] = code as u16;
                let e = self.entry(book, code);
                for ((r, q), v) in residual[span.clone()].iter_mut().zip(&mut quantised[span]).zip(e) {
                    *r -= v;
                    *q += v;
                }
            }
        }
    }

    /// The quantised latent of one frame's tokens (first `layers` layers; tokens must be < `codes`).
    pub fn dequantise_frame(&self, tokens: &[u16], layers: usize, out: &mut [f32]) {
        out.fill(0.0);
        for layer in 0..layers {
            for group in 0..self.groups {
                let book = self.book_index(layer, group);
                let e = self.entry(book, usize::from(tokens[book]).min(self.codes - 1));
                for (o, v) in out[group * self.dim..(group + 1) * self.dim].iter_mut().zip(e) {
                    *o += v;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiny() -> Codebooks {
        // 2 layers × 2 groups × 3 codes × 2 dims.
        let data = vec![
            0.0, 0.0, 1.0, 1.0, -1.0, 0.0, // l1 g1
            0.0, 0.0, 2.0, 0.0, 0.0, 2.0, // l1 g2
            0.0, 0.0, 0.1, 0.0, 0.0, 0.1, // l2 g1
            0.0, 0.0, -0.1, 0.0, 0.0, -0.1, // l2 g2
        ];
        Codebooks::new(2, 2, 3, 2, data).unwrap()
    }

    #[test]
    fn residual_layers_refine_and_dequantise_matches() {
        let books = tiny();
        let latent = [1.1, 1.0, 0.0, 1.9];
        let mut tokens = [0u16; 4];
        let mut q = [0.0f32; 4];
        books.quantise_frame(&latent, 2, &mut tokens, &mut q);
        assert_eq!(tokens, [1, 2, 1, 2]);
        let mut back = [0.0f32; 4];
        books.dequantise_frame(&tokens, 2, &mut back);
        assert_eq!(back, q);
        assert!((q[0] - 1.1).abs() < 1e-6 && (q[3] - 1.9).abs() < 1e-6);
        books.quantise_frame(&latent, 1, &mut tokens, &mut q);
        assert_eq!(&tokens[..2], &[1, 2]);
        assert_eq!(q, [1.0, 1.0, 0.0, 2.0]);
    }

    #[test]
    fn wrong_sizes_and_nan_are_rejected() {
        let books = tiny();
        assert!(Codebooks::new(2, 2, 3, 2, books.data[1..].to_vec()).is_err());
        let mut nan = books.data.clone();
        nan[0] = f32::NAN;
        assert!(Codebooks::new(2, 2, 3, 2, nan).is_err());
    }
}
