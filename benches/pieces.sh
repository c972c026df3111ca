#!/usr/bin/env bash
# Many small files against one: an AWS load balancer's logs as S3 delivers them (a gzip
# file every 5 minutes from each of two nodes, under date folders), drafted as they are
# and as the same lines in one gzip file, with the page cache warm. The two commands
# alternate RUNS times (so that a noisy neighbour slows them alike); the table gives
# medians and the ratio of the two.
#
#   benches/pieces.sh [PIECES] [LINES] [DIR]    PIECES: files in all (default 10000),
#                                               LINES: requests a file (default 15)
#
# Needs bash, GNU awk (strftime) or mawk, gzip, find, sort and GNU time (/usr/bin/time).
set -euo pipefail

pieces=${1:-10000}
lines=${2:-15}
dir=${3:-${TMPDIR:-/tmp}/postmortem-pieces-$pieces-$lines}
runs=${RUNS:-7}
root=$(cd "$(dirname "$0")/.." && pwd)

cargo build --release --quiet --manifest-path "$root/Cargo.toml"
pm="$root/target/release/postmortem"

if [ ! -d "$dir/alb" ]; then
    mkdir -p "$dir/alb" "$dir/one"
    # One piece a node every 5 minutes from 2019-07-02 00:00 UTC; on each day, 60 % of
    # the requests between 20:00 and 20:25 are answered 504 by the balancer.
    awk -v pieces="$pieces" -v lines="$lines" -v dir="$dir/alb" '
    function two(n) { return sprintf("%02d", n) }
    BEGIN {
        srand(7)
        account = "417362054412"; balancer = "app.tb-prod-web.5e1f0b9a2c7d4e63"
        split("35.176.12.9 10.0.3.7", nodes, " ")
        start = 1562025600  # 2019-07-02T00:00:00Z
        for (p = 0; p < pieces / 2; p++) {
            from = start + 300 * p; to = from + 300
            folder = dir "/AWSLogs/" account "/elasticloadbalancing/eu-west-2/" strftime("%Y/%m/%d", to, 1)
            system("mkdir -p " folder)
            for (n = 1; n <= 2; n++) {
                name = sprintf("%s/%s_elasticloadbalancing_eu-west-2_%s_%s_%s_%08x.log", folder, account, balancer, strftime("%Y%m%dT%H%MZ", to, 1), nodes[n], int(rand() * 4294967295))
                for (l = 0; l < lines; l++) {
                    # In time order within a piece, as a node writes them.
                    at = from + (l + rand()) * 300 / lines
                    stamp = strftime("%Y-%m-%dT%H:%M:%S", int(at), 1) sprintf(".%06dZ", (at - int(at)) * 1e6)
                    minute = int((at - start) % 86400 / 60)
                    failing = minute >= 1200 && minute < 1225 && rand() < 0.6
                    status = failing ? "504" : "200"; target = failing ? "-" : "200"; taken = failing ? "-1" : "0.084"
                    printf "https %s app/tb-prod-web/5e1f0b9a2c7d4e63 198.51.100.%d:51122 10.1.4.17:8080 0.001 %s 0.000 %s %s 512 8210 \"GET https://shop.example.org:443/checkout/%d HTTP/1.1\" \"Mozilla/5.0\" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 arn:aws:elasticloadbalancing:eu-west-2:%s:targetgroup/shop-web/1a2b3c4d5e6f7a8b \"Root=1-65ad7f08-0123456789abcdef01234567\" \"shop.example.org\" \"-\" 0 %s \"forward\" \"-\" \"-\" \"10.1.4.17:8080\" \"%s\" \"-\" \"-\" TID_5c3e1a\n", stamp, 1 + int(rand() * 250), taken, status, target, 1 + int(rand() * 9), account, stamp, target > name
                }
                close(name)
            }
        }
    }'
    # The same lines, in time order, in one file.
    find "$dir/alb" -name '*.log' -print0 | xargs -0 cat | sort | gzip -1 > "$dir/one/alb.log.gz"
    find "$dir/alb" -name '*.log' -print0 | xargs -0 gzip -1
fi

files=$(find "$dir/alb" -type f | wc -l)
report=$(mktemp)
trap 'rm -f "$report"' EXIT
measure() {
    /usr/bin/time -f '%e %M' -o "$report" "$@" > /dev/null 2>&1 || true
    tail -1 "$report"
}
declare -a many one
for ((run = 1; run <= runs; run++)); do
    read -r seconds kib < <(measure "$pm" draft -q "$dir/alb")
    many+=("$seconds"); many_kib=$kib
    read -r seconds kib < <(measure "$pm" draft -q "$dir/one")
    one+=("$seconds"); one_kib=$kib
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
m_many=$(median "${many[@]}")
m_one=$(median "${one[@]}")
echo
echo "$files gzip pieces of $lines lines in $dir/alb; $(nproc) cores; $runs alternating runs"
echo
echo "| input | median | peak memory |"
echo "|---|---|---|"
echo "| $files pieces | $m_many s | $((many_kib / 1024)) MB |"
echo "| the same lines in one .gz | $m_one s | $((one_kib / 1024)) MB |"
echo
awk -v a="$m_many" -v b="$m_one" 'BEGIN { printf "pieces / one file: %.2f\n", a / b }'
