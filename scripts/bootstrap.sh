#!/usr/bin/env bash
# Builds the project's virtual environment in .venv with a Python 3.12+ interpreter.
# Looks where a user's machine would have one: python3, python3.13, python3.12, then pyenv.
# Idempotent: an up-to-date .venv is left alone (its stamp is the hash of pyproject.toml).
set -euo pipefail
cd "$(dirname "$0")/.."

runs_312() {  # true if "$@" starts a real interpreter of version >= 3.12
  "$@" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1
}

find_python() {
  local candidate
  for candidate in python3 python3.13 python3.12; do
    if command -v "$candidate" >/dev/null 2>&1 && runs_312 "$candidate"; then
      command -v "$candidate"; return 0
    fi
  done
  # pyenv may hold a 3.12+ that is installed but not selected (its shims then refuse to run).
  if command -v pyenv >/dev/null 2>&1; then
    local root version
    root=$(pyenv root)
    for version in $(ls "$root/versions" 2>/dev/null | sort -rV); do
      candidate="$root/versions/$version/bin/python3"
      if [ -x "$candidate" ] && runs_312 "$candidate"; then
        echo "$candidate"; return 0
      fi
    done
  fi
  return 1
}

stamp=$(sha256sum pyproject.toml | cut -c1-16)
if [ -x .venv/bin/python ] && [ "$(cat .venv/.itlead-stamp 2>/dev/null)" = "$stamp" ]; then
  exit 0
fi

if ! python=$(find_python); then
  cat >&2 <<'MSG'
itlead needs Python 3.12 or newer, and none was found (tried python3, python3.13, python3.12, pyenv).
Install one, for example:
  Debian/Ubuntu:  sudo apt-get install python3.12 python3.12-venv
  macOS:          brew install python@3.12
  pyenv:          pyenv install 3.12
then run this command again.
MSG
  exit 1
fi

echo "itlead: building .venv with $python ($("$python" --version 2>&1))" >&2
rm -rf .venv
"$python" -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[dev]'
echo "$stamp" > .venv/.itlead-stamp
