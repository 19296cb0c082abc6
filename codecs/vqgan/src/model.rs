//! A loaded VQGAN model: networks on a burn device plus the quality levels; image ↔ index map.
//!
//! Images are padded to multiples of 16 by repeating the last row and column, mapped to [−1, 1] (grey is
//! replicated to RGB), encoded, and every position's encoder output is mapped to an index of the chosen level
//! ([`Level::index`], plain `f32` on the CPU). Decoding looks the entries up (or takes restored code-space
//! vectors, [`crate::restore`]), applies the level's `post_quant_conv` and runs the decoder. Both networks run
//! on overlapping tiles ([`crate::tiling`]).

use crate::config::{VqganConfig, FACTOR};
use crate::levels::Level;
use crate::net::VqganNet;
use crate::post_filter::PostFilter;
use crate::restore::{restore, Restorer};
use crate::restore_net::{push_window, RestoreNet, RestorerConfig};
use crate::tiling::{crop_planes, Blend, Tiling};
use crate::weights::VqganWeights;
use crate::VqganError;
use burn::module::Module;
use burn::tensor::{Device, Tensor, TensorData};
use cinder_core::Image;
use cinder_format::WeightsDigest;

/// An index map: `height × width` indices, row-major.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexMap {
    /// Index columns (image width / 16, rounded up).
    pub width: usize,
    /// Index rows.
    pub height: usize,
    /// The indices.
    pub data: Vec<u16>,
}

/// Networks + levels on one device.
#[derive(Debug)]
pub struct VqganModel {
    /// Network shape.
    pub config: VqganConfig,
    /// Quality levels by increasing S.
    pub levels: Vec<Level>,
    /// Digest of the weights file.
    pub digest: WeightsDigest,
    net: VqganNet,
    restorer: Option<(RestorerConfig, RestoreNet)>,
    post_filter: Option<PostFilter>,
    device: Device,
    tiling: Tiling,
}

/// Lost positions per transformer batch.
const RESTORE_BATCH: usize = 256;

/// A tensor's values, row-major.
pub(crate) fn values<const D: usize>(t: Tensor<D>) -> Result<Vec<f32>, VqganError> {
    t.into_data()
        .try_into_vec_as::<f32>()
        .map_err(|e| VqganError::Network(format!("{e:?}")))
}

/// Loads burnpack bytes into any module of the same shape ([`cinder_nn::record::from_bytes`]).
pub fn load_module<M: Module>(module: M, burnpack: &[u8]) -> Result<M, VqganError> {
    cinder_nn::record::from_bytes(module, burnpack).map_err(VqganError::BadWeights)
}

/// The burnpack bytes of any module ([`cinder_nn::record::to_bytes`]).
pub fn module_bytes<M: Module>(module: M) -> Result<Vec<u8>, VqganError> {
    cinder_nn::record::to_bytes(module).map_err(VqganError::Network)
}

/// PSNR in dB between two images of the same size (8-bit peak, all channels; 100 dB when equal).
pub fn psnr(a: &Image, b: &Image) -> f64 {
    let mse: f64 = a
        .data
        .iter()
        .zip(&b.data)
        .map(|(&x, &y)| (f64::from(x) - f64::from(y)).powi(2))
        .sum::<f64>()
        / a.data.len().max(1) as f64;
    if mse == 0.0 {
        return 100.0;
    }
    10.0 * (255.0f64 * 255.0 / mse).log10()
}

/// `[1, 3, H', W']` values in [−1, 1] of an RGB or grey image padded to multiples of 16 (edge repeat).
pub fn image_planes(image: &Image) -> Result<(Vec<f32>, usize, usize), VqganError> {
    let ch = usize::from(image.channels);
    if !matches!(ch, 1 | 3) {
        return Err(VqganError::Unsupported(format!(
            "{ch} channels: the VQGAN codec takes RGB (3) or grey (1) images"
        )));
    }
    let (w, h) = (image.width as usize, image.height as usize);
    if w == 0 || h == 0 || image.data.len() != w * h * ch {
        return Err(VqganError::Unsupported(format!(
            "image of {w}×{h}×{ch} with {} bytes",
            image.data.len()
        )));
    }
    let (pw, ph) = (w.div_ceil(FACTOR) * FACTOR, h.div_ceil(FACTOR) * FACTOR);
    let mut out = vec![0.0f32; 3 * ph * pw];
    for y in 0..ph {
        for x in 0..pw {
            let at = (y.min(h - 1) * w + x.min(w - 1)) * ch;
            for c in 0..3 {
                let v = image.data[at + if ch == 3 { c } else { 0 }];
                out[(c * ph + y) * pw + x] = f32::from(v) / 127.5 - 1.0;
            }
        }
    }
    Ok((out, ph, pw))
}

