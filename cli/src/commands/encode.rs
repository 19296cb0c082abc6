//! `cinder encode`: image / audio / IDX file / directory → `.cnd`.

use super::CodecOptions;
use crate::paths;
use anyhow::{bail, Context, Result};
use cinder_core::{AnyCodec, EncodeOptions, Image, Media, MediaKind};
use cinder_datasets::{idx, io};
use std::path::{Path, PathBuf};

/// Arguments of `cinder encode`.
#[derive(Debug, clap::Args)]
pub struct EncodeArgs {
    /// Input: an image (PNG, JPEG, …), audio (WAV, FLAC, MP3, Ogg), an IDX image file, a directory, or `-`.
    pub input: PathBuf,
    /// Output file (default: the input with `.cnd`; stdout for `-`), or directory for a directory input.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// Codec name (`cinder list`); default: chosen by media type.
    #[arg(short, long)]
    pub codec: Option<String>,
    /// Quality level (codec-specific; `cinder list` shows them).
    #[arg(short, long)]
    pub quality: Option<u8>,
    /// Code all images of a directory into one `.cnd` (an image set) instead of one file each.
    #[arg(long)]
    pub set: bool,
    /// Overwrite existing outputs.
    #[arg(short, long)]
    pub force: bool,
    /// Codec options.
    #[command(flatten)]
    pub codec_opts: CodecOptions,
}

/// Runs `cinder encode`.
pub fn run(args: &EncodeArgs) -> Result<()> {
    if args.input.is_dir() {
        return if args.set {
            encode_dir_as_set(args)
        } else {
            encode_dir(args)
        };
    }
    let media = load_media(&args.input)?;
    let bytes = encode_media(args, media)?;
    let output = match &args.output {
        Some(o) => o.clone(),
        None if paths::is_std(&args.input) => PathBuf::from("-"),
        None => args.input.with_extension("cnd"),
    };
    paths::write_output(&output, &bytes, args.force)
}

fn is_idx(path: &Path) -> bool {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    name.contains("idx3-ubyte") || name.ends_with(".idx")
}

/// Reads any supported input: IDX image files become image sets, everything else is sniffed by extension
/// (or content, for stdin).
pub fn load_media(path: &Path) -> Result<Media> {
    if is_idx(path) {
        return Ok(Media::ImageSet(idx::read_idx_images(path)?));
    }
    if io::is_audio_path(path) {
        return Ok(Media::Audio(io::load_audio(path)?));
    }
    let bytes = paths::read_input(path)?;
    if bytes.starts_with(&cinder_format::MAGIC) {
        bail!(
            "{} is already a Cinder container: use `cinder decode`",
            path.display()
        );
    }
    if io::is_image_path(path) || image_like(&bytes) {
        return Ok(Media::Image(io::decode_image(&bytes, path)?));
    }
    io::decode_audio(bytes, path).map(Media::Audio).with_context(|| {
        format!(
            "{} is neither an image nor audio that Cinder can read",
            path.display()
        )
    })
}

fn image_like(bytes: &[u8]) -> bool {
    image::guess_format(bytes).is_ok()
}

fn encode_media(args: &EncodeArgs, media: Media) -> Result<Vec<u8>> {
    let kind = if matches!(media, Media::Audio(_)) {
        MediaKind::Audio
    } else {
        MediaKind::Image
    };
    let codec = open(args, kind)?;
    encode_with(&codec, media)
}

fn open(args: &EncodeArgs, kind: MediaKind) -> Result<AnyCodec> {
    let registry = cinder_codecs::default_registry();
    let name = args
        .codec
        .clone()
        .unwrap_or_else(|| cinder_codecs::default_codec(kind).to_string());
    let mut opts = args.codec_opts.open_options(args.quality);
    opts.media = Some(kind);
    registry
        .open(&name, &opts)
        .with_context(|| format!("cannot open codec '{name}'"))
}

fn encode_with(codec: &AnyCodec, media: Media) -> Result<Vec<u8>> {
    let opts = EncodeOptions::default();
    let container = match (codec, media) {
        (AnyCodec::Image(c), Media::Image(img)) => c.encode(&img, &opts)?,
        (AnyCodec::Image(c), Media::ImageSet(set)) => c.encode_set(&set, &opts)?,
        (AnyCodec::Audio(c), Media::Audio(a)) => c.encode(&a, &opts)?,
        (c, _) => bail!("codec '{}' cannot encode this media type", c.info().name),
    };
    Ok(container.to_bytes()?)
}

fn output_dir(args: &EncodeArgs) -> Result<PathBuf> {
    let dir = args
        .output
        .clone()
        .context("a directory input needs -o OUTPUT_DIR")?;
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    Ok(dir)
}

fn encode_dir(args: &EncodeArgs) -> Result<()> {
    let dir = output_dir(args)?;
    let files = paths::list_dir(&args.input, |p| {
        io::is_image_path(p) || io::is_audio_path(p) || is_idx(p)
    })?;
    let image_codec = open(args, MediaKind::Image)?;
    let audio_codec = open(args, MediaKind::Audio).ok();
    paths::for_each_file(&files, "encoding", |file| {
        let media = load_media(file)?;
        let codec = match (&media, &audio_codec) {
            (Media::Audio(_), Some(c)) => c,
            (Media::Audio(_), None) => bail!("the codec does not encode audio"),
            _ => &image_codec,
        };
        let bytes = encode_with(codec, media)?;
        paths::write_output(&paths::output_in(&dir, file, "cnd"), &bytes, args.force)
    })
}

fn encode_dir_as_set(args: &EncodeArgs) -> Result<()> {
    let files = paths::list_dir(&args.input, io::is_image_path)?;
    let bar = paths::progress(files.len(), "reading");
    let images = files
        .iter()
        .map(|f| {
            bar.inc(1);
            io::load_image(f).map_err(anyhow::Error::from)
        })
        .collect::<Result<Vec<Image>>>()?;
    bar.finish_and_clear();
    let bytes = encode_media(args, Media::ImageSet(images))?;
    let output = args
        .output
        .clone()
        .unwrap_or_else(|| args.input.with_extension("cnd"));
    paths::write_output(&output, &bytes, args.force)
}
