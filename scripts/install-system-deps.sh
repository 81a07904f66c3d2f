#!/usr/bin/env bash
# Installs the system packages scalectl builds and tests with. Safe to run again: it installs only what is missing.
set -euo pipefail
packages=("$@")
[ ${#packages[@]} -gt 0 ] || packages=(libcurl4-openssl-dev libsqlite3-dev)
missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing system packages: ${missing[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
