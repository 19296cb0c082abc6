//! Plain-Rust media types (no tensors): what codecs take and give back.

use crate::CodecError;

/// An 8-bit image, channels interleaved, rows top to bottom (`data[(y * width + x) * channels + c]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Image {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// 1 (grey), 3 (RGB) or 4 (RGBA).
    pub channels: u8,
    /// `width * height * channels` bytes.
    pub data: Vec<u8>,
}

impl Image {
    /// Builds an image, checking that `data` has `width * height * channels` bytes.
    pub fn new(width: u32, height: u32, channels: u8, data: Vec<u8>) -> Result<Image, CodecError> {
        let image = Image {
            width,
            height,
            channels,
            data,
        };
        image.validate()?;
        Ok(image)
    }

    /// Checks channels (1, 3 or 4), non-zero size and the buffer length.
    pub fn validate(&self) -> Result<(), CodecError> {
        let (w, h, c) = (self.width, self.height, self.channels);
        let expected = u64::from(w) * u64::from(h) * u64::from(c);
        if !matches!(c, 1 | 3 | 4) || w == 0 || h == 0 || self.data.len() as u64 != expected {
            return Err(CodecError::Corrupt(format!(
                "image {w}x{h}x{c} needs {expected} bytes (channels 1, 3 or 4), got {}",
                self.data.len()
            )));
        }
        Ok(())
    }

    /// Number of pixels (width × height).
    pub fn pixels(&self) -> u64 {
        u64::from(self.width) * u64::from(self.height)
    }
}

/// Audio as `f32` samples in [-1, 1], **interleaved** (`samples[frame * channels + ch]`).
#[derive(Debug, Clone, PartialEq)]
pub struct Audio {
    /// Sample rate in Hz.
    pub sample_rate: u32,
    /// Channel count.
    pub channels: u16,
    /// Interleaved samples; length is a multiple of `channels`.
    pub samples: Vec<f32>,
}

impl Audio {
    /// Builds audio, checking that the sample count is a multiple of the channel count.
    pub fn new(sample_rate: u32, channels: u16, samples: Vec<f32>) -> Result<Audio, CodecError> {
        if channels == 0 || sample_rate == 0 || samples.len() % channels as usize != 0 {
            return Err(CodecError::Corrupt(format!(
                "audio with {channels} channel(s) at {sample_rate} Hz cannot hold {} samples",
                samples.len()
            )));
        }
        Ok(Audio {
            sample_rate,
            channels,
            samples,
        })
    }

    /// Frames (samples per channel).
    pub fn frames(&self) -> u64 {
        (self.samples.len() / self.channels.max(1) as usize) as u64
    }

    /// Duration in seconds.
    pub fn seconds(&self) -> f64 {
        self.frames() as f64 / f64::from(self.sample_rate.max(1))
    }
}

/// Any media a codec handles.
#[derive(Debug, Clone, PartialEq)]
pub enum Media {
    /// One image.
    Image(Image),
    /// One audio signal.
    Audio(Audio),
    /// Several images of one size, coded into one container (e.g. an MNIST split).
    ImageSet(Vec<Image>),
}

/// What a codec consumes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaKind {
    /// Images.
    Image,
    /// Audio.
    Audio,
}
