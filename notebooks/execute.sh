#!/usr/bin/env bash
# Executes every notebook headless against one run folder and checks that each drew its plots.
#   notebooks/execute.sh RUN_DIR [OUT_DIR]     (CI: .ci/run, on the standalone-cluster test's run)
# Needs Debian's jupyter-nbconvert python3-pandas python3-matplotlib python3-ipykernel. The executed
# copies (with outputs) go to OUT_DIR (default: RUN_DIR/notebooks); the notebooks here stay output-free.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
run="$(cd "${1:?usage: execute.sh RUN_DIR [OUT_DIR]}" && pwd)"
out="${2:-$run/notebooks}"
mkdir -p "$out"
export PRETRAIN_RUN="$run"
export MPLBACKEND=module://matplotlib_inline.backend_inline
export PYDEVD_DISABLE_FILE_VALIDATION=1   # quiets ipykernel's debugger warnings
status=0
for nb in "$here"/*.ipynb; do
  name="$(basename "$nb")"
  echo "notebook $name on $run"
  if ! jupyter nbconvert --to notebook --execute --ExecutePreprocessor.timeout=300 \
       --output-dir "$out" --output "$name" "$nb"; then
    echo "notebook $name FAILED" >&2
    status=1
    continue
  fi
  # every notebook draws at least one plot: its executed copy must hold a PNG output
  if ! /usr/bin/python3 - "$out/$name" <<'PY'
import json, sys
nb = json.load(open(sys.argv[1]))
pngs = sum(1 for c in nb['cells'] if c['cell_type'] == 'code'
           for o in c.get('outputs', []) if 'image/png' in o.get('data', {}))
errors = [o for c in nb['cells'] for o in c.get('outputs', []) if o.get('output_type') == 'error']
print(f"  {pngs} plots, {len(errors)} errors")
sys.exit(0 if pngs > 0 and not errors else 1)
PY
  then
    echo "notebook $name drew no plot" >&2
    status=1
  fi
done
exit $status
