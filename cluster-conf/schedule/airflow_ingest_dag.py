"""Scheduled incremental ingestion as an Airflow DAG (snippet; copy into your dags/ folder).

What it is for: every 15 minutes, spark-submit `pretrain ingest-incremental` over a landing folder.
Each run ingests only the files that arrived since the last committed run, as output/batch=<n>/
(output/_manifest/ lists the files of each batch); a failed or killed run is repaired by the next.

Needs: Airflow >= 2.4 with apache-airflow-providers-apache-spark, a Spark connection
(Admin > Connections, id "spark_default": host yarn / spark://master:7077 / k8s://https://api:6443)
and, on the worker that runs spark-submit, cluster-conf/ and the fat jar laid out as README's "Running on a
cluster" step 1 says (PRETRAIN_HOME/cluster-conf/, PRETRAIN_HOME/pretrain.jar = jobs/target/jobs-*-all.jar).
Same main class and settings as cluster-conf/submit-*.sh: our spark-defaults.conf goes in as --conf settings
(SparkSubmitOperator's conf) on top of the cluster's spark-defaults.conf instead of replacing it (as a
properties file would).
"""
import os
import re
from datetime import datetime, timedelta

from airflow import DAG
from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator

PRETRAIN_HOME = os.environ.get("PRETRAIN_HOME", "/opt/pretrain")
PRETRAIN_JAR = os.environ.get("PRETRAIN_JAR", f"{PRETRAIN_HOME}/pretrain.jar")
LANDING = "hdfs://namenode:8020/landing"
OUTPUT = "hdfs://namenode:8020/corpus/incremental"


def spark_settings(path):
    """The settings of a spark-defaults.conf as {key: value}, read as Spark reads it: '#'/'!' comment lines;
    the key ends at the first whitespace, '=' or ':'; the value is the rest of the line, trimmed."""
    settings = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line or line[0] in "#!":
                continue
            m = re.match(r"([^\s=:]+)\s*[=:]?\s*(.*)$", line)
            settings[m.group(1)] = m.group(2)
    return settings


with DAG(
    dag_id="pretrain_ingest_incremental",
    start_date=datetime(2026, 1, 1),
    schedule="*/15 * * * *",
    # Each run looks at the landing folder as it is now: missed intervals need no backfill.
    catchup=False,
    # Runs must never overlap (two runs would pick the same new files).
    max_active_runs=1,
    default_args={
        # A retry is safe: the job deletes what a failed run left and redoes the batch.
        "retries": 1,
        "retry_delay": timedelta(minutes=5),
        "execution_timeout": timedelta(hours=2),
    },
    tags=["pretrain", "ingest"],
) as dag:
    SparkSubmitOperator(
        task_id="ingest_incremental",
        conn_id="spark_default",
        application=PRETRAIN_JAR,
        java_class="dev.pretrain.jobs.cli.PretrainCli",
        name="pretrain-ingest-incremental",
        conf=spark_settings(f"{PRETRAIN_HOME}/cluster-conf/spark-defaults.conf"),
        application_args=[
            "ingest-incremental",
            "--source", f"name=imdb,uri={LANDING}/imdb/*.tsv.gz,format=tsv,column=4,header=true,html=true",
            "--source", f"name=books,uri={LANDING}/books/*.txt,format=headings,heading=^CHAPTER \\d+\\b.*$",
            "--output", OUTPUT,
            # Files modified in the last 2 minutes may still be uploading: leave them for the next run.
            "--min-file-age-s", "120",
            # One JSON report per run, next to the batches (Spark skips '_' folders).
            "--report", OUTPUT + "/_reports/ingest-{{ ts_nodash }}.json",
        ],
        num_executors=4,
        executor_cores=4,
        executor_memory="8g",
        driver_memory="4g",
    )
