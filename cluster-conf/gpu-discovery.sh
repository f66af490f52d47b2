#!/usr/bin/env bash
# Spark GPU discovery script: prints the GPUs of this host as Spark's ResourceInformation JSON.
# Referenced by spark.executor.resource.gpu.discoveryScript (cluster-conf/spark-defaults-gpu.conf).
set -euo pipefail
ids=$(nvidia-smi --query-gpu=index --format=csv,noheader | tr -d ' ' | paste -sd, - | sed 's/,/","/g')
echo "{\"name\": \"gpu\", \"addresses\": [\"${ids}\"]}"
