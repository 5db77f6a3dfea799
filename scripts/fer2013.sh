#!/usr/bin/env bash
# Unpacks FER2013 from ../shared once and prints the folder that holds
# train/ and val/. The data stays outside the repository (never commit it).
# Usage: DATA=$(scripts/fer2013.sh)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
tarball=${MOODTUNE_FER_TAR:-$here/../shared/data/fer2013.tar.gz}
cache=${MOODTUNE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/moodtune}
dest=$cache/fer2013
if [ ! -f "$dest/.complete" ]; then
  [ -f "$tarball" ] || { echo "fer2013.sh: $tarball not found (expected ../shared beside the repo)" >&2; exit 1; }
  rm -rf "$dest" "$dest.partial"
  mkdir -p "$dest.partial"
  tar xzf "$tarball" -C "$dest.partial"
  # The archive holds a top-level fer2013/ folder.
  mv "$dest.partial/fer2013" "$dest"
  rm -rf "$dest.partial"
  touch "$dest/.complete"
fi
echo "$dest"
