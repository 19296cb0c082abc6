//! Shared workload for the benches and the overhead example: a peaked 256-symbol distribution and samples from it.

use cinder_entropy::{CdfTable, DecodeModel};

/// A peaked (discretised Laplace-like) PMF over 256 symbols.
pub fn peaked_pmf() -> Vec<f64> {
    (0..256)
        .map(|i: i32| (-(f64::from(i - 40).abs()) / 12.0).exp())
        .collect()
}

/// The 24-bit table of [`peaked_pmf`].
pub fn table24() -> CdfTable {
    CdfTable::from_pmf(24, &peaked_pmf()).unwrap_or_else(|e| panic!("{e}"))
}

/// `n` symbols drawn from `table` with a fixed-seed LCG.
pub fn sample(table: &CdfTable, n: usize, seed: u64) -> Vec<u32> {
    let mut x = seed;
    (0..n)
        .map(|_| {
            x = x
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            let slot = (x >> 40) as u32; // 24 bits
            table.lookup(slot).map(|(s, _)| s).unwrap_or(0)
        })
        .collect()
}
