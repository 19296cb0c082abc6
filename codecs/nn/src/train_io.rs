//! Small helpers every training loop of the suite shares: a stateless random stream (so a batch is a pure function
//! of `(seed, step, index)` and resumed runs see the same data), CSV logs appended line by line, atomic file
//! replacement, and the checkpoint files of a resumable run: a module with its optimiser state
//! ([`save_module`] / [`load_module`]) and `state.txt` ([`RunState`]).

use burn::module::Module;
use burn::optim::ModuleOptimizer;
use std::io::Write;
use std::path::Path;

/// Where a resumable run stands (`state.txt`: step, best validation metric, a readiness flag such as "the
/// codebooks are initialised"), written after every checkpoint.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RunState {
    /// Steps done.
    pub step: u64,
    /// Best validation metric so far.
    pub best: f64,
    /// A run-specific flag.
    pub ready: bool,
}

impl RunState {
    /// Reads `state.txt` in `dir` (`None` when the run has none); missing fields take `worst` / 0 / false.
    pub fn read(dir: &Path, worst: f64) -> std::io::Result<Option<RunState>> {
        let path = dir.join("state.txt");
        if !path.exists() {
            return Ok(None);
        }
        let text = std::fs::read_to_string(path)?;
        let mut f = text.split_whitespace();
        Ok(Some(RunState {
            step: f.next().and_then(|s| s.parse().ok()).unwrap_or(0),
            best: f.next().and_then(|s| s.parse().ok()).unwrap_or(worst),
            ready: f.next() == Some("1"),
        }))
    }

    /// Writes `state.txt` in `dir` atomically.
    pub fn write(&self, dir: &Path) -> std::io::Result<()> {
        let line = format!("{} {} {}\n", self.step, self.best, u8::from(self.ready));
        write_atomic(&dir.join("state.txt"), line.as_bytes())
    }
}

/// Saves a module and its optimiser state into `dir` as `files.0` and `files.1` (burnpack, atomically).
pub fn save_module<M: Module>(
    dir: &Path,
    files: (&str, &str),
    module: M,
    optim: &ModuleOptimizer,
) -> Result<(), String> {
    let net = crate::record::to_bytes(module).map_err(|e| format!("{}: {e}", files.0))?;
    write_atomic(&dir.join(files.0), &net).map_err(|e| format!("{}: {e}", files.0))?;
    let opt = optim.into_bytes().map_err(|e| format!("{}: {e}", files.1))?;
    write_atomic(&dir.join(files.1), &opt).map_err(|e| format!("{}: {e}", files.1))
}

/// One checkpoint of a quantised-autoencoder run (hifi, vqgan): the module and its optimiser ([`save_module`]),
/// the quantiser state as `vq.bin` once it exists, then `state.txt` last, so a run killed midway resumes from the
/// previous complete checkpoint.
pub fn save_checkpoint<M: Module>(
    dir: &Path,
    files: (&str, &str),
    module: M,
    optim: &ModuleOptimizer,
    vq: Option<&crate::vq::VqState>,
    state: &RunState,
) -> Result<(), String> {
    save_module(dir, files, module, optim)?;
    let cannot = |path: &Path, e: std::io::Error| format!("cannot write {}: {e}", path.display());
    if let Some(vq) = vq {
        let path = dir.join("vq.bin");
        write_atomic(&path, &vq.to_bytes()).map_err(|e| cannot(&path, e))?;
    }
    state.write(dir).map_err(|e| cannot(dir, e))
}

/// Loads what [`save_module`] wrote (the optimiser state only when its file exists); `None` when the module file
/// is absent.
pub fn load_module<M: Module>(
    dir: &Path,
    files: (&str, &str),
    module: M,
    optim: ModuleOptimizer,
) -> Result<Option<(M, ModuleOptimizer)>, String> {
    let (net, opt) = (dir.join(files.0), dir.join(files.1));
    if !net.exists() {
        return Ok(None);
    }
    let module = module
        .try_load_file(&net)
        .map_err(|e| format!("{}: {e}", files.0))?;
    let optim = if opt.exists() {
        optim.load(&opt).map_err(|e| format!("{}: {e}", files.1))?
    } else {
        optim
    };
    Ok(Some((module, optim)))
}

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
        assert_eq!(RunState::read(&dir, -1.0).unwrap(), None);
        let state = RunState {
            step: 7,
            best: f64::NEG_INFINITY,
            ready: true,
        };
        state.write(&dir).unwrap();
        assert_eq!(RunState::read(&dir, 0.0).unwrap(), Some(state));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
