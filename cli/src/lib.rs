//! # cinder-cli — the `cinder` command
//!
//! `cinder encode`, `decode`, `info`, `list`, `roundtrip`, `demo`, `eval`, `train` (DESIGN §8). Images in through `image`, PNG out; audio in through
//! symphonia, WAV out; `-` for stdin/stdout; directories in → directories out with a progress bar; refuses to
//! overwrite without `-f`; writes atomically (temp file + rename).

mod commands;
mod paths;

use clap::{Parser, Subcommand};

pub use commands::{decode::DecodeArgs, encode::EncodeArgs, info::InfoArgs, roundtrip::RoundtripArgs};

/// Cinder: neural media codecs. Encode images and audio to `.cnd` files and back.
#[derive(Debug, Parser)]
#[command(name = "cinder", version, about, long_about = None)]
pub struct Args {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Encode an image, audio file, IDX file or directory into `.cnd`.
    Encode(EncodeArgs),
    /// Decode a `.cnd` file (or a directory of them) to PNG / WAV.
    Decode(DecodeArgs),
    /// Show a `.cnd` file's header, chunk table and rate.
    Info(InfoArgs),
    /// List the codecs of this build.
    List,
    /// Encode and decode a file, report rate, exactness and time.
    Roundtrip(RoundtripArgs),
    /// Round-trip the samples bundled in the binary through every codec (needs no files).
    Demo,
    /// Rate-distortion evaluation of a Cinder codec or a classic baseline on a dataset; BD-rate and plots.
    Eval(cinder_eval::cli::EvalArgs),
    /// Train a codec's model (resumable; see each codec's README for the shipped runs).
    #[command(subcommand)]
    Train(commands::train::TrainCommand),
}

/// Runs one command.
pub fn run(args: Args) -> anyhow::Result<()> {
    match args.command {
        Command::Encode(a) => commands::encode::run(&a),
        Command::Decode(a) => commands::decode::run(&a),
        Command::Info(a) => commands::info::run(&a),
        Command::List => commands::list::run(),
        Command::Roundtrip(a) => commands::roundtrip::run(&a),
        Command::Demo => commands::roundtrip::demo(),
        Command::Eval(a) => cinder_eval::cli::run(&a),
        Command::Train(c) => commands::train::run(&c),
    }
}
