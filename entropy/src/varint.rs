//! LEB128 varints used by the compact table serialisation.

use crate::error::{EntropyError, Result};

/// Appends `value` as an unsigned LEB128 varint.
pub(crate) fn write_u64(out: &mut Vec<u8>, mut value: u64) {
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

/// Reads an unsigned LEB128 varint at `*pos`, advancing `*pos`. Rejects overlong encodings and overflow.
pub(crate) fn read_u64(bytes: &[u8], pos: &mut usize, what: &'static str) -> Result<u64> {
    let mut value = 0u64;
    for i in 0..10 {
        let byte = *bytes.get(*pos).ok_or(EntropyError::Malformed {
            what,
            reason: "truncated varint",
        })?;
        *pos += 1;
        let low = u64::from(byte & 0x7f);
        if i == 9 && low > 1 {
            return Err(EntropyError::Malformed {
                what,
                reason: "varint overflows 64 bits",
            });
        }
        value |= low << (7 * i);
        if byte & 0x80 == 0 {
            if byte == 0 && i > 0 {
                return Err(EntropyError::Malformed {
                    what,
                    reason: "non-canonical varint",
                });
            }
            return Ok(value);
        }
    }
    Err(EntropyError::Malformed {
        what,
        reason: "varint longer than 10 bytes",
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_rejections() {
        for v in [0u64, 1, 127, 128, 300, u32::MAX as u64, u64::MAX] {
            let mut out = Vec::new();
            write_u64(&mut out, v);
            let mut pos = 0;
            assert_eq!(read_u64(&out, &mut pos, "t").unwrap(), v);
            assert_eq!(pos, out.len());
        }
        let mut pos = 0;
        assert!(read_u64(&[0x80, 0x00], &mut pos, "t").is_err());
        let mut pos = 0;
        assert!(read_u64(&[0xff; 11], &mut pos, "t").is_err());
        let mut pos = 0;
        assert!(read_u64(&[0x80], &mut pos, "t").is_err());
    }
}
