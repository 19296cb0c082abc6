//! Unsigned LEB128 varints (little-endian base 128), as used for every length and size field.

use crate::FormatError;

/// Appends `value` as an unsigned LEB128 varint.
pub fn write_u64(out: &mut Vec<u8>, mut value: u64) {
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

/// Reads an unsigned LEB128 varint from the front of `input`, returning it and the bytes consumed.
///
/// Refuses encodings longer than 10 bytes, values above `u64::MAX` and non-minimal encodings
/// (a trailing zero byte), so that every value has exactly one encoding.
pub fn read_u64(input: &[u8], what: &'static str) -> Result<(u64, usize), FormatError> {
    let mut value: u64 = 0;
    for (i, &byte) in input.iter().enumerate().take(10) {
        let bits = u64::from(byte & 0x7f);
        if i == 9 && byte > 1 {
            return Err(FormatError::BadVarint { what });
        }
        value |= bits << (7 * i);
        if byte & 0x80 == 0 {
            if byte == 0 && i > 0 {
                return Err(FormatError::BadVarint { what });
            }
            return Ok((value, i + 1));
        }
    }
    if input.len() < 10 {
        Err(FormatError::Truncated { what, needed: 1 })
    } else {
        Err(FormatError::BadVarint { what })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_edge_values() {
        for v in [
            0u64,
            1,
            127,
            128,
            300,
            16383,
            16384,
            u32::MAX as u64,
            u64::MAX - 1,
            u64::MAX,
        ] {
            let mut buf = Vec::new();
            write_u64(&mut buf, v);
            assert_eq!(read_u64(&buf, "t").unwrap(), (v, buf.len()));
        }
    }

    #[test]
    fn refuses_overlong_and_non_minimal() {
        assert!(read_u64(&[0x80, 0x00], "t").is_err());
        assert!(read_u64(&[0xff; 11], "t").is_err());
        assert!(matches!(
            read_u64(&[0x80], "t"),
            Err(FormatError::Truncated { .. })
        ));
        assert!(read_u64(&[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02], "t").is_err());
    }
}
