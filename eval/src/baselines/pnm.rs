//! Binary PNM (P5 grey / P6 RGB) writing, the input format of `cjpeg`, and grey restoration of RGB decodes.

use cinder_core::Image;

/// The image as a binary PGM (1 channel) or PPM (3 channels; alpha dropped).
pub fn encode_pnm(image: &Image) -> Vec<u8> {
    let grey = image.channels == 1;
    let c = image.channels as usize;
    let mut out = format!(
        "{}\n{} {}\n255\n",
        if grey { "P5" } else { "P6" },
        image.width,
        image.height
    )
    .into_bytes();
    if grey || c == 3 {
        out.extend_from_slice(&image.data);
    } else {
        for px in image.data.chunks_exact(c) {
            out.extend_from_slice(&px[..3]);
        }
    }
    out
}

/// Brings a decoded image back to the source's channel count: RGB → grey when the source was grey (when
/// keeping the first channel, so a decode that is not truly grey fails the lossless check), RGBA → RGB.
pub fn match_channels(decoded: Image, source_channels: u8) -> Image {
    if decoded.channels == source_channels {
        return decoded;
    }
    let c = decoded.channels as usize;
    let keep = source_channels as usize;
    let data = decoded
        .data
        .chunks_exact(c)
        .flat_map(|px| px[..keep.min(c)].to_vec())
        .collect();
    Image {
        width: decoded.width,
        height: decoded.height,
        channels: source_channels.min(decoded.channels),
        data,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pnm_header_and_channel_matching() {
        let img = Image::new(2, 1, 1, vec![7, 9]).unwrap();
        assert_eq!(encode_pnm(&img), b"P5\n2 1\n255\n\x07\x09".to_vec());
        let rgb = Image::new(2, 1, 3, vec![7, 7, 7, 9, 9, 9]).unwrap();
        assert_eq!(match_channels(rgb, 1), img);
    }
}
