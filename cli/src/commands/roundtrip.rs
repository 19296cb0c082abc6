//! `cinder roundtrip` and `cinder demo`: encode, serialise, parse, decode, and report rate, exactness and
//! time — on a user's file or on the samples bundled in the binary.

use super::CodecOptions;
use anyhow::{bail, Context, Result};
use cinder_core::{AnyCodec, DecodeOptions, EncodeOptions, Media, MediaKind};
use cinder_format::{Container, Limits};
use std::path::{Path, PathBuf};
use std::time::Instant;

static SAMPLE_PNG: &[u8] = include_bytes!("../../assets/sample.png");
static SAMPLE_FLAC: &[u8] = include_bytes!("../../assets/sample.flac");
static SAMPLE_DIGIT: &[u8] = include_bytes!("../../assets/digit28.png");

/// Arguments of `cinder roundtrip`.
#[derive(Debug, clap::Args)]
pub struct RoundtripArgs {
    /// Input image or audio file.
    pub input: PathBuf,
    /// Codec name; default: chosen by media type.
    #[arg(short, long)]
    pub codec: Option<String>,
    /// Quality level.
    #[arg(short, long)]
    pub quality: Option<u8>,
    /// Codec options.
    #[command(flatten)]
    pub codec_opts: CodecOptions,
}

/// What one round trip measured.
#[derive(Debug)]
pub struct RoundtripReport {
    /// Codec name.
    pub codec: &'static str,
    /// File size in bytes.
    pub bytes: usize,
    /// Rate: bpp for images, kbps for audio.
    pub rate: f64,
    /// "bpp" or "kbps".
    pub unit: &'static str,
    /// Decoded media equals the input exactly.
    pub exact: bool,
    /// Largest absolute difference (pixel levels or sample values).
    pub max_abs_diff: f64,
    /// Encode time in seconds (including serialisation).
    pub encode_s: f64,
    /// Decode time in seconds (including parsing).
    pub decode_s: f64,
}

/// Runs `cinder roundtrip`.
pub fn run(args: &RoundtripArgs) -> Result<()> {
    let media = super::encode::load_media(&args.input)?;
    let report = roundtrip(media, args.codec.as_deref(), args.quality, &args.codec_opts)?;
    print(&args.input.display().to_string(), &report);
    Ok(())
}

/// Runs `cinder demo`: the bundled image and audio samples through every codec that accepts them.
pub fn demo() -> Result<()> {
    let image = cinder_datasets::io::decode_image(SAMPLE_PNG, Path::new("sample.png"))?;
    let audio = cinder_datasets::io::decode_audio(SAMPLE_FLAC.to_vec(), Path::new("sample.flac"))?;
    let digit = cinder_datasets::io::decode_image(SAMPLE_DIGIT, Path::new("digit28.png"))?;
    println!("Cinder demo: bundled samples (96x96 RGB pattern, 28x28 grey digit, 0.5 s stereo chirp) through every codec\n");
    let registry = cinder_codecs::default_registry();
    let mut failures = 0;
    for codec in registry.iter() {
        for kind in codec.info.kinds {
            let samples = match kind {
                MediaKind::Image => vec![
                    ("pattern 96x96", Media::Image(image.clone())),
                    ("digit 28x28", Media::Image(digit.clone())),
                ],
                MediaKind::Audio => vec![("chirp 0.5 s", Media::Audio(audio.clone()))],
            };
            // Each codec gets the first sample it accepts (the PC coder only takes 28x28 grey images).
            let mut refusals = Vec::new();
            for (name, media) in samples {
                match roundtrip(media, Some(codec.info.name), None, &CodecOptions::default()) {
                    Ok(report) => {
                        print(name, &report);
                        if codec.info.lossless && !report.exact {
                            failures += 1;
                        }
                        refusals.clear();
                        break;
                    }
                    Err(e) => refusals.push(format!("{e:#}")),
                }
            }
            if !refusals.is_empty() {
                bail!(
                    "codec '{}' accepted no bundled sample: {}",
                    codec.info.name,
                    refusals.join("; ")
                );
            }
        }
    }
    if failures > 0 {
        bail!("{failures} lossless round trip(s) were not exact");
    }
    Ok(())
}