/// The image of `[3, H', W']` planes in [−1, 1], cropped to `width × height`, with `channels` channels.
pub fn planes_image(planes: &[f32], ph: usize, pw: usize, width: u32, height: u32, channels: u8) -> Image {
    let (w, h) = (width as usize, height as usize);
    let q = |v: f32| ((v + 1.0) * 127.5).round().clamp(0.0, 255.0) as u8;
    let mut data = Vec::with_capacity(w * h * usize::from(channels));
    for y in 0..h {
        for x in 0..w {
            let px = |c: usize| planes[(c * ph + y) * pw + x];
            if channels == 1 {
                data.push(q((px(0) + px(1) + px(2)) / 3.0));
            } else {
                data.extend((0..3).map(|c| q(px(c))));
            }
        }
    }
    Image {
        width,
        height,
        channels,
        data,
    }
}

impl VqganModel {
    /// Loads a `CWVQ` weights file onto `device`.
    pub fn load(bytes: &[u8], device: cinder_core::Device) -> Result<VqganModel, VqganError> {
        let w = VqganWeights::from_bytes(bytes)?;
        let device = cinder_nn::inference_device(device).map_err(|e| VqganError::Network(e.to_string()))?;
        let net = load_module(VqganNet::new(&w.config, &device), &w.burnpack)?;
        let restorer = match &w.restorer {
            Some((rc, record)) => Some((*rc, load_module(RestoreNet::new(rc, &device), record)?)),
            None => None,
        };
        let post_filter = match &w.post_filter {
            Some((pc, record)) => Some(load_module(PostFilter::new(pc, &device), record)?),
            None => None,
        };
        Ok(VqganModel {
            config: w.config,
            levels: w.levels,
            digest: w.digest,
            net,
            restorer,
            post_filter,
            device,
            tiling: Tiling::default(),
        })
    }

    /// Wraps parts (training validation).
    pub fn from_parts(config: VqganConfig, levels: Vec<Level>, net: VqganNet, device: &Device) -> Self {
        VqganModel {
            config,
            levels,
            digest: WeightsDigest::default(),
            net,
            restorer: None,
            post_filter: None,
            device: device.clone(),
            tiling: Tiling::default(),
        }
    }

    /// The same model with other tiles ([`Tiling::whole`] runs the networks on whole images). Decoding a file
    /// with another tiling than the codec's default gives a slightly different image.
    pub fn with_tiling(mut self, tiling: Tiling) -> Self {
        self.tiling = tiling;
        self
    }

    /// Whether the model carries a restoration transformer.
    pub fn has_restorer(&self) -> bool {
        self.restorer.is_some()
    }

    /// Whether the weights carry the pixel-domain post filter ([`Restorer::Filter`]).
    pub fn has_post_filter(&self) -> bool {
        self.post_filter.is_some()
    }

    /// Decodes `map` with the positions where `known` is false restored: [`VqganModel::restore`], the decoder,
    /// and for [`Restorer::Filter`] the post filter. `[3, 16h, 16w]` planes in about [−1, 1].
    pub fn decode_restored(
        &self,
        level: &Level,
        map: &IndexMap,
        known: &[bool],
        how: Restorer,
    ) -> Result<Vec<f32>, VqganError> {
        let codes = self.restore(level, map, known, how)?;
        let mut planes = self.decode_codes(level, map.height, map.width, &codes)?;
        if let (Restorer::Filter, Some(filter)) = (how, &self.post_filter) {
            let lost: Vec<bool> = (0..map.data.len())
                .map(|p| !known.get(p).copied().unwrap_or(false))
                .collect();
            if lost.iter().any(|&l| l) && !lost.iter().all(|&l| l) {
                filter.apply(&mut planes, &lost, map.height, map.width, &self.device)?;
            }
        }
        Ok(planes)
    }

    /// Code-space vectors (`h × w × code_dim`) of `map` with the positions where `known` is false restored
    /// ([`Restorer`]; the transformer only when the model has one).
    pub fn restore(
        &self,
        level: &Level,
        map: &IndexMap,
        known: &[bool],
        how: Restorer,
    ) -> Result<Vec<f32>, VqganError> {
        let mut codes = restore(level, map, known, how);
        let (Restorer::Transformer { snap }, Some((rc, net))) = (how, &self.restorer) else {
            return Ok(codes);
        };
        let d = level.codebook.dim;
        let known_at = |p: usize| known.get(p).copied().unwrap_or(false);
        let lost: Vec<usize> = (0..map.data.len()).filter(|&p| !known_at(p)).collect();
        if lost.len() == map.data.len() {
            return Ok(codes);
        }
        let cells = rc.window * rc.window;
        let filled = codes.clone();
        for group in lost.chunks(RESTORE_BATCH) {
            let mut input = Vec::with_capacity(group.len() * cells * d);
            let mut flags = Vec::with_capacity(group.len() * cells);
            let centre: Vec<usize> = group
                .iter()
                .map(|&p| {
                    let shape = (map.height, map.width, d);
                    push_window(&filled, known, shape, p, rc.window, &mut input, &mut flags)
                })
                .collect();
            let t = |v: Vec<f32>, last: usize| {
                Tensor::<3>::from_data(TensorData::new(v, [group.len(), cells, last]), &self.device)
            };
            let out = values(net.forward(t(input, d), t(flags, 1)))?;
            for ((n, &p), &k) in group.iter().enumerate().zip(&centre) {
                let correction = &out[(n * cells + k) * d..(n * cells + k + 1) * d];
                let v: Vec<f32> = filled[p * d..(p + 1) * d]
                    .iter()
                    .zip(correction)
                    .map(|(a, b)| a + b)
                    .collect();
                let v = if snap {
                    level.entry(level.codebook.nearest(0, &v).0 as u16).to_vec()
                } else {
                    v
                };
                codes[p * d..(p + 1) * d].copy_from_slice(&v);
            }
        }
        Ok(codes)
    }

