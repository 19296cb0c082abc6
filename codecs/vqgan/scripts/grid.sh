#!/usr/bin/env bash
# Image grid for issue 8: per Kodak image one row — original | vqgan q10 (S 1024) | vqgan q3 (S 8) | JPEG at its
# lowest quality (cjpeg -quality 1) — and the bpp of every coded file (from file bytes) on stdout.
# Needs the cinder binary (built with the shipped weights), libjpeg-turbo's cjpeg, `convert FILE.png ppm:-` and
# the grid example.
# Usage: [WEIGHTS=file.bin] grid.sh CINDER GRID_EXAMPLE KODAK_DIR OUT.png [kodimNN ...]
set -euo pipefail
cinder=$1 grid=$2 kodak=$3 out=$4
shift 4
images=("$@")
[ ${#images[@]} -gt 0 ] || images=(kodim04 kodim15 kodim23)
weights=()
[ -z "${WEIGHTS:-}" ] || weights=(--weights "$WEIGHTS")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
args=()
for name in "${images[@]}"; do
  src="$kodak/$name.png"
  bpp() { awk -v b="$(stat -c %s "$1")" 'BEGIN { printf "%.4f", 8 * b / (768 * 512) }'; }
  row=("$src")
  line="$name:"
  for q in 10 3; do
    "$cinder" encode "$src" --codec vqgan -q "$q" "${weights[@]}" -o "$tmp/$name-q$q.cnd" >/dev/null 2>&1
    "$cinder" decode "$tmp/$name-q$q.cnd" "${weights[@]}" -o "$tmp/$name-q$q.png" >/dev/null 2>&1
    row+=("$tmp/$name-q$q.png")
    line="$line vqgan S=$((1 << q)) $(bpp "$tmp/$name-q$q.cnd") bpp;"
  done
  convert "$src" ppm:- >"$tmp/$name.ppm" # cjpeg reads PPM
  cjpeg -quality 1 "$tmp/$name.ppm" >"$tmp/$name.jpg"
  row+=("$tmp/$name.jpg")
  line="$line JPEG q1 $(bpp "$tmp/$name.jpg") bpp"
  echo "$line"
  [ ${#args[@]} -eq 0 ] || args+=(--)
  args+=("${row[@]}")
done
"$grid" "$out" "${args[@]}"
