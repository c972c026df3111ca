#!/usr/bin/env bash
# Scan partials against one run: an archive of `synth --size SIZE` whose access log is cut
# into rotated pieces so that it holds SHARDS files, each scanned into a partial of its
# own (`postmortem scan`); then, alternating, `draft` over the logs and `draft` over the
# partials, RUNS times (page cache warm). Says the partials' size against the logs', the
# medians of the scan stage and of the partials' load and merge stages, and checks that
# both drafts are the same bytes.
#
#   benches/partials.sh [SIZE] [SHARDS] [DIR]     defaults: 5GiB, 20 shards
#
# Needs bash, GNU coreutils (split, stat) and awk.
set -euo pipefail

size=${1:-5GiB}
shards=${2:-20}
dir=${3:-${TMPDIR:-/tmp}/postmortem-partials-$size-$shards}
runs=${RUNS:-5}
root=$(cd "$(dirname "$0")/.." && pwd)

cargo build --release --quiet --manifest-path "$root/Cargo.toml"
pm="$root/target/release/postmortem"

if [ ! -d "$dir/logs" ]; then
    "$pm" synth --scenario table-lock --out "$dir" --size "$size" >/dev/null
    # The access log as the pieces logrotate leaves (access.log.N, oldest the highest),
    # so that the archive holds SHARDS files and each is a shard.
    pieces=$((shards - $(find "$dir/logs" -type f ! -name access.log | wc -l)))
    (cd "$dir/logs" && split -n "l/$pieces" -d -a 3 access.log piece. && rm access.log &&
        n=$pieces && for piece in piece.*; do mv "$piece" "access.log.$n"; n=$((n - 1)); done)
fi
rm -rf "$dir/partials" && mkdir -p "$dir/partials"
for file in "$dir"/logs/*; do
    "$pm" scan -q --output "$dir/partials/$(basename "$file").pmscan" "$file"
done

logs=$(find "$dir/logs" -type f -printf '%s\n' | awk '{s += $1} END {printf "%d", s}')
partials=$(find "$dir/partials" -type f -printf '%s\n' | awk '{s += $1} END {printf "%d", s}')
echo "$(find "$dir/logs" -type f | wc -l) files, $logs bytes; their partials $partials bytes ($(awk -v p="$partials" -v l="$logs" 'BEGIN {printf "%.4f", 100 * p / l}') %)"

# One line a run: the stage's seconds, and the whole run's.
stage() { awk -v name="$1" '$3 == name":" || $3 == name {print $4}' "$2"; }
: >"$dir/times"
for run in $(seq "$runs"); do
    start=$(date +%s.%N)
    "$pm" draft -q --timings "$dir/logs" >"$dir/one.md" 2>"$dir/one.err"
    one=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN {print e - s}')
    start=$(date +%s.%N)
    "$pm" draft -q --timings "$dir"/partials/*.pmscan >"$dir/merged.md" 2>"$dir/merged.err"
    merged=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN {print e - s}')
    cmp -s "$dir/one.md" "$dir/merged.md" || { echo "the drafts differ (run $run)" >&2; exit 1; }
    echo "$(stage scan "$dir/one.err") $one $(stage load "$dir/merged.err") $(stage merge "$dir/merged.err") $merged" >>"$dir/times"
done
median() { sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
scan=$(cut -d' ' -f1 "$dir/times" | median)
wall_one=$(cut -d' ' -f2 "$dir/times" | median)
load=$(cut -d' ' -f3 "$dir/times" | median)
merge=$(cut -d' ' -f4 "$dir/times" | median)
wall_merged=$(cut -d' ' -f5 "$dir/times" | median)
echo "medians of $runs runs: one run's scan $scan s (draft $wall_one s); the partials' load $load s + merge $merge s (draft $wall_merged s)"
awk -v l="$load" -v m="$merge" -v s="$scan" 'BEGIN {printf "load and merge against the scan: %.4f x\n", (l + m) / s}'
