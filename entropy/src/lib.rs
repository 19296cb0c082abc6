//! Deterministic integer entropy models and coders on constriction.
