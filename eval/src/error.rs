//! The one error type of `cinder-eval`.

use std::path::PathBuf;
use thiserror::Error;

/// Errors while evaluating codecs.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum EvalError {
    /// A file or folder could not be read or written.
    #[error("cannot access {path}")]
    Io {
        /// The path involved.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// An external baseline tool is not installed.
    #[error("'{tool}' is not installed (Debian package {package}; `.ci/run` installs it)")]
    ToolMissing {
        /// The program.
        tool: &'static str,
        /// The Debian package providing it.
        package: &'static str,
    },
    /// An external baseline tool failed.
    #[error("'{tool}' failed: {message}")]
    Tool {
        /// The program.
        tool: String,
        /// Its exit status and standard error.
        message: String,
    },
    /// A Cinder codec failed.
    #[error(transparent)]
    Codec(#[from] cinder_core::CodecError),
    /// A container could not be serialised or parsed.
    #[error(transparent)]
    Format(#[from] cinder_format::FormatError),
    /// Media could not be loaded or saved.
    #[error(transparent)]
    Dataset(#[from] cinder_datasets::DatasetError),
    /// A metric cannot be computed on these inputs (sizes differ, too short, …).
    #[error("metric {metric}: {message}")]
    Metric {
        /// The metric.
        metric: &'static str,
        /// Why.
        message: String,
    },
    /// An unknown codec name or a bad argument.
    #[error("{0}")]
    BadArgument(String),
    /// A results file could not be parsed or written.
    #[error("results JSON {path}")]
    Json {
        /// The path involved.
        path: PathBuf,
        /// The cause.
        #[source]
        source: serde_json::Error,
    },
    /// A plot could not be drawn.
    #[error("plot {path}: {message}")]
    Plot {
        /// The output path.
        path: PathBuf,
        /// What failed.
        message: String,
    },
}

impl EvalError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        EvalError::Io {
            path: path.into(),
            source,
        }
    }
    pub(crate) fn metric(metric: &'static str, message: impl Into<String>) -> Self {
        EvalError::Metric {
            metric,
            message: message.into(),
        }
    }
}
