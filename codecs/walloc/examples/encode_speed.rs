//! Single-thread timing of the WaLLoC image encoder, stage by stage: the latent pipeline (padding, WPT,
//! projection, companding), the WPT alone, the entropy coder alone, and the whole `encode`.
//!
//! `RAYON_NUM_THREADS=1 cargo run --release -p cinder-walloc --example encode_speed -- \
//!     ../shared/data/images/kodak/kodim01.png [quality] [repeats]`
#![allow(clippy::unwrap_used, clippy::expect_used)]

use cinder_core::{EncodeOptions, ImageCodec};
use cinder_entropy::RangeEncoder;
use cinder_walloc::latents::encode_band;
use cinder_walloc::wpt::{analyse_2d, Planes};
use cinder_walloc::{WallocCodec, BAND_ROWS};
use std::path::Path;
use std::time::Instant;

/// Best (minimum) time of `repeats` runs of `f`, in seconds.
fn best_of<T>(repeats: usize, mut f: impl FnMut() -> T) -> f64 {
    (0..repeats)
        .map(|_| {
            let t = Instant::now();
            std::hint::black_box(f());
            t.elapsed().as_secs_f64()
        })
        .fold(f64::INFINITY, f64::min)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let path = args
        .get(1)
        .map_or("../shared/data/images/kodak/kodim01.png", String::as_str);
    let quality: u8 = args.get(2).map_or(2, |q| q.parse().expect("quality"));
    let repeats: usize = args.get(3).map_or(10, |r| r.parse().expect("repeats"));
    let image = cinder_datasets::io::load_image(Path::new(path)).expect("image");
    let codec = WallocCodec::embedded(quality).expect("codec");
    let mpix = image.pixels() as f64 / 1e6;
    let latents = codec.encode_latents(&image).expect("latents");

    let t_latents = best_of(repeats, || codec.encode_latents(&image).expect("latents"));
    let planes = Planes {
        channels: 3,
        height: latents.height * 8,
        width: latents.width * 8,
        data: (0..3 * latents.height * latents.width * 64)
            .map(|i| (i % 255) as f32 / 255.0 - 0.5)
            .collect(),
    };
    let t_wpt = best_of(repeats, || analyse_2d(&planes, 3));
    let t_code = best_of(repeats, || {
        let mut total = 0usize;
        for y0 in (0..latents.height).step_by(BAND_ROWS) {
            let rows = BAND_ROWS.min(latents.height - y0);
            let mut enc = RangeEncoder::new();
            encode_band(
                &latents.band(y0, y0 + rows),
                latents.channels,
                rows,
                latents.width,
                &mut enc,
            )
            .expect("band");
            total += enc.finish().to_bytes().len();
        }
        total
    });
    let t_encode = best_of(repeats, || {
        codec
            .encode(&image, &EncodeOptions::default())
            .expect("encode")
            .to_bytes()
            .expect("bytes")
    });
    let ms = |t: f64| t * 1e3;
    println!(
        "{path} q{quality} {}x{} ({} latent ch), best of {repeats}:",
        image.width, image.height, latents.channels
    );
    println!(
        "  encode_latents {:8.2} ms  (of which WPT {:.2} ms)",
        ms(t_latents),
        ms(t_wpt)
    );
    println!("  entropy coding {:8.2} ms", ms(t_code));
    println!(
        "  full encode    {:8.2} ms  = {:.1} MPixel/s",
        ms(t_encode),
        mpix / t_encode
    );
}
