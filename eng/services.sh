#!/usr/bin/env bash
# Installs (from Debian's packages) and starts the servers the integration tests talk to, when they
# are missing or stopped, and the client tools they use. Idempotent; needs root for the first install.
set -euo pipefail

log() { printf '[services] %s\n' "$*" >&2; }

apt_install() {
  if [ -z "${_apt_updated:-}" ]; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    _apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# PostgreSQL: a login role 'outbox' (password 'outbox') that may create databases; each test makes its own.
ensure_postgres() {
  if [ -n "${OUTBOX_TEST_POSTGRES:-}" ]; then
    log "PostgreSQL: using OUTBOX_TEST_POSTGRES"
    return
  fi
  if ! command -v pg_lsclusters >/dev/null 2>&1 || [ -z "$(pg_lsclusters -h 2>/dev/null)" ]; then
    log "PostgreSQL: installing"
    apt_install postgresql
  fi
  local version cluster
  read -r version cluster _ < <(pg_lsclusters -h | head -n 1)
  if ! pg_lsclusters -h | head -n 1 | grep -q online; then
    log "PostgreSQL: starting cluster $version/$cluster"
    pg_ctlcluster "$version" "$cluster" start
  fi
  for _ in $(seq 1 60); do
    pg_isready -q -h 127.0.0.1 -p 5432 && break
    sleep 0.5
  done
  pg_isready -q -h 127.0.0.1 -p 5432 || { log "PostgreSQL did not accept connections on 127.0.0.1:5432"; exit 1; }
  su postgres -c "psql -qtAc \"SELECT 1 FROM pg_roles WHERE rolname = 'outbox'\"" | grep -q 1 ||
    su postgres -c "psql -qc \"CREATE ROLE outbox LOGIN CREATEDB PASSWORD 'outbox'\""
  # DROP DATABASE ... WITH (FORCE) must be able to end an autovacuum worker still busy in a test database.
  su postgres -c "psql -qc 'GRANT pg_signal_backend TO outbox'" >/dev/null
  log "PostgreSQL: ready on 127.0.0.1:5432"
}

# MariaDB: a user 'outbox' (password 'outbox') that may create databases, on 127.0.0.1:3306; each test makes its own.
ensure_mariadb() {
  if [ -n "${OUTBOX_TEST_MARIADB:-}" ]; then
    log "MariaDB: using OUTBOX_TEST_MARIADB"
    return
  fi
  if ! command -v mariadbd >/dev/null 2>&1 && [ ! -x /usr/sbin/mariadbd ]; then
    log "MariaDB: installing"
    apt_install mariadb-server
  fi
  if ! mariadb-admin ping >/dev/null 2>&1; then
    log "MariaDB: starting"
    # The start script hands the server this script's descriptors; a lock held on one would be held forever.
    service mariadb start >/dev/null 2>&1 </dev/null || { log "MariaDB did not start"; exit 1; }
  fi
  for _ in $(seq 1 60); do
    mariadb-admin ping >/dev/null 2>&1 && break
    sleep 0.5
  done
  mariadb-admin ping >/dev/null 2>&1 || { log "MariaDB did not accept connections"; exit 1; }
  mariadb -e "CREATE USER IF NOT EXISTS 'outbox'@'localhost' IDENTIFIED BY 'outbox';
              CREATE USER IF NOT EXISTS 'outbox'@'127.0.0.1' IDENTIFIED BY 'outbox';
              GRANT ALL PRIVILEGES ON *.* TO 'outbox'@'localhost';
              GRANT ALL PRIVILEGES ON *.* TO 'outbox'@'127.0.0.1';"
  log "MariaDB: $(mariadb -N -e 'SELECT VERSION()') ready on 127.0.0.1:3306"
}

# RabbitMQ: the default guest/guest user on 127.0.0.1:5672; each test declares its own exchange and queues.
ensure_rabbitmq() {
  if [ -n "${OUTBOX_TEST_RABBITMQ:-}" ]; then
    log "RabbitMQ: using OUTBOX_TEST_RABBITMQ"
    return
  fi
  if ! command -v rabbitmq-server >/dev/null 2>&1; then
    log "RabbitMQ: installing"
    apt_install rabbitmq-server
  fi
  if rabbitmq-diagnostics -q ping >/dev/null 2>&1; then
    # The node runs; its application may have been left stopped.
    rabbitmqctl -q start_app >/dev/null 2>&1 || true
  else
    log "RabbitMQ: starting"
    rabbitmq-server -detached
  fi
  for _ in $(seq 1 90); do
    rabbitmqctl -q await_startup >/dev/null 2>&1 && break
    sleep 1
  done
  rabbitmqctl -q await_startup >/dev/null 2>&1 || { log "RabbitMQ did not start"; exit 1; }
  log "RabbitMQ: ready on 127.0.0.1:5672"
}

# kcat: a Kafka client nobody here wrote, which the Kafka tests read and write messages with.
ensure_kcat() {
  command -v kcat >/dev/null 2>&1 || { log "kcat: installing"; apt_install kcat; }
  log "kcat: $(command -v kcat)"
}

# pika (Debian's python3-pika): a RabbitMQ client nobody here wrote, which the hostile-input tests publish with.
ensure_pika() {
  /usr/bin/python3 -c 'import pika' >/dev/null 2>&1 || { log "pika: installing"; apt_install python3 python3-pika; }
  log "pika: $(/usr/bin/python3 -c 'import pika; print(pika.__version__)')"
}

# Chromium: the headless browser the dashboard's tests drive with Playwright (Debian's package, at
# /usr/bin/chromium; Playwright's own browser download needs the internet).
ensure_chromium() {
  command -v chromium >/dev/null 2>&1 || { log "Chromium: installing"; apt_install chromium; }
  log "Chromium: $(command -v chromium)"
}

for service in "$@"; do
  "ensure_$service"
done
