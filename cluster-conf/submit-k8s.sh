#!/usr/bin/env bash
# Runs the whole pipeline on Kubernetes (cluster deploy mode) with the image of cluster-conf/docker/Dockerfile,
# which holds the fat jar at /opt/pretrain/pretrain.jar (build and push it first; see that file).
#   K8S_API=https://k8s-api:6443 IMAGE=registry/pretrain:0.1.0 cluster-conf/submit-k8s.sh s3a://bucket/pipeline.yaml [extra pipeline args]
# Our cluster-conf/spark-defaults.conf goes in as --conf settings on top of the submitting host's
# spark-defaults.conf. Environment: SPARK_HOME, K8S_API, IMAGE (required), K8S_NAMESPACE (default),
# K8S_SERVICE_ACCOUNT (spark), NUM_EXECUTORS (4), PRETRAIN_CONF, DRY_RUN=1 (print the spark-submit argv
# instead): see cluster-conf/lib/submit-common.sh. PRETRAIN_JAR is not used: the jar is in the image.
set -euo pipefail
source "$(dirname "$0")/lib/submit-common.sh"
# Where cluster-conf/docker/Dockerfile copies the fat jar.
image_jar=/opt/pretrain/pretrain.jar
config="${1:?usage: submit-k8s.sh PIPELINE_YAML_URI [extra pipeline args]}"; shift
api="${K8S_API:?set K8S_API, e.g. https://k8s-api:6443}"
image="${IMAGE:?set IMAGE to the image built from cluster-conf/docker/Dockerfile}"
pretrain_find_spark_submit
pretrain_conf_args
pretrain_submit \
  --master "k8s://$api" --deploy-mode cluster \
  --name pretrain-pipeline \
  "${PRETRAIN_CONF_ARGS[@]}" \
  --conf spark.kubernetes.container.image="$image" \
  --conf spark.kubernetes.namespace="${K8S_NAMESPACE:-default}" \
  --conf spark.kubernetes.authenticate.driver.serviceAccountName="${K8S_SERVICE_ACCOUNT:-spark}" \
  --conf spark.executor.instances="${NUM_EXECUTORS:-4}" \
  --class dev.pretrain.jobs.cli.PretrainCli \
  "local://$image_jar" pipeline --config "$config" "$@"
