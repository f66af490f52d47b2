"""Scheduled incremental ingestion as an Airflow DAG (snippet; copy into your dags/ folder).

What it is for: every 15 minutes, spark-submit `pretrain ingest-incremental` over a landing folder.
Each run ingests only the files that arrived since the last committed run, as output/batch=<n>/
(output/_manifest/ lists the files of each batch); a failed or killed run is repaired by the next.

Needs: Airflow >= 2.4 with apache-airflow-providers-apache-spark, a Spark connection
(Admin > Connections, id "spark_default": host yarn / spark://master:7077 / k8s://https://api:6443)
and the fat jar (mvn -DskipTests package -> jobs/target/jobs-*-all.jar) at PRETRAIN_JAR on the
worker that runs spark-submit. Same main class as cluster-conf/submit-*.sh.
"""
import os
from datetime import datetime, timedelta

from airflow import DAG
from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator

PRETRAIN_HOME = os.environ.get("PRETRAIN_HOME", "/opt/pretrain")
PRETRAIN_JAR = os.environ.get("PRETRAIN_JAR", f"{PRETRAIN_HOME}/jobs/target/jobs-0.1.0-SNAPSHOT-all.jar")
LANDING = "hdfs://namenode:8020/landing"
OUTPUT = "hdfs://namenode:8020/corpus/incremental"

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
        properties_file=f"{PRETRAIN_HOME}/cluster-conf/spark-defaults.conf",
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
