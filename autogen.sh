#!/bin/sh
# Regenerates the autotools files from a fresh clone.
set -e
cd "$(dirname "$0")"
autoreconf -fi
