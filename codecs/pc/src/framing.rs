//! Framing of the per-image streams in the container (DESIGN §3). A set's streams are cut into chunks at the
//! first image boundary past [`CHUNK_BYTES`]; each chunk is written in whichever of two layouts is smaller:
//!
//! * `PCST` — for each image, a LEB128 byte length and the stream bytes (the layout of the first release; a
//!   stream of 128 bytes or more pays 16 bits for its length);
//! * `PCSL` — LEB128 stream count, LEB128 size of a length stream, the length stream, then the streams back to
//!   back. The length stream range-codes each length's difference from a running mean (an integer exponential
//!   moving average, 1/8 per image) with cinder-entropy's adaptive Elias-gamma [`RankModel`]: the lengths of one
//!   model's streams vary by tens of bytes, so a length costs ≈ 8 bits instead of 16.
//!
//! Both layouts are read; every length is checked against the bytes left, so a truncated or corrupt chunk is an
//! error, never a panic.

use cinder_core::CodecError;
use cinder_entropy::{ByteRangeDecoder, ByteRangeEncoder, RankModel};
use cinder_format::{ids, leb128, Container};

/// Break chunks at the first image boundary past this many bytes.
pub const CHUNK_BYTES: usize = 1 << 20;

/// Zig-zag length differences the length coder takes (a chunk with a larger one is written as `PCST`).
const LENGTH_ALPHABET: usize = 1 << 24;

/// Running mean of the stream lengths in 1/16 bytes; the first length is predicted as 0.
#[derive(Default)]
struct LengthPredictor {
    mean16: Option<i64>,
}

impl LengthPredictor {
    fn predict(&self) -> i64 {
        self.mean16.map_or(0, |m| (m + 8) >> 4)
    }

    fn update(&mut self, len: i64) {
        self.mean16 = Some(match self.mean16 {
            None => len << 4,
            Some(m) => m + (((len << 4) - m) >> 3),
        });
    }
}

fn zigzag(d: i64) -> usize {
    if d >= 0 {
        (d as usize) << 1
    } else {
        (((-d) as usize) << 1) - 1
    }
}

fn unzigzag(z: usize) -> i64 {
    if z & 1 == 0 {
        (z >> 1) as i64
    } else {
        -(((z + 1) >> 1) as i64)
    }
}

fn length_model() -> Result<RankModel, CodecError> {
    RankModel::new(LENGTH_ALPHABET, 1).map_err(|e| CodecError::Corrupt(format!("PC length model: {e}")))
}

/// The `PCST` payload of `streams`.
fn plain_payload(streams: &[Vec<u8>]) -> Vec<u8> {
    let mut payload = Vec::new();
    for s in streams {
        leb128::write_u64(&mut payload, s.len() as u64);
        payload.extend_from_slice(s);
    }
    payload
}

/// The `PCSL` payload of `streams` (`None` when a length difference is too large for the length coder).
fn coded_payload(streams: &[Vec<u8>]) -> Result<Option<Vec<u8>>, CodecError> {
    let mut model = length_model()?;
    let mut enc = ByteRangeEncoder::new();
    let mut predictor = LengthPredictor::default();
    let err = |e: cinder_entropy::EntropyError| CodecError::Corrupt(format!("PC length coder: {e}"));
    for s in streams {
        let len = s.len() as i64;
        let z = zigzag(len - predictor.predict());
        if z >= LENGTH_ALPHABET {
            return Ok(None);
        }
        model.encode(&mut enc, 0, z).map_err(err)?;
        predictor.update(len);
    }
    let lengths = enc.finish();
    let mut payload = Vec::with_capacity(lengths.len() + streams.iter().map(Vec::len).sum::<usize>() + 16);
    leb128::write_u64(&mut payload, streams.len() as u64);
    leb128::write_u64(&mut payload, lengths.len() as u64);
    payload.extend_from_slice(&lengths);
    for s in streams {
        payload.extend_from_slice(s);
    }
    Ok(Some(payload))
}

/// Appends the chunks of `streams` to `container` (at least one chunk, even for no streams).
pub fn push_streams(container: &mut Container, streams: &[Vec<u8>]) -> Result<(), CodecError> {
    let mut start = 0;
    let mut bytes = 0;
    for (i, s) in streams.iter().enumerate() {
        bytes += s.len();
        if bytes >= CHUNK_BYTES || i + 1 == streams.len() {
            push_chunk(container, &streams[start..=i])?;
            start = i + 1;
            bytes = 0;
        }
    }
    if streams.is_empty() {
        container.push(ids::chunk::PC_STREAMS, Vec::new());
    }
    Ok(())
}

