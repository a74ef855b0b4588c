#!/usr/bin/env bash
# Regenerates holdfast's default prompts from free tools only: espeak-ng for the voice,
# sox for the format and for the synthesised wait music (a few soft chords).
# Output: 8 kHz mono 16-bit PCM WAV, the format described in README.md.
set -euo pipefail
cd "$(dirname "$0")"
for tool in espeak-ng sox; do
  command -v "$tool" >/dev/null || { echo "make-prompts.sh needs $tool (apt-get install $tool)" >&2; exit 1; }
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
format=(-r 8000 -c 1 -b 16 -e signed-integer)

say() { # say <output.wav> <text>
  espeak-ng -v en-us -s 150 -w "$tmp/voice.wav" "$2"
  # Telephone band, normalised, a little silence before and after.
  sox "$tmp/voice.wav" "${format[@]}" "$1" highpass 300 lowpass 3400 norm -3 pad 0.2 0.4
}

say agent-disconnected.wav "The agent has been disconnected and will rejoin shortly."
say primary-agent-disconnected.wav "The primary agent has been disconnected. Please stay on the line."

# Wait music: C, A minor, F, G major triads, 2 s each with soft attack and release.
chords=("261.63 329.63 392.00" "220.00 261.63 329.63" "174.61 220.00 261.63" "196.00 246.94 293.66")
parts=()
for i in "${!chords[@]}"; do
  read -r a b c <<<"${chords[$i]}"
  sox -n -r 8000 -c 3 -b 16 "$tmp/chord$i.wav" synth 2 sine "$a" sine "$b" sine "$c" \
    remix 1-3 fade q 0.25 2 0.5 tremolo 5 20
  parts+=("$tmp/chord$i.wav")
done
sox "${parts[@]}" "${format[@]}" wait-music.wav norm -9

for f in agent-disconnected.wav primary-agent-disconnected.wav wait-music.wav; do
  printf '%-32s %s s\n' "$f" "$(soxi -D "$f")"
done
