//! Structured mutation of valid files: every codec, media kind and quality of the build encodes a small synthetic
//! input, then the header fields and chunk payloads are mutated *behind the container's CRCs* (the container is
//! rebuilt, so each mutation reaches the codec's own parser) and decoded, with and without concealment. Every
//! decode must return — an error or media — without a panic and within a time bound.
//!
//! The prefix / bit-flip test of the frozen vectors (`vectors.rs`) only exercises the container's checks; this one
//! exercises the codecs' payload parsers, limits and concealment paths.
//!
//! `CINDER_MUTATIONS=N` sets the mutations per case (default 24) and `CINDER_MUTATION_SEED` the seed, e.g. a
//! longer hunt: `CINDER_MUTATIONS=2000 cargo test --release -p cinder-codecs --test payload_mutations -- --nocapture`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use cinder_core::{AnyCodec, Audio, DecodeOptions, EncodeOptions, Image, OpenOptions, Registry};
use cinder_format::{Container, Limits, MediaParams};
use std::collections::HashMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::{Duration, Instant};

/// One decode may take at most this long (the inputs are tiny; a hang or a runaway loop shows up here).
const TIME_BOUND: Duration = Duration::from_secs(60);

/// xorshift64*: a deterministic stream of mutation choices.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn byte(&mut self) -> u8 {
        self.next() as u8
    }
}

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Values that tend to break size arithmetic.
fn edgy(rng: &mut Rng, orig: u64) -> u64 {
    let picks = [
        0,
        1,
        2,
        3,
        orig.saturating_sub(1),
        orig + 1,
        orig * 2,
        orig / 2,
        orig + 16,
        255,
        256,
        65_535,
        65_536,
        1 << 24,
        u32::MAX as u64,
        u64::MAX,
    ];
    picks[rng.below(picks.len())]
}

/// Changes the width, height or channel count of an image or image-set header.
fn mutate_image_size(width: &mut u32, height: &mut u32, channels: &mut u8, rng: &mut Rng) -> String {
    match rng.below(3) {
        0 => {
            *width = edgy(rng, (*width).into()).min(u32::MAX.into()) as u32;
            format!("width {width}")
        }
        1 => {
            *height = edgy(rng, (*height).into()).min(u32::MAX.into()) as u32;
            format!("height {height}")
        }
        _ => {
            *channels = [0, 1, 2, 3, 4, 5][rng.below(6)];
            format!("channels {channels}")
        }
    }
}

/// Changes one header field; returns what it did.
fn mutate_header(c: &mut Container, rng: &mut Rng) -> String {
    let h = &mut c.header;
    match rng.below(4) {
        0 => {
            h.quality = rng.byte() % 6;
            format!("quality {}", h.quality)
        }
        1 => {
            h.model_id = rng.below(6) as u16;
            format!("model id {}", h.model_id)
        }
        _ => match &mut h.media {
            MediaParams::Image {
                width,
                height,
                channels,
            } => mutate_image_size(width, height, channels, rng),
            MediaParams::ImageSet {
                width,
                height,
                channels,
                count,
            } => {
                if rng.below(4) == 0 {
                    *count = edgy(rng, *count);
                    format!("count {count}")
                } else {
                    mutate_image_size(width, height, channels, rng)
                }
            }
            MediaParams::Audio {
                sample_rate,
                channels,
                frames,
                gain,
            } => match rng.below(4) {
                0 => {
                    *sample_rate = edgy(rng, (*sample_rate).into()).min(u32::MAX.into()) as u32;
                    format!("sample rate {sample_rate}")
                }
                1 => {
                    *channels = edgy(rng, (*channels).into()).min(u16::MAX.into()) as u16;
                    format!("channels {channels}")
                }
                2 => {
                    *frames = edgy(rng, *frames);
                    format!("frames {frames}")
                }
                _ => {
                    *gain = [0.0, -1.0, 1e-30, 1e30, f32::NAN, f32::INFINITY, 0.5, 3.0][rng.below(8)];
                    format!("gain {gain}")
                }
            },
        },
    }
}

