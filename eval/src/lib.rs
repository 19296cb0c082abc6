//! Rate-distortion evaluation, metrics and classic baselines for Cinder.
