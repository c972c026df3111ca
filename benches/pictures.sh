#!/usr/bin/env bash
# The pictures users open, drawn by the software they open them in: each shipped
# scenario's draft, its Mermaid block put through mermaid-cli (mermaid's own parser and
# renderer, in Chromium), and its chart. A block that Mermaid refuses fails the script; a
# time Mermaid does not draw as HH:MM fails it too. The PNGs are left in OUT to look at.
#
#   benches/pictures.sh [OUT]         OUT: default ${TMPDIR:-/tmp}/postmortem-pictures
#
# Needs node and npm, and Chromium (Debian: apt-get install -y chromium). mermaid-cli is
# installed under OUT on the first run, without puppeteer's own browser:
#   PUPPETEER_SKIP_DOWNLOAD=1 npm install @mermaid-js/mermaid-cli
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-${TMPDIR:-/tmp}/postmortem-pictures}
chromium=${CHROMIUM:-$(command -v chromium || command -v chromium-browser)}
mkdir -p "$out"

if [ ! -x "$out/node_modules/.bin/mmdc" ]; then
    (cd "$out" && PUPPETEER_SKIP_DOWNLOAD=1 npm install --silent @mermaid-js/mermaid-cli >&2)
fi
mmdc="$out/node_modules/.bin/mmdc"
printf '{"executablePath": "%s", "args": ["--no-sandbox"]}\n' "$chromium" > "$out/puppeteer.json"
echo "mermaid-cli $("$mmdc" --version)" >&2

cargo build --release --quiet --manifest-path "$root/Cargo.toml"
pm="$root/target/release/postmortem"

status=0
for dir in "$root"/fixtures/scenarios/*/; do
    name=$(basename "$dir")
    tz=$(sed -n 's/.*"tz": "\(.*\)".*/\1/p' "$dir/truth.json")
    "$pm" draft -q --tz "$tz" "$dir/logs" --chart "$out/$name-chart.svg" --force > "$out/$name.md"
    # The chart as a browser draws it.
    "$chromium" --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1000,600 \
        --screenshot="$out/$name-chart.png" "file://$out/$name-chart.svg" 2>/dev/null
    if ! grep -q '^```mermaid' "$out/$name.md"; then
        echo "$name: no Mermaid block (no incident)" >&2
        continue
    fi
    sed -n '/^```mermaid$/,/^```$/p' "$out/$name.md" | sed '1d;$d' > "$out/$name.mmd"
    if ! "$mmdc" -q -p "$out/puppeteer.json" -i "$out/$name.mmd" -o "$out/$name-timeline.svg" >&2; then
        echo "$name: Mermaid refused the block" >&2
        status=1
        continue
    fi
    "$mmdc" -q -p "$out/puppeteer.json" -i "$out/$name.mmd" -o "$out/$name-timeline.png" -w 1600 >&2
    # Every period is drawn as HH:MM, never as the character code it was written in.
    periods=$(grep -cE '^    [0-9]{2}#58;[0-9]{2} :' "$out/$name.mmd" || true)
    drawn=$(grep -oE '>[0-9]{2}:[0-9]{2}<' "$out/$name-timeline.svg" | wc -l)
    if [ "$drawn" -lt "$periods" ] || grep -q '#58;' "$out/$name-timeline.svg"; then
        echo "$name: $periods periods written, $drawn drawn as HH:MM" >&2
        status=1
    fi
    echo "$name: $periods periods, drawn as HH:MM; $out/$name-timeline.png, $out/$name-chart.png" >&2
done
exit $status
