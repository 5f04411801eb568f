#!/usr/bin/env bash
# `kstep sweep --slurm` on a real Slurm: a single-node cluster on this machine (Debian's Slurm 22.05,
# munge), started here and stopped again. It checks that
#   1. a sweep submitted with --slurm --shards 4 gives, after its merge job, cells.csv, curves.csv,
#      adjoints.csv and summary.csv byte-identical (wall_ms aside) to one local run of the same sweep;
#   2. a second submission into the folder is refused while the first one's jobs are queued, and a
#      submission sbatch refuses (an unknown partition) exits 1 with Slurm's message and writes nothing;
#   3. a shard cancelled mid-run (scancel) keeps its finished rows, Slurm cancels the merge job,
#      `kstep status` shows it, `kstep merge` refuses naming the shard, and the same command with
#      --resume runs only that shard's missing cells and merges the same bytes as the local run.
# Needs root (it installs slurmctld, slurmd, slurm-client and munge when missing, and runs the daemons).
# The configuration, state and logs live in a temporary folder that is removed at the end; the daemons
# this script started, and only those, are stopped by their PIDs, also when a check fails.
# Prints one line "slurm: passed in N s" (or "slurm: FAILED: ...", exit code 1). Runs in about a minute
# on 2 cores once the packages are installed.
set -euo pipefail

T0=$(date +%s)
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
KSTEP=(node "$ROOT/bin/kstep.js")
WORK=$(mktemp -d /tmp/kstep-slurm.XXXXXX)
STATE="$WORK/state"
STARTED=()   # "name:pid" of the daemons this script started, in start order

say() { echo "slurm: $*" >&2; }

