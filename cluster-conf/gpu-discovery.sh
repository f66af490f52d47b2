#!/usr/bin/env bash
# Spark GPU discovery script: prints this host's GPUs as Spark's ResourceInformation JSON, e.g.
#   {"name": "gpu", "addresses": ["0","1"]}
# Referenced by spark.executor.resource.gpu.discoveryScript and spark.worker.resource.gpu.discoveryScript
# (cluster-conf/spark-defaults-gpu.conf); it must be executable at the same path on every host.
set -euo pipefail
if ! command -v nvidia-smi > /dev/null; then
  echo "gpu-discovery.sh: nvidia-smi not found on $(hostname): no NVIDIA driver on this host" >&2
  exit 1
fi
addresses=""
while read -r index; do
  index="${index// /}"
  [[ -z "$index" ]] && continue
  addresses+="${addresses:+,}\"$index\""
done < <(nvidia-smi --query-gpu=index --format=csv,noheader)
echo "{\"name\": \"gpu\", \"addresses\": [${addresses}]}"
