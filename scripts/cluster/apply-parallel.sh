#!/usr/bin/env bash
# Apply a filter to JSONL shards with GNU parallel, one pcstudio-cli per shard.
#   apply-parallel.sh MODEL THRESHOLD OUT_DIR SHARD...
# Each shard SHARD (.jsonl, .jsonl.gz or .jsonl.zst) gives OUT_DIR/<shard name>.kept.jsonl. With a
# fixed threshold every document is judged alone, so the shards' outputs, concatenated in shard
# order, are exactly the kept lines of one pass over all the input.
set -euo pipefail
model=$1 threshold=$2 out=$3
shift 3
mkdir -p "$out"
PCSTUDIO_CLI=${PCSTUDIO_CLI:-pcstudio-cli}
# -j: one job per core, each scoring with one thread; --halt: stop at the first failing shard.
parallel --will-cite --halt now,fail=1 -j "${JOBS:-$(nproc)}" \
  "$PCSTUDIO_CLI" filter apply --model "$model" --threshold "$threshold" --threads 1 \
  --input {} --output "$out"/{/}.kept.jsonl ::: "$@"
