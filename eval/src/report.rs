//! Results in CompressAI's schema — `{"name", "description", "results": {"bpp": [...], "psnr-rgb": [...]}}`,
//! one list entry per quality — plus the qualities, the dataset and per-item rows, and the CSV and Markdown
//! tables written beside the JSON.

use crate::EvalError;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Rate keys, in the order they are looked for.
pub const RATE_KEYS: &[&str] = &["bpp", "kbps", "bpd"];

/// One (item, quality) measurement.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ItemRow {
    /// The quality value.
    pub quality: f64,
    /// The item (file name, or index in an IDX set).
    pub item: String,
    /// Metric values by key (same keys as `results`).
    pub values: BTreeMap<String, f64>,
}

/// A rate-distortion curve of one codec on one dataset.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Report {
    /// Curve label (the codec name).
    pub name: String,
    /// What was run.
    pub description: String,
    /// Mean values per quality, by metric key.
    pub results: BTreeMap<String, Vec<Value>>,
    /// The quality value of each entry.
    #[serde(default)]
    pub qualities: Vec<f64>,
    /// The dataset path as given.
    #[serde(default)]
    pub dataset: String,
    /// Per-item rows (left out for very large sets).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<ItemRow>,
}

impl Report {
    /// The numeric series under `key` (non-numbers become NaN).
    pub fn series(&self, key: &str) -> Option<Vec<f64>> {
        self.results
            .get(key)
            .map(|v| v.iter().map(|x| x.as_f64().unwrap_or(f64::NAN)).collect())
    }

    /// The first rate key present (`bpp`, `kbps`, `bpd`).
    pub fn rate_key(&self) -> Option<&'static str> {
        RATE_KEYS.iter().copied().find(|k| self.results.contains_key(*k))
    }

    /// Reads a results JSON.
    pub fn load(path: &Path) -> Result<Report, EvalError> {
        let text = std::fs::read_to_string(path).map_err(|e| EvalError::io(path, e))?;
        serde_json::from_str(&text).map_err(|source| EvalError::Json {
            path: path.into(),
            source,
        })
    }

    /// Column keys: the rate key first, then the rest alphabetically.
    fn columns(&self) -> Vec<&str> {
        let rate = self.rate_key();
        let mut cols: Vec<&str> = rate.into_iter().collect();
        cols.extend(
            self.results
                .keys()
                .map(String::as_str)
                .filter(|k| Some(*k) != rate),
        );
        cols
    }

    fn cell(&self, key: &str, i: usize) -> String {
        match self.results.get(key).and_then(|v| v.get(i)) {
            Some(Value::Number(n)) => n.as_f64().map_or_else(|| n.to_string(), fmt_num),
            Some(Value::Bool(b)) => b.to_string(),
            Some(Value::Null) | None => String::new(),
            Some(other) => other.to_string(),
        }
    }

    /// The mean results as CSV (one row per quality).
    pub fn to_csv(&self) -> String {
        let cols = self.columns();
        let mut out = format!("quality,{}\n", cols.join(","));
        for (i, q) in self.qualities.iter().enumerate() {
            let cells: Vec<String> = cols.iter().map(|k| self.cell(k, i)).collect();
            let _ = writeln!(out, "{},{}", fmt_num(*q), cells.join(","));
        }
        out
    }

    /// The mean results as a Markdown table.
    pub fn to_markdown(&self) -> String {
        let cols = self.columns();
        let mut out = format!(
            "**{}** — {}\n\n| quality | {} |\n|",
            self.name,
            self.description,
            cols.join(" | ")
        );
        out.push_str(&"---|".repeat(cols.len() + 1));
        out.push('\n');
        for (i, q) in self.qualities.iter().enumerate() {
            let cells: Vec<String> = cols.iter().map(|k| self.cell(k, i)).collect();
            let _ = writeln!(out, "| {} | {} |", fmt_num(*q), cells.join(" | "));
        }
        out
    }

    /// Writes `path` (JSON) and the CSV and Markdown beside it (same stem); returns the three paths.
    pub fn write_all(&self, path: &Path) -> Result<[PathBuf; 3], EvalError> {
        let json = serde_json::to_string_pretty(self).map_err(|source| EvalError::Json {
            path: path.into(),
            source,
        })?;
        let (csv, md) = (path.with_extension("csv"), path.with_extension("md"));
        for (p, text) in [
            (path, json + "\n"),
            (csv.as_path(), self.to_csv()),
            (md.as_path(), self.to_markdown()),
        ] {
            cinder_datasets::io::write_atomic(p, text.as_bytes())?;
        }
        Ok([path.to_path_buf(), csv, md])
    }
}

/// Four significant decimals for small values, fewer for large ones.
pub fn fmt_num(x: f64) -> String {
    if !x.is_finite() {
        return if x.is_nan() { String::new() } else { "inf".into() };
    }
    if x == x.round() && x.abs() < 1e9 {
        return format!("{}", x as i64);
    }
    let a = x.abs();
    if a >= 100.0 {
        format!("{x:.2}")
    } else if a >= 1.0 {
        format!("{x:.4}")
    } else {
        format!("{x:.5}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn json_round_trip_and_tables() {
        let mut results = BTreeMap::new();
        results.insert("psnr-rgb".to_string(), vec![json!(30.5), json!(33.25)]);
        results.insert("bpp".to_string(), vec![json!(0.5), json!(1.0)]);
        let r = Report {
            name: "x".into(),
            description: "d".into(),
            results,
            qualities: vec![10.0, 50.0],
            dataset: "kodak".into(),
            items: vec![],
        };
        let dir = tempfile::tempdir().unwrap();
        let [json_path, csv, md] = r.write_all(&dir.path().join("x.json")).unwrap();
        assert_eq!(Report::load(&json_path).unwrap(), r);
        assert_eq!(
            std::fs::read_to_string(csv).unwrap(),
            "quality,bpp,psnr-rgb\n10,0.50000,30.5000\n50,1,33.2500\n"
        );
        assert!(std::fs::read_to_string(md)
            .unwrap()
            .contains("| 50 | 1 | 33.2500 |"));
        assert_eq!(r.rate_key(), Some("bpp"));
        // CompressAI's own files (no qualities/items) parse too.
        let c: Report =
            serde_json::from_str(r#"{"name":"JPEG","description":"","results":{"bpp":[0.5]}}"#).unwrap();
        assert_eq!(c.series("bpp"), Some(vec![0.5]));
    }
}
