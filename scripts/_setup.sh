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

# Python virtual environment, rebuilt when pyproject.toml changes.
py_stamp="$(stamp_of pyproject.toml)"
if [ ! -x .venv/bin/python ] || [ "$(cat .venv/.stamp 2>/dev/null)" != "$py_stamp" ]; then
  echo "setting up the Python environment in .venv ..." >&2
  [ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
  .venv/bin/python -m pip install --quiet --upgrade pip >&2
  .venv/bin/python -m pip install --quiet -e ".[test]" >&2
  echo "$py_stamp" > .venv/.stamp
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
