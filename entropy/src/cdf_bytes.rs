//! Compact serialisation of [`CdfTable`] for weight bundles.
//!
//! Layout (all integers unsigned LEB128 varints except the first byte):
//!
//! | field | encoding |
//! |---|---|
//! | precision `P` | 1 byte, 12..=24 |
//! | symbol count `n` | varint, 1..=2^P |
//! | `freq[a] − 1` for `a` in `0..n−1` | varint each; the last frequency is implied by the total `2^P` |
//!
//! Parsing validates everything, never panics and allocates at most one entry per input byte.

use crate::cdf::CdfTable;
use crate::error::{EntropyError, Result};
use crate::quantize::{check_alphabet, check_precision};
use crate::varint::{read_u64, write_u64};

const WHAT: &str = "CDF table";

fn malformed(reason: &'static str) -> EntropyError {
    EntropyError::Malformed { what: WHAT, reason }
}

impl CdfTable {
    /// Appends the compact serialisation of this table to `out`.
    pub fn write_to(&self, out: &mut Vec<u8>) {
        out.push(self.precision() as u8);
        write_u64(out, self.len() as u64);
        for w in self.cdf().windows(2).take(self.len() - 1) {
            write_u64(out, u64::from(w[1] - w[0] - 1));
        }
    }

    /// The compact serialisation of this table.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(2 + self.len());
        self.write_to(&mut out);
        out
    }

    /// Parses one table from the start of `bytes`, returning it and the number of bytes consumed.
    pub fn read_from(bytes: &[u8]) -> Result<(Self, usize)> {
        let precision = u32::from(*bytes.first().ok_or(malformed("empty input"))?);
        check_precision(precision)?;
        let mut pos = 1;
        let n = read_u64(bytes, &mut pos, WHAT)?;
        check_alphabet(n, precision)?;
        // Each explicit frequency takes at least one byte: refuse before allocating.
        if n - 1 > (bytes.len() - pos) as u64 {
            return Err(malformed("fewer bytes than symbols"));
        }
        let total = 1u64 << precision;
        let mut cdf = Vec::with_capacity(n as usize + 1);
        cdf.push(0u32);
        let mut acc = 0u64;
        for _ in 0..n - 1 {
            let f = read_u64(bytes, &mut pos, WHAT)?;
            // acc + f + 1 must stay below the total so that the implied last frequency is >= 1.
            if f >= total - acc - 1 {
                return Err(malformed("frequencies exceed 2^precision"));
            }
            acc += f + 1;
            cdf.push(acc as u32);
        }
        cdf.push(total as u32);
        Ok((CdfTable::new_unchecked(precision, cdf), pos))
    }

    /// Parses a table that occupies all of `bytes` (trailing bytes are an error).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let (table, used) = Self::read_from(bytes)?;
        if used != bytes.len() {
            return Err(malformed("trailing bytes"));
        }
        Ok(table)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        for t in [
            CdfTable::uniform(12, 1).unwrap(),
            CdfTable::uniform(24, 1000).unwrap(),
            CdfTable::from_pmf(16, &[0.5, 0.25, 1e-9, 0.25]).unwrap(),
        ] {
            let b = t.to_bytes();
            assert_eq!(CdfTable::from_bytes(&b).unwrap(), t);
        }
    }

    #[test]
    fn rejects_bad_bytes() {
        assert!(CdfTable::from_bytes(&[]).is_err());
        assert!(CdfTable::from_bytes(&[11, 2, 0]).is_err());
        assert!(CdfTable::from_bytes(&[12, 0]).is_err());
        assert!(CdfTable::from_bytes(&[12, 3, 0]).is_err());
        // freq[0] - 1 = 4095 leaves nothing for the last symbol.
        assert!(CdfTable::from_bytes(&[12, 2, 0xff, 0x1f]).is_err());
        assert!(CdfTable::from_bytes(&[12, 2, 0xfe, 0x1f]).is_ok());
        assert!(CdfTable::from_bytes(&[12, 2, 0xfe, 0x1f, 0]).is_err());
        // Huge symbol count with few bytes.
        assert!(CdfTable::from_bytes(&[24, 0xff, 0xff, 0xff, 0x07, 0]).is_err());
    }
}
