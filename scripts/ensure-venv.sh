#!/usr/bin/env bash
# Create or refresh <repo>/.venv with the pinned tools from scripts/requirements-test.txt.
# Idempotent: a stamp file holds the hash of the requirements and the Python version, so a second
# run with the same inputs returns at once. Progress goes to stderr; failures exit non-zero.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$repo/.venv"
reqs="$repo/scripts/requirements-test.txt"
stamp="$venv/.requirements.sha256"
python="${PYTHON:-python3}"

log() { echo "ensure-venv: $*" >&2; }
die() { log "error: $*"; exit 1; }

command -v "$python" >/dev/null 2>&1 || die "$python not found; install Python 3.11+"
[ -f "$reqs" ] || die "missing $reqs"

# The stamp covers the pins and the interpreter: a new Python needs a new venv.
want="$( { cat "$reqs"; "$python" -c 'import sys; print(sys.version)'; } | sha256sum | cut -d' ' -f1)"
if [ -x "$venv/bin/moto_server" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
  exit 0
fi

# Serialise concurrent runs (parallel jest invocations share one venv).
mkdir -p "$venv"
exec 9>"$venv/.lock"
if command -v flock >/dev/null 2>&1; then
  flock 9
  # Another run may have finished while we waited.
  if [ -x "$venv/bin/moto_server" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
    exit 0
  fi
fi

start=$SECONDS
rm -f "$stamp"
if [ ! -x "$venv/bin/python" ]; then
  log "creating virtualenv at $venv"
  "$python" -m venv "$venv" || die "python3 -m venv failed (on Debian: apt-get install python3-venv)"
fi
log "installing pinned packages from scripts/requirements-test.txt"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input -r "$reqs" >&2 \
  || die "pip install failed; see the output above"
[ -x "$venv/bin/moto_server" ] || die "moto_server missing from $venv/bin after install"
echo "$want" >"$stamp"
log "ready in $((SECONDS - start))s"
