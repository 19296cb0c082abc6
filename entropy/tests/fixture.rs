//! Cross-process decoding: `fixtures/mixed_v1.bin` was written by `regenerate_fixture` (run once, in another
//! process, with `cargo test -p cinder-entropy --release --test fixture -- --ignored`) and must decode to
//! `fixtures/mixed_v1.expected.txt` forever. Re-encoding must reproduce the committed bytes exactly.

#![allow(clippy::unwrap_used)] // test code: a panic is a test failure

use std::path::PathBuf;

use cinder_entropy::{
    leaky_quantize, AdaptiveConfig, AdaptiveModel, AnsDecoder, AnsEncoder, CdfFn, CdfTable, ContextModel,
    Escape, Limits, RangeDecoder, RangeEncoder, Stream, SymbolDecoder, SymbolEncoder, Uniform,
};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// Deterministic test data: a 64-bit LCG.
fn lcg_values(n: usize) -> Vec<u32> {
    let mut x = 0x853c_49e6_748f_ea9bu64;
    (0..n)
        .map(|_| {
            x = x
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (x >> 33) as u32
        })
        .collect()
}

struct Data {
    statics: Vec<u32>,
    values: Vec<i32>,
}

fn data() -> Data {
    let r = lcg_values(3000);
    let statics = r[..1000].iter().map(|x| (x % 100).min(x % 7)).collect();
    let values = r[1000..]
        .iter()
        .map(|x| (x % 23) as i32 - 3 + if x % 97 == 0 { 5000 } else { 0 })
        .collect();
    Data { statics, values }
}

fn static_table() -> CdfTable {
    CdfTable::from_pmf(15, &(0..100).map(|i| 1.0 / f64::from(i + 1)).collect::<Vec<_>>()).unwrap()
}

fn lazy_q(a: u32) -> u32 {
    leaky_quantize(f64::from(a * a) / 256.0, a, 16, 24)
}

fn encode(d: &Data) -> Vec<u8> {
    let mut ans = AnsEncoder::new();
    ans.encode_iid(&d.statics, &static_table()).unwrap();
    let mut out = ans.finish().to_bytes();

    let esc = Escape::new(-3, 16).unwrap();
    let mut am = AdaptiveModel::new(17, AdaptiveConfig::default()).unwrap();
    let mut cm = ContextModel::new(
        3,
        16,
        AdaptiveConfig {
            increment: 24,
            limit: 1 << 13,
        },
    )
    .unwrap();
    let uni = Uniform::new(1000).unwrap();
    let mut enc = RangeEncoder::new();
    let mut prev = 0u32;
    for &v in &d.values {
        esc.encode_adaptive(&mut enc, v, &mut am).unwrap();
        let s = v.rem_euclid(16) as u32;
        cm.encode(&mut enc, (prev % 3) as usize, s).unwrap();
        enc.encode(s, &CdfFn::new(16, 24, lazy_q).unwrap()).unwrap();
        enc.encode((v.unsigned_abs() * 37) % 1000, &uni).unwrap();
        prev = s;
    }
    enc.finish().write_to(&mut out);
    out
}

fn decode(bytes: &[u8]) -> (Vec<u32>, Vec<i32>) {
    let limits = Limits::default();
    let (ans, used) = Stream::read_from(bytes, &limits).unwrap();
    let range = Stream::from_bytes(&bytes[used..], &limits).unwrap();
    let mut dec = AnsDecoder::new(&ans).unwrap();
    let statics = dec.decode_vec(1000, &static_table(), &limits).unwrap();
    dec.finish().unwrap();

    let esc = Escape::new(-3, 16).unwrap();
    let mut am = AdaptiveModel::new(17, AdaptiveConfig::default()).unwrap();
    let mut cm = ContextModel::new(
        3,
        16,
        AdaptiveConfig {
            increment: 24,
            limit: 1 << 13,
        },
    )
    .unwrap();
    let uni = Uniform::new(1000).unwrap();
    let mut dec = RangeDecoder::new(&range).unwrap();
    let mut prev = 0u32;
    let mut values = Vec::new();
    for _ in 0..2000 {
        let v = esc.decode_adaptive(&mut dec, &mut am).unwrap();
        let s = cm.decode(&mut dec, (prev % 3) as usize).unwrap();
        assert_eq!(s, v.rem_euclid(16) as u32);
        assert_eq!(dec.decode(&CdfFn::new(16, 24, lazy_q).unwrap()).unwrap(), s);
        assert_eq!(dec.decode(&uni).unwrap(), (v.unsigned_abs() * 37) % 1000);
        prev = s;
        values.push(v);
    }
    dec.finish().unwrap();
    (statics, values)
}

fn expected_text(d: &Data) -> String {
    let s: Vec<String> = d.statics.iter().map(u32::to_string).collect();
    let v: Vec<String> = d.values.iter().map(i32::to_string).collect();
    format!("{}\n{}\n", s.join(" "), v.join(" "))
}

#[test]
#[ignore = "writes the fixture; run once by hand"]
fn regenerate_fixture() {
    let d = data();
    std::fs::write(fixture("mixed_v1.bin"), encode(&d)).unwrap();
    std::fs::write(fixture("mixed_v1.expected.txt"), expected_text(&d)).unwrap();
}

#[test]
fn committed_fixture_decodes_and_reencodes_identically() {
    let bytes = std::fs::read(fixture("mixed_v1.bin")).unwrap();
    let text = std::fs::read_to_string(fixture("mixed_v1.expected.txt")).unwrap();
    let mut lines = text.lines();
    let statics: Vec<u32> = lines
        .next()
        .unwrap()
        .split(' ')
        .map(|x| x.parse().unwrap())
        .collect();
    let values: Vec<i32> = lines
        .next()
        .unwrap()
        .split(' ')
        .map(|x| x.parse().unwrap())
        .collect();
    let (ds, dv) = decode(&bytes);
    assert_eq!(ds, statics);
    assert_eq!(dv, values);
    // Encoder determinism across processes and builds.
    let d = Data { statics, values };
    assert_eq!(encode(&d), bytes);
}
