#!/usr/bin/env bash
# Docker HEALTHCHECK: GET /health on the admin port with bash's /dev/tcp, so the image needs no curl or wget.
set -euo pipefail
PORT="${MICRONAUT_SERVER_PORT:-8080}"
exec 3<>"/dev/tcp/127.0.0.1/$PORT"
printf 'GET /health HTTP/1.0\r\nHost: localhost\r\n\r\n' >&3
IFS= read -r -t 3 status <&3
case "$status" in
  "HTTP/1."?" 200"*) exit 0 ;;
  *) echo "health: ${status:-no answer}"; exit 1 ;;
esac