/// Bytes of the `PCST` payload of `streams` (without building it).
fn plain_size(streams: &[Vec<u8>]) -> usize {
    let leb = |v: usize| (usize::BITS - v.leading_zeros()).div_ceil(7).max(1) as usize;
    streams.iter().map(|s| leb(s.len()) + s.len()).sum()
}

fn push_chunk(container: &mut Container, streams: &[Vec<u8>]) -> Result<(), CodecError> {
    match coded_payload(streams)? {
        Some(coded) if coded.len() < plain_size(streams) => {
            container.push(ids::chunk::PC_STREAMS_CODED_LENGTHS, coded)
        }
        _ => container.push(ids::chunk::PC_STREAMS, plain_payload(streams)),
    }
    Ok(())
}

fn corrupt(what: String) -> CodecError {
    CodecError::Corrupt(what)
}

/// Reads a `PCST` payload into `out`.
fn split_plain<'a>(data: &'a [u8], out: &mut Vec<&'a [u8]>) -> Result<(), CodecError> {
    let mut rest = data;
    while !rest.is_empty() {
        let (len, used) = leb128::read_u64(rest, "PC stream length")?;
        rest = &rest[used..];
        if len > rest.len() as u64 {
            return Err(corrupt(format!(
                "PC stream {} declares {len} bytes, {} remain (truncated)",
                out.len(),
                rest.len()
            )));
        }
        let (s, r) = rest.split_at(len as usize);
        out.push(s);
        rest = r;
    }
    Ok(())
}

/// Reads a `PCSL` payload into `out`.
fn split_coded<'a>(data: &'a [u8], out: &mut Vec<&'a [u8]>) -> Result<(), CodecError> {
    let (count, used) = leb128::read_u64(data, "PC stream count")?;
    let rest = &data[used..];
    let (size, used) = leb128::read_u64(rest, "PC length stream size")?;
    let rest = &rest[used..];
    if size > rest.len() as u64 || count > data.len() as u64 {
        return Err(corrupt(format!(
            "PC chunk declares {count} streams and a {size}-byte length stream in {} bytes",
            data.len()
        )));
    }
    let (lengths, mut rest) = rest.split_at(size as usize);
    let mut model = length_model()?;
    let mut dec = ByteRangeDecoder::new(lengths);
    let mut predictor = LengthPredictor::default();
    for k in 0..count {
        let z = model
            .decode(&mut dec, 0)
            .map_err(|e| corrupt(format!("PC stream length {k}: {e}")))?;
        let len = predictor.predict() + unzigzag(z);
        if len < 0 || len > rest.len() as i64 {
            return Err(corrupt(format!(
                "PC stream {} declares {len} bytes, {} remain (truncated or corrupt)",
                out.len(),
                rest.len()
            )));
        }
        predictor.update(len);
        let (s, r) = rest.split_at(len as usize);
        out.push(s);
        rest = r;
    }
    if !rest.is_empty() {
        return Err(corrupt(format!(
            "PC chunk has {} bytes after its {count} streams",
            rest.len()
        )));
    }
    Ok(())
}

/// The largest images-per-stream a `PCGS` chunk may declare.
const MAX_PER_STREAM: u64 = 1 << 16;

/// Declares `per_stream` images per stream (a `PCGS` chunk; nothing for 1, the layout without the chunk).
pub fn push_stream_groups(container: &mut Container, per_stream: usize) {
    if per_stream > 1 {
        let mut payload = Vec::new();
        leb128::write_u64(&mut payload, per_stream as u64);
        container.push(ids::chunk::PC_STREAM_GROUPS, payload);
    }
}

/// Images per stream declared by `container` (1 without a `PCGS` chunk).
pub fn stream_groups(container: &Container) -> Result<usize, CodecError> {
    let mut chunks = container.chunks_of(ids::chunk::PC_STREAM_GROUPS);
    let Some(chunk) = chunks.next() else {
        return Ok(1);
    };
    if chunks.next().is_some() {
        return Err(corrupt("more than one PC stream-group chunk".into()));
    }
    let (r, used) = leb128::read_u64(&chunk.data, "PC images per stream")?;
    if used != chunk.data.len() || r == 0 || r > MAX_PER_STREAM {
        return Err(corrupt(format!(
            "PC stream-group chunk declares {r} images per stream in {} bytes",
            chunk.data.len()
        )));
    }
    Ok(r as usize)
}

