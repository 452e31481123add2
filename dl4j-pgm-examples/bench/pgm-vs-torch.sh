#!/usr/bin/env bash
# PgM's training step against its PyTorch peer (src/main/python/pgm_peer.py), one thread each, on the same shapes:
#   main-config   the cpu preset's shapes (the main job's before its mainjob preset took D 64): B 128, D 32, N 1,
#                 SEQUENCE learners; --main-width 64 takes the main job's width instead
#   paper-config  B 32, D 768, N 3 (the other settings as main-config)
# For each configuration the peer and bench/FusionStepBenchmark (PgM only) run --repeats times, each run in turns
# (--schedule lockstep, the default): both processes warm up, then take turns on one core for --rounds rounds
# (src/main/python/lockstep.py: PgM times its share of the steps and as many forward calls while the peer waits, then
# the peer, the order alternating), so that both meet the same phases of a shared machine; --schedule sequential runs
# the peer, then PgM, each whole (as the runs of docs/performance.md before "PgM and the peer in turns"). The
# parameter counts per vertex and per PgM component must be equal (else exit 1). Prints per run (and per round) the
# ms per fit step, CPU ms and ms per forward (output) of both, and as its last line
#   pgm-vs-torch main-config <ratio>x paper-config <ratio>x gemm-share <percent>%
# ratio = PgM ms per fit step / peer ms per step, median over the repeats; ms per step is the CPU time of the thread
# that trains (with one OpenMP thread every op runs on it), which on an idle machine equals the wall clock of these
# one-thread runs and, unlike it, does not count the time other processes hold the cores. --clock process takes the
# CPU time of the whole process (for the JVM it includes the JIT compiler, which still compiles during these short
# runs, and the garbage collector), --clock wall the wall clock; all three are printed per run. gemm-share = the
# GFLOP/s of the matrix products a PgM training step runs at paper-config (its gradient function's: the forward pass
# once, the backward pass; per second of the training thread's CPU time) as a share of ND4J's [512, 512] x [512, 512]
# gemm in the same process (the median of 9 measurements after the timed steps). Before the last line it prints the
# same share for the peer's step: PgM's count of FLOPs (the peer's step runs the same products: 26.5 GFLOP at
# paper-config by PyTorch's profiler against PgM's 26.3) per second of the peer's training-thread CPU time, against
# the same gemm.
# --nd4j-blas bundled (the default) runs PgM on the OpenBLAS 0.3.19 that ND4J 1.0.0-M2.1 ships, as its users run it;
# --nd4j-blas system on the peer's, the system's, through JavaCPP's -Dorg.bytedeco.openblas.load=openblas, and checks
# that ND4J loaded that very file (JavaCPP loads it by its unversioned name, libopenblas.so, which Debian's
# libopenblas-pthread-dev provides: the script installs it for this option). Debian's build packs the operands of a
# product faster and computes the same bits as ND4J's on this machine (the script compares them first, on the
# paper-config step's shapes): a paper-config step about 5 % faster, an output 5-10 % (docs/performance.md, "The
# peer's OpenBLAS: the same bits, faster packing").
#
# --malloc tuned (the default) runs both processes with glibc's malloc told to keep what is freed
# (MALLOC_MMAP_THRESHOLD_=33554432 MALLOC_TRIM_THRESHOLD_=4294967296): PyTorch's Adam allocates temporaries of every
# parameter's size at each step, which glibc otherwise maps fresh and returns, so each step faults the pages in again:
# on some machines that doubled the peer's paper-config step (docs/performance.md, "The peer's page faults");
# --malloc default leaves glibc's defaults.
#
# --pin cycle (the default) runs both sides of run r on the same CPU core, the r-th of the cores this script may use
# (cycling through them): each pins its training thread there (FusionStepBenchmark --cpu, pgm_peer.py --cpu), the
# JVM's other threads stay free. On a shared machine one core can run a sixth slower than another for minutes, and a
# one-thread process mostly stays where it started, so unpinned the two sides of a run may meet different cores
# (docs/performance.md, "The gemm share's reference as a median, and the cores' speeds"). --pin none leaves the
# threads to the scheduler. Pinning needs util-linux's taskset.
#
# --openblas-core NAME sets OPENBLAS_CORETYPE=NAME (OpenBLAS's kernels: Haswell, SkylakeX, ...) for both processes;
# without it both inherit the environment's value, printed before the runs. On a CPU that an OpenBLAS does not know it
# falls back to generic kernels: ND4J's 0.3.19 on AMD's family 26 to Barcelona, 3-5x slower products than the SkylakeX
# kernels, where Debian's 0.3.21 picks Cooperlake (docs/performance.md, "OpenBLAS's kernels on a CPU it does not
# know"); the two sides compare only on the same kernels.
#
# Usage (from the repository root, after `mvn -B -q -DskipTests install`):
#   bash dl4j-pgm-examples/bench/pgm-vs-torch.sh [--repeats N] [--steps N] [--main-warmup N] [--paper-warmup N]
#                                                [--clock thread|process|wall] [--main-width D]
#                                                [--nd4j-blas system|bundled] [--malloc tuned|default]
#                                                [--openblas-core NAME] [--pin cycle|none]
#                                                [--schedule lockstep|sequential] [--rounds R]
# --rounds R: rounds of a run in turns (default 10; paper-config takes one step a round, at most its timed steps).
# --main-warmup N: untimed steps before main-config's timed ones, for both (default 3; the JVM's JIT compiler is still
# at work after 3, and after 50 PgM's step is still about twice its steady state; after 500 the compiler still
# compiles the methods a step calls a few times, and a step takes about a fifth more than after 3000, which measures
# the steady state a long training run sees: docs/performance.md, "One float vector species, and the JIT compiler's
# warm-up"); both sides also make as many untimed forward (output) calls before the timed ones.
# --paper-warmup N: the same for paper-config (default 2; its timed steps are min(--steps, 5)). After 2 the JIT
# compiler is still compiling PgM's step (the JVM's other threads take 53-96 ms of CPU per step, 29-35 after 12), and
# PgM's step takes 1.7-3.2 % more than after 12, the peer's no more; after 30 no less than after 12
# (docs/performance.md, "The paper-config warm-up, measured again"), so the documented commands take 12.
# Installs Debian's python3-torch (PyTorch 1.13, CPU) and OpenBLAS with apt-get if /usr/bin/python3 cannot import torch
# or libblas.so.3 is not OpenBLAS.
# PGM_BENCH_CLASSPATH, when set, runs the Java main with `java -cp $PGM_BENCH_CLASSPATH` instead of Maven's exec:java.
set -euo pipefail

