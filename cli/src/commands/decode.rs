//! `cinder decode`: `.cnd` (or a directory of them) → PNG / WAV / a directory of PNGs / IDX.

use super::CodecOptions;
use crate::paths;
use anyhow::{Context, Result};
use cinder_core::{DecodeOptions, Image, Media};
use cinder_datasets::{idx, io};
use cinder_format::{Container, Limits};
use std::path::{Path, PathBuf};

/// Arguments of `cinder decode`.
#[derive(Debug, clap::Args)]
pub struct DecodeArgs {
    /// Input `.cnd` file, a directory of them, or `-`.
    pub input: PathBuf,
    /// Output: a PNG/WAV file, a directory (image sets, directory inputs), an `.idx` file (image sets), or `-`.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// Reconstruct what can be reconstructed from damaged files instead of failing (codecs that support it).
    #[arg(long)]
    pub conceal: bool,
    /// Overwrite existing outputs.
    #[arg(short, long)]
    pub force: bool,
    /// Codec options.
    #[command(flatten)]
    pub codec_opts: CodecOptions,
}

/// Runs `cinder decode`.
pub fn run(args: &DecodeArgs) -> Result<()> {
    if args.input.is_dir() {
        let dir = args
            .output
            .clone()
            .context("a directory input needs -o OUTPUT_DIR")?;
        std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
        let files = paths::list_dir(&args.input, |p| p.extension().is_some_and(|e| e == "cnd"))?;
        return paths::for_each_file(&files, "decoding", |file| {
            let media = decode_file(args, file)?;
            let ext = if matches!(media, Media::Audio(_)) {
                "wav"
            } else {
                "png"
            };
            write_media(&paths::output_in(&dir, file, ext), media, args.force)
        });
    }
    let media = decode_file(args, &args.input)?;
    let output = match &args.output {
        Some(o) => o.clone(),
        None if paths::is_std(&args.input) => PathBuf::from("-"),
        None => match media {
            Media::Image(_) => args.input.with_extension("png"),
            Media::Audio(_) => args.input.with_extension("wav"),
            Media::ImageSet(_) => args.input.with_extension(""),
        },
    };
    write_media(&output, media, args.force)
}

fn decode_file(args: &DecodeArgs, path: &Path) -> Result<Media> {
    let bytes = paths::read_input(path)?;
    let container = if args.conceal {
        let (container, damage) = Container::salvage(&bytes, &Limits::default())
            .with_context(|| format!("cannot read {}", path.display()))?;
        for line in damage {
            eprintln!("{}: {line}", path.display());
        }
        container
    } else {
        Container::from_bytes(&bytes, &Limits::default())
            .with_context(|| format!("cannot read {}", path.display()))?
    };
    let registry = cinder_codecs::default_registry();
    let mut opts = DecodeOptions::default();
    opts.conceal = args.conceal;
    let media = registry
        .decode(&container, &args.codec_opts.open_options(None), &opts)
        .with_context(|| format!("cannot decode {}", path.display()))?;
    Ok(media)
}

fn write_media(path: &Path, media: Media, force: bool) -> Result<()> {
    match media {
        Media::Image(img) => paths::write_output(path, &io::encode_png(&img)?, force),
        Media::Audio(a) => paths::write_output(path, &io::encode_wav(&a)?, force),
        Media::ImageSet(set) => write_set(path, &set, force),
    }
}

fn write_set(path: &Path, set: &[Image], force: bool) -> Result<()> {
    let name = path.to_string_lossy().to_ascii_lowercase();
    if name.ends_with(".idx") || name.contains("ubyte") || paths::is_std(path) {
        return paths::write_output(path, &idx::encode_idx_images(set)?, force);
    }
    std::fs::create_dir_all(path).with_context(|| format!("cannot create {}", path.display()))?;
    let width = set.len().to_string().len().max(5);
    for (i, img) in set.iter().enumerate() {
        let file = path.join(format!("{i:0width$}.png"));
        paths::write_output(&file, &io::encode_png(img)?, force)?;
    }
    Ok(())
}
