#!/usr/bin/env python3
"""Validate cinder-eval's metrics against the reference Python implementations.

STOI vs pystoi (|delta| <= 0.01), PESQ-WB vs the PyPI `pesq` package (ITU P.862.2 C code, |delta| <= 0.05),
MS-SSIM vs pytorch-msssim (|delta| <= 0.002). Speech pairs: the first 12 LibriSpeech test-other utterances
(sorted), each degraded one way (Opus 6/8/12 kbps, Codec 2 1.2/3.2 kbps, white noise at 0/5/10/20 dB SNR,
low-pass + noise); image pairs: Kodak images through JPEG at q 10/30/60.

Setup (not needed by CI):
    python3 -m venv /tmp/venv && /tmp/venv/bin/pip install numpy scipy soundfile pystoi pesq pillow torch pytorch-msssim
    cargo build --release -p cinder-eval --example score_pairs
    /tmp/venv/bin/python eval/validation/validate.py [DATA_ROOT]
Writes eval/validation/results.json and eval/validation/results.md.
"""
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import soundfile as sf
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
DATA = sys.argv[1] if len(sys.argv) > 1 else os.path.join(REPO, "..", "shared", "data")
SPEECH = os.path.join(DATA, "audio/speech/eval/librispeech_test-other")
KODAK = os.path.join(DATA, "images/kodak")
SCORER = os.path.join(os.environ.get("CARGO_TARGET_DIR", os.path.join(REPO, "target")), "release/examples/score_pairs")


def run(*args):
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def degrade_speech(src, how, tmp, i):
    x, sr = sf.read(src, dtype="float32")
    ref = os.path.join(tmp, f"ref{i}.wav")
    sf.write(ref, x, sr, subtype="PCM_16")
    deg = os.path.join(tmp, f"deg{i}.wav")
    rng = np.random.default_rng(i)
    if how.startswith("opus"):
        kbps = how[4:]
        run("opusenc", "--quiet", "--bitrate", kbps, ref, os.path.join(tmp, "c.opus"))
        run("opusdec", "--quiet", "--rate", str(sr), os.path.join(tmp, "c.opus"), deg)
        y, _ = sf.read(deg, dtype="float32")
    elif how.startswith("codec2"):
        from scipy.signal import resample_poly
        mode = how[6:]
        nb = resample_poly(x, 1, 2)
        (np.clip(nb, -1, 1) * 32767).astype("<i2").tofile(os.path.join(tmp, "in.raw"))
        run("c2enc", mode, os.path.join(tmp, "in.raw"), os.path.join(tmp, "c.bit"))
        run("c2dec", mode, os.path.join(tmp, "c.bit"), os.path.join(tmp, "out.raw"))
        y = resample_poly(np.fromfile(os.path.join(tmp, "out.raw"), dtype="<i2") / 32768.0, 2, 1)
    elif how.startswith("snr"):
        snr = float(how[3:])
        n = rng.standard_normal(len(x))
        n *= np.sqrt(np.mean(x**2) / np.mean(n**2) / 10 ** (snr / 10))
        y = x + n
    else:  # low-pass at 2 kHz + 15 dB noise
        from scipy.signal import butter, sosfilt
        y = sosfilt(butter(6, 2000, fs=sr, output="sos"), x)
        n = rng.standard_normal(len(x))
        y = y + n * np.sqrt(np.mean(x**2) / np.mean(n**2) / 10 ** 1.5)
    y = np.asarray(y, dtype=np.float64)
    if len(y) < len(x):
        y = np.pad(y, (0, len(x) - len(y)))
    y = np.clip(y[: len(x)], -1, 32767 / 32768)
    sf.write(deg, y, sr, subtype="PCM_16")
    return ref, deg


def degrade_image(src, q, tmp, i):
    img = Image.open(src).convert("RGB")
    ppm = os.path.join(tmp, f"in{i}.ppm")
    img.save(ppm)
    run("cjpeg", "-quality", str(q), "-outfile", os.path.join(tmp, "c.jpg"), ppm)
    out = os.path.join(tmp, f"deg{i}.png")
    run("djpeg", "-outfile", os.path.join(tmp, "d.ppm"), os.path.join(tmp, "c.jpg"))
    Image.open(os.path.join(tmp, "d.ppm")).save(out)
    ref = os.path.join(tmp, f"ref{i}.png")
    img.save(ref)
    return ref, out


