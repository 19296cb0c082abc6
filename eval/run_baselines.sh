#!/usr/bin/env bash
# Regenerates every committed baseline result in eval/results/ (the exact commands behind eval/README.md).
# Needs the tools from .ci/run's APT_PACKAGES and the shared data (DATA, default ../shared/data).
# Two worker threads; every external tool runs single-threaded.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA="${DATA:-${CINDER_DATA:-../shared/data}}"
cargo build --release -p cinder-eval --bin cinder-eval
EVAL="${CARGO_TARGET_DIR:-target}/release/cinder-eval"
R=eval/results

for c in jpeg webp avif jxl; do
    "$EVAL" --codec "$c" --data "$DATA/images/kodak" --threads 2 --quiet \
        --out "$R/kodak/$c.json" --plot "$R/kodak/$c.svg"
done
# The combined plots also show the committed Cinder curves (walloc: deep decoder; walloc-linear: PCA decoder).
"$EVAL" plot "$R"/kodak/{jpeg,webp,avif,jxl,walloc-linear,walloc}.json --out "$R/kodak/rd-psnr.svg" --title "Kodak (24 images)"
"$EVAL" plot "$R"/kodak/{jpeg,webp,avif,jxl,walloc-linear,walloc}.json --metric ms-ssim-rgb --out "$R/kodak/rd-msssim.svg" --title "Kodak"

S="$DATA/audio/speech/eval/librispeech_test-other"
"$EVAL" --codec opus --qualities 6,8,12 --data "$S" --threads 2 --quiet \
    --out "$R/librispeech_test-other/opus.json" --plot "$R/librispeech_test-other/opus.svg"
"$EVAL" --codec codec2 --qualities 1.2,3.2 --data "$S" --threads 2 --quiet \
    --out "$R/librispeech_test-other/codec2.json" --plot "$R/librispeech_test-other/codec2.svg"
"$EVAL" --codec flac --data "$S" --threads 2 --quiet --out "$R/librispeech_test-other/flac.json"
"$EVAL" plot "$R"/librispeech_test-other/{opus,codec2}.json --out "$R/librispeech_test-other/rd-pesq.svg" \
    --title "LibriSpeech test-other (100 utterances)"
"$EVAL" plot "$R"/librispeech_test-other/{opus,codec2}.json --metric stoi \
    --out "$R/librispeech_test-other/rd-stoi.svg" --title "LibriSpeech test-other"

for set in mnist:"$DATA/mnist" fashion-mnist:"$DATA/mnist/fashion"; do
    name="${set%%:*}"; dir="${set#*:}"
    for c in png webp-lossless jxl-lossless; do
        "$EVAL" --codec "$c" --data "$dir" --threads 2 --quiet --out "$R/$name/$c.json"
    done
done
