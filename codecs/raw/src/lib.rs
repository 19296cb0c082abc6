//! The raw (uncompressed, lossless) Cinder codec.
