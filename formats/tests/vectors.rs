//! Every frozen v1 vector parses with this reader (structure and CRCs); decoding them to media is tested in
//! `codecs/suite/tests/vectors.rs`, which checks the MANIFEST's media checksums.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use cinder_format::{Container, Limits, MAJOR_VERSION};
use std::path::Path;

#[test]
fn frozen_v1_vectors_parse() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors/v1");
    let manifest = std::fs::read_to_string(dir.join("MANIFEST")).unwrap();
    let mut n = 0;
    for line in manifest
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let file = line.split_whitespace().next().unwrap();
        let bytes = std::fs::read(dir.join(file)).unwrap();
        assert_eq!(bytes[4], 1, "{file} is not a v1 file");
        assert_eq!(MAJOR_VERSION, 1, "a major bump must keep reading v1 vectors");
        let c = Container::from_bytes(&bytes, &Limits::strict()).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(
            c.to_bytes().unwrap(),
            bytes,
            "{file} does not re-serialise byte for byte"
        );
        n += 1;
    }
    assert!(n >= 4);
}
