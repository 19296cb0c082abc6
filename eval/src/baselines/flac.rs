//! FLAC through the reference `flac` tool (Debian `flac`) at `-8`: lossless (for 16-bit input).

use crate::baselines::audio_tool::code_via_wav;
use crate::baselines::tool::Tool;
use crate::codec::{AudioCoder, Coded};
use crate::EvalError;
use cinder_core::Audio;

/// `flac`.
pub const FLAC: Tool = Tool {
    program: "flac",
    package: "flac",
};

/// The FLAC baseline (quality ignored).
pub struct Flac;

impl AudioCoder for Flac {
    fn lossless(&self) -> bool {
        true
    }
    fn code(&self, audio: &Audio, _quality: f64) -> Result<Coded<Audio>, EvalError> {
        code_via_wav(
            audio,
            "flac",
            &|src, dst| {
                FLAC.run([
                    "--silent".as_ref(),
                    "-8".as_ref(),
                    "-f".as_ref(),
                    "-o".as_ref(),
                    dst.as_os_str(),
                    src.as_os_str(),
                ])
            },
            &|src, dst| {
                FLAC.run([
                    "--silent".as_ref(),
                    "-d".as_ref(),
                    "-f".as_ref(),
                    "-o".as_ref(),
                    dst.as_os_str(),
                    src.as_os_str(),
                ])
            },
        )
    }
}
