#!/usr/bin/env bash
# Install what the system lacks, for `make run` (the group `run`) or `make test` (`test`).
#
#   PYTHON=python3.11 scripts/setup-system.sh run|test
#
# One list of what each group needs: a command (or file) that shows the part is there, and the
# package that brings it on Debian/Ubuntu (apt, as root or through sudo) and on macOS
# (Homebrew). Anywhere else it stops with one line naming exactly what to install.
# `.ci/run` is this script's `test` group, then `make test`.
set -euo pipefail

group=${1:-test}
PYTHON=${PYTHON:-$(command -v python3.11 || command -v python3 || true)}
[ -n "$PYTHON" ] || { echo "setup: no Python found: install Python 3.11 or later" >&2; exit 1; }

# --- what is there ------------------------------------------------------------------------------
has_venv() {
  # Debian ships the venv module's pip bootstrap (ensurepip) in a package of its own.
  "$PYTHON" -c 'import ensurepip, venv' >/dev/null 2>&1
}
has_command() { command -v "$1" >/dev/null 2>&1; }
has_initdb() {
  compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null \
    || compgen -G '/opt/homebrew/opt/postgresql@*/bin/initdb' >/dev/null \
    || compgen -G '/usr/local/opt/postgresql@*/bin/initdb' >/dev/null \
    || has_command initdb
}
has_chromium() {
  [ -n "${CHROMIUM_PATH:-}" ] && [ -x "$CHROMIUM_PATH" ] && return 0
  has_command chromium || has_command chromium-browser \
    || [ -x /Applications/Chromium.app/Contents/MacOS/Chromium ]
}

# --- the one list: "check|apt package|brew package" per part, for each group ---------------------
python_version=$("$PYTHON" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
parts_run=(
  "has_venv|python${python_version}-venv|"
)
parts_test=(
  "${parts_run[@]}"
  "has_command make|make|make"
  "has_command redis-server|redis-server|redis"
  # The tests start their own PostgreSQL on a free port. Installing the package may also start
  # Debian's cluster on 5432: the tests never connect to it.
  "has_initdb|postgresql|postgresql@16"
  "has_chromium|chromium|--cask chromium"
  "has_command openssl|openssl|openssl"
  "has_command curl|curl|curl"
  "has_command git|git|git"
  # The example clients' tests (examples/typescript: `npm ci`, tsc, node). Homebrew's node
  # brings npm; Debian packages it apart.
  "has_command node|nodejs|node"
  "has_command npm|npm|"
)
case "$group" in
  run) parts=("${parts_run[@]}") ;;
  test) parts=("${parts_test[@]}") ;;
  *) echo "usage: scripts/setup-system.sh run|test" >&2; exit 2 ;;
esac

apt_missing=()
brew_missing=()
for part in "${parts[@]}"; do
  IFS='|' read -r check apt_name brew_name <<<"$part"
  if ! $check; then
    apt_missing+=("$apt_name")
    [ -n "$brew_name" ] && brew_missing+=("$brew_name")
  fi
done
[ ${#apt_missing[@]} -eq 0 ] && exit 0

# --- install ------------------------------------------------------------------------------------
if has_command apt-get; then
  if [ "$(id -u)" -eq 0 ]; then
    as_root=()
  elif has_command sudo; then
    as_root=(sudo)
  else
    echo "setup: not root and no sudo: as root, run: apt-get install ${apt_missing[*]}" >&2
    exit 1
  fi
  echo "setup: installing with apt: ${apt_missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  "${as_root[@]}" apt-get update -qq
  "${as_root[@]}" apt-get install -y -qq --no-install-recommends "${apt_missing[@]}"
elif [ "$(uname -s)" = Darwin ] && has_command brew; then
  if [ ${#brew_missing[@]} -gt 0 ]; then
    echo "setup: installing with Homebrew: ${brew_missing[*]}"
    for name in "${brew_missing[@]}"; do
      # shellcheck disable=SC2086  # "--cask chromium" is two words on purpose
      brew install $name
    done
  fi
  if ! has_venv; then
    echo "setup: $PYTHON has no venv module: install Python from python.org or brew install python@3.11" >&2
    exit 1
  fi
else
  echo "setup: install these, then run the command again: ${apt_missing[*]}" >&2
  exit 1
fi
