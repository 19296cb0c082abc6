//! Reader for the IDX format of MNIST and Fashion-MNIST (optionally gzipped): `u8` images and labels.

use crate::DatasetError;
use cinder_core::Image;
use flate2::read::GzDecoder;
use std::io::Read;
use std::path::Path;

/// Largest decompressed IDX file accepted (MNIST train images are 47 MB).
const MAX_IDX_BYTES: u64 = 1 << 30;

fn read_maybe_gz(path: &Path) -> Result<Vec<u8>, DatasetError> {
    let raw = std::fs::read(path).map_err(|e| DatasetError::io(path, e))?;
    if raw.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        GzDecoder::new(&raw[..])
            .take(MAX_IDX_BYTES)
            .read_to_end(&mut out)
            .map_err(|e| DatasetError::io(path, e))?;
        Ok(out)
    } else {
        Ok(raw)
    }
}

/// Parses an IDX buffer of unsigned bytes: returns the dimensions and the data.
pub fn parse_idx_u8<'a>(bytes: &'a [u8], path: &Path) -> Result<(Vec<usize>, &'a [u8]), DatasetError> {
    let bad = |message: String| DatasetError::Idx {
        path: path.into(),
        message,
    };
    if bytes.len() < 4 || bytes[0] != 0 || bytes[1] != 0 {
        return Err(bad("missing IDX magic".into()));
    }
    if bytes[2] != 0x08 {
        return Err(bad(format!(
            "element type {:#04x}, only unsigned bytes (0x08) are supported",
            bytes[2]
        )));
    }
    let ndim = bytes[3] as usize;
    let header = 4 + 4 * ndim;
    if ndim == 0 || bytes.len() < header {
        return Err(bad(format!("header for {ndim} dimensions is truncated")));
    }
    let dims: Vec<usize> = bytes[4..header]
        .chunks_exact(4)
        .map(|d| u32::from_be_bytes([d[0], d[1], d[2], d[3]]) as usize)
        .collect();
    let total = dims
        .iter()
        .try_fold(1usize, |acc, &d| acc.checked_mul(d))
        .ok_or_else(|| bad("size overflows".into()))?;
    let data = &bytes[header..];
    if data.len() != total {
        return Err(bad(format!(
            "dimensions {dims:?} need {total} bytes, file holds {}",
            data.len()
        )));
    }
    Ok((dims, data))
}

/// Reads an IDX image file (`n × rows × cols`, u8) as grey images.
pub fn read_idx_images(path: &Path) -> Result<Vec<Image>, DatasetError> {
    let bytes = read_maybe_gz(path)?;
    let (dims, data) = parse_idx_u8(&bytes, path)?;
    let [n, rows, cols] = dims[..] else {
        return Err(DatasetError::Idx {
            path: path.into(),
            message: format!("expected 3 dimensions, got {dims:?}"),
        });
    };
    if n == 0 || rows == 0 || cols == 0 {
        return Err(DatasetError::Idx {
            path: path.into(),
            message: format!("empty dimensions {dims:?}"),
        });
    }
    data.chunks_exact(rows * cols)
        .map(|px| {
            Image::new(cols as u32, rows as u32, 1, px.to_vec())
                .map_err(|e| DatasetError::Unsupported(e.to_string()))
        })
        .collect()
}

/// Reads an IDX label file (`n`, u8).
pub fn read_idx_labels(path: &Path) -> Result<Vec<u8>, DatasetError> {
    let bytes = read_maybe_gz(path)?;
    let (dims, data) = parse_idx_u8(&bytes, path)?;
    if dims.len() != 1 {
        return Err(DatasetError::Idx {
            path: path.into(),
            message: format!("expected 1 dimension, got {dims:?}"),
        });
    }
    Ok(data.to_vec())
}

/// Writes grey images of one size as an uncompressed IDX image file (for fixtures and tests).
pub fn encode_idx_images(images: &[Image]) -> Result<Vec<u8>, DatasetError> {
    let first = images
        .first()
        .ok_or_else(|| DatasetError::Unsupported("no images".into()))?;
    let mut out = vec![0, 0, 0x08, 3];
    for d in [images.len() as u32, first.height, first.width] {
        out.extend_from_slice(&d.to_be_bytes());
    }
    for img in images {
        if img.channels != 1 || (img.width, img.height) != (first.width, first.height) {
            return Err(DatasetError::Unsupported(
                "IDX image files hold grey images of one size".into(),
            ));
        }
        out.extend_from_slice(&img.data);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idx_round_trip_plain_and_gzipped() {
        let imgs: Vec<Image> = (0..3u8)
            .map(|k| Image::new(4, 2, 1, (0..8).map(|i| i * 10 + k).collect()).unwrap())
            .collect();
        let bytes = encode_idx_images(&imgs).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let plain = dir.path().join("x-idx3-ubyte");
        std::fs::write(&plain, &bytes).unwrap();
        assert_eq!(read_idx_images(&plain).unwrap(), imgs);
        let gz = dir.path().join("x-idx3-ubyte.gz");
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut enc, &bytes).unwrap();
        std::fs::write(&gz, enc.finish().unwrap()).unwrap();
        assert_eq!(read_idx_images(&gz).unwrap(), imgs);
    }

    #[test]
    fn idx_refuses_bad_sizes() {
        let p = Path::new("t");
        assert!(parse_idx_u8(&[0, 0, 8, 1, 0, 0, 0, 5, 1, 2], p).is_err());
        assert!(parse_idx_u8(&[0, 0, 9, 1], p).is_err());
        assert!(parse_idx_u8(&[0, 0, 8, 3, 0], p).is_err());
    }
}
