//! Training data: gzipped IDX image files (MNIST, Fashion-MNIST) read into one flat pixel matrix.
//!
//! A private reader so the codec crate does not depend on `cinder-datasets` (DESIGN §1 dependency rules).

use crate::PcError;
use flate2::read::GzDecoder;
use std::io::Read;
use std::path::Path;

/// Images of one size as a flat row-major matrix: image `n` is `pixels[n * dim .. (n + 1) * dim]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pixels {
    /// Image width.
    pub width: u32,
    /// Image height.
    pub height: u32,
    /// Number of images.
    pub count: usize,
    /// All pixels, image after image.
    pub pixels: Vec<u8>,
}

impl Pixels {
    /// Pixels per image.
    pub fn dim(&self) -> usize {
        self.width as usize * self.height as usize
    }

    /// Image `n`.
    pub fn image(&self, n: usize) -> &[u8] {
        let d = self.dim();
        &self.pixels[n * d..(n + 1) * d]
    }

    /// Images `range` as a new matrix.
    pub fn slice(&self, from: usize, to: usize) -> Pixels {
        let d = self.dim();
        Pixels {
            width: self.width,
            height: self.height,
            count: to - from,
            pixels: self.pixels[from * d..to * d].to_vec(),
        }
    }
}

/// One-pixel moves used by [`Pixels::with_shifts`]: the four axis moves, then the four diagonals.
pub const SHIFTS: [(i32, i32); 8] = [
    (1, 0),
    (-1, 0),
    (0, 1),
    (0, -1),
    (1, 1),
    (1, -1),
    (-1, 1),
    (-1, -1),
];

impl Pixels {
    /// The images followed by copies moved by the first `moves` entries of [`SHIFTS`] (uncovered pixels
    /// become 0, the background of MNIST and Fashion-MNIST), then, with `hflip`, mirror images of all of
    /// those. Integer moves keep every grey value as it was, so the copies share the data's pixel statistics.
    pub fn with_shifts(&self, moves: usize, hflip: bool) -> Pixels {
        let (w, h, d) = (self.width as i32, self.height as i32, self.dim());
        if d == 0 {
            return self.clone();
        }
        let mut out = self.pixels.clone();
        for &(dx, dy) in &SHIFTS[..moves.min(SHIFTS.len())] {
            for n in 0..self.count {
                let src = self.image(n);
                out.extend((0..h).flat_map(|y| {
                    (0..w).map(move |x| {
                        let (sx, sy) = (x - dx, y - dy);
                        if (0..w).contains(&sx) && (0..h).contains(&sy) {
                            src[(sy * w + sx) as usize]
                        } else {
                            0
                        }
                    })
                }));
            }
        }
        if hflip {
            let w = w as usize;
            for start in (0..out.len()).step_by(w) {
                out.extend_from_within(start..start + w);
                let end = out.len();
                out[end - w..].reverse();
            }
        }
        Pixels {
            width: self.width,
            height: self.height,
            count: out.len() / d,
            pixels: out,
        }
    }
}

/// Reads an IDX3 (u8 images) file, gzipped (`.gz`) or plain.
pub fn read_idx_images(path: &Path) -> Result<Pixels, PcError> {
    let raw = std::fs::read(path).map_err(|e| PcError::io(path, e))?;
    let bytes = if raw.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        GzDecoder::new(&raw[..])
            .read_to_end(&mut out)
            .map_err(|e| PcError::io(path, e))?;
        out
    } else {
        raw
    };
    parse_idx_images(&bytes).map_err(|reason| PcError::BadIdx {
        path: path.display().to_string(),
        reason,
    })
}

fn parse_idx_images(bytes: &[u8]) -> Result<Pixels, String> {
    let word = |i: usize| -> Result<u32, String> {
        bytes
            .get(4 * i..4 * i + 4)
            .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
            .ok_or_else(|| "file too short for its header".to_string())
    };
    let magic = word(0)?;
    if magic != 0x0000_0803 {
        return Err(format!("magic {magic:#010x}, expected 0x00000803 (u8, 3 dims)"));
    }
    let (count, height, width) = (word(1)? as usize, word(2)?, word(3)?);
    let need = count
        .checked_mul(width as usize * height as usize)
        .ok_or("size overflows")?;
    let body = &bytes[16..];
    if body.len() < need {
        return Err(format!(
            "{count} images of {width}x{height} need {need} bytes, got {}",
            body.len()
        ));
    }
    Ok(Pixels {
        width,
        height,
        count,
        pixels: body[..need].to_vec(),
    })
}

/// The data root: `CINDER_DATA` if set, else `../shared/data/mnist` (relative to the workspace root).
pub fn default_data_root() -> std::path::PathBuf {
    match std::env::var_os("CINDER_DATA") {
        Some(p) => p.into(),
        None => std::path::PathBuf::from("../shared/data/mnist"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_small_idx() {
        let mut b = vec![0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 2];
        b.extend([1, 2, 3, 4]);
        let p = parse_idx_images(&b).unwrap();
        assert_eq!((p.count, p.width, p.height), (2, 2, 1));
        assert_eq!(p.image(1), &[3, 4]);
        assert!(parse_idx_images(&b[..18]).is_err());
        assert!(parse_idx_images(&b[..3]).is_err());
    }

    #[test]
    fn shifted_and_mirrored_copies() {
        let p = Pixels {
            width: 3,
            height: 2,
            count: 1,
            pixels: vec![1, 2, 3, 4, 5, 6],
        };
        let a = p.with_shifts(2, true);
        assert_eq!(a.count, 6);
        assert_eq!(a.image(0), p.image(0));
        assert_eq!(a.image(1), &[0, 1, 2, 0, 4, 5]);
        assert_eq!(a.image(2), &[2, 3, 0, 5, 6, 0]);
        assert_eq!(a.image(3), &[3, 2, 1, 6, 5, 4]);
        assert_eq!(a.image(4), &[2, 1, 0, 5, 4, 0]);
        assert_eq!(p.with_shifts(0, false), p);
    }
}
