//! Symbols per second for each model × coder, next to the same workload through constriction called directly.
//!
//! Run: `cargo bench -p cinder-entropy --bench throughput` (≈ 1–2 min on 2 cores).

#![allow(clippy::unwrap_used, missing_docs)] // bench code: a panic is a failure

#[path = "common.rs"]
mod common;

use std::hint::black_box;
use std::time::Duration;

use cinder_entropy::{
    AdaptiveConfig, AdaptiveModel, AnsDecoder, AnsEncoder, CdfSlice, ContextModel, Escape, Limits,
    RangeDecoder, RangeEncoder, SymbolDecoder, SymbolEncoder, Uniform,
};
use constriction::backends::Cursor;
use constriction::stream::model::ContiguousCategoricalEntropyModel;
use constriction::stream::queue::{DefaultRangeEncoder, RangeDecoder as CRangeDecoder};
use constriction::stream::stack::{AnsCoder, DefaultAnsCoder};
use constriction::stream::{Decode, Encode};
use criterion::{criterion_group, criterion_main, BenchmarkGroup, Criterion, Throughput};

const N: usize = 1 << 20;

type Raw = ContiguousCategoricalEntropyModel<u32, Vec<u32>, 24>;

fn group<'a>(c: &'a mut Criterion, name: &str) -> BenchmarkGroup<'a, criterion::measurement::WallTime> {
    let mut g = c.benchmark_group(name);
    g.sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .throughput(Throughput::Elements(N as u64));
    g
}

fn static_models(c: &mut Criterion) {
    let table = common::table24();
    let symbols = common::sample(&table, N, 7);
    let raw = Raw::from_nonzero_fixed_point_probabilities(table.frequencies(), false).unwrap();
    let raw_syms: Vec<usize> = symbols.iter().map(|&s| s as usize).collect();
    let limits = Limits::default();

    let mut g = group(c, "static_ans");
    g.bench_function("cinder_encode", |b| {
        b.iter(|| {
            let mut e = AnsEncoder::new();
            e.encode_iid(black_box(&symbols), &table).unwrap();
            e.finish()
        })
    });
    g.bench_function("constriction_encode", |b| {
        b.iter(|| {
            let mut e = DefaultAnsCoder::new();
            e.encode_iid_symbols_reverse(black_box(&raw_syms), &raw).unwrap();
            e.into_compressed().unwrap()
        })
    });
    let mut e = AnsEncoder::new();
    e.encode_iid(&symbols, &table).unwrap();
    let stream = e.finish();
    g.bench_function("cinder_decode", |b| {
        b.iter(|| {
            let mut d = AnsDecoder::new(black_box(&stream)).unwrap();
            d.decode_vec(N, &table, &limits).unwrap()
        })
    });
    g.bench_function("constriction_decode", |b| {
        b.iter(|| {
            let mut d = AnsCoder::<u32, u64, _>::from_compressed_slice(black_box(stream.words())).unwrap();
            d.decode_iid_symbols(N, &raw)
                .collect::<Result<Vec<_>, _>>()
                .unwrap()
        })
    });
    g.finish();

    let mut g = group(c, "static_range");
    g.bench_function("cinder_encode", |b| {
        b.iter(|| {
            let mut e = RangeEncoder::new();
            e.encode_iid(black_box(&symbols), &table).unwrap();
            e.finish()
        })
    });
    g.bench_function("constriction_encode", |b| {
        b.iter(|| {
            let mut e = DefaultRangeEncoder::new();
            e.encode_iid_symbols(black_box(&raw_syms), &raw).unwrap();
            e.into_compressed().unwrap()
        })
    });
    let mut e = RangeEncoder::new();
    e.encode_iid(&symbols, &table).unwrap();
    let stream = e.finish();
    g.bench_function("cinder_decode", |b| {
        b.iter(|| {
            let mut d = RangeDecoder::new(black_box(&stream)).unwrap();
            d.decode_vec(N, &table, &limits).unwrap()
        })
    });
    g.bench_function("constriction_decode", |b| {
        b.iter(|| {
            let mut d =
                CRangeDecoder::<u32, u64, Cursor<u32, &[u32]>>::from_compressed(black_box(stream.words()))
                    .unwrap();
            d.decode_iid_symbols(N, &raw)
                .collect::<Result<Vec<_>, _>>()
                .unwrap()
        })
    });
    g.finish();
}

