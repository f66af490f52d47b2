#!/usr/bin/env bash
# End-to-end check of the HuggingFace export (HfBertExport) and of BERT checkpoint/resume, in the model module:
#   1. HfBertExportTest: a seeded random BERT-tiny (every parameter N(0, 0.3^2), seq 16, 4 predictions, vocab 97) is
#      exported to hf/ (config.json, model.safetensors, vocab.txt, tokenizer_config.json); its DL4J outputs on 3
#      padded examples go to case.json; model/src/test/python/check_hf_export.py (plain PyTorch BertForPreTraining,
#      no transformers library, own safetensors reader) recomputes the last encoder layer, the MLM log-probabilities
#      at masked_lm_positions and the NSP log-probabilities and prints the max abs difference (must be <= 1e-4).
#   2. BertCheckpointTest: BERT-tiny trained 4 averaging rounds on Spark local[2] uninterrupted, vs 2 rounds, a
#      simulated crash, and a new trainer resuming from the checkpoint to round 4; prints the max abs parameter
#      difference.
# Needs /usr/bin/python3 with torch and numpy (Debian: apt-get install python3-torch python3-numpy); without them the
# export check is skipped by JUnit and this script exits 2.
#
# Usage: bench/hf-export-check.sh          Environment: SHARED (default ../shared), TARGET_DIR (default target-hfcheck),
#        CHECK_DIR (where hf/ and case.json are kept; default /tmp/pretrain-hf-check), NO_DOCS=1 (no docs update)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SHARED="${SHARED:-$(cd "$ROOT/../shared" && pwd)}"
TARGET_DIR="${TARGET_DIR:-target-hfcheck}"
CHECK_DIR="${CHECK_DIR:-/tmp/pretrain-hf-check}"
rm -rf "$CHECK_DIR"; mkdir -p "$CHECK_DIR"
LOG="$CHECK_DIR/mvn.log"
if ! /usr/bin/python3 -c 'import torch, numpy' 2>/dev/null; then
  echo "/usr/bin/python3 has no torch/numpy: apt-get install python3-torch python3-numpy" >&2
  exit 2
fi
cd "$ROOT"
set +e
bash "$SHARED/peers/contention.sh" mvn -o -q -pl model -Dtarget.dir="$TARGET_DIR" test \
  -Dtest='HfBertExportTest,BertCheckpointTest' -Dsurefire.failIfNoSpecifiedTests=false \
  -Dhf.check.dir="$CHECK_DIR" > "$LOG" 2>&1
rc=$?
set -e
grep -oE '(HF-EXPORT-CHECK|BERT-CHECKPOINT|CONTENTION) .*' "$LOG" || true
if [ $rc -ne 0 ]; then grep -E 'Tests run|FAIL|ERROR\]' "$LOG" | head -20 >&2; exit $rc; fi
contention=$(grep -oE 'CONTENTION .*' "$LOG" | tail -1 || true)
check=$(grep '^HF-EXPORT-CHECK tensors' "$LOG" | tail -1)
ckpt=$(grep '^BERT-CHECKPOINT' "$LOG" | tail -1)
rep="$ROOT/model/$TARGET_DIR/surefire-reports"
ttime() { python3 - "$rep/TEST-$1.xml" "$2" <<'EOF'
import sys, xml.etree.ElementTree as ET
for tc in ET.parse(sys.argv[1]).getroot().iter('testcase'):
    if tc.get('name').startswith(sys.argv[2]): print(tc.get('time'))
EOF
}
t_hf=$(ttime dev.pretrain.model.export.HfBertExportTest pytorchForwardOnExportMatchesDl4j)
t_ck=$(ttime dev.pretrain.model.bert.BertCheckpointTest killedAndResumed)
[ "${NO_DOCS:-0}" = 1 ] && exit 0
DOC="$ROOT/docs/BENCHMARKS.md"
begin="<!-- bench:hf-export-check -->"; end="<!-- /bench:hf-export-check -->"
section="$CHECK_DIR/section.md"
{
  echo "$begin"
  echo "## HuggingFace export and checkpoint/resume ($(date -u +%Y-%m-%d))"
  echo
  echo "Command: \`bench/hf-export-check.sh\` (HfBertExportTest + BertCheckpointTest; torch $(/usr/bin/python3 -c 'import torch; print(torch.__version__)'))."
  echo
  echo "| check | result | test s |"
  echo "|---|---|---|"
  echo "| DL4J BERT-tiny vs plain-PyTorch BertForPreTraining on the exported hf/ folder | \`${check#HF-EXPORT-CHECK }\` | $t_hf |"
  grep -oE 'HF-EXPORT-CHECK [a-z_]+ shape=.*' "$LOG" \
    | sed -E 's/^HF-EXPORT-CHECK ([a-z_]+) shape=(\(.*\)) max_abs_diff=(.*)$/| \1 \2 | max abs diff \3 | |/'
  echo "| 4 rounds uninterrupted vs 2 + crash + resume (Spark local[2]) | ${ckpt#BERT-CHECKPOINT } | $t_ck |"
  echo
  echo "Machine load during the run: \`$contention\`."
  echo "$end"
} > "$section"
python3 "$ROOT/bench/write-section.py" "$DOC" "$section" "$begin" "$end"
echo "wrote section hf-export-check of $DOC"
