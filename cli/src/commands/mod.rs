//! One module per subcommand, plus the codec plumbing they share.

pub mod decode;
pub mod encode;
pub mod info;
pub mod list;
pub mod roundtrip;
pub mod train;

use anyhow::Result;
use cinder_core::{Device, OpenOptions, WeightsSource};
use std::path::PathBuf;

/// Options every command that opens a codec takes.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct CodecOptions {
    /// Weights file to load instead of the embedded default.
    #[arg(long, value_name = "PATH")]
    pub weights: Option<PathBuf>,
    /// Where networks run: cpu (default) or wgpu.
    #[arg(long, default_value = "cpu", value_parser = parse_device)]
    pub device: Device,
}

pub(crate) fn parse_device(s: &str) -> Result<Device, String> {
    s.parse()
}

impl CodecOptions {
    /// The [`OpenOptions`] these flags describe.
    pub fn open_options(&self, quality: Option<u8>) -> OpenOptions {
        OpenOptions {
            quality,
            weights: self
                .weights
                .clone()
                .map_or(WeightsSource::Embedded, WeightsSource::File),
            device: self.device,
            media: None,
            model: None,
        }
    }
}
