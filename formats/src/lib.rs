//! # cinder-format — the `.cnd` container
//!
//! Every Cinder codec writes the same container: a magic, a version, a CRC-protected header naming the
//! codec, model, quality, weights digest and media parameters, then typed, CRC-protected chunks and an end
//! chunk. The byte layout is specified in `formats/SPEC.md`; files written with major version 1 must decode
//! forever (frozen vectors in `formats/tests/vectors/v1/`).
//!
//! Readers check [`Limits`] before any allocation a file asks for, refuse unknown critical chunks, skip unknown
//! ancillary ones and never panic.
//!
//! ```
//! use cinder_format::{ids, Container, Header, Limits, MediaParams};
//!
//! let header = Header {
//!     codec_id: ids::codec::RAW,
//!     model_id: 0,
//!     quality: 0,
//!     weights_digest: [0; 8],
//!     media: MediaParams::Image { width: 2, height: 1, channels: 1 },
//! };
//! let mut c = Container::new(header);
//! c.push(ids::chunk::RAW_IMAGE_ROWS, vec![10, 20]);
//! let bytes = c.to_bytes()?;
//! assert_eq!(Container::from_bytes(&bytes, &Limits::default())?, c);
//! # Ok::<(), cinder_format::FormatError>(())
//! ```
//!
//! No burn and no constriction here: this crate is a leaf.

mod chunk;
mod container;
pub mod cursor;
mod error;
mod header;
pub mod ids;
pub mod leb128;
mod limits;
mod reader;
mod writer;

pub use chunk::{Chunk, ChunkId};
pub use container::Container;
pub use error::FormatError;
pub use header::{Header, MediaParams, WeightsDigest, DIGEST_LEN};
pub use limits::Limits;
pub use reader::Reader;
pub use writer::Writer;

/// The four magic bytes: `0x8E 'C' 'N' 'D'` (a non-ASCII first byte so text tools do not mistake the file).
pub const MAGIC: [u8; 4] = [0x8E, b'C', b'N', b'D'];
/// Major version written and read: a layout change bumps it, and older readers refuse newer majors.
pub const MAJOR_VERSION: u8 = 1;
/// Minor version written: appended header fields and new ancillary chunks bump it; readers accept newer minors.
pub const MINOR_VERSION: u8 = 0;
/// Largest header payload a reader accepts.
pub const MAX_HEADER_BYTES: u64 = 4096;
