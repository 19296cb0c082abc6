//! # cinder-pc — probabilistic-circuit (HCLT) lossless image coder
//!
//! Liu, Mandt, Van den Broeck, "Lossless Compression with Probabilistic Circuits" (ICLR 2022), with the
//! decoder-friendly O(D·M²) conditional scheme of `../shared/specs/pc-lossless.md` §2.6:
//!
//! * [`structure`](chow_liu_tree): pairwise mutual information, Chow–Liu tree, rooted at its centre (spec §1.2);
//! * `circuit`: the HCLT as flat arrays — M-state latents, M×M sums, 256-way categorical leaves;
//! * `em`: mini-batch EM with annealed step size and Laplace smoothing, rayon across images (spec §1.3);
//! * [`train`]: the training loop — validation split from the training file, best checkpoint, resume;
//! * [`coder`]: exact per-pixel conditionals from cached subtree messages, leaky monotone CDF quantisation
//!   (spec §2.5–2.6), deterministic sequential f64;
//! * [`model_io`]: model files (8-bit log-quantised shipped models, f32 checkpoints);
//! * [`PcCodec`]: the `ImageCodec` contract, one stream per image, images in parallel.
//!
//! ```
//! use cinder_core::{DecodeOptions, EncodeOptions, Image, ImageCodec};
//! // A tiny random model (tests never depend on trained weights); real use: `PcCodec::embedded(0)`.
//! let model = cinder_pc::model_io::random_model_bytes(4, 3, 2, 7)?;
//! let codec = cinder_pc::PcCodec::from_bytes(&model, 0, 0)?;
//! let img = Image::new(4, 3, 1, vec![0, 0, 9, 255, 0, 1, 2, 3, 0, 0, 0, 7])?;
//! let file = codec.encode(&img, &EncodeOptions::default())?;
//! assert_eq!(codec.decode(&file, &DecodeOptions::default())?, img);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod circuit;
mod codec;
pub mod coder;
pub mod data;
mod em;
mod error;
pub mod framing;
pub mod model_io;
mod structure;
mod train;
pub mod weights;

pub use circuit::{Circuit, Params, K};
pub use codec::{registered, PcCodec, IMAGES_PER_STREAM, PC_INFO};
pub use error::PcError;
pub use structure::{chow_liu_tree, Tree, NO_PARENT};
pub use train::{train, TrainConfig, TrainReport};