def main():
    from pesq import pesq
    from pystoi import stoi
    import torch
    from pytorch_msssim import ms_ssim

    ways = ["opus6", "opus8", "opus12", "codec21200", "codec23200", "snr0", "snr5", "snr10", "snr20", "lowpass", "snr15", "opus8"]
    speech = sorted(f for f in os.listdir(SPEECH) if f.endswith(".flac"))[: len(ways)]
    kodak = sorted(f for f in os.listdir(KODAK) if f.endswith(".png"))[:6]
    with tempfile.TemporaryDirectory() as tmp:
        pairs = []
        for i, (f, how) in enumerate(zip(speech, ways)):
            r, d = degrade_speech(os.path.join(SPEECH, f), how, tmp, i)
            pairs.append(("audio", r, d, f"{f} {how}"))
        for i, f in enumerate(kodak):
            q = [10, 30, 60][i % 3]
            r, d = degrade_image(os.path.join(KODAK, f), q, tmp, 100 + i)
            pairs.append(("image", r, d, f"{f} jpeg q{q}"))
        tsv = os.path.join(tmp, "pairs.tsv")
        with open(tsv, "w") as fh:
            for kind, r, d, _ in pairs:
                fh.write(f"{kind}\t{r}\t{d}\n")
        ours = [json.loads(l) for l in subprocess.run([SCORER, tsv], check=True, capture_output=True, text=True).stdout.splitlines()]
        rows = []
        for (kind, r, d, label), o in zip(pairs, ours):
            if kind == "audio":
                x, sr = sf.read(r)
                y, _ = sf.read(d)
                ref_stoi = float(stoi(x, y, sr, extended=False))
                ref_pesq = float(pesq(sr, x, y, "wb"))
                rows.append({"pair": label, "metric": "stoi", "ours": o["stoi"], "reference": ref_stoi})
                rows.append({"pair": label, "metric": "pesq-wb", "ours": o["pesq-wb"], "reference": ref_pesq})
            else:
                to_t = lambda p: torch.from_numpy(np.asarray(Image.open(p).convert("RGB"), dtype=np.float32)).permute(2, 0, 1)[None]
                ref_ms = float(ms_ssim(to_t(r), to_t(d), data_range=255, size_average=True))
                rows.append({"pair": label, "metric": "ms-ssim", "ours": o["ms-ssim"], "reference": ref_ms})
    limits = {"stoi": 0.01, "pesq-wb": 0.05, "ms-ssim": 0.002}
    summary = {}
    for m, lim in limits.items():
        d = [abs(r["ours"] - r["reference"]) for r in rows if r["metric"] == m]
        summary[m] = {"pairs": len(d), "max_abs_delta": max(d), "mean_abs_delta": float(np.mean(d)), "limit": lim, "pass": max(d) <= lim}
    from importlib.metadata import version
    versions = {p: version(p) for p in ["pesq", "pystoi", "pytorch-msssim", "torch", "numpy", "scipy"]}
    with open(os.path.join(HERE, "results.json"), "w") as fh:
        json.dump({"summary": summary, "versions": versions, "rows": rows}, fh, indent=1)
    with open(os.path.join(HERE, "results.md"), "w") as fh:
        fh.write("# Metric validation\n\nReference versions: " + ", ".join(f"{k} {v}" for k, v in versions.items()) + "\n\n")
        fh.write("| metric | pairs | max abs delta | mean abs delta | limit | pass |\n|---|---|---|---|---|---|\n")
        for m, s in summary.items():
            fh.write(f"| {m} | {s['pairs']} | {s['max_abs_delta']:.2e} | {s['mean_abs_delta']:.2e} | {s['limit']} | {'yes' if s['pass'] else 'NO'} |\n")
        fh.write("\n| pair | metric | ours | reference | delta |\n|---|---|---|---|---|\n")
        for r in rows:
            fh.write(f"| {r['pair']} | {r['metric']} | {r['ours']:.5f} | {r['reference']:.5f} | {r['ours'] - r['reference']:+.2e} |\n")
    print(json.dumps(summary, indent=1))


if __name__ == "__main__":
    main()
