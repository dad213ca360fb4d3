#!/usr/bin/env bash
# Offline checks of the deploy files (CI runs this; no Docker engine or cluster needed):
#  - docker-compose.yml: valid (docker-compose config) with every required value set; refused when any secret is
#    missing (no secret has a default); every variable it reads is documented in .env.example.
#  - deploy/k8s: the base and every overlay render (kubectl kustomize) and validate against the Kubernetes API
#    schemas (and Strimzi's), with probes and scrapes on the management port, resource requests and limits, secrets
#    only from rebalancer-secrets or a KafkaUser's, a PodDisruptionBudget and default-deny NetworkPolicies per
#    service, and Kafka users whose ACLs let each topic be written and read only by its producers and consumers.
# Installs docker-compose and kubectl from Debian's packages when they are missing.
set -euo pipefail
cd "$(dirname "$0")/.."

fail() { echo "deploy check FAILED: $*" >&2; exit 1; }
need() {
  if ! command -v "$1" > /dev/null; then
    echo "installing $2 ..."
    if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
    $SUDO apt-get update -qq && $SUDO apt-get install -y -qq --no-install-recommends "$2" > /dev/null
  fi
}
need docker-compose docker-compose
need kubectl kubernetes-client

# --- docker-compose.yml ---------------------------------------------------------------------------------------------
SECRETS=(REBALANCER_API_KEY REBALANCER_API_SECRET ALPACA_API_KEY_ID ALPACA_API_SECRET_KEY POSTGRES_PASSWORD)
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

for name in $(grep -oP '(?<!\$)\$\{\K[A-Z_][A-Z0-9_]*' docker-compose.yml | sort -u); do
  grep -q "^$name=" .env.example || fail "docker-compose.yml reads $name, which .env.example does not document"
done
if grep -E '\$\{[A-Z_]*(KEY|SECRET|PASSWORD|TOKEN)[A-Z_]*:-[^}]' docker-compose.yml; then
  fail "a secret in docker-compose.yml has a default"
fi

filled() { # .env.example with every secret set except the one named
  local file="$work/$1.env"
  cp .env.example "$file"
  for secret in "${SECRETS[@]}"; do
    [ "$secret" = "$1" ] || sed -i "s/^$secret=\$/$secret=placeholder-value/" "$file"
  done
  echo "$file"
}
docker-compose --env-file "$(filled none)" config -q || fail "docker-compose.yml is not valid"
for secret in "${SECRETS[@]}"; do
  if output="$(docker-compose --env-file "$(filled "$secret")" config -q 2>&1)"; then
    fail "docker-compose.yml starts without $secret"
  fi
  grep -q "$secret" <<< "$output" || fail "without $secret, compose did not say so: $output"
done
echo "docker-compose.yml: valid; refuses to start without any of ${SECRETS[*]}"

# --- deploy/k8s -----------------------------------------------------------------------------------------------------
(cd deploy/check && npm ci --no-audit --no-fund --loglevel=error > /dev/null)
for dir in deploy/k8s/base deploy/k8s/overlays/*; do
  kubectl kustomize "$dir" 2> "$work/kustomize.err" > "$work/rendered.yaml" \
    || fail "$dir does not render: $(cat "$work/kustomize.err")"
  echo -n "$dir: "
  node deploy/check/validate-k8s.mjs < "$work/rendered.yaml" || fail "$dir is not valid"
done

# --- deploy/monitoring ----------------------------------------------------------------------------------------------
echo -n "deploy/monitoring/grafana/dashboards/rebalancer.json: "
node deploy/check/validate-dashboard.mjs deploy/monitoring/grafana/dashboards/rebalancer.json README.md \
  || fail "the Grafana dashboard is not valid"
(cd deploy/check && node --input-type=module -e '
  import { parse } from "yaml"; import { readFileSync } from "node:fs";
  for (const f of process.argv.slice(1)) parse(readFileSync(f, "utf8"));
' ../monitoring/prometheus.yml ../monitoring/grafana/provisioning/*/*.yml) || fail "a monitoring YAML file does not parse"
docker-compose --env-file "$(filled none)" --profile monitoring config -q || fail "the monitoring profile is not valid"
echo "deploy/monitoring: the dashboard, Prometheus and Grafana provisioning parse; compose's monitoring profile is valid"
