//! Rate-distortion plots with plotters: one SVG and one PNG per figure, one line per curve.
//!
//! Text needs a font: the first of [`FONT_PATHS`] that exists (Debian's `fonts-dejavu-core`, in `.ci/run`) is
//! registered; without one the plots are drawn without text rather than failing.

use crate::report::Report;
use crate::EvalError;
use plotters::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// Fonts tried, in order.
pub const FONT_PATHS: &[&str] = &[
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
];

/// Registers a system font for plotters once; true when one is available.
fn font_ready() -> bool {
    static READY: OnceLock<bool> = OnceLock::new();
    *READY.get_or_init(|| {
        FONT_PATHS.iter().any(|p| match std::fs::read(p) {
            Ok(bytes) => {
                let bytes: &'static [u8] = Box::leak(bytes.into_boxed_slice());
                plotters::style::register_font("sans-serif", FontStyle::Normal, bytes).is_ok()
            }
            Err(_) => false,
        })
    })
}

const COLORS: [RGBColor; 8] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
];

/// Draws `metric` against each report's rate into `out` (SVG) and the same path with `.png`; returns both.
pub fn plot(reports: &[Report], metric: &str, title: &str, out: &Path) -> Result<[PathBuf; 2], EvalError> {
    let fail = |m: String| EvalError::Plot {
        path: out.to_path_buf(),
        message: m,
    };
    let curves: Vec<(String, Vec<(f64, f64)>)> = reports
        .iter()
        .filter_map(|r| {
            let rate = r.series(r.rate_key()?)?;
            let q = r.series(metric)?;
            let mut pts: Vec<(f64, f64)> = rate
                .into_iter()
                .zip(q)
                .filter(|(a, b)| a.is_finite() && b.is_finite())
                .collect();
            pts.sort_by(|a, b| a.0.total_cmp(&b.0));
            Some((r.name.clone(), pts))
        })
        .filter(|(_, p)| !p.is_empty())
        .collect();
    if curves.is_empty() {
        return Err(fail(format!("no curve has both a rate and '{metric}'")));
    }
    let rate_key = reports.iter().find_map(Report::rate_key).unwrap_or("rate");
    let png = out.with_extension("png");
    {
        let svg = SVGBackend::new(out, (800, 560)).into_drawing_area();
        draw(&svg, &curves, rate_key, metric, title).map_err(|e| fail(e.to_string()))?;
        svg.present().map_err(|e| fail(e.to_string()))?;
    }
    {
        let bmp = BitMapBackend::new(&png, (800, 560)).into_drawing_area();
        draw(&bmp, &curves, rate_key, metric, title).map_err(|e| fail(e.to_string()))?;
        bmp.present().map_err(|e| fail(e.to_string()))?;
    }
    Ok([out.to_path_buf(), png])
}

type Curves = [(String, Vec<(f64, f64)>)];

fn draw<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    curves: &Curves,
    x_label: &str,
    y_label: &str,
    title: &str,
) -> Result<(), Box<dyn std::error::Error + 'static>>
where
    DB::ErrorType: 'static,
{
    area.fill(&WHITE)?;
    let xs = curves.iter().flat_map(|c| c.1.iter().map(|p| p.0));
    let ys = curves.iter().flat_map(|c| c.1.iter().map(|p| p.1));
    let (x0, x1) = bounds(xs);
    let (y0, y1) = bounds(ys);
    let text = font_ready();
    let mut builder = ChartBuilder::on(area);
    builder.margin(20);
    if text {
        builder
            .caption(title, ("sans-serif", 22))
            .x_label_area_size(45)
            .y_label_area_size(60);
    }
    let mut chart = builder.build_cartesian_2d(x0..x1, y0..y1)?;
    let mut mesh = chart.configure_mesh();
    if text {
        mesh.x_desc(x_label)
            .y_desc(y_label)
            .label_style(("sans-serif", 14));
    } else {
        mesh.x_labels(0).y_labels(0);
    }
    mesh.draw()?;
    for (i, (name, pts)) in curves.iter().enumerate() {
        let color = COLORS[i % COLORS.len()];
        let series = chart.draw_series(LineSeries::new(pts.iter().copied(), color.stroke_width(2)))?;
        if text {
            series
                .label(name.as_str())
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2)));
        }
        chart.draw_series(pts.iter().map(|&p| Circle::new(p, 3, color.filled())))?;
    }
    if text {
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .position(SeriesLabelPosition::LowerRight)
            .label_font(("sans-serif", 14))
            .draw()?;
    }
    Ok(())
}

/// Axis range with 5 % padding.
fn bounds(v: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = v.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| {
        (a.min(x), b.max(x))
    });
    let pad = ((hi - lo) * 0.05).max(1e-6);
    (lo - pad, hi + pad)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::collections::BTreeMap;

    #[test]
    fn plots_are_written_as_svg_and_png() {
        let mut results = BTreeMap::new();
        results.insert("bpp".to_string(), vec![json!(0.5), json!(1.0), json!(2.0)]);
        results.insert(
            "psnr-rgb".to_string(),
            vec![json!(30.0), json!(33.0), json!(37.0)],
        );
        let r = Report {
            name: "a".into(),
            description: String::new(),
            results,
            qualities: vec![1.0, 2.0, 3.0],
            dataset: String::new(),
            items: vec![],
        };
        let dir = tempfile::tempdir().unwrap();
        let [svg, png] = plot(&[r], "psnr-rgb", "test", &dir.path().join("p.svg")).unwrap();
        assert!(std::fs::read_to_string(svg).unwrap().contains("<svg"));
        assert_eq!(&std::fs::read(png).unwrap()[1..4], b"PNG");
    }
}
