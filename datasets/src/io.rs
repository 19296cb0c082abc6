//! Media file I/O: images in through `image` (PNG, JPEG, BMP, TIFF, WebP, …), PNG out; audio in through
//! symphonia (WAV, FLAC, MP3, Ogg Vorbis), WAV out through hound.

use crate::DatasetError;
use cinder_core::{Audio, Image};
use std::io::{Cursor, Write};
use std::path::Path;
use symphonia::core::audio::SampleBuffer;
use symphonia::core::codecs::DecoderOptions;
use symphonia::core::errors::Error as SymError;
use symphonia::core::formats::FormatOptions;
use symphonia::core::io::MediaSourceStream;
use symphonia::core::meta::MetadataOptions;
use symphonia::core::probe::Hint;

/// File extensions read as images.
pub const IMAGE_EXTENSIONS: &[&str] = &[
    "png", "jpg", "jpeg", "bmp", "tif", "tiff", "webp", "gif", "ppm", "pgm", "pnm",
];
/// File extensions read as audio.
pub const AUDIO_EXTENSIONS: &[&str] = &["wav", "flac", "mp3", "ogg", "oga"];

fn ext_of(path: &Path) -> String {
    path.extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase()
}

/// True when the extension names an image format Cinder reads.
pub fn is_image_path(path: &Path) -> bool {
    IMAGE_EXTENSIONS.contains(&ext_of(path).as_str())
}

/// True when the extension names an audio format Cinder reads.
pub fn is_audio_path(path: &Path) -> bool {
    AUDIO_EXTENSIONS.contains(&ext_of(path).as_str())
}

/// Reads an image file as 8-bit grey, RGB or RGBA (16-bit images are reduced to 8 bits).
pub fn load_image(path: &Path) -> Result<Image, DatasetError> {
    let bytes = std::fs::read(path).map_err(|e| DatasetError::io(path, e))?;
    decode_image(&bytes, path)
}

/// Decodes image bytes (format sniffed from the content); `path` is only used in messages.
pub fn decode_image(bytes: &[u8], path: &Path) -> Result<Image, DatasetError> {
    let img = image::ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| DatasetError::io(path, e))?
        .decode()
        .map_err(|source| DatasetError::Image {
            path: path.into(),
            source,
        })?;
    let (w, h) = (img.width(), img.height());
    let color = img.color();
    let (channels, data) = if color.has_color() {
        if color.has_alpha() {
            (4, img.into_rgba8().into_raw())
        } else {
            (3, img.into_rgb8().into_raw())
        }
    } else if color.has_alpha() {
        (4, img.into_rgba8().into_raw())
    } else {
        (1, img.into_luma8().into_raw())
    };
    Image::new(w, h, channels, data).map_err(|e| DatasetError::Unsupported(e.to_string()))
}

/// Encodes an image as PNG bytes.
pub fn encode_png(image: &Image) -> Result<Vec<u8>, DatasetError> {
    let color = match image.channels {
        1 => image::ExtendedColorType::L8,
        3 => image::ExtendedColorType::Rgb8,
        4 => image::ExtendedColorType::Rgba8,
        c => {
            return Err(DatasetError::Unsupported(format!(
                "{c} image channels (PNG takes 1, 3 or 4)"
            )))
        }
    };
    let mut out = Vec::new();
    image::ImageEncoder::write_image(
        image::codecs::png::PngEncoder::new(&mut out),
        &image.data,
        image.width,
        image.height,
        color,
    )
    .map_err(|source| DatasetError::Image {
        path: "<png>".into(),
        source,
    })?;
    Ok(out)
}

/// Reads an audio file (WAV, FLAC, MP3, Ogg Vorbis) at its own rate and channel count.
pub fn load_audio(path: &Path) -> Result<Audio, DatasetError> {
    let bytes = std::fs::read(path).map_err(|e| DatasetError::io(path, e))?;
    decode_audio(bytes, path)
}

