//! The codec registry: codecs by stable id (for decoding) and by name (for the CLI).

use crate::{AnyCodec, CodecError, CodecInfo, DecodeOptions, Media, MediaKind, OpenOptions};
use cinder_format::{Container, Header, MediaParams};

/// A codec the registry can open.
#[derive(Clone, Copy)]
pub struct RegisteredCodec {
    /// Static description.
    pub info: &'static CodecInfo,
    /// Opens the codec at a quality with given weights on a device.
    pub open: fn(&OpenOptions) -> Result<AnyCodec, CodecError>,
}

/// Codecs by id and by name. `cinder_codecs::default_registry()` fills one with every codec of the build.
#[derive(Default, Clone)]
pub struct Registry {
    codecs: Vec<RegisteredCodec>,
}

impl Registry {
    /// An empty registry.
    pub fn new() -> Registry {
        Registry::default()
    }

    /// Adds a codec; ids and names must be unique.
    pub fn register(&mut self, codec: RegisteredCodec) -> Result<(), CodecError> {
        if let Some(old) = self
            .codecs
            .iter()
            .find(|c| c.info.id == codec.info.id || c.info.name == codec.info.name)
        {
            return Err(CodecError::Other {
                codec: codec.info.name,
                message: format!(
                    "clashes with registered codec '{}' (id {})",
                    old.info.name, old.info.id
                ),
                source: None,
            });
        }
        self.codecs.push(codec);
        Ok(())
    }

    /// Every registered codec, in registration order.
    pub fn iter(&self) -> impl Iterator<Item = &RegisteredCodec> {
        self.codecs.iter()
    }

    /// Looks a codec up by its stable id.
    pub fn by_id(&self, id: u16) -> Result<&RegisteredCodec, CodecError> {
        self.codecs
            .iter()
            .find(|c| c.info.id == id)
            .ok_or_else(|| CodecError::UnknownCodecId(id, self.names()))
    }

    /// Looks a codec up by name (case-insensitive).
    pub fn by_name(&self, name: &str) -> Result<&RegisteredCodec, CodecError> {
        self.codecs
            .iter()
            .find(|c| c.info.name.eq_ignore_ascii_case(name))
            .ok_or_else(|| CodecError::UnknownCodecName(name.to_string(), self.names()))
    }

    fn names(&self) -> String {
        let names: Vec<String> = self
            .codecs
            .iter()
            .map(|c| format!("{} (id {})", c.info.name, c.info.id))
            .collect();
        if names.is_empty() {
            "none".into()
        } else {
            names.join(", ")
        }
    }

    /// Opens the codec named `name`.
    pub fn open(&self, name: &str, opts: &OpenOptions) -> Result<AnyCodec, CodecError> {
        let codec = self.by_name(name)?;
        let quality = opts.quality.unwrap_or(codec.info.default_quality);
        codec.info.check_quality(quality)?;
        (codec.open)(&OpenOptions {
            quality: Some(quality),
            ..opts.clone()
        })
    }

    /// Opens the codec, quality and (with `opts.weights`) weights that a header names.
    pub fn open_for(&self, header: &Header, opts: &OpenOptions) -> Result<AnyCodec, CodecError> {
        let codec = self.by_id(header.codec_id)?;
        codec.info.check_quality(header.quality)?;
        let media = match header.media {
            MediaParams::Audio { .. } => MediaKind::Audio,
            MediaParams::Image { .. } | MediaParams::ImageSet { .. } => MediaKind::Image,
        };
        (codec.open)(&OpenOptions {
            quality: Some(header.quality),
            media: Some(media),
            model: Some(header.model_id),
            ..opts.clone()
        })
    }

    /// Decodes any container with the codec its header names.
    pub fn decode(
        &self,
        container: &Container,
        open: &OpenOptions,
        opts: &DecodeOptions,
    ) -> Result<Media, CodecError> {
        self.open_for(&container.header, open)?.decode(container, opts)
    }
}