repeats=1
steps=20
main_warmup=3
paper_warmup=2
clock=thread
main_width=32
nd4j_blas=bundled
malloc=tuned
openblas_core=""
pin=cycle
schedule=lockstep
rounds=10
usage="usage: $0 [--repeats N] [--steps N] [--main-warmup N] [--paper-warmup N] [--clock thread|process|wall] [--main-width D] [--nd4j-blas system|bundled] [--malloc tuned|default] [--openblas-core NAME] [--pin cycle|none] [--schedule lockstep|sequential] [--rounds R]"
while [ $# -gt 0 ]; do
  case "$1" in
    --repeats) repeats="$2"; shift 2 ;;
    --steps) steps="$2"; shift 2 ;;
    --main-warmup) main_warmup="$2"; shift 2 ;;
    --paper-warmup) paper_warmup="$2"; shift 2 ;;
    --clock) clock="$2"; shift 2 ;;
    --main-width) main_width="$2"; shift 2 ;;
    --nd4j-blas) nd4j_blas="$2"; shift 2 ;;
    --malloc) malloc="$2"; shift 2 ;;
    --openblas-core) openblas_core="$2"; shift 2 ;;
    --pin) pin="$2"; shift 2 ;;
    --schedule) schedule="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    *) echo "$usage" >&2; exit 2 ;;
  esac
done
case "$clock" in thread|process|wall) ;; *) echo "$usage" >&2; exit 2 ;; esac
case "$nd4j_blas" in system|bundled) ;; *) echo "$usage" >&2; exit 2 ;; esac
case "$malloc" in tuned|default) ;; *) echo "$usage" >&2; exit 2 ;; esac
case "$pin" in cycle|none) ;; *) echo "$usage" >&2; exit 2 ;; esac
case "$schedule" in lockstep|sequential) ;; *) echo "$usage" >&2; exit 2 ;; esac
case "$rounds" in ''|*[!0-9]*|0) echo "$usage (--rounds: a whole number >= 1, found '$rounds')" >&2; exit 2 ;; esac
if [ "$malloc" = tuned ]; then
  export MALLOC_MMAP_THRESHOLD_=33554432 MALLOC_TRIM_THRESHOLD_=4294967296
