//! Probabilistic-circuit (HCLT) lossless image coder.
