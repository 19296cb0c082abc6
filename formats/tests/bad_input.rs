//! Bad input: prefixes, bit flips, huge declared sizes, unknown chunks, newer versions. Never a panic.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use cinder_format::{ids, leb128, ChunkId, Container, FormatError, Header, Limits, MediaParams, MAGIC};

fn sample() -> Container {
    let header = Header {
        codec_id: ids::codec::RAW,
        model_id: 3,
        quality: 7,
        weights_digest: *b"digest!!",
        media: MediaParams::Image {
            width: 4,
            height: 2,
            channels: 1,
        },
    };
    let mut c = Container::new(header);
    c.push(ids::chunk::RAW_IMAGE_ROWS, (0..8).collect());
    c.push(ids::chunk::NOTE, b"encoder=test".to_vec());
    c
}

/// Builds a container with an arbitrary header payload, bypassing the writer's validation.
fn with_header_payload(payload: &[u8], major: u8, minor: u8) -> Vec<u8> {
    let mut out = MAGIC.to_vec();
    out.extend_from_slice(&[major, minor]);
    leb128::write_u64(&mut out, payload.len() as u64);
    out.extend_from_slice(payload);
    let crc = crc32(&out);
    out.extend_from_slice(&crc.to_le_bytes());
    out
}

fn raw_chunk(id: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut out = id.to_vec();
    leb128::write_u64(&mut out, data.len() as u64);
    out.extend_from_slice(data);
    let crc = crc32(&out);
    out.extend_from_slice(&crc.to_le_bytes());
    out
}

