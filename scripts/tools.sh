#!/usr/bin/env bash
# Installs every tool the build and the tests need, skipping what is already there.
# Idempotent: run it as often as you like. Sourced by scripts/serve.sh and scripts/test.sh.
# Versions are pinned to what compiles on this toolchain (see ARCHITECTURE.md, "Toolchain").
set -euo pipefail

TRUNK_VERSION=0.21.14
WASM_BINDGEN_VERSION=0.2.130     # must equal the wasm-bindgen in Cargo.lock
BINARYEN_VERSION=132.0.0         # Debian's binaryen is too old for current rustc output
TERSER_VERSION=5.46.0            # minifies the release's JavaScript (scripts/precompress.mjs)
TOOLS_DIR="${ARTICLE_WIDGET_TOOLS:-$HOME/.cache/article-widget-tools}"

export PATH="$HOME/.cargo/bin:$TOOLS_DIR/node_modules/.bin:$PATH"

say() { printf '\033[1m[tools]\033[0m %s\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

ensure_wasm_target() {
  if rustup target list --installed | grep -qx wasm32-unknown-unknown; then return; fi
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
}

ensure_cargo_tool() { # binary version crate [extra cargo-install args…]
  local bin=$1 version=$2 crate=$3; shift 3
  if command -v "$bin" >/dev/null 2>&1 && "$bin" --version 2>/dev/null | grep -q "$version"; then return; fi
  say "installing $crate $version (takes minutes on a small machine)"
  cargo install "$crate" --version "$version" "$@"
}

ensure_apt() { # command package…
  local cmd=$1; shift
  if command -v "$cmd" >/dev/null 2>&1; then return; fi
  say "installing Debian packages: $*"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@" >/dev/null
}

ensure_npm_tools() {
  local want=()
  if ! { [ -x "$TOOLS_DIR/node_modules/.bin/wasm-opt" ] \
     && "$TOOLS_DIR/node_modules/.bin/wasm-opt" --version 2>/dev/null | grep -q "version ${BINARYEN_VERSION%%.*}"; }; then
    want+=("binaryen@$BINARYEN_VERSION")
  fi
  if ! grep -qs "\"version\": \"$TERSER_VERSION\"" "$TOOLS_DIR/node_modules/terser/package.json"; then
    want+=("terser@$TERSER_VERSION")
  fi
  if [ ${#want[@]} = 0 ]; then return; fi
  ensure_apt npm nodejs npm
  say "installing ${want[*]} from npm into $TOOLS_DIR"
  mkdir -p "$TOOLS_DIR"
  npm install --prefix "$TOOLS_DIR" --no-audit --no-fund --loglevel=error "${want[@]}" >/dev/null
}

# The mail tests' SMTP server: aiosmtpd (RFC 5321), Debian's package, run by Debian's Python.
ensure_smtp_server() {
  if /usr/bin/python3 -c 'import aiosmtpd' >/dev/null 2>&1; then return; fi
  say "installing Debian packages: python3-aiosmtpd (an SMTP server for the mail tests)"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq python3-aiosmtpd >/dev/null
}

# The several-instances test's proxy: Debian's nginx, run by the test itself on loopback
# (server/tests/instances.rs). Checked at /usr/sbin/nginx, which may not be on a user's PATH.
# Debian's postinst would start nginx on port 80: a temporary policy-rc.d (exit 101: "action
# forbidden", the hook invoke-rc.d and deb-systemd-invoke obey) keeps it stopped, and on a
# systemd machine the unit is disabled, so the machine is left as it was, with nothing
# listening on port 80.
ensure_nginx() {
  if [ -x /usr/sbin/nginx ]; then return; fi
  say "installing Debian packages: nginx (the proxy of the several-instances test; not started: nothing listens on port 80)"
  local policy=/usr/sbin/policy-rc.d made_policy=
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\n# Written by scripts/tools.sh while it installs nginx: no service starts.\nexit 101\n' \
      | as_root tee "$policy" >/dev/null
    as_root chmod 755 "$policy"
    made_policy=1
  fi
  as_root apt-get update -qq
  local status=0
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq nginx >/dev/null || status=$?
  if [ -n "$made_policy" ]; then as_root rm -f "$policy"; fi
  if [ "$status" != 0 ]; then return "$status"; fi
  if [ -d /run/systemd/system ]; then
    as_root systemctl disable --now nginx >/dev/null 2>&1 || true
  fi
  say "nginx installed at /usr/sbin/nginx, not running (the test starts its own on loopback)"
}

ensure_all() {
  ensure_wasm_target
  ensure_smtp_server
  ensure_apt chromium chromium chromium-driver
  ensure_apt chromedriver chromium-driver
  # Node runs the end-to-end tests and the size report (even when the npm tools are there).
  ensure_apt node nodejs npm
  # The end-to-end tests read what the service stored in its SQLite database.
  ensure_apt sqlite3 sqlite3
  # The several-instances test runs three services behind Debian's nginx.
  ensure_nginx
  ensure_npm_tools
  ensure_cargo_tool wasm-bindgen "$WASM_BINDGEN_VERSION" wasm-bindgen-cli
  ensure_cargo_tool trunk "$TRUNK_VERSION" trunk --locked
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  ensure_all
  say "ready: $(trunk --version), $(wasm-bindgen --version), $(wasm-opt --version), $(chromium --version 2>/dev/null)"
fi