/// Splits the stream chunks of `container`, in file order, into exactly `count` streams.
pub fn split_streams(container: &Container, count: u64) -> Result<Vec<&[u8]>, CodecError> {
    let chunks: Vec<_> = container
        .chunks
        .iter()
        .filter(|c| c.id == ids::chunk::PC_STREAMS || c.id == ids::chunk::PC_STREAMS_CODED_LENGTHS)
        .collect();
    let total: usize = chunks.iter().map(|c| c.data.len()).sum();
    if count > total as u64 {
        return Err(corrupt(format!(
            "header declares {count} images, the PC streams hold only {total} bytes"
        )));
    }
    let mut out = Vec::with_capacity(count as usize);
    for chunk in chunks {
        if chunk.id == ids::chunk::PC_STREAMS {
            split_plain(&chunk.data, &mut out)?;
        } else {
            split_coded(&chunk.data, &mut out)?;
        }
    }
    if out.len() as u64 != count {
        return Err(corrupt(format!(
            "header declares {count} images, the file holds {} PC streams",
            out.len()
        )));
    }
    Ok(out)
}

/// Payload bytes of the stream chunks (both layouts).
pub fn stream_bytes(container: &Container) -> usize {
    container
        .chunks
        .iter()
        .filter(|c| c.id == ids::chunk::PC_STREAMS || c.id == ids::chunk::PC_STREAMS_CODED_LENGTHS)
        .map(|c| c.data.len())
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use cinder_format::{Header, MediaParams};

    fn container() -> Container {
        Container::new(Header {
            codec_id: ids::codec::PC,
            model_id: 0,
            quality: 0,
            weights_digest: [0; 8],
            media: MediaParams::ImageSet {
                width: 28,
                height: 28,
                channels: 1,
                count: 0,
            },
        })
    }

    fn streams(n: usize) -> Vec<Vec<u8>> {
        (0..n)
            .map(|i| {
                let len = 100 + (i * 7919) % 90 + if i % 13 == 0 { 400 } else { 0 };
                (0..len).map(|k| (k * 31 + i) as u8).collect()
            })
            .collect()
    }

    #[test]
    fn zigzag_round_trips() {
        for d in [-5i64, -1, 0, 1, 2, 300, -300, 1 << 30] {
            assert_eq!(unzigzag(zigzag(d)), d);
        }
    }

    #[test]
    fn coded_lengths_round_trip_and_are_smaller() {
        let s = streams(3000);
        let mut c = container();
        push_streams(&mut c, &s).unwrap();
        assert!(c.chunks_of(ids::chunk::PC_STREAMS_CODED_LENGTHS).count() >= 1);
        let back = split_streams(&c, s.len() as u64).unwrap();
        assert_eq!(back.len(), s.len());
        assert!(back.iter().zip(&s).all(|(a, b)| *a == &b[..]));
        let payload: usize = s.iter().map(Vec::len).sum();
        let framing = stream_bytes(&c) - payload;
        let plain = plain_payload(&s).len() - payload;
        assert_eq!(plain_size(&s), plain_payload(&s).len());
        assert!(
            framing * 10 < plain * 7,
            "coded {framing} vs plain {plain} bytes of lengths"
        );
    }

    #[test]
    fn one_stream_and_no_stream() {
        for n in [0, 1] {
            let s = streams(n);
            let mut c = container();
            push_streams(&mut c, &s).unwrap();
            assert_eq!(split_streams(&c, n as u64).unwrap().len(), n);
        }
    }

    #[test]
    fn truncated_or_corrupt_chunks_are_errors() {
        let s = streams(200);
        let mut c = container();
        push_streams(&mut c, &s).unwrap();
        let data = c.chunks.last().unwrap().data.clone();
        for cut in (0..data.len()).step_by(97) {
            c.chunks.last_mut().unwrap().data = data[..cut].to_vec();
            assert!(split_streams(&c, 200).is_err());
        }
        for at in (0..40).chain([data.len() / 2]) {
            let mut bad = data.clone();
            bad[at] ^= 0x5A;
            c.chunks.last_mut().unwrap().data = bad;
            if let Ok(v) = split_streams(&c, 200) {
                assert_eq!(v.len(), 200);
            }
        }
    }
}
