//! Coded size versus the model's cross-entropy (−Σ log2 p under the integer model actually used), for every
//! model × coder, on 1 M symbols and on short (784-symbol, one MNIST image) streams.
//!
//! Run: `cargo run -p cinder-entropy --release --example overhead`

#![allow(clippy::unwrap_used)] // example code

#[path = "../benches/common.rs"]
mod common;

use cinder_entropy::{
    AdaptiveConfig, AdaptiveModel, AnsEncoder, BitCounter, ByteRangeEncoder, CdfSlice, CdfTable,
    ContextModel, Escape, RangeEncoder, Result, SymbolEncoder, Uniform,
};

fn row(name: &str, ideal: f64, coded: usize) {
    let over = coded as f64 - ideal;
    println!(
        "| {name} | {ideal:.1} | {coded} | {over:+.1} | {:+.4} % |",
        100.0 * over / ideal.max(1.0)
    );
}

fn static_rows(table: &CdfTable, symbols: &[u32], label: &str) {
    let ideal = table.cross_entropy(symbols).unwrap();
    let mut a = AnsEncoder::new();
    a.encode_iid(symbols, table).unwrap();
    row(
        &format!("static table, ANS, {label}"),
        ideal,
        a.finish().num_bits(),
    );
    let mut r = RangeEncoder::new();
    r.encode_iid(symbols, table).unwrap();
    row(
        &format!("static table, range, {label}"),
        ideal,
        r.finish().num_bits(),
    );
    let u = Uniform::new(256).unwrap();
    let mut a = AnsEncoder::new();
    a.encode_iid(symbols, &u).unwrap();
    row(
        &format!("uniform(256), ANS, {label}"),
        symbols.len() as f64 * 8.0,
        a.finish().num_bits(),
    );
    let mut r = RangeEncoder::new();
    let mut c = BitCounter::new();
    for &s in symbols {
        let slice = CdfSlice::new(table.cdf(), 24).unwrap();
        r.encode(s, &slice).unwrap();
        c.encode(s, &slice).unwrap();
    }
    row(
        &format!("custom CDF slice, range, {label}"),
        c.bits(),
        r.finish().num_bits(),
    );
}

fn adaptive_rows(symbols: &[u32], label: &str) {
    let cfg = AdaptiveConfig::default();
    let go = |enc: &mut dyn FnMut(&mut AdaptiveModel, &mut ContextModel, u32, u32) -> Result<()>| {
        let mut m = AdaptiveModel::new(256, cfg).unwrap();
        let mut cm = ContextModel::new(16, 256, cfg).unwrap();
        let mut prev = 0;
        for &s in symbols {
            enc(&mut m, &mut cm, prev, s).unwrap();
            prev = s;
        }
    };
    let (mut r, mut c) = (RangeEncoder::new(), BitCounter::new());
    go(&mut |m, _, _, s| m.encode(&mut r, s));
    go(&mut |m, _, _, s| m.encode(&mut c, s));
    row(
        &format!("adaptive, range, {label}"),
        c.bits(),
        r.finish().num_bits(),
    );
    let (mut r, mut c) = (RangeEncoder::new(), BitCounter::new());
    go(&mut |_, cm, p, s| cm.encode(&mut r, (p / 16) as usize, s));
    go(&mut |_, cm, p, s| cm.encode(&mut c, (p / 16) as usize, s));
    row(
        &format!("context (16), range, {label}"),
        c.bits(),
        r.finish().num_bits(),
    );
    let esc = Escape::new(0, 64).unwrap();
    let (mut r, mut c) = (RangeEncoder::new(), BitCounter::new());
    let mut m1 = AdaptiveModel::new(65, cfg).unwrap();
    let mut m2 = m1.clone();
    for &s in symbols {
        esc.encode_adaptive(&mut r, s as i32 - 20, &mut m1).unwrap();
        esc.encode_adaptive(&mut c, s as i32 - 20, &mut m2).unwrap();
    }
    row(
        &format!("escape + adaptive, range, {label}"),
        c.bits(),
        r.finish().num_bits(),
    );
}

fn main() {
    let table = common::table24();
    println!("| model / coder, symbols | ideal bits | coded bits | overhead bits | overhead |");
    println!("|---|---|---|---|---|");
    let big = common::sample(&table, 1 << 20, 3);
    static_rows(&table, &big, "1M");
    adaptive_rows(&big, "1M");
    // Short streams: the worst of 100 streams of 784 symbols.
    let mut worst = [0f64; 3];
    let mut mean = [0f64; 3];
    for seed in 0..100 {
        let syms = common::sample(&table, 784, 1000 + seed);
        let ideal = table.cross_entropy(&syms).unwrap();
        let mut a = AnsEncoder::new();
        a.encode_iid(&syms, &table).unwrap();
        let mut r = RangeEncoder::new();
        r.encode_iid(&syms, &table).unwrap();
        let mut b = ByteRangeEncoder::new();
        syms.iter().for_each(|&s| b.encode(s, &table).unwrap());
        let over = [
            a.finish().num_bits() as f64 - ideal,
            r.finish().num_bits() as f64 - ideal,
            (b.finish().len() * 8) as f64 - ideal,
        ];
        for k in 0..3 {
            worst[k] = worst[k].max(over[k]);
            mean[k] += over[k] / 100.0;
        }
    }
    println!();
    println!(
        "short streams (784 symbols, 100 streams): overhead mean / worst: ANS {:+.1} / {:+.1} bits, range {:+.1} / {:+.1} bits, byte range {:+.1} / {:+.1} bits (+ the caller's length prefix)",
        mean[0], worst[0], mean[1], worst[1], mean[2], worst[2]
    );
}
