#!/usr/bin/env bash
# Instructions per default run, counted by valgrind's callgrind: a noise-free A/B for this
# shared machine, where wall-clock times move by 10-30% between minutes.
#
#   bash benchmarks/instructions.sh [REF]     # REF (default HEAD) against the working tree
#
# Each side runs `sim.run(seed=s)` once and three times in fresh interpreters; the difference over
# two runs cancels the imports. Counts are repeatable whatever else the machine does, but they are
# a proxy: a change that saves instructions in C (numpy, builtins) can save more or less time than
# its count says. About 3 minutes per side; the two sides run in parallel.
set -euo pipefail
cd "$(dirname "$0")/.."
ref=${1:-HEAD}
python=$PWD/.venv/bin/python
command -v valgrind >/dev/null || { echo "needs valgrind (Debian package valgrind)" >&2; exit 2; }
[ -x "$python" ] || { echo "run 'make venv' first" >&2; exit 2; }

scratch=$(mktemp -d)
trap 'git worktree remove --force "$scratch/ref" >/dev/null 2>&1 || true; rm -rf "$scratch"' EXIT
git worktree add --detach -q "$scratch/ref" "$ref"
cat >"$scratch/runs.py" <<'EOF'
import sys

import sim

for seed in range(1, int(sys.argv[1]) + 1):
    sim.run(seed=seed)
EOF

count() {  # tree runs -> instructions
    (cd "$scratch" && PYTHONPATH=$1 valgrind --tool=callgrind --callgrind-out-file=/dev/null \
        "$python" runs.py "$2" 2>&1 | awk '/Collected/ {print $4}')
}
per_run() {  # tree -> instructions per default run
    local one three
    one=$(count "$1" 1)
    three=$(count "$1" 3)
    echo $(((three - one) / 2))
}
per_run "$scratch/ref" >"$scratch/ref.count" &
per_run "$PWD" >"$scratch/work.count"
wait
ref_count=$(cat "$scratch/ref.count")
work_count=$(cat "$scratch/work.count")
echo "instructions per default run: $ref $ref_count, working tree $work_count"
awk -v a="$ref_count" -v b="$work_count" \
    'BEGIN { printf "working tree / %s = %.3f\n", "'"$ref"'", b / a }'
