#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Renders resources/icons/meshcraft.svg to the committed PNG sizes under resources/icons/png/.
# Run it by hand after changing the SVG (needs rsvg-convert, Debian package librsvg2-bin); the
# build itself only copies the PNGs, so it needs no SVG renderer.
set -euo pipefail
cd "$(dirname "$0")/../resources/icons"
for size in 16 32 48 64 128 256; do
    mkdir -p "png/${size}x${size}"
    rsvg-convert -w "$size" -h "$size" meshcraft.svg -o "png/${size}x${size}/meshcraft.png"
done
