//! A coded stream: `u32` words, serialised little-endian after a `u32` little-endian word count.
//!
//! | field | bytes |
//! |---|---|
//! | word count `w` | 4, little-endian |
//! | words | `4·w`, each little-endian |
//!
//! Parsing checks the count against the caller's [`Limits`] and the available bytes before allocating.

use crate::error::{EntropyError, Result};

/// Caller limits for decoding untrusted input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest stream accepted, in 32-bit words.
    pub max_words: usize,
    /// Largest number of symbols a single `decode_vec` call may allocate.
    pub max_symbols: usize,
}

impl Default for Limits {
    /// 256 MiB of stream, 2^28 symbols.
    fn default() -> Self {
        Self {
            max_words: 1 << 26,
            max_symbols: 1 << 28,
        }
    }
}

impl Limits {
    pub(crate) fn check_symbols(&self, count: usize) -> Result<()> {
        if count > self.max_symbols {
            return Err(EntropyError::LimitExceeded {
                what: "symbol count",
                requested: count as u64,
                limit: self.max_symbols as u64,
            });
        }
        Ok(())
    }
}

/// The compressed output of an encoder.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Stream {
    words: Vec<u32>,
}

impl Stream {
    /// Wraps raw words.
    pub fn from_words(words: Vec<u32>) -> Self {
        Self { words }
    }

    /// The compressed words.
    pub fn words(&self) -> &[u32] {
        &self.words
    }

    /// Unwraps the words.
    pub fn into_words(self) -> Vec<u32> {
        self.words
    }

    /// Size in bits of the words (without the length prefix).
    pub fn num_bits(&self) -> usize {
        self.words.len() * 32
    }

    /// Size in bytes of [`Stream::to_bytes`] (length prefix included).
    pub fn serialized_len(&self) -> usize {
        4 + 4 * self.words.len()
    }

    /// Appends the serialisation (count, then words, all little-endian) to `out`.
    pub fn write_to(&self, out: &mut Vec<u8>) {
        out.reserve(self.serialized_len());
        out.extend_from_slice(&(self.words.len() as u32).to_le_bytes());
        for w in &self.words {
            out.extend_from_slice(&w.to_le_bytes());
        }
    }

    /// The serialisation: `u32` LE word count, then the words LE.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.write_to(&mut out);
        out
    }

    /// Parses a stream from the start of `bytes`, returning it and the number of bytes consumed.
    pub fn read_from(bytes: &[u8], limits: &Limits) -> Result<(Self, usize)> {
        let malformed = |reason| EntropyError::Malformed {
            what: "stream",
            reason,
        };
        let head: [u8; 4] = bytes
            .get(..4)
            .and_then(|h| h.try_into().ok())
            .ok_or(malformed("shorter than its 4-byte length"))?;
        let count = u32::from_le_bytes(head) as usize;
        if count > limits.max_words {
            return Err(EntropyError::LimitExceeded {
                what: "stream words",
                requested: count as u64,
                limit: limits.max_words as u64,
            });
        }
        let body = bytes
            .get(4..4 + 4 * count)
            .ok_or(malformed("truncated: fewer bytes than its word count"))?;
        let words = body
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        Ok((Self { words }, 4 + 4 * count))
    }

    /// Parses a stream that occupies all of `bytes`.
    pub fn from_bytes(bytes: &[u8], limits: &Limits) -> Result<Self> {
        let (s, used) = Self::read_from(bytes, limits)?;
        if used != bytes.len() {
            return Err(EntropyError::Malformed {
                what: "stream",
                reason: "trailing bytes",
            });
        }
        Ok(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_limits() {
        let s = Stream::from_words(vec![1, 0xdead_beef, 0]);
        let b = s.to_bytes();
        assert_eq!(b.len(), s.serialized_len());
        assert_eq!(&b[..8], &[3, 0, 0, 0, 1, 0, 0, 0]);
        assert_eq!(Stream::from_bytes(&b, &Limits::default()).unwrap(), s);
        assert!(Stream::from_bytes(&b[..b.len() - 1], &Limits::default()).is_err());
        assert!(Stream::from_bytes(&[0xff; 4], &Limits::default()).is_err());
        let tight = Limits {
            max_words: 2,
            ..Limits::default()
        };
        assert!(Stream::from_bytes(&b, &tight).is_err());
    }
}
