#!/usr/bin/env bash
# Installs what the integration tests run for real, when it is missing:
# Prometheus (+ promtool), Alertmanager, VictoriaMetrics, Chromium and nginx, from
# Debian. Loki comes from ../shared/tools/loki/: test/support/loki.ts unpacks it.
set -euo pipefail
need=()
command -v prometheus >/dev/null || need+=(prometheus)
command -v promtool >/dev/null || need+=(prometheus)
command -v prometheus-alertmanager >/dev/null || need+=(prometheus-alertmanager)
command -v victoria-metrics >/dev/null || need+=(victoria-metrics)
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || need+=(nginx)
if [ ${#need[@]} -eq 0 ]; then
  echo "test servers: all present"
  exit 0
fi
echo "test servers: installing ${need[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
echo "test servers: installed"