fi
case "$main_warmup" in ''|*[!0-9]*) echo "$usage (--main-warmup: a whole number >= 0, found '$main_warmup')" >&2; exit 2 ;; esac
case "$paper_warmup" in ''|*[!0-9]*) echo "$usage (--paper-warmup: a whole number >= 0, found '$paper_warmup')" >&2; exit 2 ;; esac
case "$main_width" in ''|*[!0-9]*|0) echo "$usage (--main-width: a whole number >= 1, found '$main_width')" >&2; exit 2 ;; esac
case "$openblas_core" in
  *[!A-Za-z0-9]*) echo "$usage (--openblas-core: a kernel name such as SkylakeX, found '$openblas_core')" >&2; exit 2 ;;
esac
if [ -n "$openblas_core" ]; then
  export OPENBLAS_CORETYPE="$openblas_core"
fi

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
peer="$root/dl4j-pgm-examples/src/main/python/pgm_peer.py"
py=/usr/bin/python3
cd "$root"

# Debian's python3-torch does its matrix products through libblas.so.3, which resolves to the reference BLAS unless an
# optimised one is installed: about 5 GFLOP/s against 120-170 with OpenBLAS on the same core, a peer 15 times too slow
# at paper-config. So OpenBLAS comes with it, and the BLAS in use is printed.
blas_lib=/usr/lib/x86_64-linux-gnu/libblas.so.3
if ! "$py" -c 'import torch' 2>/dev/null || ! readlink -f "$blas_lib" | grep -q openblas; then
  echo "installing Debian's python3-torch and OpenBLAS" >&2
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  pkgs="python3-torch libopenblas0-pthread"
  $sudo_cmd apt-get install -y $pkgs >&2 || { $sudo_cmd apt-get update >&2 && $sudo_cmd apt-get install -y $pkgs >&2; }
fi
if ! readlink -f "$blas_lib" | grep -q openblas; then
  echo "libblas.so.3 is $(readlink -f "$blas_lib"), not OpenBLAS: the peer would run on the reference BLAS" >&2
  exit 1
fi
echo "peer's BLAS: $(readlink -f "$blas_lib")"
core_from="the environment"
[ -n "$openblas_core" ] && core_from="--openblas-core"
echo "OpenBLAS kernels of both processes: OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-unset} ($core_from)"
cpus=()
if [ "$pin" = cycle ]; then
  if ! command -v taskset >/dev/null; then
    echo "--pin cycle needs taskset (util-linux) to pin the JVM's training thread; or run with --pin none" >&2
    exit 1
  fi
  read -r -a cpus <<<"$("$py" -c 'import os; print(*sorted(os.sched_getaffinity(0)))')"
  echo "training threads pinned: run r of each configuration on core ${cpus[*]} in turn (--pin cycle)"
else
  echo "training threads not pinned (--pin none)"
fi
echo "glibc malloc of both processes: $malloc (MALLOC_MMAP_THRESHOLD_=${MALLOC_MMAP_THRESHOLD_:-unset}, MALLOC_TRIM_THRESHOLD_=${MALLOC_TRIM_THRESHOLD_:-unset})"
system_openblas="$(readlink -f /usr/lib/x86_64-linux-gnu/libopenblas.so.0)"
if [ "$nd4j_blas" = system ] && [ ! -e /usr/lib/x86_64-linux-gnu/libopenblas.so ]; then
  echo "installing libopenblas-pthread-dev: JavaCPP loads the system's OpenBLAS as libopenblas.so" >&2
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get install -y libopenblas-pthread-dev >&2 \
    || { $sudo_cmd apt-get update >&2 && $sudo_cmd apt-get install -y libopenblas-pthread-dev >&2; }
