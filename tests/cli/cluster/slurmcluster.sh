#!/usr/bin/env bash
# A private one-node Slurm cluster for tests: its own munged (own key and socket), slurmctld and
# slurmd, all state, logs and sockets under DIR, on free ports, so a system cluster is untouched.
#   slurmcluster.sh start DIR
#       0: up, the node idle; client commands use it with SLURM_CONF=DIR/slurm.conf
#       77: cannot run here (the reason on stderr); 1: failed (with the daemons' logs)
#   slurmcluster.sh submit DIR SBATCH_ARGUMENT...
#       prints the job id; the job's output goes to DIR/jobs/<its id>.out and .err
#   slurmcluster.sh wait DIR SECONDS JOBID...
#       a line per job or array task: job_id array_job_id task state exit_code stdout stderr
#       (tab-separated); 0: all COMPLETED with 0:0, 1: some did not, 124: still queued
#   slurmcluster.sh logs DIR     the daemons' logs
#   slurmcluster.sh stop DIR     cancels the jobs, ends exactly what was started here, by pid
# Needs root (slurmd runs jobs as their owner), Debian's slurmctld slurmd slurm-client munge, and a
# DIR whose parent folders all have o+x (munged refuses a socket others cannot reach).
# PCSTUDIO_SLURMCTLD_PORT / PCSTUDIO_SLURMD_PORT choose the ports; otherwise free ones are picked.
# PCSTUDIO_SLURM_OWNER_PID: should that process end first (a test that crashed), a watcher stops
# the cluster and removes DIR.
set -euo pipefail
readonly cannot_run=77

command=${1:?usage: slurmcluster.sh start|submit|wait|logs|stop DIR ...}
dir=${2:?usage: slurmcluster.sh $command DIR ...}
shift 2
case $dir in /*) ;; *) dir=$PWD/$dir ;; esac
[[ $dir != *[[:space:]]* ]] || { echo "slurmcluster: '$dir' has white space" >&2; exit 2; }
conf=$dir/slurm.conf
self=$(readlink -f "${BASH_SOURCE[0]}")
# Debian installs the daemons (and mungekey) in /usr/sbin, outside a user's usual PATH.
export PATH=$PATH:/usr/sbin:/sbin
# Every daemon gets this variable; slurmstepd and the jobs inherit it, so stop finds them all.
marker="PCSTUDIO_SLURM_CLUSTER=$dir"
export SLURM_CONF=$conf

cannot() { echo "slurmcluster: cannot run a Slurm cluster here: $*" >&2; exit "$cannot_run"; }

# Local TCP ports in use (any state), from the kernel's tables.
ports_in_use() {
  local file hex
  for file in /proc/net/tcp /proc/net/tcp6; do
    [ -r "$file" ] || continue
    awk 'NR > 1 { split($2, a, ":"); print a[2] }' "$file" | while read -r hex; do
      echo $((16#$hex))
    done
  done | sort -un
}

pick_port() {  # pick_port NAME CHOSEN_PORT_OR_EMPTY TAKEN...
  local name=$1 override=$2 port
  shift 2
  if [ -n "$override" ]; then
    ! printf '%s\n' "$@" | grep -qx "$override" || cannot "port $override ($name) is in use"
    echo "$override"
    return
  fi
  # Below the range the kernel hands out to outgoing connections, which could take it meanwhile.
  local below
  below=$(cut -f 1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null) || below=32768
  [ "$below" -gt 12000 ] || below=32768
  for _ in $(seq 50); do
    port=$((10000 + RANDOM % (below - 10000)))
    printf '%s\n' "$@" | grep -qx "$port" || { echo "$port"; return; }
  done
  cannot "no free TCP port found"
}

# The PID in a pid file, if that process is alive and is the daemon started for DIR.
our_pid() {
  local file=$1 pid
  [ -s "$file" ] || return 1
  pid=$(tr -dc 0-9 <"$file")
  [ -n "$pid" ] && tr '\0' '\n' 2>/dev/null <"/proc/$pid/environ" | grep -qxF "$marker" \
    && echo "$pid"
}

# Processes that carry the marker: daemons, slurmstepd and job processes of this cluster.
marked_pids() {
  local environ pid
  for environ in /proc/[0-9]*/environ; do
    pid=${environ#/proc/}
    pid=${pid%/environ}
    [ "$pid" != $$ ] || continue
    tr '\0' '\n' 2>/dev/null <"$environ" | grep -qxF "$marker" && echo "$pid"
  done
  return 0
}

