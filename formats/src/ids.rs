//! Stable numeric ids: codecs, media kinds and chunk types.
//!
//! Ids only ever grow. A value, once written in a released file, keeps its meaning forever; never renumber,
//! never reuse, never derive ids from enumeration order.

use crate::ChunkId;

/// Stable codec ids (header field `codec_id`).
pub mod codec {
    /// Uncompressed pixels / PCM (`cinder-raw`).
    pub const RAW: u16 = 1;
    /// Probabilistic-circuit lossless coder (`cinder-pc`).
    pub const PC: u16 = 2;
    /// WaLLoC wavelet learned lossy codec (`cinder-walloc`).
    pub const WALLOC: u16 = 3;
    /// HiFi-Codec GRVQ speech codec (`cinder-hifi`).
    pub const HIFI: u16 = 4;
    /// VQGAN extreme image codec (`cinder-vqgan`).
    pub const VQGAN: u16 = 5;
}

/// Stable media-kind ids (header field `media_kind`).
pub mod media {
    /// One image.
    pub const IMAGE: u8 = 1;
    /// One audio signal.
    pub const AUDIO: u8 = 2;
    /// A set of images of one size (e.g. a whole MNIST split).
    pub const IMAGE_SET: u8 = 3;
}

/// Chunk ids. Uppercase first letter: critical (a reader that does not know it must refuse the file);
/// lowercase first letter: ancillary (may be skipped).
pub mod chunk {
    use super::ChunkId;
    /// End of container; empty payload; must be last.
    pub const END: ChunkId = ChunkId(*b"CEND");
    /// Raw codec: a band of image rows, 8-bit interleaved.
    pub const RAW_IMAGE_ROWS: ChunkId = ChunkId(*b"RIMG");
    /// Raw codec: a run of audio frames, f32 little-endian interleaved.
    pub const RAW_AUDIO_FRAMES: ChunkId = ChunkId(*b"RAUD");
    /// PC codec: entropy-coded streams, one per image.
    pub const PC_STREAMS: ChunkId = ChunkId(*b"PCST");
    /// PC codec: entropy-coded streams, one per image, after their range-coded byte lengths.
    pub const PC_STREAMS_CODED_LENGTHS: ChunkId = ChunkId(*b"PCSL");
    /// PC codec: how a set's images are grouped into streams (LEB128 images per stream of a full group);
    /// before the stream chunks, absent = one image per stream.
    pub const PC_STREAM_GROUPS: ChunkId = ChunkId(*b"PCGS");
    /// Generic entropy-coded payload of a learned codec (codec-defined layout).
    pub const CODED: ChunkId = ChunkId(*b"CODE");
    /// Ancillary: UTF-8 text metadata (`key=value` lines), e.g. the encoder version.
    pub const NOTE: ChunkId = ChunkId(*b"note");
    /// Ancillary: CRC32 of the decoded media (8-bit pixels or f32 LE samples) for end-to-end checks.
    pub const OUTPUT_CRC: ChunkId = ChunkId(*b"ocrc");
}

/// Every chunk id this version of the reader knows. Unknown critical ids are refused, unknown ancillary ids
/// are skipped.
pub const KNOWN_CHUNKS: &[ChunkId] = &[
    chunk::END,
    chunk::RAW_IMAGE_ROWS,
    chunk::RAW_AUDIO_FRAMES,
    chunk::PC_STREAMS,
    chunk::PC_STREAMS_CODED_LENGTHS,
    chunk::PC_STREAM_GROUPS,
    chunk::CODED,
    chunk::NOTE,
    chunk::OUTPUT_CRC,
];