fi
if [ "$nd4j_blas" = system ]; then
  # Do the two files compute the same bits here? ND4J's file comes from its jar: JavaCPP's cache holds a link to the
  # system's file in its place after a run with the load property.
  nd4j_jar="${M2_REPO:-$HOME/.m2/repository}/org/bytedeco/openblas/0.3.19-1.5.7/openblas-0.3.19-1.5.7-linux-x86_64.jar"
  if [ -f "$nd4j_jar" ] && command -v unzip >/dev/null && "$py" -c 'import numpy' 2>/dev/null; then
    bits_dir="$(mktemp -d)"
    unzip -q -o "$nd4j_jar" 'org/bytedeco/openblas/linux-x86_64/*' -d "$bits_dir"
    nd4j_lib="$bits_dir/org/bytedeco/openblas/linux-x86_64"
    bits_status=0
    LD_LIBRARY_PATH="$nd4j_lib" "$py" "$root/dl4j-pgm-examples/src/main/python/openblas_builds.py" --bits \
        "bundled=$nd4j_lib/libopenblas.so.0" "system=$system_openblas" \
        --shapes 32:768:768 32:1536:768 32:2304:1536 96:768:768 96:1536:1536 >"$bits_dir/bits.txt" 2>&1 \
      || bits_status=$?
    case "$bits_status" in
      0) echo "ND4J's bundled OpenBLAS and the system's: the same bits for the paper-config step's product shapes" ;;
      3) echo "ND4J's bundled OpenBLAS and the system's differ on this CPU (PgM's results change with the file):"
         cat "$bits_dir/bits.txt" ;;
      *) echo "ND4J's bundled OpenBLAS not compared with the system's (openblas_builds.py exit $bits_status):"
         tail -n 5 "$bits_dir/bits.txt" ;;
    esac
    rm -rf "$bits_dir"
  else
    echo "ND4J's bundled OpenBLAS not compared with the system's: $nd4j_jar, unzip or NumPy missing"
  fi
fi

export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
export MAVEN_OPTS="${MAVEN_OPTS:--Xmx4g}"
blas_opts=""
[ "$nd4j_blas" = system ] && blas_opts="-Dorg.bytedeco.openblas.load=openblas"
MAVEN_OPTS="$MAVEN_OPTS $blas_opts"

java_command() {   # args of FusionStepBenchmark; sets java_argv to the command that runs it
  if [ -n "${PGM_BENCH_CLASSPATH:-}" ]; then
    java_argv=(java -Xmx4g --add-modules jdk.incubator.vector ${blas_opts:+"$blas_opts"} -cp "$PGM_BENCH_CLASSPATH"
               org.dl4jpgm.examples.bench.FusionStepBenchmark "$@")
  else
    java_argv=(mvn -B -q -pl dl4j-pgm-examples exec:java -Dexec.mainClass=org.dl4jpgm.examples.bench.FusionStepBenchmark
               "-Dexec.args=$*")
  fi
}

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# name, benchmark options, peer options, warm-up steps, timed steps
configs=(
  "main-config|--width $main_width --iterations 1 --batch 128|--width $main_width --iterations 1 --batch 128|$main_warmup|$steps"
  "paper-config|--width 768 --iterations 3 --batch 32|--width 768 --iterations 3 --batch 32|$paper_warmup|$(( steps < 5 ? steps : 5 ))"
)

for c in "${configs[@]}"; do
  IFS='|' read -r name jopts popts warm timed <<<"$c"
  for r in $(seq 1 "$repeats"); do
    cpu_opt=""
    where="not pinned"
    if [ "${#cpus[@]}" -gt 0 ]; then
      cpu="${cpus[$(( (r - 1) % ${#cpus[@]} ))]}"
      cpu_opt="--cpu $cpu"
      where="both on CPU $cpu"
    fi
    echo "== $name, run $r of $repeats, $where, $schedule, $(uptime | sed 's/.*load/load/')"
    if [ "$schedule" = lockstep ]; then
      turns=$(( rounds < timed ? rounds : timed ))
      java_command --fusions PGM $jopts --warmup "$warm" --steps "$timed" $cpu_opt --lockstep "$turns"
      if ! "$py" "$root/dl4j-pgm-examples/src/main/python/lockstep.py" --rounds "$turns" --names PgM peer \
          --logs "$work/$name-$r.out" "$work/$name-$r.peer" -- "${java_argv[@]}" :: \
          "$py" "$peer" $popts --threads 1 --warmup "$warm" --steps "$timed" $cpu_opt --lockstep "$turns"
      then
        tail -n 40 "$work/$name-$r.out" "$work/$name-$r.out.err" "$work/$name-$r.peer.err" >&2
        exit 1
      fi
      grep -v -E '^(round |ready$)' "$work/$name-$r.peer"
    else
      "$py" "$peer" $popts --threads 1 --warmup "$warm" --steps "$timed" $cpu_opt | tee "$work/$name-$r.peer"
      java_command --fusions PGM $jopts --warmup "$warm" --steps "$timed" $cpu_opt
      if ! "${java_argv[@]}" >"$work/$name-$r.out" 2>"$work/$name-$r.err"; then
        tail -n 40 "$work/$name-$r.out" "$work/$name-$r.err" >&2
        exit 1
      fi
    fi
    grep -E '^(result|parameters|\| PgM|training thread)' "$work/$name-$r.out" | tee "$work/$name-$r.java"
    loaded="$(sed -n 's/^result blas path=//p' "$work/$name-$r.out")"
    if [ "$nd4j_blas" = system ]; then
      IFS=',' read -r -a files <<<"$loaded"
      for f in "${files[@]}"; do
        if [ -z "$f" ] || ! cmp -s "$f" "$system_openblas"; then
          echo "ND4J loaded '$loaded', not the peer's OpenBLAS $system_openblas (--nd4j-blas system)" >&2
          exit 1
        fi
      done
    fi
  done
