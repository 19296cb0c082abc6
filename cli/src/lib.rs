//! The cinder command-line tool.
