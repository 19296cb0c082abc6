//! `cinder info`: header fields, the chunk table with sizes, and the rate (bpp, bpd or kbps).

use crate::paths;
use anyhow::{Context, Result};
use cinder_format::{Limits, MediaParams, Reader};
use std::path::PathBuf;

/// Arguments of `cinder info`.
#[derive(Debug, clap::Args)]
pub struct InfoArgs {
    /// The `.cnd` file, or `-`.
    pub input: PathBuf,
}

/// Runs `cinder info`.
pub fn run(args: &InfoArgs) -> Result<()> {
    let bytes = paths::read_input(&args.input)?;
    let mut reader = Reader::new(&bytes[..], Limits::default())
        .with_context(|| format!("cannot read {}", args.input.display()))?;
    let h = *reader.header();
    let (major, minor) = reader.version();
    let registry = cinder_codecs::default_registry();
    let codec_name = registry
        .by_id(h.codec_id)
        .map(|c| c.info.name)
        .unwrap_or("unknown to this build");
    println!(
        "file:      {} ({} bytes), container v{major}.{minor}",
        args.input.display(),
        bytes.len()
    );
    println!(
        "codec:     {codec_name} (id {}), model {}, quality {}",
        h.codec_id, h.model_id, h.quality
    );
    println!("weights:   {}", cinder_core::hex(&h.weights_digest));
    let bits = bytes.len() as f64 * 8.0;
    match h.media {
        MediaParams::Image {
            width,
            height,
            channels,
        } => {
            println!("media:     image {width}x{height}, {channels} channel(s)");
            println!(
                "rate:      {:.4} bpp",
                bits / (f64::from(width) * f64::from(height))
            );
        }
        MediaParams::ImageSet {
            width,
            height,
            channels,
            count,
        } => {
            println!("media:     {count} image(s) of {width}x{height}, {channels} channel(s)");
            let dims = f64::from(width) * f64::from(height) * f64::from(channels) * count as f64;
            println!("rate:      {:.4} bpd (bits per dimension)", bits / dims);
        }
        MediaParams::Audio {
            sample_rate,
            channels,
            frames,
            gain,
        } => {
            let seconds = frames as f64 / f64::from(sample_rate);
            println!("media:     audio {sample_rate} Hz, {channels} channel(s), {frames} frames ({seconds:.3} s), gain {gain}");
            if seconds > 0.0 {
                println!("rate:      {:.3} kbps", bits / seconds / 1000.0);
            }
        }
    }
    println!("chunks:");
    println!("  {:>5}  {:<4}  {:>12}", "#", "id", "bytes");
    let mut n = 0usize;
    while let Some(chunk) = reader.next_chunk().context("while reading the chunk table")? {
        let kind = if chunk.id.is_critical() {
            ""
        } else {
            "  (ancillary)"
        };
        println!("  {n:>5}  {}  {:>12}{kind}", chunk.id, chunk.data.len());
        n += 1;
    }
    println!("  {n} chunk(s), end chunk present, all CRCs valid");
    Ok(())
}
