//! `cinder eval …`: the clap arguments ([`EvalArgs`]) and the runner ([`run`]) that `cinder-cli` wires in.
//!
//! ```text
//! cinder eval --codec jpeg --data ../shared/data/images/kodak --qualities 10,30,50 --out kodak/jpeg.json --plot kodak/jpeg.svg
//! cinder eval bd-rate anchor.json test.json [--metric psnr-rgb]
//! cinder eval plot a.json b.json --out rd.svg [--metric psnr-rgb]
//! ```

use crate::bdrate::{bd_quality, bd_rate};
use crate::codec::resolve;
use crate::plot::plot;
use crate::report::Report;
use crate::sweep::{evaluate, SweepOptions};
use anyhow::{anyhow, bail, Context};
use std::path::PathBuf;

/// Arguments of `cinder eval`.
#[derive(Debug, Clone, clap::Args)]
pub struct EvalArgs {
    /// `bd-rate` or `plot` on existing results (instead of running a sweep).
    #[command(subcommand)]
    pub command: Option<EvalCommand>,
    /// Codec to measure: a baseline (jpeg, webp, avif, jxl, png, webp-lossless, jxl-lossless, opus, codec2,
    /// flac) or a Cinder codec name (`cinder list`).
    #[arg(long)]
    pub codec: Option<String>,
    /// Dataset: a folder of images or audio, an IDX image file, or a folder holding t10k-images-idx3-ubyte.gz.
    /// A relative path that does not exist is looked up under `$CINDER_DATA` (default `../shared/data`).
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// Qualities to sweep, comma-separated (default: the codec's own sweep).
    #[arg(long, value_delimiter = ',')]
    pub qualities: Vec<f64>,
    /// Results JSON (CSV and Markdown tables are written beside it).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// RD plot (SVG; a PNG is written beside it).
    #[arg(long)]
    pub plot: Option<PathBuf>,
    /// Curve label in the results (default: the codec name).
    #[arg(long)]
    pub name: Option<String>,
    /// Worker threads (each external tool runs single-threaded).
    #[arg(long, default_value_t = 1)]
    pub threads: usize,
    /// Evaluate only the first N items.
    #[arg(long)]
    pub limit: Option<usize>,
    /// Audio is downmixed and resampled to this rate before coding (Hz).
    #[arg(long, default_value_t = 16_000)]
    pub sample_rate: u32,
    /// Weights file for Cinder codecs (default: embedded weights).
    #[arg(long)]
    pub weights: Option<PathBuf>,
    /// Hide the progress bar.
    #[arg(long)]
    pub quiet: bool,
}

/// Subcommands of `cinder eval`.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum EvalCommand {
    /// Bjøntegaard delta rate of TEST against ANCHOR (results JSON files).
    BdRate(BdRateArgs),
    /// Plot several results JSON files on one RD figure.
    Plot(PlotArgs),
}

/// Arguments of `cinder eval bd-rate`.
#[derive(Debug, Clone, clap::Args)]
pub struct BdRateArgs {
    /// Anchor curve.
    pub anchor: PathBuf,
    /// Test curve.
    pub test: PathBuf,
    /// Quality metric key (default: psnr-rgb for images, pesq-wb for audio).
    #[arg(long)]
    pub metric: Option<String>,
}

/// Arguments of `cinder eval plot`.
#[derive(Debug, Clone, clap::Args)]
pub struct PlotArgs {
    /// Results JSON files.
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
    /// Output SVG (a PNG is written beside it).
    #[arg(long)]
    pub out: PathBuf,
    /// Quality metric key (default: psnr-rgb for images, pesq-wb for audio).
    #[arg(long)]
    pub metric: Option<String>,
    /// Figure title.
    #[arg(long, default_value = "")]
    pub title: String,
}

fn default_metric(r: &Report) -> &'static str {
    match r.rate_key() {
        Some("kbps") => "pesq-wb",
        _ => "psnr-rgb",
    }
}

