//! Decoding garbage, truncated and bit-flipped input: errors or in-range symbols, never a panic or a hang.

#![allow(clippy::unwrap_used)] // test code: a panic is a test failure

use cinder_entropy::{
    AdaptiveConfig, AdaptiveModel, AnsDecoder, AnsEncoder, CdfFn, CdfSlice, CdfTable, ContextModel, Escape,
    Limits, RangeDecoder, RangeEncoder, Stream, SymbolDecoder, TableSet, Uniform,
};
use proptest::prelude::*;

/// Decodes `count` symbols of every model from `words` with both decoders; checks every symbol is in range.
fn decode_everything(words: &[u32], count: usize) {
    let table = CdfTable::from_pmf(14, &[0.7, 0.2, 0.05, 0.05]).unwrap();
    let uniform = Uniform::new(1000).unwrap();
    let cdf = [0u32, 3, 4000, 4096];
    let esc = Escape::new(-3, 4).unwrap();
    let esc_table = CdfTable::uniform(16, 5).unwrap();
    let lazy = |a: u32| a * 1000;

    if let Ok(mut dec) = AnsDecoder::from_words(words) {
        for _ in 0..count {
            match dec.decode(&table) {
                Ok(s) => assert!(s < 4),
                Err(_) => break,
            }
            if let Ok(s) = dec.decode(&uniform) {
                assert!(s < 1000);
            }
            if let Ok(s) = dec.decode(&CdfSlice::new(&cdf, 12).unwrap()) {
                assert!(s < 3);
            }
            let _ = esc.decode(&mut dec, &esc_table);
        }
        let _ = dec.finish();
    }

    let mut dec = RangeDecoder::from_words(words).unwrap();
    let mut am = AdaptiveModel::new(300, AdaptiveConfig::default()).unwrap();
    let mut cm = ContextModel::new(4, 17, AdaptiveConfig::default()).unwrap();
    let mut am_esc = AdaptiveModel::new(5, AdaptiveConfig::default()).unwrap();
    for i in 0..count {
        let r: Result<(), cinder_entropy::EntropyError> = (|| {
            assert!(dec.decode(&table)? < 4);
            assert!(am.decode(&mut dec)? < 300);
            assert!(cm.decode(&mut dec, i % 4)? < 17);
            assert!(dec.decode(&CdfFn::new(4, 12, lazy)?)? < 4);
            let _ = esc.decode_adaptive(&mut dec, &mut am_esc)?;
            Ok(())
        })();
        if r.is_err() {
            break;
        }
    }
    let _ = dec.finish();
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn random_words_never_panic(words in prop::collection::vec(any::<u32>(), 0..40)) {
        decode_everything(&words, 200);
    }

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..80)) {
        let _ = CdfTable::from_bytes(&bytes);
        let _ = TableSet::from_bytes(&bytes);
        if let Ok(s) = Stream::from_bytes(&bytes, &Limits::default()) {
            decode_everything(s.words(), 50);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn truncated_and_flipped_streams(symbols in prop::collection::vec(0u32..4, 1..400), cut in any::<prop::sample::Index>(), flip in any::<prop::sample::Index>()) {
        let table = CdfTable::from_pmf(14, &[0.7, 0.2, 0.05, 0.05]).unwrap();
        let mut enc = AnsEncoder::new();
        enc.encode_iid(&symbols, &table).unwrap();
        let ans = enc.finish().into_words();
        let mut enc = RangeEncoder::new();
        enc.encode_iid(&symbols, &table).unwrap();
        let range = enc.finish().into_words();
        for words in [ans, range] {
            if words.is_empty() { continue; }
            let truncated = &words[..cut.index(words.len())];
            decode_everything(truncated, symbols.len());
            let mut flipped = words.clone();
            let bit = flip.index(words.len() * 32);
            flipped[bit / 32] ^= 1 << (bit % 32);
            decode_everything(&flipped, symbols.len());
        }
    }
}

#[test]
fn zero_terminated_ans_stream_is_an_error() {
    assert!(AnsDecoder::from_words(&[5, 0]).is_err());
}

#[test]
fn range_decoder_reports_impossible_states() {
    // An all-ones stream drives the range decoder outside its invariant: it must say so rather than panic.
    let table = CdfTable::from_pmf(14, &[0.7, 0.2, 0.05, 0.05]).unwrap();
    let words = [u32::MAX; 8];
    let mut dec = RangeDecoder::from_words(&words).unwrap();
    let mut errors = 0;
    for _ in 0..1000 {
        if dec.decode(&table).is_err() {
            errors += 1;
        }
    }
    // Either in-range symbols or errors; the point is that nothing panicked.
    assert!(errors <= 1000);
}

#[test]
fn garbage_is_usually_detected() {
    // ANS is surjective (garbage decodes to in-range symbols) but `finish` flags leftover data; the range decoder
    // reports impossible states. Over many random streams, most must be flagged one way or the other.
    let table = CdfTable::from_pmf(14, &[0.7, 0.2, 0.05, 0.05]).unwrap();
    let mut x = 12345u64;
    let mut next = || {
        x = x
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (x >> 32) as u32
    };
    let (mut ans_flagged, mut range_flagged) = (0, 0);
    for _ in 0..200 {
        let mut words: Vec<u32> = (0..16).map(|_| next()).collect();
        if words[15] == 0 {
            words[15] = 1;
        }
        let mut dec = AnsDecoder::from_words(&words).unwrap();
        let ok = dec.decode_vec(100, &table, &Limits::default()).is_ok() && dec.finish().is_ok();
        ans_flagged += usize::from(!ok);
        let mut dec = RangeDecoder::from_words(&words).unwrap();
        let ok = dec.decode_vec(100, &table, &Limits::default()).is_ok() && dec.finish().is_ok();
        range_flagged += usize::from(!ok);
    }
    println!("flagged: ANS {ans_flagged}/200, range {range_flagged}/200");
    assert!(ans_flagged > 150);
    assert!(range_flagged > 150);
}

/// A user model that lies: its intervals never contain the slot, or reach past 2^24.
struct Liar(u32);

impl cinder_entropy::DecodeModel for Liar {
    fn lookup(&self, slot: u32) -> cinder_entropy::Result<(u32, cinder_entropy::Interval)> {
        let iv = match self.0 {
            0 => cinder_entropy::Interval {
                left: slot + 1,
                freq: 5,
            },
            1 => cinder_entropy::Interval {
                left: 1 << 25,
                freq: u32::MAX,
            },
            2 => cinder_entropy::Interval { left: slot, freq: 0 },
            _ => cinder_entropy::Interval {
                left: 0,
                freq: u32::MAX,
            },
        };
        Ok((7, iv))
    }
}

#[test]
fn lying_user_models_give_errors_not_panics() {
    let words = [0x1234_5678u32, 0x9abc_def0, 0x0fed_cba9];
    for mode in 0..4 {
        let mut dec = RangeDecoder::from_words(&words).unwrap();
        assert!(dec.decode(&Liar(mode)).is_err(), "mode {mode}");
        let mut dec = AnsDecoder::from_words(&words).unwrap();
        assert!(dec.decode(&Liar(mode)).is_err(), "mode {mode}");
    }
}