print_logs() {
  local log
  for log in "$dir"/log/*.log "$dir"/munge/private/munged.log; do
    [ -r "$log" ] || continue
    echo "----- $log (last 40 lines)"
    tail -n 40 "$log"
  done
}

# Waits up to $1 seconds for the command after it to succeed.
wait_for() {
  local deadline=$((SECONDS + $1))
  shift
  until "$@" >/dev/null 2>&1; do
    [ "$SECONDS" -lt "$deadline" ] || return 1
    sleep 0.2
  done
}

# wait_for, giving up early when the daemon whose pid file is $2 has started and died.
wait_for_daemon() {
  local deadline=$((SECONDS + $1)) pid_file=$2 pid
  shift 2
  # Each try bounded: a port taken by something else may accept and never answer.
  until timeout 3 "$@" >/dev/null 2>&1; do
    pid=$(tr -dc 0-9 2>/dev/null <"$pid_file") || pid=
    if [ -n "$pid" ] && ! alive "$pid"; then
      return 1
    fi
    [ "$SECONDS" -lt "$deadline" ] || return 1
    sleep 0.2
  done
}

# A port that was free when picked was taken before the daemon bound it: start again on others
# (twice at most), unless the ports were chosen.
port_race() {
  local try=${PCSTUDIO_SLURM_START_TRY:-1}
  trap - EXIT
  stop
  if [ -z "${PCSTUDIO_SLURMCTLD_PORT:-}${PCSTUDIO_SLURMD_PORT:-}" ] && [ "$try" -lt 3 ]; then
    rm -rf -- "$conf" "$dir"/{state,spool,log,run,jobs,munge}
    PCSTUDIO_SLURM_START_TRY=$((try + 1)) exec bash "$self" start "$dir"
  fi
  cannot "$1"
}

# None of the jobs (comma-separated ids; all when none given) is pending, running or completing.
none_queued() { [ -z "$(squeue -h ${1:+-j "$1"} -o %i 2>&1)" ]; }

start() {
  [ "$(id -u)" -eq 0 ] || cannot "needs root (slurmd starts jobs as their owner)"
  local program
  for program in munged mungekey slurmctld slurmd sbatch squeue sinfo scontrol scancel; do
    command -v "$program" >/dev/null \
      || cannot "$program is missing (Debian: slurmctld slurmd slurm-client munge)"
  done
  id munge >/dev/null 2>&1 || cannot "no munge user (Debian package munge)"
  local ancestor=$dir
  while ancestor=$(dirname "$ancestor") && [ "$ancestor" != / ]; do
    if [ "$(($(stat -c %a "$ancestor") % 2))" -ne 1 ]; then
      echo "slurmcluster: $ancestor lacks o+x, which munged needs" >&2
      exit 1
    fi
  done
  [ ! -e "$conf" ] || { echo "slurmcluster: $dir already holds a cluster" >&2; exit 1; }

  local taken ctld_port slurmd_port host node
  mapfile -t taken < <(ports_in_use)
  ctld_port=$(pick_port SlurmctldPort "${PCSTUDIO_SLURMCTLD_PORT:-}" "${taken[@]}")
  slurmd_port=$(pick_port SlurmdPort "${PCSTUDIO_SLURMD_PORT:-}" "${taken[@]}" "$ctld_port")
  host=$(hostname -s)
  # CPUs, sockets, cores, threads and memory as slurmd sees them, so the node registers as is.
  node=$(slurmd -C | head -n 1 | sed 's/ UpTime=.*//')
  [[ $node == "NodeName=$host "* ]] || { echo "slurmcluster: slurmd -C said '$node'" >&2; exit 1; }

  mkdir -p "$dir"/{state,spool,log,run,jobs}
  chmod 0755 "$dir"
  install -d -o munge -g munge -m 0755 "$dir/munge"
  install -d -o munge -g munge -m 0700 "$dir/munge/private"
  cat >"$conf" <<EOF
ClusterName=pcstudiotest
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/munge/munge.socket
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/run/slurmctld.pid
SlurmdPidFile=$dir/run/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
# No cgroups, so it runs in containers.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
ReturnToService=2
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
# Finished jobs stay visible to scontrol (their exit codes) for an hour; a job whose afterok
# dependency failed is cancelled instead of pending for ever; cancelled jobs die within 2 s.
MinJobAge=3600
DependencyParameters=kill_invalid_depend
KillWait=2
SchedulerParameters=batch_sched_delay=0
InactiveLimit=0
$node NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=test Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF

  trap 'echo "slurmcluster: start failed" >&2; print_logs >&2; stop' EXIT
  if [ -n "${PCSTUDIO_SLURM_OWNER_PID:-}" ]; then
    # In a session of its own, so a Ctrl-C to the test does not end it before it cleans up.
    setsid bash "$self" watch "$dir" "$PCSTUDIO_SLURM_OWNER_PID" </dev/null >/dev/null 2>&1 &
    echo $! >"$dir/run/watcher.pid"
  fi
  runuser -u munge -- mungekey --create --keyfile="$dir/munge/private/munge.key"
  env "$marker" runuser -u munge -- munged --socket="$dir/munge/munge.socket" \
    --key-file="$dir/munge/private/munge.key" --pid-file="$dir/munge/munged.pid" \
    --log-file="$dir/munge/private/munged.log" --seed-file="$dir/munge/private/munged.seed"
  wait_for 10 test -S "$dir/munge/munge.socket" \
    || { echo "slurmcluster: munged made no socket" >&2; exit 1; }
  env "$marker" slurmctld -f "$conf"
  if ! wait_for_daemon 20 "$dir/run/slurmctld.pid" scontrol ping; then
    if grep -q "Address already in use" "$dir/log/slurmctld.log" 2>/dev/null; then
      port_race "slurmctld's port $ctld_port is in use"
    fi
    echo "slurmcluster: slurmctld does not answer" >&2
    exit 1
  fi
  env "$marker" slurmd -f "$conf"
  # shellcheck disable=SC2016  # expanded by that bash
  if ! wait_for_daemon 30 "$dir/run/slurmd.pid" \
    bash -c '[ "$(sinfo -h -N -o %T 2>/dev/null)" = idle ]'; then
    if grep -q "Address already in use" "$dir/log/slurmd.log" 2>/dev/null; then
      port_race "slurmd's port $slurmd_port is in use"
    fi
    echo "slurmcluster: node $host not idle: $(sinfo -h -N -o '%T %E' 2>&1)" >&2
    exit 1
  fi
  trap - EXIT
}

