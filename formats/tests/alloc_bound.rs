//! A header claiming 10^12 pixels or samples is refused before allocating: peak heap use stays far below 1 MB.
#![allow(clippy::unwrap_used, clippy::expect_used)]
#![allow(unsafe_code)]

use cinder_format::{leb128, Container, Header, Limits, MediaParams, MAGIC};
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

struct Counting;
static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards to the system allocator and only counts bytes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let now = CURRENT.fetch_add(layout.size(), Ordering::SeqCst) + layout.size();
        PEAK.fetch_max(now, Ordering::SeqCst);
        // SAFETY: same layout contract as the caller's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        CURRENT.fetch_sub(layout.size(), Ordering::SeqCst);
        // SAFETY: ptr came from System.alloc with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn file_with(media: MediaParams) -> Vec<u8> {
    let header = Header {
        codec_id: 1,
        model_id: 0,
        quality: 0,
        weights_digest: [0; 8],
        media,
    };
    let payload = header.to_payload();
    let mut out = MAGIC.to_vec();
    out.extend_from_slice(&[1, 0]);
    leb128::write_u64(&mut out, payload.len() as u64);
    out.extend_from_slice(&payload);
    let crc = crc32fast::hash(&out);
    out.extend_from_slice(&crc.to_le_bytes());
    out.extend_from_slice(b"RIMG\xff\xff\xff\xff\x0f");
    out
}

#[test]
fn huge_declarations_allocate_almost_nothing() {
    let files = [
        file_with(MediaParams::Image {
            width: 1_000_000,
            height: 1_000_000,
            channels: 1,
        }),
        file_with(MediaParams::Audio {
            sample_rate: 48_000,
            channels: 1,
            frames: 1_000_000_000_000,
            gain: 1.0,
        }),
        file_with(MediaParams::ImageSet {
            width: 1000,
            height: 1000,
            channels: 1,
            count: 1_000_000,
        }),
    ];
    let limits = Limits {
        max_dimension: u32::MAX,
        max_images: u64::MAX,
        ..Limits::default()
    };
    let before = CURRENT.load(Ordering::SeqCst);
    PEAK.store(before, Ordering::SeqCst);
    for f in &files {
        assert!(Container::from_bytes(f, &limits).is_err());
    }
    let peak = PEAK.load(Ordering::SeqCst) - before;
    assert!(peak < 64 * 1024, "peak heap growth {peak} bytes");
}