/// Runs `cinder eval` with `args`.
pub fn run(args: &EvalArgs) -> anyhow::Result<()> {
    match &args.command {
        Some(EvalCommand::BdRate(b)) => return run_bd_rate(b),
        Some(EvalCommand::Plot(p)) => return run_plot(p),
        None => {}
    }
    let (Some(codec), Some(data), Some(out)) = (&args.codec, &args.data, &args.out) else {
        bail!("`cinder eval` needs --codec, --data and --out (or a subcommand: bd-rate, plot)");
    };
    let data = &resolve_data(data);
    let resolved = resolve(codec, args.weights.clone())?;
    let opts = SweepOptions {
        qualities: args.qualities.clone(),
        threads: args.threads.max(1),
        sample_rate: args.sample_rate,
        limit: args.limit,
        progress: !args.quiet,
    };
    let name = args.name.clone().unwrap_or_else(|| codec.clone());
    let report = evaluate(&resolved, &name, data, &opts)
        .with_context(|| format!("evaluating {codec} on {}", data.display()))?;
    if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
    }
    let written = report.write_all(out)?;
    print!("{}", report.to_markdown());
    for p in written {
        eprintln!("wrote {}", p.display());
    }
    if let Some(svg) = &args.plot {
        let metric = if report.rate_key() == Some("bpd") {
            "bpd"
        } else {
            default_metric(&report)
        };
        for p in plot(std::slice::from_ref(&report), metric, &name, svg)? {
            eprintln!("wrote {}", p.display());
        }
    }
    Ok(())
}

/// `path` itself if it exists or is absolute, else the same relative path under the data root.
pub fn resolve_data(path: &std::path::Path) -> PathBuf {
    if path.exists() || path.is_absolute() {
        path.to_path_buf()
    } else {
        let under = cinder_datasets::data_root().join(path);
        if under.exists() {
            under
        } else {
            path.to_path_buf()
        }
    }
}

fn run_bd_rate(b: &BdRateArgs) -> anyhow::Result<()> {
    let (a, t) = (Report::load(&b.anchor)?, Report::load(&b.test)?);
    let rate = a
        .rate_key()
        .ok_or_else(|| anyhow!("{} has no rate key (bpp, kbps, bpd)", b.anchor.display()))?;
    let metric = b.metric.clone().unwrap_or_else(|| default_metric(&a).to_string());
    let series = |r: &Report, k: &str| {
        r.series(k)
            .ok_or_else(|| anyhow!("'{}' has no '{k}' results", r.name))
    };
    let (ar, aq, tr, tq) = (
        series(&a, rate)?,
        series(&a, &metric)?,
        series(&t, rate)?,
        series(&t, &metric)?,
    );
    let bd = bd_rate((&ar, &aq), (&tr, &tq))?;
    let bdq = bd_quality((&ar, &aq), (&tr, &tq))?;
    println!(
        "BD-rate of '{}' vs '{}' ({rate}, {metric}): {bd:+.2} %",
        t.name, a.name
    );
    println!("BD-{metric}: {bdq:+.4}");
    Ok(())
}

fn run_plot(p: &PlotArgs) -> anyhow::Result<()> {
    let reports = p
        .inputs
        .iter()
        .map(|f| Report::load(f))
        .collect::<Result<Vec<_>, _>>()?;
    let metric = p
        .metric
        .clone()
        .unwrap_or_else(|| reports.first().map_or("psnr-rgb", default_metric).to_string());
    for f in plot(&reports, &metric, &p.title, &p.out)? {
        eprintln!("wrote {}", f.display());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    /// How `cinder-cli` nests the arguments: `cinder eval ...`.
    #[derive(clap::Parser)]
    struct Top {
        #[command(subcommand)]
        cmd: Cmd,
    }

    #[derive(clap::Subcommand)]
    enum Cmd {
        Eval(EvalArgs),
    }

    #[test]
    fn parses_sweeps_and_subcommands_under_a_parent_cli() {
        let Cmd::Eval(a) = Top::try_parse_from([
            "cinder",
            "eval",
            "--codec",
            "jpeg",
            "--data",
            "d",
            "--qualities",
            "10,20.5",
            "--out",
            "o.json",
        ])
        .unwrap()
        .cmd;
        assert_eq!(a.qualities, vec![10.0, 20.5]);
        assert_eq!(a.codec.as_deref(), Some("jpeg"));
        let Cmd::Eval(b) = Top::try_parse_from(["cinder", "eval", "bd-rate", "a.json", "b.json"])
            .unwrap()
            .cmd;
        assert!(
            matches!(b.command, Some(EvalCommand::BdRate(ref x)) if x.test == std::path::Path::new("b.json"))
        );
    }

    #[test]
    fn run_without_required_flags_explains_itself() {
        let Cmd::Eval(a) = Top::try_parse_from(["cinder", "eval", "--codec", "jpeg"])
            .unwrap()
            .cmd;
        let e = run(&a).unwrap_err().to_string();
        assert!(e.contains("--data"), "{e}");
    }
}
