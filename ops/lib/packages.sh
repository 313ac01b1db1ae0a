# Shared by ops/serve.sh and ops/test.sh: install missing Debian packages, as root or through sudo.
# Source it; it defines functions only.

as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        echo "need root for: $* (run as root or install sudo)" >&2
        return 1
    fi
}

is_installed() {
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"
}

# ensure_packages PKG...: apt-get update once and install those not installed yet.
ensure_packages() {
    local missing=() pkg
    for pkg in "$@"; do
        is_installed "$pkg" || missing+=("$pkg")
    done
    if [ "${#missing[@]}" -eq 0 ]; then
        echo "all present: $*"
        return 0
    fi
    echo "installing: ${missing[*]}"
    as_root env DEBIAN_FRONTEND=noninteractive timeout 600 apt-get update -qq || return $?
    as_root env DEBIAN_FRONTEND=noninteractive timeout 1200 \
        apt-get install -y -qq --no-install-recommends "${missing[@]}" || return $?
}

# The system libraries the Swift package links (Package.swift systemLibrary targets and GRDB).
STARLING_BUILD_PACKAGES=(libxml2-dev libsqlite3-dev libmosquitto-dev pkg-config)
