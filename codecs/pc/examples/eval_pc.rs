//! Measures the PC codec on an IDX test split: theoretical bpd, coded bpd from container bytes, exact round
//! trip, encode and decode time.
//!
//! `cargo run --release -p cinder-pc --example eval_pc -- --data DIR [--model FILE | --quality Q] [--count N]
//! [--write FILE]` (`--write` keeps the encoded container, e.g. to compare builds byte for byte)

use cinder_core::{DecodeOptions, EncodeOptions, Image, ImageCodec};
use cinder_format::{Container, Limits};
use cinder_pc::PcCodec;
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let get = |k: &str| {
        args.iter()
            .position(|a| a == k)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let data = get("--data")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(cinder_pc::data::default_data_root);
    let quality: u8 = get("--quality").map(|q| q.parse()).transpose()?.unwrap_or(0);
    let codec = match get("--model") {
        Some(path) => PcCodec::from_bytes(&std::fs::read(path)?, quality, 0)?,
        None => PcCodec::embedded(quality)?,
    };
    let px = cinder_pc::data::read_idx_images(&data.join("t10k-images-idx3-ubyte.gz"))?;
    let n = get("--count")
        .map(|c| c.parse())
        .transpose()?
        .unwrap_or(px.count)
        .min(px.count);
    let images: Vec<Image> = (0..n)
        .map(|i| Image::new(px.width, px.height, 1, px.image(i).to_vec()))
        .collect::<Result<_, _>>()?;
    let dims = (n * px.dim()) as f64;
    let t = Instant::now();
    let theo: f64 = codec.theoretical_bits(&images)?.iter().sum();
    let t_est = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let container = codec.encode_set(&images, &EncodeOptions::default())?;
    let bytes = container.to_bytes()?;
    let t_enc = t.elapsed().as_secs_f64();
    if let Some(path) = get("--write") {
        std::fs::write(path, &bytes)?;
    }
    let t = Instant::now();
    let back = codec.decode_set(
        &Container::from_bytes(&bytes, &Limits::default())?,
        &DecodeOptions::default(),
    )?;
    let t_dec = t.elapsed().as_secs_f64();
    let exact = back == images;
    let payload = cinder_pc::framing::stream_bytes(&container);
    println!(
        "model: {codec:?}, images: {n}, threads: {}",
        rayon::current_num_threads()
    );
    println!("theoretical bpd: {:.4}", theo / dims);
    println!("payload bpd:     {:.4}", payload as f64 * 8.0 / dims);
    println!(
        "file bpd:        {:.4}  ({} bytes)",
        bytes.len() as f64 * 8.0 / dims,
        bytes.len()
    );
    println!("round trip exact: {exact}");
    println!(
        "time: estimate {t_est:.2} s, encode {t_enc:.2} s, decode {t_dec:.2} s, encode+decode {:.2} s",
        t_enc + t_dec
    );
    if !exact {
        std::process::exit(1);
    }
    Ok(())
}
