#!/usr/bin/env bash
# Draws bench/proxy/chart.png from the medians run.sh wrote (bench/proxy/latest.tsv): requests/s
# and p99 latency of nginx and Crossgate per row, side by side. Needs gnuplot (Debian gnuplot-nox).
#   bench/proxy/chart.sh [summary.tsv] [chart.png]
set -euo pipefail
DIR=$(cd "$(dirname "$0")" && pwd)
IN=${1:-$DIR/latest.tsv}
OUT=${2:-$DIR/chart.png}
command -v gnuplot >/dev/null || { echo "gnuplot is not installed (apt-get install gnuplot-nox)" >&2; exit 1; }
TITLE=$(sed -n '1s/^# *//p' "$IN")
gnuplot <<PLOT
set terminal pngcairo size 900,400 font "DejaVu Sans,10"
set output "$OUT"
set datafile separator "\t"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set grid ytics
set key below horizontal
set yrange [0:*]
set multiplot layout 1,2 title "./crossgate standalone vs nginx reverse proxy ($TITLE)"
set title "requests per second (higher is better)"
plot "$IN" using 2:xtic(1) title "nginx" lc rgb "#4c72b0", \
     "" using 4 title "Crossgate" lc rgb "#dd8452"
set title "p99 latency, ms (lower is better)"
plot "$IN" using 3:xtic(1) title "nginx" lc rgb "#4c72b0", \
     "" using 5 title "Crossgate" lc rgb "#dd8452"
unset multiplot
PLOT
echo "wrote $OUT" >&2
