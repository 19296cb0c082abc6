//! Property round trips: every model × coder, determinism, and estimate_bits consistency.

#![allow(clippy::unwrap_used)] // test code: a panic is a test failure

use cinder_entropy::{
    decode_bits, encode_bits, estimate_bits, leaky_quantize, AdaptiveConfig, AdaptiveModel, AnsDecoder,
    AnsEncoder, BitCounter, CdfFn, CdfSlice, CdfTable, ContextModel, Escape, Limits, RangeDecoder,
    RangeEncoder, Stream, SymbolDecoder, SymbolEncoder, TableSet, Uniform,
};
use proptest::prelude::*;

/// A random table (precision, pmf) and symbols drawn in its alphabet.
fn table_and_symbols() -> impl Strategy<Value = (CdfTable, Vec<u32>)> {
    (12u32..=24, prop::collection::vec(0.0f64..1.0, 1..64)).prop_flat_map(|(p, pmf)| {
        let pmf: Vec<f64> = pmf.iter().map(|x| x * x * x + 1e-12).collect();
        let table = CdfTable::from_pmf(p, &pmf).unwrap();
        let n = pmf.len() as u32;
        (Just(table), prop::collection::vec(0..n, 0..300))
    })
}

fn ans_round_trip(table: &CdfTable, symbols: &[u32]) -> Stream {
    let mut enc = AnsEncoder::new();
    enc.encode_iid(symbols, table).unwrap();
    let stream = enc.finish();
    let bytes = stream.to_bytes();
    let parsed = Stream::from_bytes(&bytes, &Limits::default()).unwrap();
    let mut dec = AnsDecoder::new(&parsed).unwrap();
    let out = dec.decode_vec(symbols.len(), table, &Limits::default()).unwrap();
    dec.finish().unwrap();
    assert_eq!(out, symbols);
    stream
}

