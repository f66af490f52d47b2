#!/usr/bin/env bash
# Runs the whole pipeline on Kubernetes. The image must hold Spark 3.5.x (Scala 2.12, Java 17) and
# the fat jar at /opt/pretrain/pretrain.jar, e.g. FROM apache/spark:3.5.7-java17 plus a COPY.
#   K8S_API=https://k8s-api:6443 IMAGE=registry/pretrain:0.1.0 cluster-conf/submit-k8s.sh s3a://bucket/pipeline.yaml
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
config="${1:?usage: submit-k8s.sh PIPELINE_YAML_URI [extra pipeline args]}"; shift
exec "${SPARK_HOME:?set SPARK_HOME}"/bin/spark-submit \
  --master "k8s://${K8S_API:?set K8S_API}" --deploy-mode cluster \
  --name pretrain-pipeline \
  --properties-file "$here/cluster-conf/spark-defaults.conf" \
  --conf spark.kubernetes.container.image="${IMAGE:?set IMAGE}" \
  --conf spark.kubernetes.namespace="${K8S_NAMESPACE:-default}" \
  --conf spark.kubernetes.authenticate.driver.serviceAccountName="${K8S_SERVICE_ACCOUNT:-spark}" \
  --conf spark.executor.instances="${NUM_EXECUTORS:-4}" \
  --class dev.pretrain.jobs.cli.PretrainCli \
  local:///opt/pretrain/pretrain.jar pipeline --config "$config" "$@"
