//! A bounds-checked little-endian cursor over an in-memory blob, for the codecs' weights files (which are not
//! containers but share their byte order). Every read past the end returns `None`, never panics.

/// Reads little-endian values from a byte slice.
#[derive(Debug, Clone)]
pub struct ByteCursor<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> ByteCursor<'a> {
    /// A cursor at the start of `bytes`.
    pub fn new(bytes: &'a [u8]) -> Self {
        ByteCursor { bytes, at: 0 }
    }

    /// Bytes consumed so far.
    pub fn position(&self) -> usize {
        self.at
    }

    /// Bytes left.
    pub fn remaining(&self) -> usize {
        self.bytes.len() - self.at
    }

    /// The next `n` bytes.
    pub fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.at.checked_add(n).filter(|&e| e <= self.bytes.len())?;
        let out = &self.bytes[self.at..end];
        self.at = end;
        Some(out)
    }

    /// A little-endian u32.
    pub fn u32(&mut self) -> Option<u32> {
        let b = self.take(4)?;
        Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    /// A little-endian u64.
    pub fn u64(&mut self) -> Option<u64> {
        let b = self.take(8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Some(u64::from_le_bytes(a))
    }

    /// `n` little-endian f32 values.
    pub fn f32s(&mut self, n: usize) -> Option<Vec<f32>> {
        let b = self.take(n.checked_mul(4)?)?;
        Some(
            b.chunks_exact(4)
                .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect(),
        )
    }

    /// `n` little-endian u32 values.
    pub fn u32s(&mut self, n: usize) -> Option<Vec<u32>> {
        let b = self.take(n.checked_mul(4)?)?;
        Some(
            b.chunks_exact(4)
                .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect(),
        )
    }
}

/// Appends values little-endian (the writing side of [`ByteCursor`]).
pub fn put_f32s(out: &mut Vec<u8>, values: &[f32]) {
    for v in values {
        out.extend_from_slice(&v.to_le_bytes());
    }
}

/// Appends u32 values little-endian.
pub fn put_u32s(out: &mut Vec<u8>, values: &[u32]) {
    for v in values {
        out.extend_from_slice(&v.to_le_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_was_written_and_stops_at_the_end() {
        let mut out = Vec::new();
        put_u32s(&mut out, &[7, 9]);
        put_f32s(&mut out, &[1.5]);
        out.extend_from_slice(&u64::MAX.to_le_bytes());
        let mut c = ByteCursor::new(&out);
        assert_eq!(c.u32s(2), Some(vec![7, 9]));
        assert_eq!(c.f32s(1), Some(vec![1.5]));
        assert_eq!(c.u64(), Some(u64::MAX));
        assert_eq!(c.remaining(), 0);
        assert_eq!(c.u32(), None);
        assert_eq!(c.f32s(usize::MAX), None);
        assert_eq!(c.position(), out.len());
    }
}
