//! # cinder-datasets — media I/O and dataset loaders
//!
//! [`io`] reads and writes media files (images through `image`, audio through symphonia and hound), [`idx`]
//! reads MNIST-style IDX files, [`folders`] lists image and audio folders in sorted order, [`resample`]
//! downmixes and resamples audio (rubato), [`crops`] cuts seeded random crops and [`synthetic`] makes
//! deterministic test media. A `burn` Dataset/Batcher feature is planned, not yet here. Dataset roots come from flags or the `CINDER_DATA` environment variable and
//! default to `../shared/data` ([`data_root`]).

pub mod crops;
mod error;
pub mod folders;
pub mod idx;
pub mod io;
pub mod resample;
pub mod synthetic;

pub use error::DatasetError;

use std::path::PathBuf;

/// Root of the shared data: `$CINDER_DATA` if set, else `../shared/data`.
pub fn data_root() -> PathBuf {
    std::env::var_os("CINDER_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("../shared/data"))
}
