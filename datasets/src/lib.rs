//! Media I/O and dataset loaders for Cinder.