fn range_round_trip(table: &CdfTable, symbols: &[u32]) -> Stream {
    let mut enc = RangeEncoder::new();
    enc.encode_iid(symbols, table).unwrap();
    let stream = enc.finish();
    let mut dec = RangeDecoder::new(&stream).unwrap();
    let out = dec.decode_vec(symbols.len(), table, &Limits::default()).unwrap();
    dec.finish().unwrap();
    assert_eq!(out, symbols);
    stream
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn static_table_ans_and_range((table, symbols) in table_and_symbols()) {
        let a = ans_round_trip(&table, &symbols);
        let r = range_round_trip(&table, &symbols);
        // Determinism: encoding twice gives identical bytes.
        prop_assert_eq!(&a, &ans_round_trip(&table, &symbols));
        prop_assert_eq!(&r, &range_round_trip(&table, &symbols));
        // The estimate is the table's cross-entropy, and the coders stay within a few words of it.
        let est = estimate_bits(&symbols, &table).unwrap();
        prop_assert!((est - table.cross_entropy(&symbols).unwrap()).abs() < 1e-6);
        prop_assert!((a.num_bits() as f64) <= est + 64.0);
        prop_assert!((r.num_bits() as f64) <= est + 96.0);
    }

    #[test]
    fn table_serialisation((table, _s) in table_and_symbols()) {
        let bytes = table.to_bytes();
        prop_assert_eq!(&CdfTable::from_bytes(&bytes).unwrap(), &table);
        let set = TableSet::new(vec![table.clone(), table]);
        prop_assert_eq!(&TableSet::from_bytes(&set.to_bytes()).unwrap(), &set);
    }

    #[test]
    fn counts_tables(counts in prop::collection::vec(0u64..1000, 1..300), p in 12u32..=24) {
        let t = CdfTable::from_counts(p, &counts).unwrap();
        prop_assert!(t.frequencies().iter().all(|&f| f > 0));
        prop_assert_eq!(t.cdf()[counts.len()], 1u32 << p);
    }

    #[test]
    fn uniform_both_coders(n in 1u32..=(1 << 24), raw in prop::collection::vec(any::<u32>(), 0..200)) {
        let u = Uniform::new(n).unwrap();
        let symbols: Vec<u32> = raw.iter().map(|x| x % n).collect();
        let mut enc = AnsEncoder::new();
        enc.encode_iid(&symbols, &u).unwrap();
        let s = enc.finish();
        let mut dec = AnsDecoder::new(&s).unwrap();
        prop_assert_eq!(dec.decode_vec(symbols.len(), &u, &Limits::default()).unwrap(), symbols.clone());
        let mut enc = RangeEncoder::new();
        enc.encode_iid(&symbols, &u).unwrap();
        let s = enc.finish();
        let mut dec = RangeDecoder::new(&s).unwrap();
        prop_assert_eq!(dec.decode_vec(symbols.len(), &u, &Limits::default()).unwrap(), symbols);
    }

    #[test]
    fn per_channel_tables(seed in prop::collection::vec(1u64..100, 2..20), len in 0usize..400) {
        let tables: Vec<CdfTable> = (0..3)
            .map(|c| CdfTable::from_counts(16, &seed.iter().map(|x| x * (c + 1) % 37).collect::<Vec<_>>()).unwrap())
            .collect();
        let set = TableSet::new(tables);
        let n = seed.len() as u32;
        let symbols: Vec<u32> = (0..len as u32).map(|i| (i * 7 + i / 3) % n).collect();
        let mut enc = AnsEncoder::new();
        enc.encode_seq(&symbols, |i| set.get(i % 3).unwrap()).unwrap();
        let s = enc.finish();
        let mut dec = AnsDecoder::new(&s).unwrap();
        for (i, &x) in symbols.iter().enumerate() {
            prop_assert_eq!(dec.decode(set.get(i % 3).unwrap()).unwrap(), x);
        }
        dec.finish().unwrap();
    }

    #[test]
    fn adaptive_range(n in 1u32..300, inc in 1u32..64, raw in prop::collection::vec(any::<u32>(), 0..600)) {
        let cfg = AdaptiveConfig { increment: inc, limit: (2 * (n + inc)).max(1 << 12) };
        let symbols: Vec<u32> = raw.iter().map(|x| (x % n).min(x % 5)).collect();
        let mut model = AdaptiveModel::new(n, cfg).unwrap();
        let mut enc = RangeEncoder::new();
        let mut counter = BitCounter::new();
        let mut twin = model.clone();
        for &s in &symbols {
            model.encode(&mut enc, s).unwrap();
            twin.encode(&mut counter, s).unwrap();
        }
        let stream = enc.finish();
        prop_assert!((stream.num_bits() as f64) <= counter.bits() + 96.0);
        let mut model = AdaptiveModel::new(n, cfg).unwrap();
        let mut dec = RangeDecoder::new(&stream).unwrap();
        for &s in &symbols {
            prop_assert_eq!(model.decode(&mut dec).unwrap(), s);
        }
        dec.finish().unwrap();
    }

    #[test]
    fn context_range(contexts in 1usize..8, n in 2u32..64, raw in prop::collection::vec(any::<u32>(), 0..600)) {
        let symbols: Vec<u32> = raw.iter().map(|x| (x % n).min(x % 3 + 1)).collect();
        let ctx_of = |prev: u32| prev as usize % contexts;
        let mut model = ContextModel::new(contexts, n, AdaptiveConfig::default()).unwrap();
        let mut enc = RangeEncoder::new();
        let mut prev = 0;
        for &s in &symbols {
            model.encode(&mut enc, ctx_of(prev), s).unwrap();
            prev = s;
        }
        let stream = enc.finish();
        let mut model = ContextModel::new(contexts, n, AdaptiveConfig::default()).unwrap();
        let mut dec = RangeDecoder::new(&stream).unwrap();
        let mut prev = 0;
        for &s in &symbols {
            let d = model.decode(&mut dec, ctx_of(prev)).unwrap();
            prop_assert_eq!(d, s);
            prev = d;
        }
        dec.finish().unwrap();
    }

    #[test]
    fn escape_all_coders(min in -100i32..100, n in 1u32..40, values in prop::collection::vec(
        prop_oneof![4 => -120i32..140, 1 => any::<i32>()], 0..200)) {
        let esc = Escape::new(min, n).unwrap();
        let pmf: Vec<f64> = (0..=n).map(|i| 1.0 + f64::from(i % 4)).collect();
        let table = CdfTable::from_pmf(16, &pmf).unwrap();
        // Static table on ANS (values pushed last-first).
        let mut enc = AnsEncoder::new();
        for &v in values.iter().rev() {
            esc.encode(&mut enc, v, &table).unwrap();
        }
        let s = enc.finish();
        let mut dec = AnsDecoder::new(&s).unwrap();
        for &v in &values {
            prop_assert_eq!(esc.decode(&mut dec, &table).unwrap(), v);
        }
        dec.finish().unwrap();
        // Static table on the range coder.
        let mut enc = RangeEncoder::new();
        for &v in &values {
            esc.encode(&mut enc, v, &table).unwrap();
        }
        let s = enc.finish();
        let mut dec = RangeDecoder::new(&s).unwrap();
        for &v in &values {
            prop_assert_eq!(esc.decode(&mut dec, &table).unwrap(), v);
        }
        // Adaptive and context models on the range coder.
        let mut am = AdaptiveModel::new(n + 1, AdaptiveConfig::default()).unwrap();
        let mut cm = ContextModel::new(3, n + 1, AdaptiveConfig::default()).unwrap();
        let mut enc = RangeEncoder::new();
        for (i, &v) in values.iter().enumerate() {
            esc.encode_adaptive(&mut enc, v, &mut am).unwrap();
            esc.encode_context(&mut enc, v, &mut cm, i % 3).unwrap();
        }
        let s = enc.finish();
        let mut am = AdaptiveModel::new(n + 1, AdaptiveConfig::default()).unwrap();
        let mut cm = ContextModel::new(3, n + 1, AdaptiveConfig::default()).unwrap();
        let mut dec = RangeDecoder::new(&s).unwrap();
        for (i, &v) in values.iter().enumerate() {
            prop_assert_eq!(esc.decode_adaptive(&mut dec, &mut am).unwrap(), v);
            prop_assert_eq!(esc.decode_context(&mut dec, &mut cm, i % 3).unwrap(), v);
        }
        dec.finish().unwrap();
    }

    #[test]
    fn custom_cdf_both_coders((table, symbols) in table_and_symbols()) {
        // The PC coder's pattern: a fresh CDF per symbol, computed between coding calls.
        let n = table.len() as u32;
        let p = table.precision();
        let cdf_for = |i: usize| -> Vec<u32> {
            let shifted: Vec<f64> = (0..n).map(|a| table.probability((a + i as u32) % n)).collect();
            let total: f64 = shifted.iter().sum();
            let mut acc = 0.0;
            (0..=n).map(|a| {
                let q = leaky_quantize(acc / total, a, n, p);
                if let Some(x) = shifted.get(a as usize) { acc += x; }
                q
            }).collect()
        };
        let mut enc = RangeEncoder::new();
        let mut ans = AnsEncoder::new();
        for (i, &s) in symbols.iter().enumerate() {
            let cdf = cdf_for(i);
            enc.encode(s, &CdfSlice::new(&cdf, p).unwrap()).unwrap();
            let f = |a: u32| cdf[a as usize];
            enc.encode(s, &CdfFn::new(n, p, f).unwrap()).unwrap();
        }
        for (i, &s) in symbols.iter().enumerate().rev() {
            let cdf = cdf_for(i);
            ans.encode(s, &CdfSlice::new(&cdf, p).unwrap()).unwrap();
        }
        let rs = enc.finish();
        let ast = ans.finish();
        let mut dec = RangeDecoder::new(&rs).unwrap();
        let mut adec = AnsDecoder::new(&ast).unwrap();
        for (i, &s) in symbols.iter().enumerate() {
            let cdf = cdf_for(i);
            prop_assert_eq!(dec.decode(&CdfSlice::new(&cdf, p).unwrap()).unwrap(), s);
            let f = |a: u32| cdf[a as usize];
            prop_assert_eq!(dec.decode(&CdfFn::new(n, p, f).unwrap()).unwrap(), s);
            prop_assert_eq!(adec.decode(&CdfSlice::new(&cdf, p).unwrap()).unwrap(), s);
        }
        dec.finish().unwrap();
        adec.finish().unwrap();
    }

    #[test]
    fn raw_bits(values in prop::collection::vec((any::<u32>(), 0u32..=32), 0..100)) {
        let mask = |v: u32, b: u32| if b == 32 { v } else { v & ((1 << b) - 1) };
        let mut enc = RangeEncoder::new();
        for &(v, b) in &values {
            encode_bits(&mut enc, v, b).unwrap();
        }
        let s = enc.finish();
        let mut dec = RangeDecoder::new(&s).unwrap();
        for &(v, b) in &values {
            prop_assert_eq!(decode_bits(&mut dec, b).unwrap(), mask(v, b));
        }
        let mut enc = AnsEncoder::new();
        for &(v, b) in values.iter().rev() {
            encode_bits(&mut enc, v, b).unwrap();
        }
        let s = enc.finish();
        let mut dec = AnsDecoder::new(&s).unwrap();
        for &(v, b) in &values {
            prop_assert_eq!(decode_bits(&mut dec, b).unwrap(), mask(v, b));
        }
    }
}

