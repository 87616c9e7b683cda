#!/bin/sh
# Regenerates the shipped warning prompt core/media/prompts/warning.wav (8 kHz, mono, 16-bit PCM) with espeak-ng and sox.
# One-time generation step (Debian: apt-get install espeak-ng sox); neither tool is needed at run time or by tests.
# Operators replace the prompt without rebuilding by putting their own 8 kHz mono 16-bit WAV at $DATA_DIR/prompts/warning.wav.
set -eu
text="${1:-This call will end in thirty seconds.}"
out="${2:-$(dirname "$0")/../core/media/prompts/warning.wav}"
tmp="$(mktemp --suffix .wav)"
trap 'rm -f "$tmp"' EXIT
# en-us voice, a little slower than the default (150 wpm) so it survives a phone line.
espeak-ng -v en-us -s 140 -w "$tmp" "$text"
# Resample to 8 kHz mono 16-bit, normalise to -3 dBFS, 100 ms of silence before and after.
sox "$tmp" -r 8000 -c 1 -b 16 -e signed-integer "$out" norm -3 pad 0.1 0.1
sox --i "$out"
