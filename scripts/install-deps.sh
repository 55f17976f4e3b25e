#!/usr/bin/env bash
# Install the Debian bookworm packages sluice needs to build, test and run its quick start.
# Idempotent: installs only what is missing. Needs root (or sudo) when something is missing.
set -euo pipefail

build_pkgs=(build-essential autoconf automake libtool pkg-config
            librdkafka-dev libjansson-dev libmicrohttpd-dev libcurl4-openssl-dev libsimdjson-dev
            libssl-dev libcmocka-dev libhiredis-dev zlib1g-dev)
run_pkgs=(kafkacat curl jq python3 procps openssl redis-server redis-tools clickhouse-server clickhouse-client
          python3-cryptography)

missing=()
for p in "${build_pkgs[@]}" "${run_pkgs[@]}" "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "sluice: installing ${missing[*]}" >&2
SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
