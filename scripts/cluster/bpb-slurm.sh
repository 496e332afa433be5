#!/usr/bin/env bash
# The BPB matrix of one model on a Slurm cluster: the windows of every text as Batch API request
# shards (bpb batch-export, here), an array job that runs each shard through `vllm run-batch`
# (one GPU task per shard), then an import job, after all of them ended well
# (--dependency=afterok), that reads the results into the matrix (bpb batch-import) — the matrix
# `bpb compute` would give on the same texts.
#
#   bpb-slurm.sh --texts TEXTS.jsonl --model MODEL --work-dir DIR --output BPB.csv|.npy
#                [--name COLUMN] [--window N] [--overlap N] [--max-requests N] [--max-bytes B]
#                [--text-field F] [--id-field F] [--array-options "SBATCH OPTIONS"]
#                [--import-options "SBATCH OPTIONS"] [-- VLLM RUN-BATCH OPTIONS]
#
# DIR gets requests/ (the shards and requests.txt, their list), results/ (one results file per
# shard), logs/, and the two jobs' scripts (run-batch-task.sh, import.sh). Prints the two job
# ids and where everything goes. --array-options are given
# to the array job (e.g. "--gres=gpu:1 --time=04:00:00 --partition=gpu"), --import-options to the
# import job; options after -- go to `vllm run-batch` (e.g. --tensor-parallel-size 2).
# PCSTUDIO_CLI (default pcstudio-cli) and VLLM (default vllm) name the programs; the jobs run
# them on the compute nodes, which must see DIR, the texts and the output's folder.
# A task writes its results under a temporary name and renames it when run-batch succeeded, so a
# failed or pre-empted task leaves nothing half-written; resubmitting it is safe.
set -euo pipefail

usage() { sed -n '8,12p' "$0" >&2; exit 2; }
texts='' model='' work='' output='' name='' window=8000 overlap=1000
max_requests=50000 max_bytes=190000000 text_field=text id_field=id
array_options='' import_options=''
vllm_options=()
while [ $# -gt 0 ]; do
  case $1 in
    --texts) texts=$2; shift 2 ;;
    --model) model=$2; shift 2 ;;
    --work-dir) work=$2; shift 2 ;;
    --output) output=$2; shift 2 ;;
    --name) name=$2; shift 2 ;;
    --window) window=$2; shift 2 ;;
    --overlap) overlap=$2; shift 2 ;;
    --max-requests) max_requests=$2; shift 2 ;;
    --max-bytes) max_bytes=$2; shift 2 ;;
    --text-field) text_field=$2; shift 2 ;;
    --id-field) id_field=$2; shift 2 ;;
    --array-options) array_options=$2; shift 2 ;;
    --import-options) import_options=$2; shift 2 ;;
    --) shift; vllm_options=("$@"); break ;;
    *) echo "bpb-slurm: unknown option '$1'" >&2; usage ;;
  esac
done
if [ -z "$texts" ] || [ -z "$model" ] || [ -z "$work" ] || [ -z "$output" ]; then usage; fi
cli=${PCSTUDIO_CLI:-pcstudio-cli}
vllm=${VLLM:-vllm}
mkdir -p "$work/requests" "$work/results" "$work/logs"
work=$(cd "$work" && pwd)
texts=$(readlink -f "$texts")
case $output in /*) ;; *) output=$PWD/$output ;; esac
windowing=(--window "$window" --overlap "$overlap" --text-field "$text_field" --id-field "$id_field")

# 1. The shards, here (it reads the texts once; the array's size is their number).
"$cli" bpb batch-export --texts "$texts" --model "$model" "${windowing[@]}" \
  --max-requests "$max_requests" --max-bytes "$max_bytes" --output-dir "$work/requests"
list=$work/requests/requests.txt
shards=$(grep -c . "$list")
[ "$shards" -gt 0 ] || { echo "bpb-slurm: no request files in $list" >&2; exit 1; }

# The jobs' scripts, written into DIR (to read, and to resubmit a task by hand).
q() { printf '%q ' "$@"; }  # words of a command line
q1() { printf '%q' "$1"; }  # one word, to join with more
task_script=$work/run-batch-task.sh
cat >"$task_script" <<TASK
#!/usr/bin/env bash
# Array task N: vllm run-batch on line N+1 of the list; its results renamed once complete.
set -euo pipefail
shard=\$(sed -n "\$((SLURM_ARRAY_TASK_ID + 1))p" $(q1 "$list"))
[ -n "\$shard" ] || { echo "no shard \$SLURM_ARRAY_TASK_ID in $(q1 "$list")" >&2; exit 2; }
result=$(q1 "$work/results")/\$(basename "\$shard" .jsonl).results.jsonl
$(q "$vllm") run-batch -i "\$shard" -o "\$result.part" $(q --model "$model" "${vllm_options[@]}")
mv -f -- "\$result.part" "\$result"
TASK
import_script=$work/import.sh
cat >"$import_script" <<IMPORT
#!/usr/bin/env bash
# The import: every shard's results file into the matrix.
set -euo pipefail
results=()
while IFS= read -r shard; do
  [ -z "\$shard" ] || results+=($(q1 "$work/results")/"\$(basename "\$shard" .jsonl).results.jsonl")
done < $(q1 "$list")
$(q "$cli" bpb batch-import --texts "$texts" --model "$model" ${name:+--name "$name"} \
  "${windowing[@]}" --output "$output") --results "\${results[@]}"
IMPORT
chmod +x "$task_script" "$import_script"

# 2. One task per shard.
# shellcheck disable=SC2086  # the option strings are split into options on purpose
array_id=$(sbatch --parsable --job-name=pcstudio-bpb-run-batch --array=0-$((shards - 1)) \
  --output="$work/logs/run-batch-%A_%a.out" --error="$work/logs/run-batch-%A_%a.err" \
  $array_options "$task_script")
array_id=${array_id%%;*}

# 3. The import, once every task ended well.
# shellcheck disable=SC2086
import_id=$(sbatch --parsable --job-name=pcstudio-bpb-import --dependency="afterok:$array_id" \
  --output="$work/logs/import-%j.out" --error="$work/logs/import-%j.err" \
  $import_options "$import_script")
import_id=${import_id%%;*}

echo "bpb-slurm: array job $array_id: $shards run-batch task(s), results in $work/results"
echo "bpb-slurm: import job $import_id (after $array_id): the matrix in $output"
echo "bpb-slurm: logs in $work/logs"
echo "array_job=$array_id"
echo "import_job=$import_id"