done
echo "PgM's BLAS: $nd4j_blas ($loaded)"

"$py" - "$work" "$repeats" "$clock" <<'EOF'
import json, re, statistics, sys
work, repeats, clock = sys.argv[1], int(sys.argv[2]), sys.argv[3]
key = {"thread": "cpuMsPerStep", "process": "processCpuMsPerStep", "wall": "msPerStep"}[clock]
summary = {}
for name in ("main-config", "paper-config"):
    ratios, share, peer_share = [], [], []
    for r in range(1, repeats + 1):
        peer = json.loads(next(l for l in open(f"{work}/{name}-{r}.peer") if l.startswith("RESULT "))[7:])
        java = open(f"{work}/{name}-{r}.java").read()
        res = dict(kv.split("=") for kv in re.search(r"^result PgM (.*)$", java, re.M).group(1).split())
        params = re.search(r"^parameters PgM: (.*)$", java, re.M).group(1)
        vertices, components = params.split("; ")
        jv = {k: int(v) for k, v in (kv.split("=") for kv in vertices.split())}
        jc = {k: int(v) for k, v in (kv.split("=") for kv in components.split(": ")[1].split())}
        if jv != peer["params"] or jc != peer["pgmParams"]:
            print(f"{name}: parameter counts differ\n  Java    {jv} {jc}\n  PyTorch {peer['params']} {peer['pgmParams']}")
            sys.exit(1)
        ratio = float(res[key]) / peer[key]
        ratios.append(ratio)
        r3 = {k: float(res[k]) / peer[k] for k in ("cpuMsPerStep", "processCpuMsPerStep", "msPerStep")}
        print(f"{name} run {r}: parameters equal ({sum(jv.values()):,}); ms per fit step, thread CPU / process CPU / "
              f"wall: PgM {float(res['cpuMsPerStep']):.1f} / {float(res['processCpuMsPerStep']):.1f} / "
              f"{float(res['msPerStep']):.1f}, peer {peer['cpuMsPerStep']:.1f} / {peer['processCpuMsPerStep']:.1f} / "
              f"{peer['msPerStep']:.1f}: {r3['cpuMsPerStep']:.2f}x / {r3['processCpuMsPerStep']:.2f}x / "
              f"{r3['msPerStep']:.2f}x; ms per forward (output), thread CPU / wall: PgM "
              f"{float(res['cpuMsPerOutput']):.1f} / {float(res['msPerOutput']):.1f}, peer {peer['cpuMsPerOutput']:.1f} / "
              f"{peer['msPerOutput']:.1f}: {float(res['cpuMsPerOutput']) / peer['cpuMsPerOutput']:.2f}x / "
              f"{float(res['msPerOutput']) / peer['msPerOutput']:.2f}x")
        gemm = re.search(r"^result gemm PgM (.*)$", java, re.M)
        if gemm:
            pgm_share = float(dict(kv.split("=") for kv in gemm.group(1).split())["largeShare"])
            share.append(pgm_share)
            peer_share.append(pgm_share * float(res["cpuMsPerStep"]) / peer["cpuMsPerStep"])
    summary[name] = (statistics.median(ratios), statistics.median(share), statistics.median(peer_share))
print(f"ratios from {dict(thread='the training thread CPU time', process='the process CPU time', wall='the wall clock')[clock]}, "
      f"median of {repeats} run(s)")
print(f"paper-config products per second of step as a share of ND4J's [512, 512] gemm, median: PgM "
      f"{summary['paper-config'][1]:.0f}%, the peer {summary['paper-config'][2]:.0f}% (PgM's FLOP count, per second of "
      f"the peer's thread CPU time)")
print(f"pgm-vs-torch main-config {summary['main-config'][0]:.1f}x paper-config {summary['paper-config'][0]:.1f}x "
      f"gemm-share {summary['paper-config'][1]:.0f}%")
EOF
