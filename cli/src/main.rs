//! The `cinder` binary: parses arguments and reports errors with their cause chain.

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args = cinder_cli::Args::parse();
    match cinder_cli::run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err}");
            for cause in err.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            ExitCode::FAILURE
        }
    }
}
