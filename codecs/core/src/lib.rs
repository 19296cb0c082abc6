//! Media types, the codec contract and the codec registry.
