#!/usr/bin/env bash
# Span × sources: a shop's access log and the logs of SOURCES application hosts over DAYS
# days, each host writing a line every 20 seconds and a warning now and then all along,
# and a 40-minute outage on the last day that every log shows. Drafted with --timings,
# the page cache warm; the table gives the median of each stage over RUNS runs, and the
# stages after the scan against the scan.
#
#   benches/fleet.sh [DAYS] [SOURCES] [DIR]     defaults: 7 days, 20 sources
#
# Needs bash, GNU awk (strftime) or mawk, and GNU time (/usr/bin/time).
set -euo pipefail

days=${1:-7}
sources=${2:-20}
dir=${3:-${TMPDIR:-/tmp}/postmortem-fleet-$days-$sources}
runs=${RUNS:-5}
root=$(cd "$(dirname "$0")/.." && pwd)

cargo build --release --quiet --manifest-path "$root/Cargo.toml"
pm="$root/target/release/postmortem"

if [ ! -d "$dir/logs" ]; then
    mkdir -p "$dir/logs"
    # From 2025-03-01 00:00 UTC. The outage: the last day, 14:00 to 14:40, a third of the
    # requests answered 502, and every host logging its failed calls to the database.
    awk -v days="$days" -v sources="$sources" -v dir="$dir/logs" '
    BEGIN {
        srand(11)
        start = 1740787200
        end = start + days * 86400
        outage = end - 86400 + 14 * 3600
        # The access log: 20 requests a minute.
        out = dir "/access.log"
        for (t = start; t < end; t += 3) {
            failing = t >= outage && t < outage + 2400 && rand() < 0.33
            printf "203.0.113.%d - - [%s +0000] \"GET /product/%d HTTP/1.1\" %d %d \"-\" \"Mozilla/5.0\" %s\n", \
                1 + int(rand() * 250), strftime("%d/%b/%Y:%H:%M:%S", t, 1), int(rand() * 500), \
                failing ? 502 : 200, failing ? 157 : 5120, failing ? "30.001" : "0.041" > out
        }
        close(out)
        # Each host, in Spring Boot'"'"'s default log format: an INFO line every 20 s, a
        # warning every 15 minutes or so, and during the outage HikariCP'"'"'s pool timing
        # out every few seconds.
        for (h = 1; h <= sources; h++) {
            out = sprintf("%s/app-%03d.log", dir, h)
            for (t = start + h; t < end; t += 20) {
                stamp = strftime("%Y-%m-%d %H:%M:%S", t, 1)
                printf "%s.%03d  INFO %d --- [nio-8080-exec-%d] c.shop.orders.OrderService               : Order %d saved in %d ms\n", stamp, int(rand() * 1000), 4000 + h, 1 + int(rand() * 9), int(rand() * 1e6), 5 + int(rand() * 40) > out
                if (rand() < 1 / 45)
                    printf "%s.%03d  WARN %d --- [nio-8080-exec-%d] c.shop.mail.ReceiptMailer                : Could not send receipt for order %d: 451 4.3.0 Mail server temporarily rejected message\n", stamp, int(rand() * 1000), 4000 + h, 1 + int(rand() * 9), int(rand() * 1e6) > out
                if (t >= outage && t < outage + 2400)
                    for (k = 0; k < 4; k++)
                        printf "%s.%03d ERROR %d --- [nio-8080-exec-%d] o.h.engine.jdbc.spi.SqlExceptionHelper   : HikariPool-1 - Connection is not available, request timed out after 30000ms.\n", \
                            strftime("%Y-%m-%d %H:%M:%S", t + k * 5, 1), int(rand() * 1000), 4000 + h, 1 + int(rand() * 9) > out
            }
            close(out)
        }
    }'
fi

bytes=$(du -cb "$dir/logs" | tail -1 | cut -f1)
report=$(mktemp)
trap 'rm -f "$report"' EXIT
declare -A seconds
for ((run = 1; run <= runs; run++)); do
    /usr/bin/time -f '%e %M' -o "$report" "$pm" draft -q --timings "$dir/logs" 2> "$report.timings" > /dev/null || true
    while read -r _ _ stage took _; do
        seconds[$stage]+="$took "
    done < <(grep 'timings:' "$report.timings")
    read -r wall kib < <(tail -1 "$report")
    seconds[wall]+="$wall "
done
rm -f "$report.timings"
median() { printf '%s\n' $1 | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
echo
echo "$days days × $((sources + 1)) sources ($bytes bytes) in $dir/logs; $(nproc) cores; median of $runs runs; peak memory $((kib / 1024)) MB"
echo
echo "| stage | median |"
echo "|---|---|"
after=0
for stage in discover probe scan clocks timeline analysis report render wall; do
    [ -n "${seconds[$stage]:-}" ] || continue
    m=$(median "${seconds[$stage]}")
    echo "| $stage | $m s |"
    case $stage in clocks|timeline|analysis|report|render) after=$(awk -v a="$after" -v b="$m" 'BEGIN { print a + b }') ;; esac
done
scan=$(median "${seconds[scan]}")
echo
awk -v a="$after" -v s="$scan" 'BEGIN { printf "stages after the scan: %.3f s, %.2f × the scan\n", a, a / s }'
