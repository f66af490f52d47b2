#!/usr/bin/env bash
# Runs the whole pipeline on a Spark standalone cluster.
#   SPARK_MASTER=spark://master:7077 cluster-conf/submit-standalone.sh cluster-conf/pipeline-hdfs.yaml
# The fat jar (jobs/target/jobs-*-all.jar, Spark provided) carries ND4J's linux-x86_64 natives.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
config="${1:?usage: submit-standalone.sh PIPELINE_YAML [extra pipeline args]}"; shift
jar="$(ls "$here"/jobs/target/jobs-*-all.jar | head -n 1)"
exec "${SPARK_HOME:?set SPARK_HOME}"/bin/spark-submit \
  --master "${SPARK_MASTER:?set SPARK_MASTER, e.g. spark://host:7077}" \
  --deploy-mode client \
  --properties-file "$here/cluster-conf/spark-defaults.conf" \
  --total-executor-cores "${TOTAL_CORES:-16}" \
  --files "$config" \
  --class dev.pretrain.jobs.cli.PretrainCli \
  "$jar" pipeline --config "$config" "$@"