    /// The level with S codes.
    pub fn level(&self, codes: usize) -> Result<&Level, VqganError> {
        self.levels
            .iter()
            .find(|l| l.codes() == codes)
            .ok_or_else(|| VqganError::Unsupported(format!("the model has no level with {codes} codes")))
    }

    /// Encoder output of padded planes: `(h, w, values)` with `z_channels` values per position, position-major.
    pub fn latents(
        &self,
        planes: Vec<f32>,
        ph: usize,
        pw: usize,
    ) -> Result<(usize, usize, Vec<f32>), VqganError> {
        let (h, w, zc) = (ph / FACTOR, pw / FACTOR, self.config.z_channels);
        let mut blend = Blend::new(zc, h, w, 1);
        for t in self.tiling.tiles(h, w) {
            let px = |(a, b): (usize, usize)| (a * FACTOR, b * FACTOR);
            let (eh, ew) = (t.ext_rows.1 - t.ext_rows.0, t.ext_cols.1 - t.ext_cols.0);
            let part = crop_planes(&planes, 3, ph, pw, px(t.ext_rows), px(t.ext_cols));
            let x = Tensor::<4>::from_data(
                TensorData::new(part, [1, 3, eh * FACTOR, ew * FACTOR]),
                &self.device,
            );
            blend.add(&t, &values(self.net.encoder.forward(x))?);
        }
        let z = blend.finish();
        let mut out = vec![0.0f32; h * w * zc];
        for c in 0..zc {
            for p in 0..h * w {
                out[p * zc + c] = z[c * h * w + p];
            }
        }
        Ok((h, w, out))
    }

    /// The index map of an image at the level with S codes.
    pub fn indices(&self, image: &Image, codes: usize) -> Result<IndexMap, VqganError> {
        let level = self.level(codes)?;
        let (planes, ph, pw) = image_planes(image)?;
        let (h, w, z) = self.latents(planes, ph, pw)?;
        let data = z.chunks(self.config.z_channels).map(|v| level.index(v)).collect();
        Ok(IndexMap {
            width: w,
            height: h,
            data,
        })
    }

    /// Decodes code-space vectors (`h × w × code_dim`, position-major) through a level's `post_quant_conv` and the
    /// decoder: `[3, 16h, 16w]` planes in about [−1, 1].
    pub fn decode_codes(
        &self,
        level: &Level,
        h: usize,
        w: usize,
        codes: &[f32],
    ) -> Result<Vec<f32>, VqganError> {
        let (d, zc) = (self.config.code_dim, self.config.z_channels);
        let mut z = vec![0.0f32; zc * h * w];
        for (p, v) in codes.chunks(d).enumerate().take(h * w) {
            for (c, x) in level.post(v).into_iter().enumerate() {
                z[c * h * w + p] = x;
            }
        }
        let mut out = Blend::new(3, h, w, FACTOR);
        for t in self.tiling.tiles(h, w) {
            let (eh, ew) = (t.ext_rows.1 - t.ext_rows.0, t.ext_cols.1 - t.ext_cols.0);
            let part = crop_planes(&z, zc, h, w, t.ext_rows, t.ext_cols);
            let x = Tensor::<4>::from_data(TensorData::new(part, [1, zc, eh, ew]), &self.device);
            out.add(&t, &values(self.net.decoder.forward(x))?);
        }
        Ok(out.finish())
    }

    /// Decodes an index map of the level with S codes into padded planes.
    pub fn decode_indices(&self, map: &IndexMap, codes: usize) -> Result<Vec<f32>, VqganError> {
        let level = self.level(codes)?;
        let vectors: Vec<f32> = map.data.iter().flat_map(|&i| level.entry(i).to_vec()).collect();
        self.decode_codes(level, map.height, map.width, &vectors)
    }

    /// Encodes and decodes an image at the level with S codes (no entropy coding): the reconstruction.
    pub fn reconstruct(&self, image: &Image, codes: usize) -> Result<Image, VqganError> {
        let map = self.indices(image, codes)?;
        let planes = self.decode_indices(&map, codes)?;
        Ok(planes_image(
            &planes,
            map.height * FACTOR,
            map.width * FACTOR,
            image.width,
            image.height,
            image.channels,
        ))
    }

    /// The networks.
    pub fn net(&self) -> &VqganNet {
        &self.net
    }
}
