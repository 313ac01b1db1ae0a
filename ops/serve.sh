#!/usr/bin/env bash
# Build and run the Starling broker: ops/serve.sh [starling serve options]
# Installs the missing system libraries (Debian 12; as root or with sudo), builds in release mode and
# runs `starling serve`. Without --config it serves the domain 'localhost' on 127.0.0.1:5222 with the
# embedded SQLite store and a self-signed certificate under ./data (see ops/starling.example.yml).
# Add an account first from another terminal: .build/release/starling user add alice
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=ops/lib/packages.sh
. ops/lib/packages.sh
ensure_packages "${STARLING_BUILD_PACKAGES[@]}"
swift build -c release --product starling
exec .build/release/starling serve "$@"
