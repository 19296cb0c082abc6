//! Small helpers every training loop of the suite shares: a stateless random stream (so a batch is a pure function
//! of `(seed, step, index)` and resumed runs see the same data), CSV logs appended line by line, and atomic file
//! replacement for checkpoints.

use std::io::Write;
use std::path::Path;

/// SplitMix64: one step of a stateless 64-bit mixer.
pub fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The random stream of sample `i` of `step`.
pub fn sample_seed(seed: u64, step: u64, i: u64) -> u64 {
    mix(seed ^ mix(step.wrapping_mul(1_000_003) ^ i))
}

/// Appends a CSV line, writing `header` first into a new file.
pub fn append_csv(path: &Path, header: &str, line: &str) -> std::io::Result<()> {
    let fresh = !path.exists();
    let mut f = std::fs::OpenOptions::new().create(true).append(true).open(path)?;
    if fresh {
        writeln!(f, "{header}")?;
    }
    writeln!(f, "{line}")
}

/// Writes `bytes` to a temporary file beside `path`, then renames it over `path`.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_pure_and_files_are_written() {
        assert_eq!(sample_seed(1, 2, 3), sample_seed(1, 2, 3));
        assert_ne!(sample_seed(1, 2, 3), sample_seed(1, 2, 4));
        let dir = std::env::temp_dir().join(format!("cinder-nn-train-io-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let csv = dir.join("log.csv");
        let _ = std::fs::remove_file(&csv);
        append_csv(&csv, "a,b", "1,2").unwrap();
        append_csv(&csv, "a,b", "3,4").unwrap();
        assert_eq!(std::fs::read_to_string(&csv).unwrap(), "a,b\n1,2\n3,4\n");
        write_atomic(&dir.join("x.bin"), b"xy").unwrap();
        assert_eq!(std::fs::read(dir.join("x.bin")).unwrap(), b"xy");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
