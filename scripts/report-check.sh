#!/usr/bin/env bash
# Renders a run's report.html in headless Chromium (Debian: apt-get install chromium) with the network off, and
# saves a screenshot next to it: report.png. Without a run folder it trains a short quickstart run first.
#
#   scripts/report-check.sh [RUN_DIR]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
browser="$(command -v chromium || command -v chromium-browser || true)"
if [ -z "$browser" ]; then
  echo "report-check: no chromium on PATH (apt-get install chromium)" >&2
  exit 2
fi
run="${1:-}"
if [ -z "$run" ]; then
  out="$(mktemp -d)"
  "$root/asyncrl" train "$root/configs/quickstart.yaml" --set trainer.steps=300 --set output_dir="$out" >/dev/null
  run="$out/quickstart"
fi
report="$(cd "$run" && pwd)/report.html"
[ -f "$report" ] || { echo "report-check: $report does not exist" >&2; exit 2; }
# --proxy-server to a closed port: any request for something outside the file fails instead of going out.
"$browser" --headless=new --no-sandbox --disable-gpu --hide-scrollbars --proxy-server=127.0.0.1:9 \
  --window-size=1200,2200 --screenshot="$run/report.png" "file://$report" 2>/dev/null
charts=$("$browser" --headless=new --no-sandbox --disable-gpu --proxy-server=127.0.0.1:9 --dump-dom \
  "file://$report" 2>/dev/null | grep -o 'class="uplot' | wc -l)
echo "report-check: $charts charts rendered; screenshot $run/report.png"
[ "$charts" -ge 5 ]
