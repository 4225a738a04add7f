#!/usr/bin/env bash
# Check (and with `up`, start) the three real services Surety's tests use:
# RabbitMQ 5672, PostgreSQL 5432, Redis 6379, all on loopback.
#   scripts/services.sh check   report; exit 1 if any is down
#   scripts/services.sh up      start what is down, wait for it, exit 1 if it cannot be started
set -uo pipefail

MODE="${1:-check}"
HOST=127.0.0.1

port_open() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }

wait_port() { # name port seconds
  local i
  for ((i = 0; i < $3 * 2; i++)); do
    port_open "$2" && return 0
    sleep 0.5
  done
  return 1
}

start_postgres() {
  command -v pg_ctlcluster >/dev/null || return 1
  local version
  version="$(ls /etc/postgresql 2>/dev/null | sort -V | tail -1)"
  [ -n "$version" ] || return 1
  pg_ctlcluster --skip-systemctl-redirect "$version" main start
}

start_redis() {
  command -v redis-server >/dev/null || return 1
  mkdir -p /var/lib/redis /var/log/redis 2>/dev/null
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
}

start_rabbitmq() {
  command -v rabbitmq-server >/dev/null || return 1
  rabbitmq-server -detached || return 1
  wait_port rabbitmq 5672 90 || return 1
  command -v rabbitmqctl >/dev/null && rabbitmqctl await_startup >/dev/null 2>&1
  return 0
}

# Plugins the tests rely on (offline; shipped with Debian's RabbitMQ): `check` says
# which is off, `up` enables it. A RabbitMQ without rabbitmq-plugins on this host (a
# container, a remote cluster) is left to whoever runs it; the conformance suite then
# fails naming the exchange type.
RABBITMQ_PLUGINS=(rabbitmq_consistent_hash_exchange)
ensure_rabbitmq_plugins() {
  command -v rabbitmq-plugins >/dev/null || return 0
  local plugin
  for plugin in "${RABBITMQ_PLUGINS[@]}"; do
    rabbitmq-plugins is_enabled --quiet "$plugin" >/dev/null 2>&1 && continue
    if [ "$MODE" != "up" ]; then
      echo "services: RabbitMQ plugin $plugin is NOT enabled (run: scripts/services.sh up)" >&2
      failed=1
    elif rabbitmq-plugins enable --quiet "$plugin" >/dev/null 2>&1; then
      echo "services: RabbitMQ plugin $plugin enabled"
    else
      echo "services: FAILED to enable RabbitMQ plugin $plugin" >&2
      failed=1
    fi
  done
}

failed=0
ensure() { # name port start_fn seconds
  local name=$1 port=$2 start=$3 secs=$4
  if port_open "$port"; then
    echo "services: $name is up on $HOST:$port"
    return 0
  fi
  if [ "$MODE" != "up" ]; then
    echo "services: $name is DOWN on $HOST:$port (run: scripts/services.sh up)" >&2
    failed=1
    return 1
  fi
  echo "services: $name is down on $HOST:$port, starting it"
  if ! "$start" || ! wait_port "$name" "$port" "$secs"; then
    echo "services: FAILED to start $name on $HOST:$port" >&2
    failed=1
    return 1
  fi
  echo "services: $name started on $HOST:$port"
}

case "$MODE" in
  check | up) ;;
  *)
    echo "usage: $0 check|up" >&2
    exit 2
    ;;
esac

ensure PostgreSQL 5432 start_postgres 30
ensure Redis 6379 start_redis 15
ensure RabbitMQ 5672 start_rabbitmq 90 && ensure_rabbitmq_plugins

if [ "$failed" -ne 0 ]; then
  echo "services: at least one required service is unavailable" >&2
  exit 1
fi
