//! # cinder-core — media types, the codec contract, the registry
//!
//! Every Cinder codec implements [`ImageCodec`] or [`AudioCodec`]: `encode` returns an in-memory
//! [`Container`](cinder_format::Container) (only `cinder-format` turns it into bytes), `decode` takes one back,
//! `estimate_bits` counts bits with the same tables as the real coder. A [`Registry`] opens codecs by stable id
//! (decoding: the id is in the file) or by name (the CLI). See `../shared/DESIGN.md` §2.
//!
//! No burn here: media are plain `Vec`s.

mod codec;
mod error;
mod media;
mod registry;

pub use cinder_format as format;
pub use codec::{
    AnyCodec, AudioCodec, CodecInfo, DecodeOptions, Device, EncodeOptions, ImageCodec, OpenOptions,
    QualityInfo, WeightsSource,
};
pub use error::CodecError;
pub use media::{Audio, Image, Media, MediaKind};
pub use registry::{RegisteredCodec, Registry};

use cinder_format::{WeightsDigest, DIGEST_LEN};
use sha2::{Digest, Sha256};

/// The weights digest of a weights bundle: the first 8 bytes of its SHA-256.
pub fn weights_digest(bytes: &[u8]) -> WeightsDigest {
    let full = Sha256::digest(bytes);
    let mut out = [0u8; DIGEST_LEN];
    out.copy_from_slice(&full[..DIGEST_LEN]);
    out
}

/// Full SHA-256 of bytes, as lowercase hex (for manifests).
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Lowercase hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
