//! Trains an HCLT until the CLI's `cinder train pc` exists.
//!
//! `cargo run --release -p cinder-pc --example train_pc -- --data DIR --hidden M --out DIR [--epochs E]
//! [--full-epochs F] [--steps N] [--batch B] [--alpha A] [--max-images N] [--shifts 0|4|8] [--hflip] [--resume]`

use cinder_pc::{train, TrainConfig};

fn main() {
    let mut cfg = TrainConfig::default();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < args.len() {
        let val = || args.get(i + 1).cloned().unwrap_or_default();
        let num = |s: String| {
            s.parse::<usize>()
                .unwrap_or_else(|_| panic!("{} needs a number", args[i]))
        };
        match args[i].as_str() {
            "--data" => cfg.data = val().into(),
            "--out" => cfg.out = val().into(),
            "--hidden" => cfg.hidden = num(val()),
            "--epochs" => cfg.epochs = num(val()),
            "--full-epochs" => cfg.full_epochs = num(val()),
            "--steps" => cfg.steps = Some(num(val()) as u64),
            "--batch" => cfg.batch = num(val()),
            "--max-images" => cfg.max_images = Some(num(val())),
            "--seed" => cfg.seed = num(val()) as u64,
            "--shifts" => cfg.shifts = num(val()),
            "--hflip" => {
                cfg.hflip = true;
                i += 1;
                continue;
            }
            "--alpha" => cfg.alpha = val().parse().unwrap_or_else(|_| panic!("--alpha needs a number")),
            "--resume" => {
                cfg.resume = true;
                i += 1;
                continue;
            }
            other => panic!("unknown argument {other}"),
        }
        i += 2;
    }
    eprintln!("{cfg:?}");
    match train(&cfg, &mut |line| eprintln!("{line}")) {
        Ok(r) => eprintln!("{r:?}"),
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    }
}
