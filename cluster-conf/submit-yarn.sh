#!/usr/bin/env bash
# Runs the whole pipeline on YARN (cluster deploy mode: the driver runs in the cluster, so the
# config must be on HDFS/S3 or shipped with --files, and every path in it a cluster URI).
#   cluster-conf/submit-yarn.sh hdfs:///user/me/pipeline.yaml [extra pipeline args, e.g. --output hdfs:///user/me/runs/r1]
# Our cluster-conf/spark-defaults.conf goes in as --conf settings on top of the site's spark-defaults.conf.
# Environment: SPARK_HOME (required), NUM_EXECUTORS (4), YARN_QUEUE (default), PRETRAIN_JAR, PRETRAIN_CONF,
# DRY_RUN=1 (print the spark-submit argv instead): see cluster-conf/lib/submit-common.sh.
set -euo pipefail
source "$(dirname "$0")/lib/submit-common.sh"
config="${1:?usage: submit-yarn.sh PIPELINE_YAML_URI [extra pipeline args]}"; shift
pretrain_find_spark_submit
pretrain_find_jar
pretrain_conf_args
pretrain_submit \
  --master yarn --deploy-mode cluster \
  --name pretrain-pipeline \
  "${PRETRAIN_CONF_ARGS[@]}" \
  --num-executors "${NUM_EXECUTORS:-4}" \
  --queue "${YARN_QUEUE:-default}" \
  --class dev.pretrain.jobs.cli.PretrainCli \
  "$PRETRAIN_JAR" pipeline --config "$config" "$@"