/// Changes the chunk list or one chunk's payload; returns what it did.
fn mutate_chunks(c: &mut Container, rng: &mut Rng) -> String {
    if c.chunks.is_empty() {
        return mutate_header(c, rng);
    }
    let i = rng.below(c.chunks.len());
    let id = c.chunks[i].id;
    let n_chunks = c.chunks.len();
    let data = &mut c.chunks[i].data;
    match rng.below(9) {
        0 if !data.is_empty() => {
            let flips = 1 + rng.below(8);
            for _ in 0..flips {
                let bit = rng.below(data.len() * 8);
                data[bit / 8] ^= 1 << (bit % 8);
            }
            format!("{id} #{i}: {flips} bit flips")
        }
        1 => {
            let n = rng.below(data.len() + 1);
            data.truncate(n);
            format!("{id} #{i}: truncated to {n}")
        }
        2 => {
            let n = 1 + rng.below(64);
            data.extend((0..n).map(|_| rng.byte()));
            format!("{id} #{i}: {n} bytes appended")
        }
        3 if !data.is_empty() => {
            let at = rng.below(data.len());
            let v = [0x00, 0xFF, 0x80, 0x7F, 0x01][rng.below(5)];
            let run = 1 + rng.below(8);
            for b in data.iter_mut().skip(at).take(run) {
                *b = v;
            }
            format!("{id} #{i}: {run} bytes at {at} set to {v:#04x}")
        }
        4 => {
            for b in data.iter_mut() {
                *b = rng.byte();
            }
            format!("{id} #{i}: random payload")
        }
        5 => {
            c.chunks.remove(i);
            format!("{id} #{i}: removed")
        }
        6 => {
            let dup = c.chunks[i].clone();
            c.chunks.insert(i, dup);
            format!("{id} #{i}: duplicated")
        }
        7 if n_chunks > 1 => {
            let j = rng.below(n_chunks);
            c.chunks.swap(i, j);
            format!("chunks #{i} and #{j} swapped")
        }
        _ => {
            data.clear();
            format!("{id} #{i}: emptied")
        }
    }
}

fn gradient_image(width: u32, height: u32, channels: u8) -> Image {
    let n = (width * height * channels as u32) as usize;
    Image::new(
        width,
        height,
        channels,
        (0..n).map(|i| ((i * 37 + (i / 97) * 11) % 256) as u8).collect(),
    )
    .unwrap()
}

fn chirp(sample_rate: u32, channels: u16, frames: usize) -> Audio {
    let samples = (0..frames * channels as usize)
        .map(|i| {
            let t = (i / channels as usize) as f32 / sample_rate as f32;
            0.3 * (2.0 * std::f32::consts::PI * (200.0 + 600.0 * t) * t).sin()
        })
        .collect();
    Audio::new(sample_rate, channels, samples).unwrap()
}

/// Valid files of one opened codec: one per input it accepts (an RGB or grey image and, where supported, a set of
/// 40 grey images; 16 kHz mono or 44.1 kHz stereo audio).
fn valid_files(codec: &AnyCodec) -> Vec<(String, Container)> {
    let opts = EncodeOptions::default();
    let mut out = Vec::new();
    match codec {
        AnyCodec::Image(c) => {
            for (w, h, ch) in [(32, 32, 3), (28, 28, 1)] {
                if let Ok(file) = c.encode(&gradient_image(w, h, ch), &opts) {
                    out.push((format!("{w}x{h}x{ch}"), file));
                    break;
                }
            }
            let set: Vec<Image> = (0..40).map(|_| gradient_image(28, 28, 1)).collect();
            if let Ok(file) = c.encode_set(&set, &opts) {
                out.push(("set of 40".into(), file));
            }
        }
        AnyCodec::Audio(c) => {
            for (rate, ch, frames) in [(16_000, 1, 8000), (44_100, 2, 8820)] {
                if let Ok(file) = c.encode(&chirp(rate, ch, frames), &opts) {
                    out.push((format!("{rate} Hz x{ch}"), file));
                    break;
                }
            }
        }
    }
    out
}

