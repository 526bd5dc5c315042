#!/usr/bin/env bash
# Make sure Debian's Chromium is at /usr/bin/chromium for the browser tests (Playwright drives it;
# `playwright install` cannot download browsers here). Idempotent and quiet: does nothing when it is
# already installed; installs it with apt when running as root; otherwise only says what to do.
set -euo pipefail

CHROMIUM=/usr/bin/chromium

if [[ -x "$CHROMIUM" ]]; then
    exit 0
fi
if [[ "$(id -u)" -ne 0 ]]; then
    echo "ensure_chromium: $CHROMIUM is missing; install it as root with 'apt-get install -y chromium'" \
        "(the browser tests will be skipped until then)." >&2
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "ensure_chromium: $CHROMIUM is missing and apt-get is not available; install Chromium by hand." >&2
    exit 0
fi
echo "ensure_chromium: installing Debian's chromium with apt-get..."
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends chromium >/dev/null
"$CHROMIUM" --version 2>/dev/null || true
