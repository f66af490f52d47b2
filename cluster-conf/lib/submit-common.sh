#!/usr/bin/env bash
# Shared by the submit scripts (sourced, not run): finds spark-submit and the fat jar, turns our Spark
# settings files into --conf arguments on top of the site's spark-defaults.conf (never --properties-file,
# which would replace it), and runs spark-submit, or with DRY_RUN=1 prints its argv, one argument per line.
#
# Environment:
#   SPARK_HOME     Spark 3.5.x installation (required)
#   PRETRAIN_HOME  the folder holding cluster-conf/ and pretrain.jar (default: the folder above cluster-conf/)
#   PRETRAIN_JAR   the fat jar (default: $PRETRAIN_HOME/pretrain.jar, where README step 1 copies
#                  jobs/target/jobs-*-all.jar)
#   PRETRAIN_CONF  our Spark settings, ':'-separated files, later ones win
#                  (default: $PRETRAIN_HOME/cluster-conf/spark-defaults.conf; add spark-defaults-gpu.conf for GPUs)
#   DRY_RUN        1: print the spark-submit argv instead of running it

PRETRAIN_HOME="${PRETRAIN_HOME:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"

pretrain_die() {
  echo "$(basename "$0"): error: $*" >&2
  exit 2
}

# Sets SPARK_SUBMIT to $SPARK_HOME/bin/spark-submit, checked.
pretrain_find_spark_submit() {
  [[ -n "${SPARK_HOME:-}" ]] || pretrain_die "set SPARK_HOME to a Spark 3.5.x installation"
  SPARK_SUBMIT="$SPARK_HOME/bin/spark-submit"
  [[ -x "$SPARK_SUBMIT" ]] || pretrain_die "no executable $SPARK_SUBMIT (SPARK_HOME=$SPARK_HOME)"
}

# Sets PRETRAIN_JAR to the fat jar, checked.
pretrain_find_jar() {
  PRETRAIN_JAR="${PRETRAIN_JAR:-$PRETRAIN_HOME/pretrain.jar}"
  [[ -f "$PRETRAIN_JAR" ]] || pretrain_die "pretrain jar not found: $PRETRAIN_JAR (copy jobs/target/jobs-*-all.jar" \
    "there as in README 'Running on a cluster' step 1, or set PRETRAIN_JAR to it)"
}

# Sets PRETRAIN_CONF_ARGS to "--conf key=value" for every setting of the PRETRAIN_CONF files. The files are
# read as Spark reads spark-defaults.conf (java.util.Properties): '#' or '!' starts a comment line; the key ends
# at the first whitespace, '=' or ':'; the value is the rest of the line, trimmed, spaces inside kept as one
# argument. Backslash escapes and continuation lines are refused rather than half-supported.
pretrain_conf_args() {
  PRETRAIN_CONF_ARGS=()
  local files file line key value
  IFS=: read -r -a files <<< "${PRETRAIN_CONF:-$PRETRAIN_HOME/cluster-conf/spark-defaults.conf}"
  for file in "${files[@]}"; do
    [[ -f "$file" ]] || pretrain_die "Spark settings file not found: $file"
    while IFS= read -r line || [[ -n "$line" ]]; do
      line="${line%$'\r'}"
      line="${line#"${line%%[![:space:]]*}"}"
      if [[ -z "$line" || "$line" == '#'* || "$line" == '!'* ]]; then
        continue
      fi
      if [[ "$line" == *'\'* ]]; then
        pretrain_die "$file: backslashes (escapes, continuation lines) are not supported: $line"
      fi
      key="${line%%[[:space:]=:]*}"
      value="${line:${#key}}"
      value="${value#"${value%%[![:space:]]*}"}"
      if [[ "$value" == [=:]* ]]; then
        value="${value:1}"
        value="${value#"${value%%[![:space:]]*}"}"
      fi
      value="${value%"${value##*[![:space:]]}"}"
      [[ -n "$key" && -n "$value" ]] || pretrain_die "$file: no key and value in line: $line"
      PRETRAIN_CONF_ARGS+=(--conf "$key=$value")
    done < "$file"
  done
}

# Replaces the shell with "$SPARK_SUBMIT" "$@" (run it in a subshell to go on afterwards), or with DRY_RUN=1
# prints that argv, one argument per line, and returns.
pretrain_submit() {
  if [[ "${DRY_RUN:-0}" == 1 ]]; then
    printf '%s\n' "$SPARK_SUBMIT" "$@"
  else
    exec "$SPARK_SUBMIT" "$@"
  fi
}
