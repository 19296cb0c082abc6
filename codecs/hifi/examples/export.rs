//! Turns a training run's latest checkpoint (`checkpoint.bpk` + `vq.bin`) into a `CWHF` weights file, e.g. to
//! compare the last (adversarial) checkpoint with `best.bin` (chosen by validation mel error) on held-out
//! training speech.
//!
//! `cargo run --release -p cinder-hifi --example export -- RUN_DIR OUT.bin [enc_width dec_width latent codes blocks]`
#![allow(clippy::unwrap_used, clippy::expect_used)]

use burn::module::Module;
use cinder_hifi::grvq::zero_codebooks;
use cinder_hifi::model::net_bytes;
use cinder_hifi::net::HifiNet;
use cinder_hifi::weights::HifiWeights;
use cinder_hifi::HifiConfig;
use cinder_nn::vq::VqState;
use std::path::PathBuf;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    assert!(
        args.len() >= 2,
        "usage: export RUN_DIR OUT.bin [enc_width dec_width latent codes blocks]"
    );
    let dir = PathBuf::from(&args[0]);
    let num = |i: usize, d: usize| args.get(i).map(|s| s.parse().expect("a number")).unwrap_or(d);
    let d = HifiConfig::default();
    let cfg = HifiConfig {
        enc_base: num(2, d.enc_base),
        dec_base: num(3, d.dec_base),
        latent: num(4, d.latent),
        codes: num(5, d.codes),
        blocks: num(6, d.blocks),
        ..d
    };
    let device = burn::tensor::Device::flex();
    let net = HifiNet::new(&cfg, &device)
        .try_load_file(dir.join("checkpoint.bpk"))
        .expect("checkpoint.bpk fits the config");
    let mut vq = VqState::new(zero_codebooks(&cfg).unwrap());
    vq.load_bytes(&std::fs::read(dir.join("vq.bin")).expect("vq.bin"))
        .unwrap();
    let bytes = HifiWeights::to_bytes(&cfg, &vq.books, &vq.prior(), &net_bytes(net).unwrap());
    std::fs::write(&args[1], &bytes).unwrap();
    println!("wrote {} ({} bytes)", args[1], bytes.len());
}