show_logs() {
  for f in "$STATE"/*.log "$WORK"/*/slurm/*.log; do
    [ -f "$f" ] || continue
    echo "--- $f (last 15 lines)" >&2
    tail -n 15 "$f" >&2
  done
}

fail() {
  echo "slurm: FAILED: $*" >&2
  show_logs
  exit 1
}

stop_daemons() {
  local i entry pid
  for ((i = ${#STARTED[@]} - 1; i >= 0; i--)); do
    entry=${STARTED[i]}
    pid=${entry#*:}
    if kill -0 "$pid" 2>/dev/null; then
      kill "$pid" 2>/dev/null || true
      # slurmctld saves its state on the way out; give each a few seconds, then insist.
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
  done
  STARTED=()
}

cleanup() {
  local code=$?
  stop_daemons
  rm -rf "$WORK"
  exit "$code"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

[ "$(id -u)" = 0 ] || fail "needs root: it installs Slurm and munge when missing and runs their daemons"
[ -f "$ROOT/dist/src/cli.js" ] || fail "build first (npm run build)"

# ---- packages --------------------------------------------------------------------------------
PKGS=(slurmctld slurmd slurm-client munge)
installed() { [ "$(dpkg-query -W -f='${Status}\n' "${PKGS[@]}" 2>/dev/null | grep -c '^install ok installed$')" = "${#PKGS[@]}" ]; }
if ! installed; then
  say "installing ${PKGS[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >"$WORK/apt.log" 2>&1 || fail "apt-get update: $(tail -n 3 "$WORK/apt.log")"
  apt-get install -y -qq --no-install-recommends "${PKGS[@]}" >>"$WORK/apt.log" 2>&1 || fail "apt-get install: $(tail -n 3 "$WORK/apt.log")"
fi
[ -f /etc/munge/munge.key ] || fail "/etc/munge/munge.key is missing (munge's installation makes it)"

# ---- configuration ---------------------------------------------------------------------------
# One node, this machine: CPUs are the unit of allocation (no memory accounting), processes are
# tracked without cgroups, there is no accounting database (so jobs are followed with squeue).
mkdir -p "$STATE/spool" "$STATE/ctld"
HOST=$(hostname -s)
CPUS=$(nproc)
MEM_MB=$(($(awk '/^MemTotal:/ {print $2}' /proc/meminfo) / 1024 * 9 / 10))
export SLURM_CONF="$WORK/slurm.conf"
cat >"$SLURM_CONF" <<EOF
ClusterName=kstep-test
SlurmctldHost=$HOST
SlurmctldPort=6917
SlurmdPort=6918
SlurmUser=root
AuthType=auth/munge
MpiDefault=none
MailProg=/bin/true
ReturnToService=2
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
SlurmdSpoolDir=$STATE/spool
StateSaveLocation=$STATE/ctld
SlurmctldPidFile=$STATE/slurmctld.pid
SlurmdPidFile=$STATE/slurmd.pid
SlurmctldLogFile=$STATE/slurmctld.log
SlurmdLogFile=$STATE/slurmd.log
NodeName=$HOST CPUs=$CPUS RealMemory=$MEM_MB State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF

# ---- daemons ---------------------------------------------------------------------------------
# Each runs in the foreground of a background job, so $! is the daemon itself; their output goes to
# files and their stdin is /dev/null, or the step that runs this script would wait for them.
if munge -n >/dev/null 2>&1; then
  say "using the munged already running"
else
  install -d -o munge -g munge -m 0755 /run/munge
  setpriv --reuid=munge --regid=munge --init-groups /usr/sbin/munged --foreground </dev/null >"$STATE/munged.log" 2>&1 &
  STARTED+=("munged:$!")
  for _ in $(seq 100); do munge -n >/dev/null 2>&1 && break; sleep 0.1; done
  munge -n >/dev/null 2>&1 || fail "munged did not start"
fi
slurmctld -D -i </dev/null >"$STATE/slurmctld.out" 2>&1 &
STARTED+=("slurmctld:$!")
slurmd -D </dev/null >"$STATE/slurmd.out" 2>&1 &
STARTED+=("slurmd:$!")
for _ in $(seq 300); do [ "$(sinfo -h -o %t 2>/dev/null)" = idle ] && break; sleep 0.1; done
[ "$(sinfo -h -o %t 2>/dev/null)" = idle ] || fail "the node did not become idle: $(sinfo 2>&1 | tail -n 2)"
say "cluster up after $(($(date +%s) - T0)) s ($CPUS CPUs on $HOST)"

# ---- functions -------------------------------------------------------------------------------
# The job ids a submission recorded: "array merge" (the array is "-" when only the merge was submitted).
jobs_of() {
  node -e 'const r = require(process.argv[1]); const s = r.submissions.at(-1); console.log(`${s.array_job ?? "-"} ${s.merge_job}`)' "$1/slurm/jobs.json"
}

# Waits until none of the jobs is queued or running any more (squeue lists only those).
wait_jobs() {
  local ids=$1 left
  for _ in $(seq 1200); do
    left=$(squeue -h -j "$ids" -o %i 2>/dev/null || true)
    [ -z "$left" ] && return 0
    sleep 0.1
  done
  fail "jobs $ids still queued after 120 s: $(squeue -j "$ids" 2>&1)"
}

# Data rows of a results folder's cells.csv (0 when there is none yet).
rows() {
  if [ -f "$1/cells.csv" ]; then echo $(($(grep -c $'\r$' "$1/cells.csv") - 1)); else echo 0; fi
}

# ---- the experiment and its local reference -----------------------------------------------------
# 16 cells of about a second each; shard i of 4 holds cells i, i+4, i+8, i+12.
cd "$WORK"
cat >exp.json <<'EOF'
{
  "name": "slurm-check",
  "seed": 0,
  "budget": 2e6,
  "target": 1e-12,
  "grid": { "K": [2, 4], "activation": ["tanh", "relu"], "optimizer": ["bptt", "ga"], "seed": [0, 1] },
  "fixed": { "hidden": [8], "train": 16, "test": 16 },
  "optimizers": { "ga": { "population": 8, "parents": 2 } }
}
EOF
"${KSTEP[@]}" sweep exp.json --workers 2 --out "$WORK/local" --quiet >/dev/null 2>"$WORK/local.err" || fail "the local sweep: $(cat "$WORK/local.err")"
say "local sweep done after $(($(date +%s) - T0)) s"

# ---- 1. a sweep through Slurm, merged ---------------------------------------------------------
"${KSTEP[@]}" sweep exp.json --slurm --shards 4 --out "$WORK/a" >"$WORK/a.out" 2>&1 || fail "submission: $(cat "$WORK/a.out")"
grep -q 'submitted kstep sweep slurm-check to Slurm: array job [0-9]* (shards 0-3 of 4, 1 CPU each), merge job [0-9]*' "$WORK/a.out" ||
  fail "unexpected submission output: $(cat "$WORK/a.out")"
read -r A_ARRAY A_MERGE < <(jobs_of "$WORK/a")
# While its jobs are queued or running, the folder takes no second submission.
set +e
"${KSTEP[@]}" sweep exp.json --slurm --shards 4 --out "$WORK/a" --resume >"$WORK/a2.out" 2>&1
code=$?
set -e
[ "$code" = 2 ] && grep -q "^kstep: --slurm: jobs .* of the earlier submission into $WORK/a are still in Slurm's queue; nothing was submitted" "$WORK/a2.out" ||
  fail "a second submission while the first runs was not refused (exit $code): $(cat "$WORK/a2.out")"
wait_jobs "$A_ARRAY,$A_MERGE"
node "$ROOT/test/slurm/compare.mjs" "$WORK/local" "$WORK/a" >&2 || fail "the merged results differ from the local run"
"${KSTEP[@]}" status "$WORK/a" >"$WORK/a.status" || fail "kstep status: $(cat "$WORK/a.status")"
grep -q "^merge  *COMPLETED$" "$WORK/a.status" || fail "status does not show the merge job COMPLETED: $(cat "$WORK/a.status")"
grep -q "^merged: 16/16 cells" "$WORK/a.status" || fail "status does not show 16/16 merged: $(cat "$WORK/a.status")"
say "1. sharded on Slurm and merged: identical to the local run ($(($(date +%s) - T0)) s)"

# ---- 2. a submission Slurm refuses -----------------------------------------------------------
set +e
"${KSTEP[@]}" sweep exp.json --slurm --shards 4 --partition no-such-partition --out "$WORK/refused" >"$WORK/refused.out" 2>&1
code=$?
set -e
[ "$code" = 1 ] || fail "a refused submission exited with $code, not 1: $(cat "$WORK/refused.out")"
grep -q '^kstep: sbatch refused the job array: sbatch: error: .*[Ii]nvalid partition' "$WORK/refused.out" ||
  fail "a refused submission did not print Slurm's message: $(cat "$WORK/refused.out")"
[ "$(wc -l <"$WORK/refused.out")" = 1 ] || fail "a refusal is one line: $(cat "$WORK/refused.out")"
[ ! -e "$WORK/refused" ] || fail "a refused submission left $WORK/refused behind"
say "2. refused while queued (exit 2) and by sbatch (exit 1, Slurm's message, nothing written)"

# ---- 3. a shard cancelled mid-run, then resubmitted with --resume ------------------------------------
"${KSTEP[@]}" sweep exp.json --slurm --shards 4 --out "$WORK/b" >"$WORK/b.out" 2>&1 || fail "submission: $(cat "$WORK/b.out")"
read -r B_ARRAY B_MERGE < <(jobs_of "$WORK/b")
for _ in $(seq 1200); do
  n=$(rows "$WORK/b/shard-1-of-4")
  [ "$n" -ge 1 ] && break
  sleep 0.05
done
[ "$n" -ge 1 ] && [ "$n" -lt 4 ] || fail "shard 1 was not caught mid-run ($n of 4 cells done)"
scancel "${B_ARRAY}_1"
wait_jobs "$B_ARRAY,$B_MERGE"
kept=$(rows "$WORK/b/shard-1-of-4")
[ "$kept" -ge 1 ] && [ "$kept" -lt 4 ] || fail "the cancelled shard holds $kept of 4 cells"
[ ! -f "$WORK/b/cells.csv" ] || fail "the merge ran although shard 1 was cancelled"
"${KSTEP[@]}" status "$WORK/b" >"$WORK/b.status" || fail "kstep status: $(cat "$WORK/b.status")"
grep -q "^1/4  *$kept/4  *CANCELLED" "$WORK/b.status" || fail "status does not show shard 1 cancelled with $kept/4: $(cat "$WORK/b.status")"
grep -q "^merge  *CANCELLED (DependencyNeverSatisfied)" "$WORK/b.status" || fail "status does not show the merge job cancelled: $(cat "$WORK/b.status")"
grep -q "^incomplete and not in Slurm's queue: shard 1/4;" "$WORK/b.status" || fail "status does not name the shard to finish: $(cat "$WORK/b.status")"
set +e
"${KSTEP[@]}" merge "$WORK"/b/shard-{0,1,2,3}-of-4 --out "$WORK/b" >/dev/null 2>"$WORK/b.merge"
code=$?
set -e
[ "$code" = 2 ] || fail "a merge with an incomplete shard exited with $code, not 2: $(cat "$WORK/b.merge")"
grep -q "^kstep: $WORK/b/shard-1-of-4: shard 1/4 is incomplete: $kept of 4 cells done" "$WORK/b.merge" ||
  fail "the merge did not name the incomplete shard: $(cat "$WORK/b.merge")"
"${KSTEP[@]}" sweep exp.json --slurm --shards 4 --out "$WORK/b" --resume >"$WORK/b2.out" 2>&1 || fail "resubmission: $(cat "$WORK/b2.out")"
grep -q "array job [0-9]* (shard 1 of 4, 1 CPU each)" "$WORK/b2.out" || fail "the resubmission did not run shard 1 alone: $(cat "$WORK/b2.out")"
read -r C_ARRAY C_MERGE < <(jobs_of "$WORK/b")
wait_jobs "$C_ARRAY,$C_MERGE"
grep -q "resume: $kept of 4 cells already done" "$WORK/b/slurm/shard-1.job$C_ARRAY.log" ||
  fail "the resubmitted shard did not resume: $(cat "$WORK/b/slurm/shard-1.job$C_ARRAY.log")"
node "$ROOT/test/slurm/compare.mjs" "$WORK/local" "$WORK/b" >&2 || fail "the resumed and merged results differ from the local run"
say "3. shard 1 cancelled after $kept of 4 cells, resumed alone, merged: identical to the local run"

stop_daemons
echo "slurm: passed in $(($(date +%s) - T0)) s"
