#!/usr/bin/env bash
# Selection over a Slurm cluster, in three jobs that never hold all texts in one place:
#   1. an array of N tasks: task I runs `estimate --shard I/N` (texts [I*D/N, (I+1)*D/N));
#   2. after all of them succeeded (afterok): `project --cut-only` streams the shards -> cut.json;
#   3. after it (afterok): an array of N tasks, task I runs `project --cut` -> its distribution.
# The distribution files, concatenated in order (one header), are the single-run `select` output.
#
#   select-slurm.sh N OUT_DIR ESTIMATE_OPTIONS... -- PROJECT_OPTIONS...
#   select-slurm.sh 64 runs/sel --bpb bpb.npy --errors errors.csv -- --keep-ratio 0.1
#
# Paths must be readable from every node (a shared file system). Extra sbatch options (partition,
# account, time, --cpus-per-task) come from SBATCH_OPTIONS; PCSTUDIO_CLI names the program.
# Prints the three job ids and where the outputs are.
set -euo pipefail
usage() { sed -n '2,14p' "$0" >&2; exit 2; }
[ $# -ge 3 ] || usage
shards=$1 out=$2
shift 2
[[ $shards =~ ^[1-9][0-9]*$ ]] || { echo "select-slurm.sh: N must be a positive integer, not '$shards'" >&2; exit 2; }
estimate_options=() project_options=()
while [ $# -gt 0 ] && [ "$1" != -- ]; do estimate_options+=("$1"); shift; done
[ $# -gt 0 ] || { echo "select-slurm.sh: give the projection options after --" >&2; exit 2; }
shift
project_options=("$@")

cli=${PCSTUDIO_CLI:-pcstudio-cli}
mkdir -p "$out/estimates" "$out/distribution" "$out/logs"
out=$(cd "$out" && pwd)
read -r -a sbatch_options <<<"${SBATCH_OPTIONS:-}"
quote() { printf '%q ' "$@"; }  # words for a --wrap command line
q() { printf '%q' "$1"; }  # one word, nothing after it

submit() {  # submit NAME ARGS...: prints the job id
  local name=$1 id
  shift
  id=$(sbatch --parsable --job-name="pcstudio-$name" "${sbatch_options[@]}" "$@")
  echo "${id%%;*}"
}

estimate_files=()
for ((i = 0; i < shards; ++i)); do
  estimate_files+=(--estimate "$out/estimates/E$i.csv")
done

# Each task writes atomically: a failed or pre-empted task leaves nothing half-written.
estimate_job=$(submit estimate --array="0-$((shards - 1))" \
  --output="$out/logs/estimate-%a.out" --error="$out/logs/estimate-%a.err" \
  --wrap "$(quote "$cli" estimate "${estimate_options[@]}") --shard \$SLURM_ARRAY_TASK_ID/$shards \
--threads \${SLURM_CPUS_PER_TASK:-1} --output $(q "$out")/estimates/E\$SLURM_ARRAY_TASK_ID.csv")
cut_job=$(submit cut --dependency="afterok:$estimate_job" \
  --output="$out/logs/cut.out" --error="$out/logs/cut.err" \
  --wrap "$(quote "$cli" project "${estimate_files[@]}" "${project_options[@]}" --cut-only \
    --output "$out/cut.json" --report "$out/cut-report.json")")
project_job=$(submit project --array="0-$((shards - 1))" --dependency="afterok:$cut_job" \
  --output="$out/logs/project-%a.out" --error="$out/logs/project-%a.err" \
  --wrap "$(quote "$cli" project) --estimate $(q "$out")/estimates/E\$SLURM_ARRAY_TASK_ID.csv \
--cut $(q "$out/cut.json") --output $(q "$out")/distribution/D\$SLURM_ARRAY_TASK_ID.csv")

echo "estimate job $estimate_job (array 0-$((shards - 1))): $out/estimates/E<I>.csv"
echo "cut job $cut_job (after the estimates): $out/cut.json"
echo "projection job $project_job (array 0-$((shards - 1)), after the cut): $out/distribution/D<I>.csv"
echo "logs: $out/logs; the distribution is D0.csv ... D$((shards - 1)).csv in order (one header)"
