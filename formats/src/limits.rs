//! Resource limits that a reader checks *before* allocating anything a file asks for.

/// Upper bounds on what a container may declare. A header or chunk that exceeds one is refused with
/// [`FormatError::LimitExceeded`](crate::FormatError::LimitExceeded) before any buffer is sized by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest image width or height.
    pub max_dimension: u32,
    /// Largest number of pixels (width × height × images) a file may describe.
    pub max_pixels: u64,
    /// Largest number of audio samples (frames × channels).
    pub max_audio_samples: u64,
    /// Largest number of images in an image set.
    pub max_images: u64,
    /// Largest payload of a single chunk, in bytes.
    pub max_chunk_bytes: u64,
    /// Largest number of chunks.
    pub max_chunks: u64,
    /// Largest container, in bytes.
    pub max_total_bytes: u64,
}

impl Default for Limits {
    /// Generous defaults: 2^28 pixels (a 16k × 16k image), 2^31 audio samples (over 6 h of 48 kHz stereo),
    /// 256 MiB chunks, 4 GiB files.
    fn default() -> Self {
        Limits {
            max_dimension: 65_535,
            max_pixels: 1 << 28,
            max_audio_samples: 1 << 31,
            max_images: 1 << 20,
            max_chunk_bytes: 1 << 28,
            max_chunks: 1 << 24,
            max_total_bytes: 1 << 32,
        }
    }
}

impl Limits {
    /// Tight limits for untrusted input in small-memory settings (fuzzing, services): 16 MPixel, 2^24 samples,
    /// 16 MiB chunks and files.
    pub fn strict() -> Self {
        Limits {
            max_dimension: 16_384,
            max_pixels: 1 << 24,
            max_audio_samples: 1 << 24,
            max_images: 1 << 16,
            max_chunk_bytes: 1 << 24,
            max_chunks: 1 << 16,
            max_total_bytes: 1 << 24,
        }
    }

    pub(crate) fn check(&self, what: &'static str, value: u64, limit: u64) -> Result<(), crate::FormatError> {
        if value > limit {
            Err(crate::FormatError::LimitExceeded { what, value, limit })
        } else {
            Ok(())
        }
    }
}
