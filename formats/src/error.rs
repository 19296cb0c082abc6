//! The one error type of `cinder-format`.

use thiserror::Error;

/// Everything that can go wrong reading or writing a `.cnd` container.
///
/// Messages name the accepted range or the two values that disagree, so that a user can act on them.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FormatError {
    /// The first four bytes are not `8E 43 4E 44`.
    #[error("not a Cinder container: magic bytes are {found:02x?}, expected [8e, 43, 4e, 44]")]
    BadMagic {
        /// The bytes found.
        found: Vec<u8>,
    },
    /// The input ended before a complete structure could be read.
    #[error("truncated container: needed {needed} more byte(s) while reading {what}")]
    Truncated {
        /// What was being read.
        what: &'static str,
        /// How many more bytes were needed (at least).
        needed: u64,
    },
    /// The file was written by a newer, incompatible major version.
    #[error(
        "container major version {found} is not supported: this reader understands major version {supported}"
    )]
    UnsupportedVersion {
        /// Major version in the file.
        found: u8,
        /// Major version this reader supports.
        supported: u8,
    },
    /// A CRC32 check failed.
    #[error("CRC mismatch in {what}: stored {stored:#010x}, computed {computed:#010x}")]
    CrcMismatch {
        /// The header or the chunk id.
        what: String,
        /// CRC stored in the file.
        stored: u32,
        /// CRC of the bytes read.
        computed: u32,
    },
    /// A LEB128 varint was longer than 10 bytes or overflowed 64 bits.
    #[error("malformed varint while reading {what}")]
    BadVarint {
        /// What was being read.
        what: &'static str,
    },
    /// A field holds a value outside its valid range.
    #[error("invalid {field}: {value} (accepted: {accepted})")]
    InvalidField {
        /// Field name.
        field: &'static str,
        /// The value found.
        value: u64,
        /// The accepted range, in words.
        accepted: &'static str,
    },
    /// A declared size exceeds the reader's [`Limits`](crate::Limits); nothing was allocated.
    #[error("{what} of {value} exceeds the limit of {limit}")]
    LimitExceeded {
        /// What was too large.
        what: &'static str,
        /// Declared value.
        value: u64,
        /// The configured limit.
        limit: u64,
    },
    /// A critical chunk (uppercase first letter) that this reader does not know.
    #[error("unknown critical chunk {id:?}: this file needs a newer Cinder to decode")]
    UnknownCriticalChunk {
        /// The chunk id, printable.
        id: String,
    },
    /// A chunk id contains bytes outside ASCII letters, digits and space.
    #[error("invalid chunk id {id:02x?}: ids are four ASCII letters, digits or spaces")]
    BadChunkId {
        /// The raw id bytes.
        id: [u8; 4],
    },
    /// The end chunk was missing (the file was cut at a chunk boundary) or data followed it.
    #[error("{0}")]
    Structure(&'static str),
    /// Writing to or reading from the underlying stream failed.
    #[error("I/O error: {0}")]
    Io(String),
}

impl From<std::io::Error> for FormatError {
    fn from(e: std::io::Error) -> Self {
        FormatError::Io(e.to_string())
    }
}