fn uniform_and_custom(c: &mut Criterion) {
    let table = common::table24();
    let symbols = common::sample(&table, N, 11);
    let uni = Uniform::new(256).unwrap();
    let mut g = group(c, "uniform_ans");
    g.bench_function("cinder_encode", |b| {
        b.iter(|| {
            let mut e = AnsEncoder::new();
            e.encode_iid(black_box(&symbols), &uni).unwrap();
            e.finish()
        })
    });
    let mut e = AnsEncoder::new();
    e.encode_iid(&symbols, &uni).unwrap();
    let stream = e.finish();
    g.bench_function("cinder_decode", |b| {
        b.iter(|| {
            AnsDecoder::new(&stream)
                .unwrap()
                .decode_vec(N, &uni, &Limits::default())
                .unwrap()
        })
    });
    g.finish();

    // The PC coder's path: a borrowed per-symbol CDF on the range coder (here the same CDF each time).
    let cdf = table.cdf().to_vec();
    let mut g = group(c, "custom_cdf_range");
    g.bench_function("cinder_encode", |b| {
        b.iter(|| {
            let mut e = RangeEncoder::new();
            for &s in black_box(&symbols) {
                e.encode(s, &CdfSlice::new(&cdf, 24).unwrap()).unwrap();
            }
            e.finish()
        })
    });
    let mut e = RangeEncoder::new();
    for &s in &symbols {
        e.encode(s, &CdfSlice::new(&cdf, 24).unwrap()).unwrap();
    }
    let stream = e.finish();
    g.bench_function("cinder_decode", |b| {
        b.iter(|| {
            let mut d = RangeDecoder::new(&stream).unwrap();
            (0..N)
                .map(|_| d.decode(&CdfSlice::new(&cdf, 24).unwrap()).unwrap())
                .sum::<u32>()
        })
    });
    g.finish();
}

fn adaptive_models(c: &mut Criterion) {
    let table = common::table24();
    let symbols = common::sample(&table, N, 13);
    let cfg = AdaptiveConfig::default();
    let mut g = group(c, "adaptive_range");
    g.bench_function("cinder_encode", |b| {
        b.iter(|| {
            let mut m = AdaptiveModel::new(256, cfg).unwrap();
            let mut e = RangeEncoder::new();
            for &s in black_box(&symbols) {
                m.encode(&mut e, s).unwrap();
            }
            e.finish()
        })
    });
    let mut m = AdaptiveModel::new(256, cfg).unwrap();
    let mut e = RangeEncoder::new();
    symbols.iter().for_each(|&s| m.encode(&mut e, s).unwrap());
    let stream = e.finish();
    g.bench_function("cinder_decode", |b| {
        b.iter(|| {
            let mut m = AdaptiveModel::new(256, cfg).unwrap();
            let mut d = RangeDecoder::new(&stream).unwrap();
            (0..N).map(|_| m.decode(&mut d).unwrap()).sum::<u32>()
        })
    });
    g.finish();

    // Context = previous symbol bucketed into 16 contexts.
    let ctx = |prev: u32| (prev / 16) as usize;
    let mut g = group(c, "context_range");
    g.bench_function("cinder_encode", |b| {
        b.iter(|| {
            let mut m = ContextModel::new(16, 256, cfg).unwrap();
            let mut e = RangeEncoder::new();
            let mut prev = 0;
            for &s in black_box(&symbols) {
                m.encode(&mut e, ctx(prev), s).unwrap();
                prev = s;
            }
            e.finish()
        })
    });
    let mut m = ContextModel::new(16, 256, cfg).unwrap();
    let mut e = RangeEncoder::new();
    let mut prev = 0;
    for &s in &symbols {
        m.encode(&mut e, ctx(prev), s).unwrap();
        prev = s;
    }
    let stream = e.finish();
    g.bench_function("cinder_decode", |b| {
        b.iter(|| {
            let mut m = ContextModel::new(16, 256, cfg).unwrap();
            let mut d = RangeDecoder::new(&stream).unwrap();
            let mut prev = 0;
            for _ in 0..N {
                prev = m.decode(&mut d, ctx(prev)).unwrap();
            }
            prev
        })
    });
    g.finish();

    // Escape over an adaptive 64-value range; ~10 % of the samples fall outside it.
    let esc = Escape::new(0, 64).unwrap();
    let values: Vec<i32> = symbols.iter().map(|&s| s as i32 - 20).collect();
    let mut g = group(c, "escape_adaptive_range");
    g.bench_function("cinder_encode", |b| {
        b.iter(|| {
            let mut m = AdaptiveModel::new(65, cfg).unwrap();
            let mut e = RangeEncoder::new();
            for &v in black_box(&values) {
                esc.encode_adaptive(&mut e, v, &mut m).unwrap();
            }
            e.finish()
        })
    });
    let mut m = AdaptiveModel::new(65, cfg).unwrap();
    let mut e = RangeEncoder::new();
    values
        .iter()
        .for_each(|&v| esc.encode_adaptive(&mut e, v, &mut m).unwrap());
    let stream = e.finish();
    g.bench_function("cinder_decode", |b| {
        b.iter(|| {
            let mut m = AdaptiveModel::new(65, cfg).unwrap();
            let mut d = RangeDecoder::new(&stream).unwrap();
            (0..N)
                .map(|_| esc.decode_adaptive(&mut d, &mut m).unwrap())
                .sum::<i32>()
        })
    });
    g.finish();
}

criterion_group!(benches, static_models, uniform_and_custom, adaptive_models);
criterion_main!(benches);