fn print(name: &str, r: &RoundtripReport) {
    println!(
        "{name:<16} codec {:<8} {:>9} bytes  {:>9.4} {:<4}  exact {:<5}  max|diff| {:<10.3e} enc {:>7.3} s  dec {:>7.3} s",
        r.codec,
        r.bytes,
        r.rate,
        r.unit,
        r.exact,
        r.max_abs_diff,
        r.encode_s,
        r.decode_s
    );
}

/// Encodes `media`, serialises, parses, decodes and compares.
pub fn roundtrip(
    media: Media,
    codec: Option<&str>,
    quality: Option<u8>,
    copts: &CodecOptions,
) -> Result<RoundtripReport> {
    let kind = if matches!(media, Media::Audio(_)) {
        MediaKind::Audio
    } else {
        MediaKind::Image
    };
    let name = codec.unwrap_or_else(|| cinder_codecs::default_codec(kind));
    let registry = cinder_codecs::default_registry();
    let mut open = copts.open_options(quality);
    open.media = Some(kind);
    let codec = registry
        .open(name, &open)
        .with_context(|| format!("cannot open codec '{name}'"))?;
    let t0 = Instant::now();
    let container = match (&codec, &media) {
        (AnyCodec::Image(c), Media::Image(i)) => c.encode(i, &EncodeOptions::default())?,
        (AnyCodec::Image(c), Media::ImageSet(s)) => c.encode_set(s, &EncodeOptions::default())?,
        (AnyCodec::Audio(c), Media::Audio(a)) => c.encode(a, &EncodeOptions::default())?,
        (c, _) => bail!("codec '{}' cannot encode this media type", c.info().name),
    };
    let bytes = container.to_bytes()?;
    let encode_s = t0.elapsed().as_secs_f64();
    let t1 = Instant::now();
    let parsed = Container::from_bytes(&bytes, &Limits::default())?;
    let decoded = registry.decode(&parsed, &copts.open_options(None), &DecodeOptions::default())?;
    let decode_s = t1.elapsed().as_secs_f64();
    let bits = bytes.len() as f64 * 8.0;
    let (rate, unit) = match &media {
        Media::Image(i) => (bits / i.pixels() as f64, "bpp"),
        Media::ImageSet(s) => (bits / s.iter().map(|i| i.pixels() as f64).sum::<f64>(), "bpp"),
        Media::Audio(a) => (bits / a.seconds().max(1e-9) / 1000.0, "kbps"),
    };
    Ok(RoundtripReport {
        codec: codec.info().name,
        bytes: bytes.len(),
        rate,
        unit,
        exact: decoded == media,
        max_abs_diff: max_abs_diff(&media, &decoded),
        encode_s,
        decode_s,
    })
}

fn max_abs_diff(a: &Media, b: &Media) -> f64 {
    let bytes = |x: &[u8], y: &[u8]| {
        if x.len() != y.len() {
            return f64::INFINITY;
        }
        x.iter()
            .zip(y)
            .map(|(p, q)| f64::from(p.abs_diff(*q)))
            .fold(0.0, f64::max)
    };
    match (a, b) {
        (Media::Image(x), Media::Image(y)) => bytes(&x.data, &y.data),
        (Media::ImageSet(x), Media::ImageSet(y)) if x.len() == y.len() => x
            .iter()
            .zip(y)
            .map(|(p, q)| bytes(&p.data, &q.data))
            .fold(0.0, f64::max),
        // A codec with a fixed output format (hifi: 16 kHz mono) is compared with the input in that format.
        (Media::Audio(x), Media::Audio(y)) if (x.sample_rate, x.channels) != (y.sample_rate, y.channels) => {
            match cinder_datasets::resample::to_mono_at(x, y.sample_rate) {
                Ok(m) if y.channels == 1 => max_abs_diff(&Media::Audio(m), b),
                _ => f64::INFINITY,
            }
        }
        (Media::Audio(x), Media::Audio(y)) if x.samples.len() == y.samples.len() => x
            .samples
            .iter()
            .zip(&y.samples)
            .map(|(p, q)| f64::from((p - q).abs()))
            .fold(0.0, f64::max),
        _ => f64::INFINITY,
    }
}
