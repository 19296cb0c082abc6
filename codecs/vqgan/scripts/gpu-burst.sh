#!/usr/bin/env bash
# A VQGAN training burst on a lent GPU (burn wgpu, Vulkan), as run on an H200 on 2026-11-27 (steps 4000 -> 5899).
# Runs ON the device machine, from the repository root, with `.gpu` and `.gl` carried (both in .git/info/exclude).
#
# Prepared here first (the device takes at most 64 MiB of working tree + carried paths, so the committed weights
# of the other codecs were moved out of the tree for the call and put back afterwards):
#   cargo build --release --workspace --example train_vqgan
#   strip -o /tmp/tv target/release/examples/train_vqgan && xz -9 -c /tmp/tv > .gpu/tv.xz       # 60 MB -> 9 MB
#   training photos re-encoded as JPEG q90 under .gpu/data with the same names and order (54 MB -> 23 MB), so the
#     held-out split (every 40th sorted file) is the same; PNGs via `convert f.png ppm:- | cjpeg -quality 90`
#   .gpu/ckpt: checkpoint.bpk, vq.bin, state.txt of the CPU run (optim.bpk left out for size: Adam restarts)
#   .gl: the Vulkan loader packages (apt-get download libvulkan1 libegl1 libglvnd0 libopengl0 libgl1 libglx0 libgles2)
# Returned in $OUT (at most 8 files of 16 MiB): checkpoint.bpk, best.bin, optim.bpk in 15 MiB parts, logs.tar.
# Measured: batch 32 of 128² crops at 0.34 s a step (94 crops/s; two CPU cores: 5.3 crops/s), 10 steps to warm up.
set -u
for f in .gl/*.deb; do dpkg -x "$f" /; done
ldconfig
if [ -f /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json ] && ! ls /usr/share/vulkan/icd.d/*nvidia* >/dev/null 2>&1 \
    && ! ls /etc/vulkan/icd.d/*nvidia* >/dev/null 2>&1; then
  export VK_DRIVER_FILES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
fi
export XDG_RUNTIME_DIR=/tmp
nvidia-smi --query-gpu=name,memory.used --format=csv,noheader
xz -d -c .gpu/tv.xz > /tmp/tv && chmod +x /tmp/tv
mkdir -p "$OUT/run" && cp .gpu/ckpt/* "$OUT/run/"
T=${T:-420}
/tmp/tv data=.gpu/data out="$OUT/run" steps="${STEPS:-7000}" batch="${BATCH:-32}" device=wgpu resume=1 eval=250 \
    checkpoint=200 max_seconds="$T" 2>&1 | grep -v XDG_RUNTIME | tee "$OUT/output.txt"
cd "$OUT/run" && split -b 15m optim.bpk optim.part. && rm -f optim.bpk
tar cf "$OUT/logs.tar" ./*.csv state.txt vq.bin && rm -f ./*.csv state.txt vq.bin
ls -la "$OUT" "$OUT/run"
