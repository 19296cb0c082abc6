//! Throughput benches (placeholder).
fn main() {}
