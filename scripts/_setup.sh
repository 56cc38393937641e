# Shared by scripts/run and scripts/test: checks the toolchain, then installs what is missing.
# Sourced, not executed. Idempotent: a second run with nothing changed does nothing.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

fail() { echo "error: $*" >&2; exit 1; }

PYTHON="${PYTHON:-python3}"
command -v "$PYTHON" >/dev/null 2>&1 || fail "Python 3.11 or newer is required: install it (Debian: apt-get install python3 python3-venv) and run this again."
"$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' \
  || fail "Python 3.11 or newer is required, found $("$PYTHON" --version 2>&1): install a newer Python and run this again."
command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 \
  || fail "Node.js with npm is required for the development chain and the compiler: install it (Debian: apt-get install nodejs npm) and run this again."

stamp_of() { cat "$@" | sha256sum | cut -d' ' -f1; }

# Python virtual environment from the lock files (requirements/, written by ./scripts/lock from
# pyproject.toml, every file checked against its hash), then the node itself without dependencies.
# SETUP_PROFILE=runtime (./scripts/run) installs what the node runs on; dev (the default: tests,
# benchmarks) adds the `test` extra. Reinstalled when pyproject.toml or the lock file changes.
SETUP_PROFILE="${SETUP_PROFILE:-dev}"
case "$SETUP_PROFILE" in runtime|dev) ;; *) fail "SETUP_PROFILE must be runtime or dev, not $SETUP_PROFILE" ;; esac
for lock in requirements/runtime.txt requirements/dev.txt; do
  [ -f "$lock" ] || fail "$lock is missing: run ./scripts/lock and commit what it writes."
done
stamp_for() { stamp_of pyproject.toml "requirements/$1.txt"; }
installed() { [ "$(cat ".venv/.stamp-$1" 2>/dev/null)" = "$(stamp_for "$1")" ]; }
# The dev lock pins every runtime package alike (./scripts/lock compiles it under runtime.txt), so an
# environment set up for dev serves runtime too.
if [ ! -x .venv/bin/python ] || ! { installed "$SETUP_PROFILE" || { [ "$SETUP_PROFILE" = runtime ] && installed dev; }; }; then
  echo "setting up the Python environment in .venv ($SETUP_PROFILE) ..." >&2
  [ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
  .venv/bin/python -m pip install --quiet --upgrade pip >&2
  .venv/bin/python -m pip install --quiet --require-hashes -r "requirements/$SETUP_PROFILE.txt" >&2 \
    || fail "could not install requirements/$SETUP_PROFILE.txt (see above): if pyproject.toml changed, run ./scripts/lock."
  .venv/bin/python -m pip install --quiet --no-deps -e . >&2
  # A dependency added to pyproject.toml but not yet locked is missing now: say so instead of an ImportError later.
  broken="$(.venv/bin/python -m pip check 2>&1)" \
    || fail "the environment lacks what pyproject.toml asks for: run ./scripts/lock, commit requirements/, and run this again.
$broken"
  stamp_for "$SETUP_PROFILE" > ".venv/.stamp-$SETUP_PROFILE"
  if [ "$SETUP_PROFILE" = dev ]; then stamp_for runtime > .venv/.stamp-runtime; fi
fi

# npm packages (anvil, solc, OpenZeppelin), reinstalled when package-lock.json changes.
npm_stamp="$(stamp_of package-lock.json)"
if [ ! -d node_modules ] || [ "$(cat node_modules/.stamp 2>/dev/null)" != "$npm_stamp" ]; then
  echo "installing npm packages ..." >&2
  # `npm ci` installs exactly what the lock names and never rewrites it (the lock lists every
  # platform's anvil package; only this platform's is fetched).
  npm ci --no-audit --no-fund --loglevel=error >&2
  echo "$npm_stamp" > node_modules/.stamp
fi
export PATH="$ROOT/.venv/bin:$PATH"
