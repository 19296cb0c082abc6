//! Static categorical models: one [`CdfTable`] per channel or codebook, serialised together for weight bundles.
//!
//! Layout: varint table count, then each table in the `CdfTable` compact format.

use crate::cdf::CdfTable;
use crate::error::{EntropyError, Result};
use crate::varint::{read_u64, write_u64};

/// An indexed set of static tables (e.g. one per latent channel).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct TableSet {
    tables: Vec<CdfTable>,
}

impl TableSet {
    /// Wraps tables.
    pub fn new(tables: Vec<CdfTable>) -> Self {
        Self { tables }
    }

    /// Number of tables.
    pub fn len(&self) -> usize {
        self.tables.len()
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.tables.is_empty()
    }

    /// All tables.
    pub fn tables(&self) -> &[CdfTable] {
        &self.tables
    }

    /// Table `i`.
    pub fn get(&self, i: usize) -> Result<&CdfTable> {
        self.tables.get(i).ok_or(EntropyError::ContextOutOfRange {
            context: i,
            contexts: self.tables.len(),
        })
    }

    /// Appends the serialisation to `out`.
    pub fn write_to(&self, out: &mut Vec<u8>) {
        write_u64(out, self.tables.len() as u64);
        self.tables.iter().for_each(|t| t.write_to(out));
    }

    /// The serialisation.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.write_to(&mut out);
        out
    }

    /// Parses a set from the start of `bytes`, returning it and the bytes consumed.
    pub fn read_from(bytes: &[u8]) -> Result<(Self, usize)> {
        let mut pos = 0;
        let count = read_u64(bytes, &mut pos, "table set")?;
        // Each table takes at least 2 bytes: refuse before allocating.
        if count > (bytes.len() - pos) as u64 / 2 {
            return Err(EntropyError::Malformed {
                what: "table set",
                reason: "fewer bytes than tables",
            });
        }
        let mut tables = Vec::with_capacity(count as usize);
        for _ in 0..count {
            let (t, used) = CdfTable::read_from(&bytes[pos..])?;
            pos += used;
            tables.push(t);
        }
        Ok((Self { tables }, pos))
    }

    /// Parses a set occupying all of `bytes`.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let (s, used) = Self::read_from(bytes)?;
        if used != bytes.len() {
            return Err(EntropyError::Malformed {
                what: "table set",
                reason: "trailing bytes",
            });
        }
        Ok(s)
    }
}
