//! All Cinder codecs behind one registry.
