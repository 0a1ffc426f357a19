#!/usr/bin/env bash
# Installs the Debian packages Coembed links against (OpenBLAS, LAPACKE, ARPACK, zlib, OpenMPI, PARPACK) when
# any is missing. Needs root (or sudo); does nothing when everything is already there.
set -euo pipefail
packages=(libopenblas-dev liblapacke-dev libarpack2-dev zlib1g-dev libopenmpi-dev openmpi-bin libparpack2-dev)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "Installing ${missing[*]} ..." >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "error: need root or sudo to install ${missing[*]}" >&2; exit 1; }
  SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
