#!/usr/bin/env bash
# A throwaway WordPress on loopback for the WordPress tests (tests/e2e/wordpress.test.mjs).
# Sourced by scripts/test.sh; run directly (`scripts/wordpress.sh`) it starts one and waits.
# start_test_wordpress installs Debian's wordpress, MariaDB and PHP's command-line server when
# they are missing, starts a private MariaDB in a temporary folder (a socket, no TCP), serves
# WordPress with `php -S 127.0.0.1:PORT` and scripts/wordpress/router.php, writes the test site
# through WordPress's own functions (scripts/wordpress/setup.php) and exports WORDPRESS_URL and
# WORDPRESS_SITE (setup.php's JSON: post ids, an application password). The only files it
# writes outside the folder are Debian's per-host config (/etc/wordpress/config-127.0.0.1.php)
# and the must-use plugin that enables anonymous REST comments. stop_test_wordpress stops both
# servers and removes the folder.

WP_TEST_DIR=""
WP_PHP_PID=""
WP_DB_PID=""

wp_say() { printf '\033[1m[wordpress]\033[0m %s\n' "$*" >&2; }

ensure_wordpress_packages() {
  if [ -f /usr/share/wordpress/wp-load.php ] && command -v php >/dev/null && [ -x /usr/sbin/mariadbd ] \
     && php -m | grep -qx mysqli && php -m | grep -qx gd; then return 0; fi
  wp_say "installing Debian packages: wordpress mariadb-server php-cli php-mysql php-gd (about a minute)"
  as_root apt-get update -qq
  # micro-httpd satisfies wordpress's "apache2 | httpd" without a server of its own to start.
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends \
    micro-httpd php-cli php-mysql php-gd mariadb-server wordpress >/dev/null
}

start_test_wordpress() {
  ensure_wordpress_packages
  WP_TEST_DIR=$(mktemp -d /tmp/article-widget-wp.XXXXXX)
  chmod 755 "$WP_TEST_DIR"
  local socket="$WP_TEST_DIR/mysqld.sock"
  mariadb-install-db --no-defaults --datadir="$WP_TEST_DIR/db" --user="$(id -un)" \
    --auth-root-authentication-method=normal --skip-test-db >"$WP_TEST_DIR/install-db.log" 2>&1 \
    || { cat "$WP_TEST_DIR/install-db.log"; return 1; }
  /usr/sbin/mariadbd --no-defaults --datadir="$WP_TEST_DIR/db" --socket="$socket" --skip-networking \
    --user="$(id -un)" --pid-file="$WP_TEST_DIR/mysqld.pid" --log-error="$WP_TEST_DIR/mysqld.log" \
    --innodb-flush-log-at-trx-commit=0 &
  WP_DB_PID=$!
  for _ in $(seq 100); do [ -S "$socket" ] && break; sleep 0.1; done
  [ -S "$socket" ] || { cat "$WP_TEST_DIR/mysqld.log"; return 1; }
  mariadb --no-defaults --socket="$socket" -u root -e \
    "CREATE DATABASE wordpress CHARACTER SET utf8mb4; CREATE USER 'wordpress'@'localhost' IDENTIFIED BY 'wordpress'; GRANT ALL ON wordpress.* TO 'wordpress'@'localhost';"

  # Debian's wp-config.php loads the config of the request's host without its port. A fixed
  # file for a changing socket: it reads the socket from a file in a fixed place.
  as_root mkdir -p /etc/wordpress /var/lib/wordpress/wp-content/mu-plugins
  echo "$socket" | as_root tee /var/lib/wordpress/article-widget-test-socket >/dev/null
  as_root tee /etc/wordpress/config-127.0.0.1.php >/dev/null <<'PHP'
<?php
// The article widget's test WordPress (scripts/wordpress.sh); rewritten on each run.
define('DB_NAME', 'wordpress');
define('DB_USER', 'wordpress');
define('DB_PASSWORD', 'wordpress');
define('DB_HOST', 'localhost:' . trim(file_get_contents('/var/lib/wordpress/article-widget-test-socket')));
define('WP_HOME', 'http://' . $_SERVER['HTTP_HOST']);
define('WP_SITEURL', 'http://' . $_SERVER['HTTP_HOST']);
define('WP_ENVIRONMENT_TYPE', 'local'); // application passwords over http, on loopback only
define('WP_HTTP_BLOCK_EXTERNAL', true); // no network: embeds stay links
define('DISABLE_WP_CRON', true);
define('AUTOMATIC_UPDATER_DISABLED', true);
PHP
  as_root cp scripts/wordpress/mu-plugin.php /var/lib/wordpress/wp-content/mu-plugins/article-widget-tests.php
  as_root chmod -R a+rwX /var/lib/wordpress/wp-content/uploads

  local port
  for port in $(seq 58080 58180); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || break
  done
  # Several workers: the widget loads the post, its comments and images at once.
  PHP_CLI_SERVER_WORKERS=4 php -S "127.0.0.1:$port" -t /usr/share/wordpress \
    "$PWD/scripts/wordpress/router.php" >"$WP_TEST_DIR/php.log" 2>&1 &
  WP_PHP_PID=$!
  if ! AW_WP_HOST="127.0.0.1:$port" php scripts/wordpress/setup.php >"$WP_TEST_DIR/site.json" 2>"$WP_TEST_DIR/setup.log"; then
    cat "$WP_TEST_DIR/setup.log" "$WP_TEST_DIR/site.json"; return 1
  fi
  for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
  export WORDPRESS_URL="http://127.0.0.1:$port"
  export WORDPRESS_SITE="$WP_TEST_DIR/site.json"
  wp_say "WordPress $(php -r 'include "/usr/share/wordpress/wp-includes/version.php"; echo $wp_version;') on $WORDPRESS_URL"
}

stop_test_wordpress() {
  [ -n "$WP_TEST_DIR" ] || return 0
  # PHP's workers first, then PHP, then MariaDB (waited for: it writes into the folder);
  # a process already gone is no failure.
  if [ -n "$WP_PHP_PID" ]; then pkill -P "$WP_PHP_PID" 2>/dev/null || true; kill "$WP_PHP_PID" 2>/dev/null || true; fi
  if [ -n "$WP_DB_PID" ]; then kill "$WP_DB_PID" 2>/dev/null || true; wait "$WP_DB_PID" 2>/dev/null || true; fi
  rm -rf "$WP_TEST_DIR"
  WP_TEST_DIR=""
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  cd "$(dirname "$0")/.."
  as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
  # Ctrl-C or a TERM ends the script normally, so that the EXIT trap stops both servers.
  trap stop_test_wordpress EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  start_test_wordpress
  cat "$WORDPRESS_SITE"
  wp_say "for tests/e2e/wordpress.test.mjs: WORDPRESS_URL=$WORDPRESS_URL WORDPRESS_SITE=$WORDPRESS_SITE"
  wp_say "serving until interrupted (Ctrl-C)"
  wait "$WP_PHP_PID"
fi
