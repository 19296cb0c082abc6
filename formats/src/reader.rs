//! Streaming container reader: header first, then one chunk at a time, in bounded memory.

use crate::{
    ids, leb128, Chunk, ChunkId, FormatError, Header, Limits, MAGIC, MAJOR_VERSION, MAX_HEADER_BYTES,
    MINOR_VERSION,
};
use std::io::Read;

/// Reads a container from any [`Read`], checking CRCs and [`Limits`] before allocating.
///
/// ```
/// use cinder_format::{Reader, Limits};
/// # fn demo(bytes: &[u8]) -> Result<(), cinder_format::FormatError> {
/// let mut reader = Reader::new(bytes, Limits::default())?;
/// println!("codec {}", reader.header().codec_id);
/// while let Some(chunk) = reader.next_chunk()? {
///     println!("{} {} bytes", chunk.id, chunk.data.len());
/// }
/// # Ok(()) }
/// ```
pub struct Reader<R: Read> {
    input: R,
    limits: Limits,
    header: Header,
    version: (u8, u8),
    consumed: u64,
    chunks_read: u64,
    finished: bool,
}

impl<R: Read> Reader<R> {
    /// Reads and validates the magic, version and header.
    pub fn new(mut input: R, limits: Limits) -> Result<Self, FormatError> {
        let mut crc = crc32fast::Hasher::new();
        let mut consumed = 0u64;
        let magic: [u8; 4] = read_array(&mut input, "magic", &mut consumed)?;
        if magic != MAGIC {
            return Err(FormatError::BadMagic {
                found: magic.to_vec(),
            });
        }
        let [major, minor]: [u8; 2] = read_array(&mut input, "version", &mut consumed)?;
        if major != MAJOR_VERSION {
            return Err(FormatError::UnsupportedVersion {
                found: major,
                supported: MAJOR_VERSION,
            });
        }
        crc.update(&magic);
        crc.update(&[major, minor]);
        let (len, len_bytes) = read_varint(&mut input, "header length", &mut consumed)?;
        if len > MAX_HEADER_BYTES {
            return Err(FormatError::LimitExceeded {
                what: "header length",
                value: len,
                limit: MAX_HEADER_BYTES,
            });
        }
        crc.update(&len_bytes);
        let payload = read_vec(&mut input, len, "header", &mut consumed)?;
        crc.update(&payload);
        let stored = u32::from_le_bytes(read_array(&mut input, "header CRC", &mut consumed)?);
        check_crc("header", stored, crc.finalize())?;
        let header = Header::from_payload(&payload, minor > MINOR_VERSION, &limits)?;
        Ok(Reader {
            input,
            limits,
            header,
            version: (major, minor),
            consumed,
            chunks_read: 0,
            finished: false,
        })
    }

    /// The validated header.
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// `(major, minor)` version of the file.
    pub fn version(&self) -> (u8, u8) {
        self.version
    }

    /// Bytes consumed so far.
    pub fn bytes_read(&self) -> u64 {
        self.consumed
    }

    /// The next known chunk, `None` after the end chunk. Unknown ancillary chunks are skipped; unknown critical
    /// chunks are an error naming them.
    pub fn next_chunk(&mut self) -> Result<Option<Chunk>, FormatError> {
        match self.next_checked()? {
            None => Ok(None),
            Some((chunk, None)) => Ok(Some(chunk)),
            Some((_, Some(crc_error))) => Err(crc_error),
        }
    }

    /// Like [`Reader::next_chunk`], but a chunk whose CRC does not match (whatever its id, which may itself be
    /// damaged) is returned with the mismatch instead of failing — its framing was intact, so reading can go on:
    /// for concealment of damaged files.
    pub fn next_chunk_or_damaged(&mut self) -> Result<Option<(Chunk, Option<FormatError>)>, FormatError> {
        self.next_checked()
    }

