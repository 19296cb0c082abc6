//! # cinder-codecs — every Cinder codec behind one registry
//!
//! What a library user depends on: [`default_registry`] opens any codec of this build by name or by the id
//! stored in a file. Each neural codec is a cargo feature.
//!
//! ```
//! use cinder_core::{AnyCodec, DecodeOptions, EncodeOptions, Image, Media, OpenOptions};
//! let registry = cinder_codecs::default_registry();
//! let AnyCodec::Image(codec) = registry.open("raw", &OpenOptions::default())? else { unreachable!() };
//! let img = Image::new(1, 1, 3, vec![1, 2, 3])?;
//! let container = codec.encode(&img, &EncodeOptions::default())?;
//! let back = registry.decode(&container, &OpenOptions::default(), &DecodeOptions::default())?;
//! assert_eq!(back, Media::Image(img));
//! # Ok::<(), cinder_core::CodecError>(())
//! ```

pub use cinder_core::{self as core, Registry};
/// HiFi-Codec (token API, training with feature `train`).
#[cfg(feature = "hifi")]
pub use cinder_hifi as hifi;
/// Shared burn building blocks and device selection.
pub use cinder_nn as nn;
/// The probabilistic-circuit coder (training API for `cinder train pc`).
#[cfg(feature = "pc")]
pub use cinder_pc as pc;
/// The VQGAN extreme image codec (model API, training with feature `train`).
#[cfg(feature = "vqgan")]
pub use cinder_vqgan as vqgan;
/// WaLLoC (compressed-domain API).
#[cfg(feature = "walloc")]
pub use cinder_walloc as walloc;

/// A registry holding every codec compiled into this build.
pub fn default_registry() -> Registry {
    let mut registry = Registry::new();
    for codec in all_codecs() {
        // Ids and names are distinct by construction (checked by a test), so registration cannot fail here.
        let _ = registry.register(codec);
    }
    registry
}

/// The codec `cinder encode` uses for a media kind when `--codec` is not given.
pub fn default_codec(kind: cinder_core::MediaKind) -> &'static str {
    match kind {
        cinder_core::MediaKind::Image | cinder_core::MediaKind::Audio => "raw",
    }
}

fn all_codecs() -> Vec<cinder_core::RegisteredCodec> {
    let mut codecs = vec![cinder_raw::registered()];
    #[cfg(feature = "walloc")]
    codecs.push(cinder_walloc::registered());
    #[cfg(feature = "pc")]
    codecs.push(cinder_pc::registered());
    #[cfg(feature = "hifi")]
    codecs.push(cinder_hifi::registered());
    #[cfg(feature = "vqgan")]
    codecs.push(cinder_vqgan::registered());
    codecs
}

#[cfg(test)]
mod tests {
    #[test]
    fn codec_ids_and_names_are_unique() {
        let mut registry = cinder_core::Registry::new();
        for codec in super::all_codecs() {
            registry.register(codec).unwrap();
        }
    }
}