/// Decodes with codecs opened once per (codec, model, quality, kind); `Err` holds a panic's message.
struct Decoder<'a> {
    registry: &'a Registry,
    opened: HashMap<(u16, u16, u8, bool), Option<AnyCodec>>,
}

impl Decoder<'_> {
    fn decode(&mut self, bytes: &[u8], conceal: bool) -> Result<(), String> {
        let Ok(container) = Container::from_bytes(bytes, &Limits::default()) else {
            return Ok(());
        };
        let h = &container.header;
        let key = (
            h.codec_id,
            h.model_id,
            h.quality,
            matches!(h.media, MediaParams::Audio { .. }),
        );
        let registry = self.registry;
        let header = container.header;
        let codec = self
            .opened
            .entry(key)
            .or_insert_with(|| registry.open_for(&header, &OpenOptions::default()).ok());
        let Some(codec) = codec else { return Ok(()) };
        let mut opts = DecodeOptions::default();
        opts.conceal = conceal;
        catch_unwind(AssertUnwindSafe(|| {
            let _ = codec.decode(&container, &opts);
        }))
        .map_err(|p| {
            p.downcast_ref::<String>()
                .cloned()
                .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "non-string panic".into())
        })
    }
}

#[test]
fn mutated_payloads_never_panic() {
    let per_case = env_u64("CINDER_MUTATIONS", 24);
    let mut rng = Rng(env_u64("CINDER_MUTATION_SEED", 0x5EED_C1DE) | 1);
    let registry = cinder_codecs::default_registry();
    let mut decoder = Decoder {
        registry: &registry,
        opened: HashMap::new(),
    };
    let mut failures = Vec::new();
    let mut cases = 0;
    for reg in registry.iter() {
        for &kind in reg.info.kinds {
            for q in reg.info.qualities {
                let open = OpenOptions {
                    quality: Some(q.level),
                    media: Some(kind),
                    ..OpenOptions::default()
                };
                let codec = (reg.open)(&open).unwrap();
                for (input, file) in valid_files(&codec) {
                    cases += 1;
                    let case = format!("{} q{} {kind:?} {input}", reg.info.name, q.level);
                    let mut slowest = Duration::ZERO;
                    for m in 0..per_case {
                        let mut mutated = file.clone();
                        let what = if rng.below(4) == 0 {
                            mutate_header(&mut mutated, &mut rng)
                        } else {
                            mutate_chunks(&mut mutated, &mut rng)
                        };
                        // A header the writer refuses is refused by the reader too (both validate).
                        let Ok(bytes) = mutated.to_bytes() else { continue };
                        let conceal = m % 2 == 1;
                        let start = Instant::now();
                        let result = decoder.decode(&bytes, conceal);
                        let took = start.elapsed();
                        slowest = slowest.max(took);
                        if let Err(panic) = result {
                            failures.push(format!("{case}: {what} (conceal {conceal}): panic: {panic}"));
                        } else if took > Duration::from_secs(1) {
                            eprintln!("{case}: {what} (conceal {conceal}): slow decode, {took:.2?}");
                        }
                        if took > TIME_BOUND {
                            failures.push(format!("{case}: {what} (conceal {conceal}): {took:?}"));
                        }
                    }
                    eprintln!("{case}: {per_case} mutations, slowest decode {slowest:.2?}");
                }
            }
        }
    }
    assert!(cases >= 6, "only {cases} codec/input cases were built");
    assert!(
        failures.is_empty(),
        "{} of the mutated files panicked or hung:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
