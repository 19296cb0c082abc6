//! Tiled inference: the encoder and the decoder run on overlapping tiles of the index grid instead of the
//! whole image; the tiles' outputs (encoder latents before quantisation, decoder pixels) are cross-faded over
//! their overlaps ([`Blend`]), so no seam shows.
//!
//! Two reasons. GroupNorm takes its statistics over the whole input; the networks were trained on small crops
//! (128×128, then 256×256 at the end), so on a large photo the statistics of the whole image are not those seen
//! in training. Measured with `examples/tiles.rs` (full codebook, mean PSNR in dB on training photos; the tiling
//! was never chosen on Kodak; C:M = cores of C positions with M positions of margin):
//!
//! | model | photos | whole image | 12:2 | 16:2 | 24:2 |
//! |---|---|---|---|---|---|
//! | step 3750 (128² crops only) | 8 Wikipedia / 10 BSDS500 | 20.11 / 24.27 | 20.47 / 24.51 | 20.42 / 24.52 | 20.33 / – |
//! | step 7400 (last 200 steps on 256² crops) | the 11 held-out photos | 20.86 | 20.94 | 20.98 | 20.98 |
//! | step 7400 | 8 Wikipedia / 10 BSDS500 | 20.54 / 24.73 | 20.56 / 24.67 | 20.58 / 24.68 | – |
//!
//! Those tiles kept only their cores, and a 2-position margin left visible seams (a brightness step along tile
//! edges in the Kodak grid). Cross-fading the overlaps instead, shipped step-7400 model, 11 held-out photos:
//! 12:2 20.97, 16:2 21.01, **16:4 21.09**, 12:4 21.08, 24:4 21.03, 16:6 20.95 dB; 8 Wikipedia photos: 16:4 20.59,
//! 16:2 20.59, whole 20.54 dB. Training on 256² crops removed most of the GroupNorm gap; 16:4 blended tiles
//! (extended tiles of up to 24 positions = 384 pixels, 2.25× the work of whole-image inference) are as good as
//! whole images or better on large photos. The second reason is memory: one tile at a time bounds the
//! activations whatever the image size. Tiling is part of the decoder's definition: every decoder of a file uses
//! the same [`Tiling`], so decoding stays deterministic.

/// Core size and context margin of the tiles, in index positions (16 pixels each).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tiling {
    /// Largest core side of a tile (cores split the grid evenly, none larger than this).
    pub core: usize,
    /// Positions of context on each side of a core (clamped at the image border).
    pub margin: usize,
}

impl Default for Tiling {
    /// 16-position cores (256 pixels) with 4 positions (64 pixels) of context, cross-faded.
    fn default() -> Self {
        Tiling { core: 16, margin: 4 }
    }
}

/// One tile: its core and the extended region it is computed on, as half-open ranges of index positions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tile {
    /// Core rows.
    pub rows: (usize, usize),
    /// Core columns.
    pub cols: (usize, usize),
    /// Rows computed (core plus margin, within the grid).
    pub ext_rows: (usize, usize),
    /// Columns computed.
    pub ext_cols: (usize, usize),
}

/// Even split of `0..n` into parts no longer than `core`.
fn spans(n: usize, core: usize) -> Vec<(usize, usize)> {
    let parts = n.div_ceil(core.max(1)).max(1);
    (0..parts).map(|i| (i * n / parts, (i + 1) * n / parts)).collect()
}

impl Tiling {
    /// No tiling: one tile covering the grid.
    pub fn whole() -> Tiling {
        Tiling {
            core: usize::MAX,
            margin: 0,
        }
    }

    /// The tiles of an `h × w` index grid, row-major.
    pub fn tiles(&self, h: usize, w: usize) -> Vec<Tile> {
        let ext =
            |(a, b): (usize, usize), n: usize| (a.saturating_sub(self.margin), (b + self.margin).min(n));
        let (rows, cols) = (spans(h, self.core), spans(w, self.core));
        rows.iter()
            .flat_map(|&r| {
                cols.iter().map(move |&c| Tile {
                    rows: r,
                    cols: c,
                    ext_rows: ext(r, h),
                    ext_cols: ext(c, w),
                })
            })
            .collect()
    }
}

/// Copies rows `rows` × columns `cols` of every plane of `[planes, h, w]` data.
pub fn crop_planes(
    src: &[f32],
    planes: usize,
    h: usize,
    w: usize,
    rows: (usize, usize),
    cols: (usize, usize),
) -> Vec<f32> {
    let (ch, cw) = (rows.1 - rows.0, cols.1 - cols.0);
    let mut out = Vec::with_capacity(planes * ch * cw);
    for p in 0..planes {
        for y in rows.0..rows.1 {
            let at = (p * h + y) * w;
            out.extend_from_slice(&src[at + cols.0..at + cols.1]);
        }
    }
    out
}

/// Weights of one tile along one axis, for its extended span at `scale` samples a position: 1 inside the core,
/// falling linearly to 0 across the `2·margin` positions centred on each core edge that has a neighbouring tile.
/// Neighbouring tiles' ramps mirror each other, so in every overlap the weights add up to 1 (a cross-fade).
pub fn ramp(core: (usize, usize), ext: (usize, usize), scale: usize) -> Vec<f32> {
    let (left, right) = (core.0 - ext.0, ext.1 - core.1);
    (ext.0 * scale..ext.1 * scale)
        .map(|u| {
            let u = u as f32 + 0.5;
            let mut w = 1.0f32;
            if left > 0 {
                let start = (ext.0 * scale) as f32;
                w = w.min((u - start) / (2 * left * scale) as f32);
            }
            if right > 0 {
                let end = (ext.1 * scale) as f32;
                w = w.min((end - u) / (2 * right * scale) as f32);
            }
            w
        })
        .collect()
}