submit() {
  local id
  id=$(sbatch --parsable --export="ALL,$marker" --output="$dir/jobs/%j.out" \
    --error="$dir/jobs/%j.err" "$@")
  echo "${id%%;*}"
}

# One line per job record; scontrol keeps finished ones for MinJobAge (no accounting database).
job_lines() {
  local id
  for id in "$@"; do
    scontrol -o show job "$id" | awk '{
      delete f
      for (i = 1; i <= NF; ++i) { n = index($i, "="); f[substr($i, 1, n - 1)] = substr($i, n + 1) }
      print f["JobId"] "\t" f["ArrayJobId"] "\t" f["ArrayTaskId"] "\t" f["JobState"] "\t" \
        f["ExitCode"] "\t" f["StdOut"] "\t" f["StdErr"] }'
  done
}

wait_jobs() {
  local seconds=${1:?wait DIR SECONDS JOBID...} ids
  shift
  ids=$(IFS=,; echo "$*")
  if ! wait_for "$seconds" none_queued "$ids"; then
    echo "slurmcluster: jobs $ids still queued after ${seconds}s:" >&2
    squeue -j "$ids" -o '%i %T %r' >&2 || true
    job_lines "$@"
    return 124
  fi
  local lines
  lines=$(job_lines "$@")
  echo "$lines"
  ! awk -F '\t' '$4 != "COMPLETED" || $5 != "0:0" { bad = 1 } END { exit !bad }' <<<"$lines"
}

# Running (a zombie waiting for its reaper counts as gone).
alive() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) && [ "$(cut -d ' ' -f 1 <<<"${stat##*) }")" != Z ]
}

stop_pid() {  # stop_pid PID: SIGTERM, then SIGKILL after 10 s
  local pid=$1
  kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 100); do
    alive "$pid" || return 0
    sleep 0.1
  done
  echo "slurmcluster: pid $pid ignored SIGTERM; killing it" >&2
  kill -KILL "$pid" 2>/dev/null || true
}

# Stops the cluster once its owner has gone without stopping it, and removes DIR.
watch_owner() {
  local owner=${1:?watch DIR PID}
  while alive "$owner" && [ -e "$conf" ]; do
    sleep 1
  done
  alive "$owner" || { stop; rm -rf -- "$dir"; }
}

stop() {
  local pid
  pid=$(tr -dc 0-9 2>/dev/null <"$dir/run/watcher.pid") || true
  if [ -n "$pid" ] && [ "$pid" != $$ ] \
    && tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline" | grep -qF " watch $dir "; then
    kill -TERM "$pid" 2>/dev/null || true
  fi
  if [ -n "$(our_pid "$dir/run/slurmctld.pid")" ]; then
    scancel --partition=test 2>/dev/null || true
    wait_for 10 none_queued || echo "slurmcluster: jobs left" >&2
  fi
  for pid in "$dir/run/slurmd.pid" "$dir/run/slurmctld.pid" "$dir/munge/munged.pid"; do
    pid=$(our_pid "$pid") && stop_pid "$pid"
  done
  # What survives its daemon (slurmstepd outlives slurmd by design) is ended too, by its PID.
  for pid in $(marked_pids); do
    echo "slurmcluster: ending leftover pid $pid: $(tr '\0' ' ' 2>&1 <"/proc/$pid/cmdline")" >&2
    kill -KILL "$pid" 2>/dev/null || true
  done
  return 0
}

case $command in
  start) start ;;
  submit) submit "$@" ;;
  wait) wait_jobs "$@" ;;
  watch) watch_owner "$@" ;;
  logs) print_logs ;;
  stop) stop ;;
  *) echo "slurmcluster: unknown command $command" >&2; exit 2 ;;
esac
