//! Streaming container writer: header, chunks, end chunk.

use crate::{ids, leb128, Chunk, ChunkId, FormatError, Header, Limits, MAGIC, MAJOR_VERSION, MINOR_VERSION};
use std::io::Write;

/// Writes a container to any [`Write`]; call [`Writer::finish`] to write the end chunk.
pub struct Writer<W: Write> {
    out: W,
}

impl<W: Write> Writer<W> {
    /// Validates the header against default [`Limits`] and writes magic, version and header.
    pub fn new(mut out: W, header: &Header) -> Result<Self, FormatError> {
        header.media.validate(&Limits::default())?;
        let payload = header.to_payload();
        let mut bytes = Vec::with_capacity(payload.len() + 16);
        bytes.extend_from_slice(&MAGIC);
        bytes.extend_from_slice(&[MAJOR_VERSION, MINOR_VERSION]);
        leb128::write_u64(&mut bytes, payload.len() as u64);
        bytes.extend_from_slice(&payload);
        let crc = crc32fast::hash(&bytes);
        bytes.extend_from_slice(&crc.to_le_bytes());
        out.write_all(&bytes)?;
        Ok(Writer { out })
    }

    /// Writes one chunk. The end chunk is written by [`Writer::finish`] only.
    pub fn write_chunk(&mut self, chunk: &Chunk) -> Result<(), FormatError> {
        if chunk.id == ids::chunk::END {
            return Err(FormatError::Structure(
                "the end chunk is written by Writer::finish",
            ));
        }
        ChunkId::from_bytes(chunk.id.0)?;
        self.write_raw(chunk.id, &chunk.data)
    }

    /// Writes the end chunk, flushes and returns the inner writer.
    pub fn finish(mut self) -> Result<W, FormatError> {
        self.write_raw(ids::chunk::END, &[])?;
        self.out.flush()?;
        Ok(self.out)
    }

    fn write_raw(&mut self, id: ChunkId, data: &[u8]) -> Result<(), FormatError> {
        let mut head = Vec::with_capacity(14);
        head.extend_from_slice(&id.0);
        leb128::write_u64(&mut head, data.len() as u64);
        let mut crc = crc32fast::Hasher::new();
        crc.update(&head);
        crc.update(data);
        self.out.write_all(&head)?;
        self.out.write_all(data)?;
        self.out.write_all(&crc.finalize().to_le_bytes())?;
        Ok(())
    }
}
