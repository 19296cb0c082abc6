//! The shipped models (DESIGN §7): `weights/mnist.pcm` and `weights/fashion.pcm`, described in
//! `weights/MANIFEST.toml`, embedded with feature `embedded-weights`.

/// Model id written in headers for the MNIST model.
pub const MNIST_MODEL_ID: u16 = 1;
/// Model id written in headers for the Fashion-MNIST model.
pub const FASHION_MODEL_ID: u16 = 2;

/// The embedded model file for a quality level (0 = MNIST, 1 = Fashion-MNIST) and its model id.
#[cfg(feature = "embedded-weights")]
pub fn embedded(quality: u8) -> Option<(&'static [u8], u16)> {
    match quality {
        0 => Some((include_bytes!("../weights/mnist.pcm"), MNIST_MODEL_ID)),
        1 => Some((include_bytes!("../weights/fashion.pcm"), FASHION_MODEL_ID)),
        _ => None,
    }
}

/// Without feature `embedded-weights` there are no embedded models.
#[cfg(not(feature = "embedded-weights"))]
pub fn embedded(_quality: u8) -> Option<(&'static [u8], u16)> {
    None
}
