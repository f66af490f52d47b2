# Shared helpers for bench/*.sh; sourced, not run. Expects ROOT, BENCH_DIR and TARGET_DIR to be set.

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
}
