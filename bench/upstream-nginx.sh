#!/usr/bin/env bash
# Starts the benchmarks' upstream: nginx, 1 worker, access log off, answering every request with
# 200 and BODY on 127.0.0.1:PORT; its config, pid (DIR/upstream.pid) and error log go to DIR.
#   bench/upstream-nginx.sh DIR PORT BODY
set -euo pipefail
dir=$1 port=$2 body=$3
nginx=$(command -v nginx || echo /usr/sbin/nginx)
cat >"$dir/upstream.conf" <<CONF
worker_processes 1;
pid $dir/upstream.pid;
error_log $dir/upstream-error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  server { listen 127.0.0.1:$port reuseport; location / { default_type text/plain; return 200 "$body"; } }
}
CONF
"$nginx" -c "$dir/upstream.conf" -p "$dir" -e "$dir/upstream-error.log"
