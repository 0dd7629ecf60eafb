# Sourced by the bench scripts. router_config ROOT WORK UPSTREAM_PORT PORT MANAGEMENT_PORT writes
# WORK/server.yaml: a router on loopback whose every catalog provider (Anthropic's too, spoken to as
# OpenAI-compatible) is the simulated upstream on UPSTREAM_PORT, with the shipped policy and classifier.
router_config() {
  local root=$1 work=$2 up=$3 port=$4 management=$5
  sed -E -e "s#base_url: .*#base_url: http://127.0.0.1:$up/v1#" -e "s#kind: anthropic#kind: openai#" \
    "$root/config/catalog.yaml" > "$work/catalog.yaml"
  cat > "$work/server.yaml" <<YAML
server: {host: 127.0.0.1, port: $port, management: {port: $management}}
router:
  catalog: $work/catalog.yaml
  policy: $root/config/policy.yaml
  classifier: models/default
  providers: real
  trace: {dir: "$work/traces", prompts: hash}
YAML
}