fn crc32(bytes: &[u8]) -> u32 {
    // Bitwise CRC-32 (IEEE), independent of the crate's implementation.
    let mut crc = 0xffff_ffffu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

#[test]
fn every_prefix_is_an_error() {
    let bytes = sample().to_bytes().unwrap();
    for n in 0..bytes.len() {
        assert!(
            Container::from_bytes(&bytes[..n], &Limits::default()).is_err(),
            "prefix {n} accepted"
        );
    }
}

#[test]
fn every_bit_flip_is_an_error_or_harmless() {
    let original = sample();
    let bytes = original.to_bytes().unwrap();
    for i in 0..bytes.len() * 8 {
        let mut b = bytes.clone();
        b[i / 8] ^= 1 << (i % 8);
        if let Ok(c) = Container::from_bytes(&b, &Limits::default()) {
            assert_eq!(c, original, "flip of bit {i} changed the content unnoticed");
        }
    }
}

#[test]
fn trailing_data_is_refused() {
    let mut bytes = sample().to_bytes().unwrap();
    bytes.push(0);
    assert!(matches!(
        Container::from_bytes(&bytes, &Limits::default()),
        Err(FormatError::Structure(_))
    ));
}

#[test]
fn huge_image_is_refused_from_the_header() {
    let header = Header {
        codec_id: 1,
        model_id: 0,
        quality: 0,
        weights_digest: [0; 8],
        media: MediaParams::Image {
            width: 1_000_000,
            height: 1_000_000,
            channels: 3,
        },
    };
    // The writer refuses it too; build the bytes by hand.
    assert!(Container::new(header).to_bytes().is_err());
    let bytes = with_header_payload(&header.to_payload(), 1, 0);
    let err = Container::from_bytes(
        &bytes,
        &Limits {
            max_dimension: u32::MAX,
            ..Limits::default()
        },
    )
    .unwrap_err();
    assert!(
        matches!(
            err,
            FormatError::LimitExceeded {
                what: "pixel count",
                value: 3_000_000_000_000,
                ..
            }
        ) || matches!(
            err,
            FormatError::LimitExceeded {
                what: "pixel count",
                value: 1_000_000_000_000,
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn huge_audio_and_chunk_lengths_are_refused() {
    let header = Header {
        codec_id: 1,
        model_id: 0,
        quality: 0,
        weights_digest: [0; 8],
        media: MediaParams::Audio {
            sample_rate: 48_000,
            channels: 2,
            frames: 500_000_000_000,
            gain: 1.0,
        },
    };
    let bytes = with_header_payload(&header.to_payload(), 1, 0);
    assert!(matches!(
        Container::from_bytes(&bytes, &Limits::default()),
        Err(FormatError::LimitExceeded {
            what: "audio sample count",
            ..
        })
    ));
    // A chunk that claims 2^40 bytes in a 40-byte file.
    let mut bytes = sample().to_bytes().unwrap();
    let end = bytes.len() - raw_chunk(b"CEND", &[]).len();
    bytes.truncate(end);
    bytes.extend_from_slice(b"RIMG");
    leb128::write_u64(&mut bytes, 1 << 40);
    assert!(matches!(
        Container::from_bytes(&bytes, &Limits::default()),
        Err(FormatError::LimitExceeded { .. })
    ));
}

#[test]
fn unknown_critical_chunk_is_named() {
    let mut bytes = with_header_payload(&sample().header.to_payload(), 1, 0);
    bytes.extend(raw_chunk(b"ZZZ9", b"future"));
    bytes.extend(raw_chunk(b"CEND", &[]));
    let err = Container::from_bytes(&bytes, &Limits::default()).unwrap_err();
    assert!(err.to_string().contains("ZZZ9"), "{err}");
}

#[test]
fn unknown_ancillary_chunk_is_skipped() {
    let mut bytes = with_header_payload(&sample().header.to_payload(), 1, 0);
    bytes.extend(raw_chunk(b"zfut", b"future"));
    bytes.extend(raw_chunk(b"RIMG", &[1, 2]));
    bytes.extend(raw_chunk(b"CEND", &[]));
    let c = Container::from_bytes(&bytes, &Limits::default()).unwrap();
    assert_eq!(c.chunks.len(), 1);
    assert_eq!(c.chunks[0].id, ChunkId(*b"RIMG"));
}

#[test]
fn newer_major_version_names_both_versions() {
    let mut bytes = with_header_payload(&sample().header.to_payload(), 2, 0);
    bytes.extend(raw_chunk(b"CEND", &[]));
    let err = Container::from_bytes(&bytes, &Limits::default()).unwrap_err();
    assert_eq!(
        err,
        FormatError::UnsupportedVersion {
            found: 2,
            supported: 1
        }
    );
    assert!(err.to_string().contains('2') && err.to_string().contains('1'));
}

#[test]
fn newer_minor_version_with_appended_header_fields_is_read() {
    let mut payload = sample().header.to_payload();
    payload.extend_from_slice(b"new fields");
    let mut bytes = with_header_payload(&payload, 1, 9);
    bytes.extend(raw_chunk(b"CEND", &[]));
    let c = Container::from_bytes(&bytes, &Limits::default()).unwrap();
    assert_eq!(c.header, sample().header);
    // The same trailing bytes with the current minor are corruption.
    let mut bytes = with_header_payload(&payload, 1, 0);
    bytes.extend(raw_chunk(b"CEND", &[]));
    assert!(Container::from_bytes(&bytes, &Limits::default()).is_err());
}

#[test]
fn reference_crc_matches_the_one_the_crate_uses() {
    assert_eq!(crc32(b"123456789"), 0xcbf4_3926);
    let bytes = sample().to_bytes().unwrap();
    assert_eq!(crc32(&bytes[..20]), crc32fast::hash(&bytes[..20]));
}

#[test]
fn salvage_keeps_damaged_chunks_in_place_and_what_precedes_a_break() {
    let mut c = sample();
    c.push(ids::chunk::CODED, vec![1; 40]);
    c.push(ids::chunk::CODED, vec![2; 40]);
    let bytes = c.to_bytes().unwrap();
    // A sound file salvages to itself, with no damage.
    let (same, damage) = Container::salvage(&bytes, &Limits::default()).unwrap();
    assert_eq!((same, damage.len()), (c.clone(), 0));
    // A flipped payload byte of the first CODE chunk: strict reading fails, salvage keeps its place, empty.
    let at = bytes.windows(4).position(|w| w == b"CODE").unwrap() + 10;
    let mut bad = bytes.clone();
    bad[at] ^= 0x40;
    assert!(matches!(
        Container::from_bytes(&bad, &Limits::default()),
        Err(FormatError::CrcMismatch { .. })
    ));
    let (got, damage) = Container::salvage(&bad, &Limits::default()).unwrap();
    assert_eq!(damage.len(), 1, "{damage:?}");
    assert_eq!(got.chunks.len(), c.chunks.len());
    assert!(got.chunks[2].data.is_empty());
    assert_eq!(got.chunks[3], c.chunks[3]);
    // Truncated inside the last chunk: the chunks before it survive.
    let (cut, damage) = Container::salvage(&bytes[..bytes.len() - 20], &Limits::default()).unwrap();
    assert_eq!((cut.chunks.len(), damage.len()), (3, 1));
    // Every prefix and byte flip: never a panic; a damaged header is still an error.
    for n in 0..bytes.len() {
        let _ = Container::salvage(&bytes[..n], &Limits::default());
        let mut b = bytes.clone();
        b[n] ^= 0xA5;
        let _ = Container::salvage(&b, &Limits::default());
    }
    assert!(Container::salvage(&bytes[..10], &Limits::default()).is_err());
}
