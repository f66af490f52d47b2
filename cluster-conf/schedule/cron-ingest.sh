#!/usr/bin/env bash
# Scheduled incremental ingestion with cron + spark-submit.
#
# What it is for: run `pretrain ingest-incremental` every N minutes over a landing folder. Each run
# ingests only the files that arrived since the last committed run (output/_manifest/ records them)
# as the next batch output/batch=<n>/; a killed run is repaired by the next one. Runs must NOT
# overlap, so the script holds an exclusive flock: if the previous run is still going, this one
# exits at once (exit 0, nothing done) and the next cron tick tries again.
#
# Install (crontab -e), e.g. every 15 minutes, logging to a file:
#   */15 * * * * SPARK_HOME=/opt/spark SPARK_MASTER=yarn LANDING=hdfs:///landing OUTPUT=hdfs:///corpus/incremental /opt/pretrain/cluster-conf/schedule/cron-ingest.sh >> /var/log/pretrain/ingest.log 2>&1
#
# Environment:
#   SPARK_HOME     Spark 3.5.x installation (required)
#   SPARK_MASTER   yarn | spark://host:7077 | k8s://https://api:6443 (default: yarn)
#   LANDING        landing root (any Hadoop URI); each source below reads a subfolder of it (required)
#   OUTPUT         output root of the batches and the manifest (required)
#   LOCK_FILE      lock file on this host (default: /tmp/pretrain-ingest-incremental.lock)
#   MIN_FILE_AGE_S leave files younger than this for the next run: uploads still in progress (default 120)
#   PRETRAIN_JAR   the fat jar (default: /opt/pretrain/pretrain.jar when this script is
#                  /opt/pretrain/cluster-conf/schedule/cron-ingest.sh; see cluster-conf/lib/submit-common.sh)
#   DRY_RUN=1      print the spark-submit argv instead of running it
set -euo pipefail
source "$(dirname "$0")/../lib/submit-common.sh"
: "${LANDING:?set LANDING}" "${OUTPUT:?set OUTPUT}"
pretrain_find_spark_submit
pretrain_find_jar
pretrain_conf_args
lock="${LOCK_FILE:-/tmp/pretrain-ingest-incremental.lock}"

# fd 9 holds the lock for the lifetime of this script (and of spark-submit, which inherits it).
exec 9>"$lock"
if ! flock --nonblock 9; then
  echo "$(date -u +%FT%TZ) ingest-incremental: previous run still active (lock $lock); skipping this tick" >&2
  exit 0
fi

echo "$(date -u +%FT%TZ) ingest-incremental: start ($LANDING -> $OUTPUT)" >&2
# Same jar, settings and main class as cluster-conf/submit-*.sh: our spark-defaults.conf as --conf settings on
# top of the site's. Client deploy mode keeps the driver (and the lock) on this host until the run ends; the
# subshell lets this script log the end.
(pretrain_submit \
  --master "${SPARK_MASTER:-yarn}" --deploy-mode client \
  --name pretrain-ingest-incremental \
  "${PRETRAIN_CONF_ARGS[@]}" \
  --class dev.pretrain.jobs.cli.PretrainCli \
  "$PRETRAIN_JAR" ingest-incremental \
  --source "name=imdb,uri=$LANDING/imdb/*.tsv.gz,format=tsv,column=4,header=true,html=true" \
  --source "name=books,uri=$LANDING/books/*.txt,format=headings,heading=^CHAPTER \\d+\\b.*\$" \
  --output "$OUTPUT" \
  --min-file-age-s "${MIN_FILE_AGE_S:-120}" \
  --report "$OUTPUT/_reports/ingest-$(date -u +%Y%m%dT%H%M%SZ).json")
echo "$(date -u +%FT%TZ) ingest-incremental: done" >&2
