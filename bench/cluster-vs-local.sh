#!/usr/bin/env bash
# Standalone cluster (Master + 2 Workers, 1 core / 3 GiB each, on 127.0.0.1) vs local[2]: wall times of
# the same small pipeline config (StandaloneClusterIT) and of the whole test, via the cluster profile.
# Writes the "cluster-vs-local" section of docs/BENCHMARKS.md. Run on a quiet machine:
#   bench/cluster-vs-local.sh
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DOC="$ROOT/docs/BENCHMARKS.md"
cd "$ROOT"
log="$(mktemp)"
mvn -B -q -Pcluster -DskipTests package
start=$(date +%s)
"$ROOT/../shared/peers/contention.sh" mvn -B -pl jobs -Pcluster surefire:test@cluster-test > "$log" 2>&1 || {
  tail -n 60 "$log"; exit 1; }
total=$(( $(date +%s) - start ))
grep -E '^\[cluster\]|foreign_cores' "$log" || true
up=$(sed -n 's/^\[cluster\] .* up with 2 Workers in \([0-9.]*\) s$/\1/p' "$log")
cl=$(sed -n 's/^\[cluster\] spark-submit exited 0 after \([0-9.]*\) s$/\1/p' "$log")
lo=$(sed -n 's/^\[cluster\] local\[2\] run exited 0 after \([0-9.]*\) s$/\1/p' "$log")
fc=$(grep -o 'foreign_cores[=: ]*[0-9.]*' "$log" | tail -n 1 || true)
run="$ROOT/jobs/target/cluster-run"
stage_table=$(/usr/bin/env python3 - "$run" <<'PY'
import json, sys
c = json.load(open(sys.argv[1] + '/cluster/report.json'))['summary']['stage_seconds']
l = json.load(open(sys.argv[1] + '/local/report.json'))['summary']['stage_seconds']
print('| stage | cluster (s) | local[2] (s) |\n|---|---|---|')
for k in c:
    print(f'| {k} | {c[k]} | {l.get(k)} |')
PY
)
begin='<!-- BEGIN cluster-vs-local -->'
end='<!-- END cluster-vs-local -->'
section="$(mktemp)"
cat > "$section" <<MD
$begin
## Standalone cluster vs local mode (bench/cluster-vs-local.sh)

\`mvn -Pcluster\` test \`StandaloneClusterIT\`: slices of IMDB/WikiText-2/Moby-Dick, tiny BERT. Cluster: a
Master and 2 Workers (1 core, 3 GiB) on 127.0.0.1, spark-submit client mode; local: \`local[2]\`.
Outputs equal (documents, vocab, token ids, MLM/NSP and skip-gram rows), metrics within noise.
$(date -u +%Y-%m-%d), $(nproc) cores, ${fc:-foreign_cores n/a}.

| figure | seconds |
|---|---|
| cluster start (Master + 2 Workers registered) | ${up:-?} |
| pipeline via spark-submit on the cluster | ${cl:-?} |
| same pipeline in local[2] | ${lo:-?} |
| whole test (start, both runs, comparisons) | $total |

$stage_table
$end
MD
python3 "$ROOT/bench/write-section.py" "$DOC" "$section" "$begin" "$end"
echo "wrote section to $DOC"
