//! Fuzz target for every decoder and parser of cinder-entropy: arbitrary bytes must give errors or in-range
//! symbols, never a panic, a hang or an unbounded allocation.
//!
//! Run: `cd entropy/fuzz && cargo +nightly fuzz run decode -- -runs=1000000`

#![no_main]

use cinder_entropy::{
    AdaptiveConfig, AdaptiveModel, AnsDecoder, CdfFn, CdfSlice, CdfTable, ContextModel, Escape, Limits, RangeDecoder,
    Stream, SymbolDecoder, TableSet, Uniform,
};
use libfuzzer_sys::fuzz_target;

const MAX_SYMBOLS: usize = 512;

fuzz_target!(|data: &[u8]| {
    if data.len() < 4 {
        return;
    }
    let (head, rest) = data.split_at(4);
    // Parsers.
    let _ = CdfTable::from_bytes(rest);
    let _ = TableSet::from_bytes(rest);
    let limits = Limits { max_words: 1 << 12, max_symbols: MAX_SYMBOLS };
    let _ = Stream::from_bytes(rest, &limits);

    // A table chosen by the input (if it parses), else a fixed one.
    let n = u32::from(head[0]) + 1;
    let precision = 12 + u32::from(head[1]) % 13;
    let table = CdfTable::read_from(rest)
        .map(|(t, _)| t)
        .or_else(|_| CdfTable::uniform(precision, n))
        .unwrap_or_else(|_| panic!("uniform table must build"));
    let words: Vec<u32> = rest
        .chunks_exact(4)
        .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    let count = usize::from(head[2]) * 2;
    let cdf = table.cdf().to_vec();
    let esc = Escape::new(i32::from(head[3] as i8), n).unwrap_or_else(|_| panic!("escape must build"));
    let lazy = |a: u32| cdf[a as usize];

    if let Ok(mut dec) = AnsDecoder::from_words(&words) {
        if let Ok(out) = dec.decode_vec(count, &table, &limits) {
            assert!(out.iter().all(|&s| (s as usize) < table.len()));
        }
        let _ = dec.decode(&Uniform::new(n).unwrap_or_else(|_| panic!("uniform")));
        if let Ok(slice) = CdfSlice::new(&cdf, table.precision()) {
            let _ = dec.decode(&slice);
        }
        let esc_table = CdfTable::uniform(16, n + 1).unwrap_or_else(|_| panic!("table"));
        for _ in 0..count / 8 {
            let _ = esc.decode(&mut dec, &esc_table);
        }
        let _ = dec.finish();
    }

    if let Ok(mut dec) = RangeDecoder::from_words(&words) {
        let cfg = AdaptiveConfig::default();
        let mut am = AdaptiveModel::new(n, cfg).unwrap_or_else(|_| panic!("adaptive"));
        let mut cm = ContextModel::new(4, n, cfg).unwrap_or_else(|_| panic!("context"));
        let mut em = AdaptiveModel::new(n + 1, cfg).unwrap_or_else(|_| panic!("escape model"));
        let f = CdfFn::new(table.len() as u32, table.precision(), lazy).unwrap_or_else(|_| panic!("fn"));
        for i in 0..count {
            let step = (|| -> Result<(), cinder_entropy::EntropyError> {
                assert!((dec.decode(&table)? as usize) < table.len());
                assert!(am.decode(&mut dec)? < n);
                assert!(cm.decode(&mut dec, i % 4)? < n);
                assert!((dec.decode(&f)? as usize) < table.len());
                let _ = esc.decode_adaptive(&mut dec, &mut em)?;
                Ok(())
            })();
            if step.is_err() {
                break;
            }
        }
        let _ = dec.finish();
    }
});
