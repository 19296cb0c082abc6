//! The Cinder container format (.cnd): reader, writer, limits.
