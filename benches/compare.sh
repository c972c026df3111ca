#!/usr/bin/env bash
# postmortem against the tools a user would otherwise reach for, on one synthetic
# archive, with the page cache warm. Each command runs RUNS times, the commands
# alternating (so that a noisy neighbour slows them alike), and the table gives medians.
#
#   benches/compare.sh [SIZE] [DIR]      SIZE: 1GiB (default), 256MiB, 4GiB …
#
# Needs bash, GNU time (/usr/bin/time), coreutils, GNU grep and ripgrep; lnav and gzip are
# measured when installed (Debian: apt-get install -y ripgrep lnav time).
# RUNS (default 5) sets the number of runs; LNAV_RUNS (default 1) those of lnav, which is
# much slower.
set -euo pipefail

size=${1:-1GiB}
dir=${2:-${TMPDIR:-/tmp}/postmortem-compare-$size}
runs=${RUNS:-5}
lnav_runs=${LNAV_RUNS:-1}
root=$(cd "$(dirname "$0")/.." && pwd)

cargo build --release --quiet --manifest-path "$root/Cargo.toml"
pm="$root/target/release/postmortem"

if [ ! -d "$dir/logs" ]; then
    "$pm" synth --scenario table-lock --out "$dir" --size "$size" >&2
fi
tz=America/New_York
bytes=$(cat "$dir"/logs/* | wc -c)
"$pm" rules list --patterns > "$dir/patterns.txt"

# One gzip file per log, for the compressed-input row.
if command -v gzip > /dev/null && [ ! -d "$dir/gz" ]; then
    mkdir -p "$dir/gz"
    for f in "$dir"/logs/*; do gzip -c "$f" > "$dir/gz/$(basename "$f").gz"; done
fi

declare -a names commands
add() { names+=("$1"); commands+=("$2"); }
add "postmortem draft, 2 threads" "$pm draft -q --tz $tz $dir/logs"
add "postmortem draft, 1 thread" "$pm draft -q --threads 1 --tz $tz $dir/logs"
add "rg -c, the catalogue's patterns" "rg -c -f $dir/patterns.txt $dir/logs"
# GNU grep reads the patterns as PCRE (they use `\d`, `(?:` and `(?i)`), joined into one
# alternation: -P takes a single pattern.
sed 's/.*/(?:&)/' "$dir/patterns.txt" | paste -sd'|' > "$dir/patterns.pcre"
add "grep -cP, the catalogue's patterns" "grep -cP -f $dir/patterns.pcre $dir/logs/*"
if [ -d "$dir/gz" ]; then
    add "gzip -dc *.gz > /dev/null" "gzip -dc $dir/gz/*.gz"
    add "postmortem draft, the .gz files" "$pm draft -q --tz $tz $dir/gz"
fi
query=";SELECT strftime('%Y-%m-%d %H:%M', log_time) AS minute, count(*) AS failed FROM access_log WHERE sc_status >= 500 GROUP BY minute"
lnav_command="lnav -n -c \"$query\" -c ':write-csv-to -' $dir/logs"

# Seconds and peak memory (KiB) of one run.
report=$(mktemp)
trap 'rm -f "$report"' EXIT
measure() {
    /usr/bin/time -f '%e %M' -o "$report" bash -c "$1" > /dev/null 2>&1 || true
    tail -1 "$report"
}

declare -A times memory
for ((run = 1; run <= runs; run++)); do
    for i in "${!commands[@]}"; do
        read -r seconds kib < <(measure "${commands[$i]}")
        times[$i]+="$seconds "
        memory[$i]=$kib
    done
    echo "run $run of $runs done" >&2
done
if command -v lnav > /dev/null && [ "$lnav_runs" -gt 0 ]; then
    names+=("lnav, 5xx per minute (SQL)")
    i=$((${#names[@]} - 1))
    for ((run = 1; run <= lnav_runs; run++)); do
        read -r seconds kib < <(measure "$lnav_command")
        times[$i]+="$seconds "
        memory[$i]=$kib
    done
fi

median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

echo
echo "Archive: $size asked, $bytes bytes in $dir/logs; $(nproc) cores: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo
echo "| command | median | throughput | × postmortem's time | peak memory | runs |"
echo "|---|---|---|---|---|---|"
first=$(echo "${times[0]}" | median)
for i in "${!names[@]}"; do
    m=$(echo "${times[$i]}" | median)
    n=$(echo "${times[$i]}" | wc -w)
    rate=$(awk -v b="$bytes" -v s="$m" 'BEGIN { printf "%.0f MB/s", b / s / 1e6 }')
    ratio=$(awk -v a="$m" -v b="$first" 'BEGIN { printf "%.2f", a / b }')
    echo "| ${names[$i]} | $m s | $rate | $ratio | $((memory[$i] / 1024)) MB | $n |"
done
