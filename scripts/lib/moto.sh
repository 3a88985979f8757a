# Sourced by scripts/test.sh and scripts/bench.sh: a venv with moto (and optionally awscli), and a
# moto server on a free port of 127.0.0.1 that stops when the calling script exits.
#   ensure_venv [extra pip requirements...]   -> $VENV
#   start_moto                                -> exports BLUEGREEN_MOTO_ENDPOINT

MOTO_VERSION="${MOTO_VERSION:-5.2.5}"
VENV="${BLUEGREEN_VENV:-$PWD/.venv}"

ensure_venv() {
  if [ ! -x "$VENV/bin/moto_server" ] || ! "$VENV/bin/python" -c "import moto, sys; sys.exit(moto.__version__ != '$MOTO_VERSION')" 2>/dev/null; then
    echo "installing moto[server]==$MOTO_VERSION into $VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q "moto[server]==$MOTO_VERSION"
  fi
  for req in "$@"; do
    "$VENV/bin/pip" show -q "${req%%=*}" >/dev/null 2>&1 || { echo "installing $req into $VENV"; "$VENV/bin/pip" install -q "$req"; }
  done
}

start_moto() {
  mkdir -p target
  local port
  port=$("$VENV/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
  # moto_server with DynamoDB's conditional writes made atomic, as DynamoDB's are (see moto_server.py)
  "$VENV/bin/python" "$(dirname "${BASH_SOURCE[0]}")/moto_server.py" -H 127.0.0.1 -p "$port" > target/moto.log 2>&1 &
  MOTO_PID=$!
  trap 'kill "$MOTO_PID" 2>/dev/null || true; wait "$MOTO_PID" 2>/dev/null || true' EXIT
  # wait (bounded: 60 s) until moto answers
  "$VENV/bin/python" - "$port" <<'PY'
import sys, time, urllib.request
port = sys.argv[1]
deadline = time.time() + 60
while True:
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{port}/moto-api/", timeout=2)
        break
    except Exception as e:
        if time.time() > deadline:
            sys.exit(f"moto server did not start on port {port}: {e} (see target/moto.log)")
        time.sleep(0.25)
PY
  export BLUEGREEN_MOTO_ENDPOINT="http://127.0.0.1:$port"
  echo "moto server $MOTO_VERSION on $BLUEGREEN_MOTO_ENDPOINT"
}