/// Decodes audio bytes; the extension of `path` (if any) is a format hint.
pub fn decode_audio(bytes: Vec<u8>, path: &Path) -> Result<Audio, DatasetError> {
    let fail = |message: String| DatasetError::Audio {
        path: path.into(),
        message,
    };
    let mut hint = Hint::new();
    let ext = ext_of(path);
    if !ext.is_empty() {
        hint.with_extension(&ext);
    }
    let mss = MediaSourceStream::new(Box::new(Cursor::new(bytes)), Default::default());
    let probed = symphonia::default::get_probe()
        .format(&hint, mss, &FormatOptions::default(), &MetadataOptions::default())
        .map_err(|e| fail(format!("unrecognised format: {e}")))?;
    let mut format = probed.format;
    let track = format
        .default_track()
        .ok_or_else(|| fail("no audio track".into()))?;
    let track_id = track.id;
    let mut decoder = symphonia::default::get_codecs()
        .make(&track.codec_params, &DecoderOptions::default())
        .map_err(|e| fail(format!("unsupported codec: {e}")))?;
    let mut rate = track.codec_params.sample_rate;
    let mut channels = track.codec_params.channels.map(|c| c.count());
    let mut samples: Vec<f32> = Vec::new();
    loop {
        let packet = match format.next_packet() {
            Ok(p) => p,
            Err(SymError::IoError(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => break,
            Err(SymError::ResetRequired) => break,
            Err(e) => return Err(fail(e.to_string())),
        };
        if packet.track_id() != track_id {
            continue;
        }
        let decoded = match decoder.decode(&packet) {
            Ok(d) => d,
            Err(SymError::DecodeError(e)) => return Err(fail(format!("corrupt packet: {e}"))),
            Err(e) => return Err(fail(e.to_string())),
        };
        let spec = *decoded.spec();
        rate.get_or_insert(spec.rate);
        channels.get_or_insert(spec.channels.count());
        let mut buf = SampleBuffer::<f32>::new(decoded.capacity() as u64, spec);
        buf.copy_interleaved_ref(decoded);
        samples.extend_from_slice(buf.samples());
    }
    let rate = rate.ok_or_else(|| fail("unknown sample rate".into()))?;
    let channels = channels.ok_or_else(|| fail("unknown channel count".into()))?;
    let channels = u16::try_from(channels).map_err(|_| fail(format!("{channels} channels")))?;
    Audio::new(rate, channels, samples).map_err(|e| fail(e.to_string()))
}

/// The narrowest WAV sample format that holds every sample exactly: 16-bit, 24-bit integer or 32-bit float.
fn wav_spec(audio: &Audio) -> hound::WavSpec {
    let fits = |scale: f32| {
        audio.samples.iter().all(|&s| {
            let v = s * scale;
            v.fract() == 0.0 && v >= -scale && v < scale
        })
    };
    let (bits_per_sample, sample_format) = if fits(32768.0) {
        (16, hound::SampleFormat::Int)
    } else if fits(8_388_608.0) {
        (24, hound::SampleFormat::Int)
    } else {
        (32, hound::SampleFormat::Float)
    };
    hound::WavSpec {
        channels: audio.channels,
        sample_rate: audio.sample_rate,
        bits_per_sample,
        sample_format,
    }
}

/// Encodes audio as WAV bytes: 16-bit PCM when every sample is a multiple of 1/32768 (so 16-bit sources come
/// back bit-exact), 24-bit when every sample fits 24 bits, else 32-bit float.
pub fn encode_wav(audio: &Audio) -> Result<Vec<u8>, DatasetError> {
    let spec = wav_spec(audio);
    let wav_err = |source| DatasetError::Wav {
        path: "<wav>".into(),
        source,
    };
    let mut cursor = Cursor::new(Vec::new());
    {
        let mut w = hound::WavWriter::new(&mut cursor, spec).map_err(wav_err)?;
        for &s in &audio.samples {
            match (spec.sample_format, spec.bits_per_sample) {
                (hound::SampleFormat::Int, 16) => w.write_sample((s * 32768.0) as i16),
                (hound::SampleFormat::Int, _) => w.write_sample((s * 8_388_608.0) as i32),
                _ => w.write_sample(s),
            }
            .map_err(wav_err)?;
        }
        w.finalize().map_err(wav_err)?;
    }
    Ok(cursor.into_inner())
}

/// Writes bytes to `path` atomically: a temporary file beside it, then a rename.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), DatasetError> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("out");
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = std::fs::File::create(&tmp)
        .and_then(|mut f| f.write_all(bytes).and_then(|_| f.sync_all()))
        .and_then(|_| std::fs::rename(&tmp, path));
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(DatasetError::io(path, e));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn png_round_trip_is_exact() {
        for channels in [1u8, 3, 4] {
            let data: Vec<u8> = (0..5 * 3 * channels as usize)
                .map(|i| (i * 37 % 256) as u8)
                .collect();
            let img = Image::new(5, 3, channels, data).unwrap();
            let png = encode_png(&img).unwrap();
            assert_eq!(decode_image(&png, Path::new("x.png")).unwrap(), img);
        }
    }

    #[test]
    fn wav_round_trip_keeps_16_bit_samples_exact() {
        let samples: Vec<f32> = (0..200)
            .map(|i| ((i * 331 % 65536) - 32768) as f32 / 32768.0)
            .collect();
        let audio = Audio::new(16_000, 2, samples).unwrap();
        let wav = encode_wav(&audio).unwrap();
        assert_eq!(wav_spec(&audio).bits_per_sample, 16);
        assert_eq!(decode_audio(wav, Path::new("x.wav")).unwrap(), audio);
    }

    #[test]
    fn wav_uses_float_for_arbitrary_samples() {
        let audio = Audio::new(8000, 1, vec![0.1, -0.33, 0.999]).unwrap();
        let back = decode_audio(encode_wav(&audio).unwrap(), Path::new("x.wav")).unwrap();
        assert_eq!(back, audio);
    }

    #[test]
    fn garbage_audio_is_an_error() {
        assert!(decode_audio(vec![1, 2, 3, 4, 5], Path::new("x.flac")).is_err());
    }

    #[test]
    fn atomic_write_replaces() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.bin");
        write_atomic(&p, b"one").unwrap();
        write_atomic(&p, b"two").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
    }
}
