# Shared helpers for bench/*.sh; sourced, not run. Expects ROOT to be set; the classpath helpers TARGET_DIR too
# (model_classpath: BENCH_DIR too).

# model_classpath: unless CLASSES is already set, compiles the model module into $TARGET_DIR (log in
# $BENCH_DIR/build.log, printed and exit 1 on failure) and points CLASSES at its classes; writes the module's
# runtime classpath to $BENCH_DIR/model-cp.txt if that file is missing or empty; sets CP to CLASSES plus it.
model_classpath() {
  if [ -z "${CLASSES:-}" ]; then
    echo "== build (mvn -o -pl model -Dtarget.dir=$TARGET_DIR compile)"
    (cd "$ROOT" && mvn -o -q -pl model -Dtarget.dir="$TARGET_DIR" compile dependency:build-classpath \
      -Dmdep.includeScope=runtime -Dmdep.outputFile="$BENCH_DIR/model-cp.txt" > "$BENCH_DIR/build.log" 2>&1) \
      || { cat "$BENCH_DIR/build.log" >&2; exit 1; }
    CLASSES="$ROOT/model/$TARGET_DIR/classes"
  fi
  [ -s "$BENCH_DIR/model-cp.txt" ] || (cd "$ROOT" && mvn -o -q -pl model -Dtarget.dir="$TARGET_DIR" \
      dependency:build-classpath -Dmdep.includeScope=runtime -Dmdep.outputFile="$BENCH_DIR/model-cp.txt" >/dev/null)
  CP="$CLASSES:$(cat "$BENCH_DIR/model-cp.txt")"
  nd4j_natives
}

# spark_opens: sets OPENS to pom.xml's spark.jvm.opens, the JVM flags (--add-opens ...) Spark needs on Java 17.
spark_opens() {
  OPENS="$(sed -n 's#.*<spark.jvm.opens>\(.*\)</spark.jvm.opens>.*#\1#p' "$ROOT/pom.xml")"
}

# jobs_classpath DIR: compiles corpus-prep, model and jobs into $TARGET_DIR (log in DIR/build.log, printed and exit 1
# on failure), writes the jobs module's runtime classpath to DIR/cp.txt and sets CP (jobs classes plus it), OPENS
# (pom.xml's spark.jvm.opens: the --add-opens Spark needs on Java 17) for a `java ... dev.pretrain.jobs.cli.PretrainCli`
# run, as bin/pretrain without the fat jar (the CLI chooses the ND4J native build for this CPU itself), and
# ND4J_NATIVES (see nd4j_natives).
jobs_classpath() {
  local dir="$1"
  mkdir -p "$dir"
  echo "== build (mvn -o -pl corpus-prep,model,jobs -Dtarget.dir=$TARGET_DIR compile)"
  (cd "$ROOT" && mvn -o -q -pl corpus-prep,model,jobs -Dtarget.dir="$TARGET_DIR" compile dependency:build-classpath \
    -Dmdep.includeScope=runtime -Dmdep.outputFile="$dir/cp.txt" > "$dir/build.log" 2>&1) \
    || { cat "$dir/build.log" >&2; exit 1; }
  CP="$ROOT/jobs/$TARGET_DIR/classes:$(cat "$dir/cp.txt")"
  spark_opens
  nd4j_natives
}

# nd4j_natives: exports ND4J_NATIVES, the line Nd4jNatives prints for this machine with $CP (the ND4J native build a
# JVM here loads, ND4J_NATIVE_BUILD forcing one as -Dpretrain.nd4j.build does, and the CPU flags);
# bench/write-section.py puts it into every section it writes.
nd4j_natives() {
  ND4J_NATIVES="$(OMP_NUM_THREADS=1 java -Xmx512m -Dpretrain.nd4j.build="${ND4J_NATIVE_BUILD:-auto}" -cp "$CP" \
    dev.pretrain.model.natives.Nd4jNatives 2>/dev/null \
    | grep '^nd4j_natives=' | tail -1)"
  export ND4J_NATIVES
}

# model_test_classpath: compiles the model module's main and test sources into $TARGET_DIR (log in
# $BENCH_DIR/build-test.log, printed and exit 1 on failure), writes its test-scope classpath to
# $BENCH_DIR/model-test-cp.txt and sets CP to the test classes, the classes and it (for benchmark mains that live in
# the test sources).
model_test_classpath() {
  echo "== build (mvn -o -pl model -Dtarget.dir=$TARGET_DIR test-compile)"
  (cd "$ROOT" && mvn -o -q -pl model -Dtarget.dir="$TARGET_DIR" test-compile dependency:build-classpath \
    -Dmdep.includeScope=test -Dmdep.outputFile="$BENCH_DIR/model-test-cp.txt" > "$BENCH_DIR/build-test.log" 2>&1) \
    || { cat "$BENCH_DIR/build-test.log" >&2; exit 1; }
  CP="$ROOT/model/$TARGET_DIR/test-classes:$ROOT/model/$TARGET_DIR/classes:$(cat "$BENCH_DIR/model-test-cp.txt")"
}
