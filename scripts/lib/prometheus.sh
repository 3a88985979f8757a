# Sourced by scripts/test.sh: a real Prometheus (Debian's `prometheus` package) on a free port of
# 127.0.0.1, with its own config and data dir under target/prometheus, loaded before start with the
# deterministic series of scripts/lib/prometheus-series.py (promtool tsdb create-blocks-from
# openmetrics), so gate tests read known values at known times without waiting for scrapes. It
# scrapes nothing itself; the live-scrape test (examples) starts its own. Stops when the calling
# script exits (after whatever exit trap was already set, e.g. moto's).
#   ensure_prometheus     installs the package if prometheus/promtool are missing (needs root)
#   start_prometheus      -> exports BLUEGREEN_PROMETHEUS_ENDPOINT (and BLUEGREEN_PROMETHEUS_BIN)
# Without Prometheus: CI=true fails the run; elsewhere the Prometheus tests skip loudly.

ensure_prometheus() {
  if command -v prometheus >/dev/null 2>&1 && command -v promtool >/dev/null 2>&1; then
    return 0
  fi
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing Debian's prometheus package (apt-get)"
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq prometheus >/dev/null
    # the package does not start a server here (no init system), but stop one if it did
    if command -v service >/dev/null 2>&1; then service prometheus stop >/dev/null 2>&1 || true; fi
  fi
  if ! command -v prometheus >/dev/null 2>&1 || ! command -v promtool >/dev/null 2>&1; then
    if [ "${CI:-}" = "true" ]; then
      echo "CI=true and Prometheus is not installed (apt-get install -y prometheus as root)" >&2
      return 1
    fi
    echo "*** Prometheus is not installed: its tests will be SKIPPED (apt-get install -y prometheus as root) ***" >&2
    return 0
  fi
}

start_prometheus() {
  if ! command -v prometheus >/dev/null 2>&1; then
    return 0
  fi
  local dir="$PWD/target/prometheus" port
  rm -rf "$dir" && mkdir -p "$dir/data"
  python3 scripts/lib/prometheus-series.py > "$dir/series.om"
  promtool tsdb create-blocks-from openmetrics "$dir/series.om" "$dir/data" > "$dir/backfill.log" 2>&1 \
    || { echo "promtool could not backfill the test series (see $dir/backfill.log)" >&2; return 1; }
  printf 'global:\n  scrape_interval: 15s\n  evaluation_interval: 15s\nscrape_configs: []\n' > "$dir/prometheus.yml"
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
  # retention: the backfilled blocks are old on purpose (fixed timestamps); keep them
  prometheus --config.file="$dir/prometheus.yml" --storage.tsdb.path="$dir/data" \
    --storage.tsdb.retention.time=3650d --web.listen-address="127.0.0.1:$port" > "$dir/prometheus.log" 2>&1 &
  PROMETHEUS_PID=$!
  local previous
  previous=$(trap -p EXIT)
  previous=${previous#"trap -- '"}
  previous=${previous%"' EXIT"}
  # shellcheck disable=SC2064  # expand the PID and the earlier trap now
  trap "kill $PROMETHEUS_PID 2>/dev/null || true; wait $PROMETHEUS_PID 2>/dev/null || true; $previous" EXIT
  local deadline=$((SECONDS + 60))
  until python3 -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:$port/-/ready', timeout=2)" 2>/dev/null; do
    if [ $SECONDS -ge $deadline ] || ! kill -0 "$PROMETHEUS_PID" 2>/dev/null; then
      echo "Prometheus did not become ready on port $port (see $dir/prometheus.log)" >&2
      return 1
    fi
    sleep 0.25
  done
  export BLUEGREEN_PROMETHEUS_ENDPOINT="http://127.0.0.1:$port"
  BLUEGREEN_PROMETHEUS_BIN="$(command -v prometheus)"
  export BLUEGREEN_PROMETHEUS_BIN
  echo "$(prometheus --version 2>&1 | sed -n 1p) on $BLUEGREEN_PROMETHEUS_ENDPOINT (backfilled: $dir/series.om)"
}
