//! Stand-alone `cinder-eval` (the same as `cinder eval`) until the CLI wires [`cinder_eval::cli`].

use clap::Parser;

/// Rate-distortion evaluation of Cinder codecs and classic baselines.
#[derive(Parser)]
#[command(name = "cinder-eval", version)]
struct Cli {
    #[command(flatten)]
    args: cinder_eval::cli::EvalArgs,
}

fn main() {
    let cli = Cli::parse();
    if let Err(e) = cinder_eval::cli::run(&cli.args) {
        eprintln!("error: {e}");
        let mut source = e.source();
        while let Some(s) = source {
            eprintln!("  caused by: {s}");
            source = s.source();
        }
        std::process::exit(1);
    }
}
