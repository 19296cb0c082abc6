//! The in-memory container: a header and its chunks. Codecs build one; only this crate turns it into bytes.

use crate::{Chunk, ChunkId, FormatError, Header, Limits, Reader, Writer};

/// A whole `.cnd` file in memory.
#[derive(Debug, Clone, PartialEq)]
pub struct Container {
    /// The header.
    pub header: Header,
    /// Chunks in file order (the end chunk is implicit).
    pub chunks: Vec<Chunk>,
}

impl Container {
    /// An empty container with the given header.
    pub fn new(header: Header) -> Container {
        Container {
            header,
            chunks: Vec::new(),
        }
    }

    /// Appends a chunk.
    pub fn push(&mut self, id: ChunkId, data: Vec<u8>) {
        self.chunks.push(Chunk::new(id, data));
    }

    /// All chunks with the given id, in order.
    pub fn chunks_of(&self, id: ChunkId) -> impl Iterator<Item = &Chunk> {
        self.chunks.iter().filter(move |c| c.id == id)
    }

    /// Serialises to bytes.
    pub fn to_bytes(&self) -> Result<Vec<u8>, FormatError> {
        let mut writer = Writer::new(Vec::new(), &self.header)?;
        for chunk in &self.chunks {
            writer.write_chunk(chunk)?;
        }
        writer.finish()
    }

    /// Parses bytes, checking every CRC and the given limits. Never panics.
    pub fn from_bytes(bytes: &[u8], limits: &Limits) -> Result<Container, FormatError> {
        let limits = Limits {
            max_total_bytes: limits.max_total_bytes.min(bytes.len() as u64),
            ..*limits
        };
        let mut reader = Reader::new(bytes, limits)?;
        let mut chunks = Vec::new();
        while let Some(chunk) = reader.next_chunk()? {
            chunks.push(chunk);
        }
        Ok(Container {
            header: *reader.header(),
            chunks,
        })
    }

    /// Total payload bytes of all chunks.
    pub fn payload_bytes(&self) -> u64 {
        self.chunks.iter().map(|c| c.data.len() as u64).sum()
    }
}
