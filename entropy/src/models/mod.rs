//! Entropy models (DESIGN.md §5): uniform, static table sets, adaptive and context-adaptive integer models, escape
//! coding, adaptive rank (Elias-gamma) coding, and the custom-CDF hook used by the PC coder.

pub mod adaptive;
pub mod context;
pub mod custom;
pub mod escape;
pub mod rank;
pub mod table_set;
pub mod uniform;
