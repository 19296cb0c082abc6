//! Fuzz target: the container parser must never panic, and whatever it accepts must re-serialise to bytes
//! that parse to the same container.
#![no_main]

use cinder_format::{Container, Limits};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(c) = Container::from_bytes(data, &Limits::strict()) {
        let bytes = c.to_bytes().expect("an accepted container re-serialises");
        let again = Container::from_bytes(&bytes, &Limits::strict()).expect("re-serialised bytes parse");
        assert_eq!(again, c);
    }
});
