//! A module's parameters as burnpack bytes (what the weights files of every neural codec embed) and back.

use burn::module::Module;
use burn::store::ModuleRecord;
use burn::tensor::Bytes;

/// Loads burnpack bytes into a module of the same shape.
pub fn from_bytes<M: Module>(module: M, burnpack: &[u8]) -> Result<M, String> {
    let record = ModuleRecord::from_bytes(Bytes::from_bytes_vec(burnpack.to_vec()))
        .map_err(|e| format!("network record: {e}"))?;
    module
        .try_load_record(record)
        .map_err(|e| format!("network record does not fit: {e}"))
}

/// The burnpack bytes of a module.
pub fn to_bytes<M: Module>(module: M) -> Result<Vec<u8>, String> {
    module
        .into_record()
        .into_bytes()
        .map(|b| b.to_vec())
        .map_err(|e| format!("cannot serialise the network: {e}"))
}
