#!/usr/bin/env bash
# The README's test command. Starts moto server (an independent ELBv2 + Route 53 implementation)
# on 127.0.0.1 on a free port, runs `mvn -B verify` with its endpoint, and stops it afterwards.
#   ./scripts/test.sh                 # everything
#   ./scripts/test.sh -pl bluegreen-aws -am   # extra arguments go to Maven
set -euo pipefail
cd "$(dirname "$0")/.."

MOTO_VERSION="${MOTO_VERSION:-5.2.5}"
VENV="${BLUEGREEN_VENV:-$PWD/.venv}"
mkdir -p target

if [ ! -x "$VENV/bin/moto_server" ] || ! "$VENV/bin/python" -c "import moto, sys; sys.exit(moto.__version__ != '$MOTO_VERSION')" 2>/dev/null; then
  echo "test.sh: installing moto[server]==$MOTO_VERSION into $VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q "moto[server]==$MOTO_VERSION"
fi

port=$("$VENV/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
"$VENV/bin/moto_server" -H 127.0.0.1 -p "$port" > target/moto.log 2>&1 &
moto_pid=$!
stop_moto() { kill "$moto_pid" 2>/dev/null || true; wait "$moto_pid" 2>/dev/null || true; }
trap stop_moto EXIT

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
            sys.exit(f"test.sh: moto server did not start on port {port}: {e} (see target/moto.log)")
        time.sleep(0.25)
PY
echo "test.sh: moto server $MOTO_VERSION on http://127.0.0.1:$port"

export BLUEGREEN_MOTO_ENDPOINT="http://127.0.0.1:$port"
mvn -B verify "$@"
