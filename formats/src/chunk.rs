//! Typed chunks: `id[4] | len (LEB128) | payload | crc32`.

use crate::FormatError;
use std::fmt;

/// A four-byte chunk type. First letter uppercase: critical; lowercase: ancillary (skippable).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ChunkId(pub [u8; 4]);

impl ChunkId {
    /// Validates raw bytes: ASCII letters, digits or spaces, the first one a letter.
    pub fn from_bytes(id: [u8; 4]) -> Result<ChunkId, FormatError> {
        let ok_char = |b: u8| b.is_ascii_alphanumeric() || b == b' ';
        if id[0].is_ascii_alphabetic() && id.iter().all(|&b| ok_char(b)) {
            Ok(ChunkId(id))
        } else {
            Err(FormatError::BadChunkId { id })
        }
    }

    /// True when a reader that does not know this chunk must refuse the file.
    pub fn is_critical(&self) -> bool {
        self.0[0].is_ascii_uppercase()
    }

    /// The id as text (always ASCII once validated).
    pub fn as_str(&self) -> String {
        String::from_utf8_lossy(&self.0).into_owned()
    }
}

impl fmt::Debug for ChunkId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.as_str())
    }
}

impl fmt::Display for ChunkId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.as_str())
    }
}

/// One chunk: its type and payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chunk {
    /// Chunk type.
    pub id: ChunkId,
    /// Payload bytes (codec-defined layout).
    pub data: Vec<u8>,
}

impl Chunk {
    /// A chunk of the given type.
    pub fn new(id: ChunkId, data: Vec<u8>) -> Chunk {
        Chunk { id, data }
    }
}
