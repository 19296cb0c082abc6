//! Tiled inference: the encoder and the decoder run on overlapping tiles of the index grid instead of the
//! whole image, and each tile keeps only its core.
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
//! Training on 256² crops removed most of the gap; 16:2 tiles (extended tiles of up to 20 positions = 320 pixels)
//! stay as good as whole images, or better on large photos. The second reason is memory: one tile at a time
//! bounds the activations whatever the image size. The margin of context around each core hides the seams.
//! Tiling is part of the decoder's definition: every decoder of a file uses the same [`Tiling`], so decoding
//! stays deterministic.

/// Core size and context margin of the tiles, in index positions (16 pixels each).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tiling {
    /// Largest core side of a tile (cores split the grid evenly, none larger than this).
    pub core: usize,
    /// Positions of context on each side of a core (clamped at the image border).
    pub margin: usize,
}

impl Default for Tiling {
    /// 16-position cores (256 pixels) with 2 positions (32 pixels) of context.
    fn default() -> Self {
        Tiling { core: 16, margin: 2 }
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

/// Writes the region `rows` × `cols` (relative to `src`'s own `[planes, sh, sw]` layout, starting at `(sy, sx)`)
/// into `dst` of layout `[planes, h, w]` at `(rows.0, cols.0)`.
#[allow(clippy::too_many_arguments)]
pub fn paste_planes(
    dst: &mut [f32],
    (h, w): (usize, usize),
    src: &[f32],
    (sh, sw): (usize, usize),
    (sy, sx): (usize, usize),
    rows: (usize, usize),
    cols: (usize, usize),
    planes: usize,
) {
    let cw = cols.1 - cols.0;
    for p in 0..planes {
        for (i, y) in (rows.0..rows.1).enumerate() {
            let d = (p * h + y) * w + cols.0;
            let s = (p * sh + sy + i) * sw + sx;
            dst[d..d + cw].copy_from_slice(&src[s..s + cw]);
        }
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
    fn crop_then_paste_is_identity() {
        let (h, w) = (6, 7);
        let src: Vec<f32> = (0..2 * h * w).map(|i| i as f32).collect();
        let part = crop_planes(&src, 2, h, w, (1, 5), (2, 7));
        let mut dst = vec![0.0; src.len()];
        paste_planes(&mut dst, (h, w), &part, (4, 5), (1, 0), (2, 5), (2, 7), 2);
        for p in 0..2 {
            for y in 2..5 {
                for x in 2..7 {
                    assert_eq!(dst[(p * h + y) * w + x], src[(p * h + y) * w + x]);
                }
            }
        }
    }
}
