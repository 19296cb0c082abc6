//! The in-memory container: a header and its chunks. Codecs build one; only this crate turns it into bytes.

use crate::{ids, Chunk, ChunkId, FormatError, Header, Limits, Reader, Writer};

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

    /// Reads as much of a damaged file as can be trusted, for concealment (`cinder decode --conceal`): the header
    /// must be intact; a chunk whose CRC does not match keeps its place with an empty payload (a codec that
    /// conceals treats it as lost); when the chunk framing breaks or the file ends without its end chunk, the
    /// chunks read so far are kept. Returns the container and one line per damage found (empty for a sound file,
    /// which parses exactly as [`Container::from_bytes`]). Never panics.
    pub fn salvage(bytes: &[u8], limits: &Limits) -> Result<(Container, Vec<String>), FormatError> {
        let limits = Limits {
            max_total_bytes: limits.max_total_bytes.min(bytes.len() as u64),
            ..*limits
        };
        let mut reader = Reader::new(bytes, limits)?;
        let (mut chunks, mut damage) = (Vec::new(), Vec::new());
        loop {
            match reader.next_chunk_or_damaged() {
                Ok(None) => break,
                Ok(Some((chunk, None))) => chunks.push(chunk),
                Ok(Some((chunk, Some(e)))) => {
                    damage.push(format!(
                        "chunk {} ({} bytes) dropped: {e}",
                        chunks.len(),
                        chunk.data.len()
                    ));
                    // In place, empty, when its id is a known payload chunk; otherwise nothing can be trusted.
                    if ids::KNOWN_CHUNKS.contains(&chunk.id) && chunk.id != ids::chunk::END {
                        chunks.push(Chunk::new(chunk.id, Vec::new()));
                    }
                }
                Err(e) => {
                    damage.push(format!("reading stopped after {} chunks: {e}", chunks.len()));
                    break;
                }
            }
        }
        Ok((
            Container {
                header: *reader.header(),
                chunks,
            },
            damage,
        ))
    }

    /// Total payload bytes of all chunks.
    pub fn payload_bytes(&self) -> u64 {
        self.chunks.iter().map(|c| c.data.len() as u64).sum()
    }
}