#[test]
fn encoder_rejects_out_of_range_and_inconsistent_models() {
    let table = CdfTable::uniform(12, 4).unwrap();
    let mut enc = AnsEncoder::new();
    assert!(enc.encode(4, &table).is_err());
    let bad = [0u32, 10, 5, 4096];
    let slice = CdfSlice::new(&bad, 12).unwrap();
    let mut enc = RangeEncoder::new();
    assert!(enc.encode(1, &slice).is_err());
    assert!(enc.encode(0, &slice).is_ok());
    let f = CdfFn::new(3, 12, |a| if a == 1 { 5000 } else { 100 }).unwrap();
    assert!(enc.encode(0, &f).is_err());
    let mut cm = ContextModel::new(2, 4, AdaptiveConfig::default()).unwrap();
    assert!(cm.encode(&mut enc, 2, 0).is_err());
}

#[test]
fn single_symbol_alphabet_costs_nothing() {
    let table = CdfTable::uniform(12, 1).unwrap();
    let mut enc = AnsEncoder::new();
    enc.encode_iid(&[0; 1000], &table).unwrap();
    let s = enc.finish();
    assert_eq!(s.num_bits(), 0);
    let mut dec = AnsDecoder::new(&s).unwrap();
    assert_eq!(
        dec.decode_vec(1000, &table, &Limits::default()).unwrap(),
        vec![0; 1000]
    );
    let mut enc = RangeEncoder::new();
    enc.encode_iid(&[0; 1000], &Uniform::new(1).unwrap()).unwrap();
    let s = enc.finish();
    let mut dec = RangeDecoder::new(&s).unwrap();
    assert_eq!(
        dec.decode_vec(1000, &table, &Limits::default()).unwrap(),
        vec![0; 1000]
    );
}

#[test]
fn decode_vec_respects_limits() {
    let table = CdfTable::uniform(12, 4).unwrap();
    let s = Stream::from_words(vec![1, 2, 3]);
    let mut dec = RangeDecoder::new(&s).unwrap();
    let tight = Limits {
        max_symbols: 10,
        ..Limits::default()
    };
    assert!(dec.decode_vec(11, &table, &tight).is_err());
}
