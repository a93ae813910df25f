#!/usr/bin/env bash
# Installs the system packages Decide needs (liblua5.4-dev, libedit-dev, and any tools named as arguments, such
# as tmux and chromium for the tests), only those that are missing. Safe to run again.
set -euo pipefail

missing=()
command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
if ! command -v pkg-config >/dev/null 2>&1 || ! pkg-config --exists lua5.4; then
    missing+=(liblua5.4-dev)
fi
if ! command -v pkg-config >/dev/null 2>&1 || ! pkg-config --exists libedit; then
    missing+=(libedit-dev)
fi
for tool in "$@"; do
    command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done

if [ ${#missing[@]} -gt 0 ]; then
    echo "Installing ${missing[*]} ..."
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi
