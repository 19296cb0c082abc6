//! Token statistics of a model on a folder of speech (use held-out *training* files, never the eval set): bits
//! per token of the shipped coder, the empirical entropy of the tokens, and of their rank among the previous
//! frame's token's nearest codebook neighbours.
//!
//! `cargo run --release -p cinder-hifi --example token_stats -- WEIGHTS.bin FOLDER`
#![allow(clippy::unwrap_used, clippy::expect_used)]

use cinder_core::{AudioCodec, EncodeOptions};
use cinder_hifi::tokens::Neighbours;
use cinder_hifi::{HifiCodec, HifiModel};
use std::path::Path;

fn entropy(counts: &[u64]) -> f64 {
    let n: u64 = counts.iter().sum();
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = c as f64 / n as f64;
            -p * p.log2()
        })
        .sum()
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let weights = std::fs::read(&args[0]).unwrap();
    let codec = HifiCodec::open(&weights, 2, cinder_core::Device::Cpu).unwrap();
    let model: &HifiModel = codec.model();
    let books = &model.codebooks;
    let k = books.codes;
    // Ranks among all four codebooks' neighbours (the coder ranks only the first layer's two).
    let neighbours = Neighbours::new(books, 4);
    let folder =
        cinder_datasets::folders::AudioFolder::open(Path::new(&args[1]), Some(16_000), true).unwrap();
    let (mut marg, mut ranks) = (vec![0u64; 4 * k], vec![0u64; 4 * k]);
    let (mut bytes, mut tokens_total) = (0usize, 0usize);
    for i in 0..folder.len() {
        let audio = folder.get(i).unwrap();
        let (tokens, _, _) = codec.tokens(&audio).unwrap();
        let file = codec.encode(&audio, &EncodeOptions::default()).unwrap();
        bytes += file.payload_bytes() as usize;
        tokens_total += tokens.len();
        for (f, frame) in tokens.chunks(4).enumerate() {
            for b in 0..4 {
                marg[b * k + frame[b] as usize] += 1;
                if f > 0 {
                    let p = tokens[(f - 1) * 4 + b] as usize;
                    ranks[b * k + neighbours.rank(b, p, frame[b] as usize)] += 1;
                }
            }
        }
    }
    println!(
        "tokens {tokens_total}, coded {:.3} bits/token (payload bytes)",
        bytes as f64 * 8.0 / tokens_total as f64
    );
    for b in 0..4 {
        let r = &ranks[b * k..(b + 1) * k];
        let same = r[0] as f64 / r.iter().sum::<u64>() as f64;
        let mut oct = [0u64; 11];
        let mut extra = 0u64;
        for (rk, &c) in r.iter().enumerate() {
            let o = (usize::BITS - 1 - (rk + 1).leading_zeros()) as usize;
            oct[o] += c;
            extra += c * o as u64;
        }
        let octave_bits = entropy(&oct) + extra as f64 / r.iter().sum::<u64>() as f64;
        println!("book {b}: octave code (static ideal) {octave_bits:.3} bits; octaves {oct:?}");
        println!(
            "book {b}: marginal entropy {:.3} bits, rank entropy {:.3} bits, same-as-previous {:.3}",
            entropy(&marg[b * k..(b + 1) * k]),
            entropy(r),
            same
        );
    }
}
