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
set -euo pipefail
here="$(cd "$(dirname "$0")/../.." && pwd)"
: "${SPARK_HOME:?set SPARK_HOME}" "${LANDING:?set LANDING}" "${OUTPUT:?set OUTPUT}"
lock="${LOCK_FILE:-/tmp/pretrain-ingest-incremental.lock}"

# fd 9 holds the lock for the lifetime of this script (and of spark-submit, which inherits it).
exec 9>"$lock"
if ! flock --nonblock 9; then
  echo "$(date -u +%FT%TZ) ingest-incremental: previous run still active (lock $lock); skipping this tick"
  exit 0
fi

# Same jar and main class as cluster-conf/submit-*.sh.
jar="$(ls "$here"/jobs/target/jobs-*-all.jar | head -n 1)"
echo "$(date -u +%FT%TZ) ingest-incremental: start ($LANDING -> $OUTPUT)"
# Client deploy mode keeps the driver (and the lock) on this host until the run ends.
"$SPARK_HOME"/bin/spark-submit \
  --master "${SPARK_MASTER:-yarn}" --deploy-mode client \
  --name pretrain-ingest-incremental \
  --properties-file "$here/cluster-conf/spark-defaults.conf" \
  --class dev.pretrain.jobs.cli.PretrainCli \
  "$jar" ingest-incremental \
  --source "name=imdb,uri=$LANDING/imdb/*.tsv.gz,format=tsv,column=4,header=true,html=true" \
  --source "name=books,uri=$LANDING/books/*.txt,format=headings,heading=^CHAPTER \\d+\\b.*\$" \
  --output "$OUTPUT" \
  --min-file-age-s "${MIN_FILE_AGE_S:-120}" \
  --report "$OUTPUT/_reports/ingest-$(date -u +%Y%m%dT%H%M%SZ).json"
echo "$(date -u +%FT%TZ) ingest-incremental: done"
