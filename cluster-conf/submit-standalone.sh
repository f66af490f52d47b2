#!/usr/bin/env bash
# Runs the whole pipeline on a Spark standalone cluster (client deploy mode: the driver runs here).
#   SPARK_MASTER=spark://master:7077 cluster-conf/submit-standalone.sh cluster-conf/pipeline-hdfs.yaml [extra pipeline args]
# The fat jar (jobs/target/jobs-*-all.jar, Spark provided) carries ND4J's linux-x86_64 natives. Our
# cluster-conf/spark-defaults.conf goes in as --conf settings on top of the site's spark-defaults.conf.
# Environment: SPARK_HOME, SPARK_MASTER (required), TOTAL_CORES (16), PRETRAIN_JAR, PRETRAIN_CONF,
# DRY_RUN=1 (print the spark-submit argv instead): see cluster-conf/lib/submit-common.sh.
set -euo pipefail
source "$(dirname "$0")/lib/submit-common.sh"
config="${1:?usage: submit-standalone.sh PIPELINE_YAML [extra pipeline args]}"; shift
master="${SPARK_MASTER:?set SPARK_MASTER, e.g. spark://host:7077}"
pretrain_find_spark_submit
pretrain_find_jar
pretrain_conf_args
pretrain_submit \
  --master "$master" --deploy-mode client \
  --name pretrain-pipeline \
  "${PRETRAIN_CONF_ARGS[@]}" \
  --total-executor-cores "${TOTAL_CORES:-16}" \
  --files "$config" \
  --class dev.pretrain.jobs.cli.PretrainCli \
  "$PRETRAIN_JAR" pipeline --config "$config" "$@"
