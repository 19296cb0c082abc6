//! The shipped models (DESIGN §7), described in `weights/MANIFEST.toml` and embedded with feature
//! `embedded-weights`: for each quality the current model (what encoders use) and the models it replaced, kept
//! so that files written with them still decode (their header names the model id).

/// Model id written in headers by the first MNIST model (HCLT M=32; decode only since 2026-11-27).
pub const MNIST_M32_MODEL_ID: u16 = 1;
/// Model id written in headers by the first Fashion-MNIST model (HCLT M=32; decode only since 2026-11-27).
pub const FASHION_M32_MODEL_ID: u16 = 2;
/// Model id written in headers by the second MNIST model (HCLT M=64; decode only since 2026-11-27, session 10).
pub const MNIST_M64_MODEL_ID: u16 = 3;
/// Model id written in headers by the second Fashion-MNIST model (HCLT M=64; decode only since 2026-11-27,
/// session 10).
pub const FASHION_M64_MODEL_ID: u16 = 4;
/// Model id written in headers by the current MNIST model (HCLT M=64 trained with one-pixel moves).
pub const MNIST_MODEL_ID: u16 = 5;
/// Model id written in headers by the current Fashion-MNIST model (HCLT M=64 trained with one-pixel moves).
pub const FASHION_MODEL_ID: u16 = 6;

/// One embedded model file.
#[derive(Debug, Clone, Copy)]
pub struct EmbeddedModel {
    /// Quality level it serves (0 = MNIST, 1 = Fashion-MNIST).
    pub quality: u8,
    /// Model id in the headers it writes.
    pub model_id: u16,
    /// Whether encoders use it (one current model per quality); the others only decode old files.
    pub current: bool,
    /// The model file.
    pub bytes: &'static [u8],
}

impl EmbeddedModel {
    const fn new(quality: u8, model_id: u16, current: bool, bytes: &'static [u8]) -> EmbeddedModel {
        EmbeddedModel {
            quality,
            model_id,
            current,
            bytes,
        }
    }
}

/// Every embedded model.
#[cfg(feature = "embedded-weights")]
pub const MODELS: &[EmbeddedModel] = &[
    EmbeddedModel::new(0, MNIST_MODEL_ID, true, include_bytes!("../weights/mnist.pcm")),
    EmbeddedModel::new(
        1,
        FASHION_MODEL_ID,
        true,
        include_bytes!("../weights/fashion.pcm"),
    ),
    EmbeddedModel::new(
        0,
        MNIST_M64_MODEL_ID,
        false,
        include_bytes!("../weights/mnist-m64.pcm"),
    ),
    EmbeddedModel::new(
        1,
        FASHION_M64_MODEL_ID,
        false,
        include_bytes!("../weights/fashion-m64.pcm"),
    ),
    EmbeddedModel::new(
        0,
        MNIST_M32_MODEL_ID,
        false,
        include_bytes!("../weights/mnist-m32.pcm"),
    ),
    EmbeddedModel::new(
        1,
        FASHION_M32_MODEL_ID,
        false,
        include_bytes!("../weights/fashion-m32.pcm"),
    ),
];

/// Without feature `embedded-weights` there are no embedded models.
#[cfg(not(feature = "embedded-weights"))]
pub const MODELS: &[EmbeddedModel] = &[];

/// The embedded model for `quality`: the one with `model_id` when given and embedded (to decode a file), else
/// the current one.
pub fn embedded(quality: u8, model_id: Option<u16>) -> Option<&'static EmbeddedModel> {
    let of_quality = || MODELS.iter().filter(move |m| m.quality == quality);
    model_id
        .and_then(|id| of_quality().find(|m| m.model_id == id))
        .or_else(|| of_quality().find(|m| m.current))
}
