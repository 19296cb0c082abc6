//! Property round trips: any valid header and chunk list survives write → read unchanged.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use cinder_format::{ids, Chunk, ChunkId, Container, Header, Limits, MediaParams};
use proptest::prelude::*;

fn media() -> impl Strategy<Value = MediaParams> {
    let ch = prop::sample::select(vec![1u8, 3, 4]);
    prop_oneof![
        (1u32..5000, 1u32..5000, ch.clone()).prop_map(|(width, height, channels)| MediaParams::Image {
            width,
            height,
            channels
        }),
        (1u32..768_000, 1u16..=64, 0u64..1_000_000, 0.001f32..1000.0).prop_map(
            |(sample_rate, channels, frames, gain)| MediaParams::Audio {
                sample_rate,
                channels,
                frames,
                gain
            }
        ),
        (1u32..100, 1u32..100, ch, 1u64..1000).prop_map(|(width, height, channels, count)| {
            MediaParams::ImageSet {
                width,
                height,
                channels,
                count,
            }
        }),
    ]
}

fn known_chunk_id() -> impl Strategy<Value = ChunkId> {
    prop::sample::select(
        ids::KNOWN_CHUNKS
            .iter()
            .copied()
            .filter(|c| *c != ids::chunk::END)
            .collect::<Vec<_>>(),
    )
}

proptest! {
    #[test]
    fn write_then_read_is_identity(
        codec_id in any::<u16>(), model_id in any::<u16>(), quality in any::<u8>(), digest in any::<[u8; 8]>(),
        media in media(),
        chunks in prop::collection::vec((known_chunk_id(), prop::collection::vec(any::<u8>(), 0..300)), 0..6),
    ) {
        let header = Header { codec_id, model_id, quality, weights_digest: digest, media };
        let container = Container {
            header,
            chunks: chunks.into_iter().map(|(id, data)| Chunk::new(id, data)).collect(),
        };
        let bytes = container.to_bytes().unwrap();
        prop_assert_eq!(Container::from_bytes(&bytes, &Limits::default()).unwrap(), container);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        let _ = Container::from_bytes(&bytes, &Limits::default());
        let mut with_magic = cinder_format::MAGIC.to_vec();
        with_magic.extend_from_slice(&bytes);
        let _ = Container::from_bytes(&with_magic, &Limits::default());
    }
}
