#!/usr/bin/env bash
# Runs the whole pipeline on YARN (cluster deploy mode: the driver runs in the cluster, so the
# config must be on HDFS/S3 or shipped with --files, and every path in it a cluster URI).
#   cluster-conf/submit-yarn.sh hdfs:///user/me/pipeline.yaml
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
config="${1:?usage: submit-yarn.sh PIPELINE_YAML_URI [extra pipeline args]}"; shift
jar="$(ls "$here"/jobs/target/jobs-*-all.jar | head -n 1)"
exec "${SPARK_HOME:?set SPARK_HOME}"/bin/spark-submit \
  --master yarn --deploy-mode cluster \
  --properties-file "$here/cluster-conf/spark-defaults.conf" \
  --num-executors "${NUM_EXECUTORS:-4}" \
  --queue "${YARN_QUEUE:-default}" \
  --class dev.pretrain.jobs.cli.PretrainCli \
  "$jar" pipeline --config "$config" "$@"