/// Accumulates the tiles' outputs, cross-faded over their overlaps ([`ramp`]), into one `[planes, h, w]` array.
#[derive(Debug)]
pub struct Blend {
    planes: usize,
    h: usize,
    w: usize,
    scale: usize,
    sum: Vec<f32>,
    weight: Vec<f32>,
}

impl Blend {
    /// An empty `[planes, h·scale, w·scale]` accumulator for a grid of `h × w` positions.
    pub fn new(planes: usize, h: usize, w: usize, scale: usize) -> Blend {
        let (ph, pw) = (h * scale, w * scale);
        Blend {
            planes,
            h: ph,
            w: pw,
            scale,
            sum: vec![0.0; planes * ph * pw],
            weight: vec![0.0; ph * pw],
        }
    }

    /// Adds a tile's output: `[planes, ext rows·scale, ext cols·scale]` values.
    pub fn add(&mut self, tile: &Tile, values: &[f32]) {
        let s = self.scale;
        let (wy, wx) = (
            ramp(tile.rows, tile.ext_rows, s),
            ramp(tile.cols, tile.ext_cols, s),
        );
        let (th, tw) = (wy.len(), wx.len());
        let (y0, x0) = (tile.ext_rows.0 * s, tile.ext_cols.0 * s);
        for (i, &a) in wy.iter().enumerate() {
            for (j, &b) in wx.iter().enumerate() {
                self.weight[(y0 + i) * self.w + x0 + j] += a * b;
            }
        }
        for p in 0..self.planes {
            for (i, &a) in wy.iter().enumerate() {
                let d = (p * self.h + y0 + i) * self.w + x0;
                let src = &values[(p * th + i) * tw..(p * th + i + 1) * tw];
                for (j, (&b, &v)) in wx.iter().zip(src).enumerate() {
                    self.sum[d + j] += a * b * v;
                }
            }
        }
    }

    /// The blended array.
    pub fn finish(mut self) -> Vec<f32> {
        let n = self.h * self.w;
        for p in 0..self.planes {
            for (v, &w) in self.sum[p * n..(p + 1) * n].iter_mut().zip(&self.weight) {
                *v /= w.max(f32::MIN_POSITIVE);
            }
        }
        self.sum
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiles_cover_the_grid_once_with_clamped_margins() {
        let t = Tiling { core: 16, margin: 2 };
        for (h, w) in [(1, 1), (32, 48), (33, 17), (5, 70)] {
            let mut hits = vec![0u8; h * w];
            for tile in t.tiles(h, w) {
                assert!(tile.rows.1 - tile.rows.0 <= 16 && tile.cols.1 - tile.cols.0 <= 16);
                assert!(
                    tile.ext_rows.0 <= tile.rows.0 && tile.ext_rows.1 >= tile.rows.1 && tile.ext_rows.1 <= h
                );
                assert!(
                    tile.ext_cols.0 <= tile.cols.0 && tile.ext_cols.1 >= tile.cols.1 && tile.ext_cols.1 <= w
                );
                assert!(tile.rows.0 - tile.ext_rows.0 <= 2 && tile.ext_cols.1 - tile.cols.1 <= 2);
                for y in tile.rows.0..tile.rows.1 {
                    for x in tile.cols.0..tile.cols.1 {
                        hits[y * w + x] += 1;
                    }
                }
            }
            assert!(hits.iter().all(|&n| n == 1), "{h}×{w}");
        }
        assert_eq!(Tiling::whole().tiles(40, 60).len(), 1);
        // 33 rows split evenly, not 16 + 16 + 1.
        assert_eq!(spans(33, 16), vec![(0, 11), (11, 22), (22, 33)]);
    }

    #[test]
    fn ramps_cross_fade_to_one_and_blending_is_exact_on_equal_tiles() {
        let t = Tiling { core: 4, margin: 2 };
        let (h, w, scale) = (5, 11, 3);
        let tiles = t.tiles(h, w);
        // The weights of all tiles add up to 1 at every sample.
        let mut total = vec![0.0f32; h * scale * w * scale];
        for tile in &tiles {
            let (wy, wx) = (
                ramp(tile.rows, tile.ext_rows, scale),
                ramp(tile.cols, tile.ext_cols, scale),
            );
            for (i, a) in wy.iter().enumerate() {
                for (j, b) in wx.iter().enumerate() {
                    total[(tile.ext_rows.0 * scale + i) * w * scale + tile.ext_cols.0 * scale + j] += a * b;
                }
            }
        }
        assert!(total.iter().all(|&x| (x - 1.0).abs() < 1e-5), "{total:?}");
        // Tiles that agree on their overlaps blend back to the same values.
        let image: Vec<f32> = (0..2 * h * scale * w * scale).map(|i| (i % 97) as f32).collect();
        let mut blend = Blend::new(2, h, w, scale);
        for tile in &tiles {
            let rows = (tile.ext_rows.0 * scale, tile.ext_rows.1 * scale);
            let cols = (tile.ext_cols.0 * scale, tile.ext_cols.1 * scale);
            blend.add(tile, &crop_planes(&image, 2, h * scale, w * scale, rows, cols));
        }
        let out = blend.finish();
        assert!(out.iter().zip(&image).all(|(a, b)| (a - b).abs() < 1e-3));
    }
}