    fn next_checked(&mut self) -> Result<Option<(Chunk, Option<FormatError>)>, FormatError> {
        loop {
            if self.finished {
                return Ok(None);
            }
            let (chunk, crc) = self.read_raw_chunk()?;
            if crc.is_some() {
                return Ok(Some((chunk, crc)));
            }
            if chunk.id == ids::chunk::END {
                if !chunk.data.is_empty() {
                    return Err(FormatError::Structure("end chunk must be empty"));
                }
                let mut probe = [0u8; 1];
                if self.input.read(&mut probe)? != 0 {
                    return Err(FormatError::Structure("data after the end chunk"));
                }
                self.finished = true;
                return Ok(None);
            }
            if ids::KNOWN_CHUNKS.contains(&chunk.id) {
                return Ok(Some((chunk, crc)));
            }
            if chunk.id.is_critical() {
                return Err(FormatError::UnknownCriticalChunk {
                    id: chunk.id.as_str(),
                });
            }
        }
    }

    /// The next chunk as framed in the file, with its CRC mismatch if any.
    fn read_raw_chunk(&mut self) -> Result<(Chunk, Option<FormatError>), FormatError> {
        self.chunks_read += 1;
        self.limits
            .check("chunk count", self.chunks_read, self.limits.max_chunks)?;
        let raw_id: [u8; 4] = match read_array(&mut self.input, "chunk id", &mut self.consumed) {
            Err(FormatError::Truncated { .. }) => {
                return Err(FormatError::Structure(
                    "container ends without its end chunk (truncated file?)",
                ))
            }
            other => other?,
        };
        let id = ChunkId::from_bytes(raw_id)?;
        let (len, len_bytes) = read_varint(&mut self.input, "chunk length", &mut self.consumed)?;
        self.limits
            .check("chunk size", len, self.limits.max_chunk_bytes)?;
        let total = self.consumed.saturating_add(len).saturating_add(4);
        self.limits
            .check("container size", total, self.limits.max_total_bytes)?;
        let data = read_vec(&mut self.input, len, "chunk payload", &mut self.consumed)?;
        let stored = u32::from_le_bytes(read_array(&mut self.input, "chunk CRC", &mut self.consumed)?);
        let mut crc = crc32fast::Hasher::new();
        crc.update(&raw_id);
        crc.update(&len_bytes);
        crc.update(&data);
        let crc = check_crc(&format!("chunk {id}"), stored, crc.finalize()).err();
        Ok((Chunk { id, data }, crc))
    }
}

fn check_crc(what: &str, stored: u32, computed: u32) -> Result<(), FormatError> {
    if stored == computed {
        Ok(())
    } else {
        Err(FormatError::CrcMismatch {
            what: what.to_string(),
            stored,
            computed,
        })
    }
}

fn read_array<const N: usize, R: Read>(
    r: &mut R,
    what: &'static str,
    consumed: &mut u64,
) -> Result<[u8; N], FormatError> {
    let mut buf = [0u8; N];
    let mut filled = 0;
    while filled < N {
        match r.read(&mut buf[filled..]) {
            Ok(0) => {
                return Err(FormatError::Truncated {
                    what,
                    needed: (N - filled) as u64,
                })
            }
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e.into()),
        }
    }
    *consumed += N as u64;
    Ok(buf)
}

/// Reads a varint byte by byte, returning the value and its raw bytes (for the CRC).
fn read_varint<R: Read>(
    r: &mut R,
    what: &'static str,
    consumed: &mut u64,
) -> Result<(u64, Vec<u8>), FormatError> {
    let mut raw = Vec::with_capacity(10);
    loop {
        let [b] = read_array::<1, R>(r, what, consumed)?;
        raw.push(b);
        if b & 0x80 == 0 || raw.len() == 10 {
            break;
        }
    }
    let (v, _) = leb128::read_u64(&raw, what)?;
    Ok((v, raw))
}

/// Reads exactly `len` bytes, growing the buffer only as data arrives (a lying length cannot allocate more
/// than the input holds).
fn read_vec<R: Read>(
    r: &mut R,
    len: u64,
    what: &'static str,
    consumed: &mut u64,
) -> Result<Vec<u8>, FormatError> {
    let mut data = Vec::with_capacity(len.min(1 << 16) as usize);
    let got = r.by_ref().take(len).read_to_end(&mut data)? as u64;
    *consumed += got;
    if got < len {
        return Err(FormatError::Truncated {
            what,
            needed: len - got,
        });
    }
    Ok(data)
}
