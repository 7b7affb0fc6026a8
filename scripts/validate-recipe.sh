#!/bin/bash
# Validates `reaplay recipe` on real kernels in the QEMU lab (../shared/lab, or LAB=DIR):
# for each kernel, dump its BTF, produce the recipe's kprobe definitions from that BTF, capture
# kvm_mn_eagain and premature with them, and check that `reaplay check` agrees with truth.json
# and with check on captures made with the lab's own definitions.
# Not part of npm test: minutes per kernel (a first run per kernel downloads and builds ~5 min).
#
#   scripts/validate-recipe.sh [KERNEL ...]        (default: 6.12 6.1 5.10)
#   WORK=DIR     build and capture folder (default /tmp/reaplay-validate); the lab writes there only
#   SCENARIOS    default "kvm_mn_eagain premature"
#   OWN=DIR      lab-own captures as DIR/<kernel>/<scenario> (with btf-vmlinux in kvm_mn_eagain); used
#                when it has every scenario, else ../shared/traces/<kernel>, else captured here
#   REUSE=1      compare captures already made with the recipe's kprobes instead of capturing again
#   LAB_BUILD    the lab's build folder (default $WORK/build; reuse one to skip the downloads)
# Writes the log to $WORK/validate-recipe.log (copy it to scripts/validate-recipe.last.txt to keep it).
set -u
HERE=$(cd "$(dirname "$0")/.." && pwd)
LAB=${LAB:-$HERE/../shared/lab}
WORK=${WORK:-/tmp/reaplay-validate}
SCENARIOS=${SCENARIOS:-kvm_mn_eagain premature}
KERNELS=${*:-6.12 6.1 5.10}
SHARED_TRACES=${SHARED_TRACES:-$HERE/../shared/traces}
mkdir -p "$WORK"
LOG=$WORK/validate-recipe.log
: > "$LOG"
say() { echo "[validate $(date -u +%T)] $*" | tee -a "$LOG"; }
lab() { # KERNEL OUT [env...] -- scenarios
  local k=$1 out=$2; shift 2
  env LAB_BUILD="${LAB_BUILD:-$WORK/build}" LAB_OUT="$out" KERNEL="$k" "$@" >> "$WORK/lab-$k.log" 2>&1
}
reaplay() { (cd "$HERE" && npx tsx bin/reaplay.ts "$@"); }

status=0
for k in $KERNELS; do
  say "== kernel $k"
  first=${SCENARIOS%% *}
  has_all() { local d=$1; for x in $SCENARIOS; do [ -f "$d/$x/truth.json" ] || return 1; done; }
  ownroot=""
  if [ -n "${OWN:-}" ] && has_all "$OWN/$k"; then ownroot=$OWN/$k
  elif has_all "$SHARED_TRACES/$k"; then ownroot=$SHARED_TRACES/$k
  elif has_all "$WORK/own/$k"; then ownroot=$WORK/own/$k; fi
  btf=""
  for d in "${OWN:-/nonexistent}/$k" "$WORK/own/$k"; do [ -f "$d/$first/btf-vmlinux" ] && { btf=$d/$first/btf-vmlinux; break; }; done
  # 1. the lab's own definitions, with the guest's BTF, for what is missing
  if [ -z "$ownroot" ] || [ -z "$btf" ]; then
    run=$first; [ -z "$ownroot" ] && run=$SCENARIOS
    say "capturing with the lab's own kprobes (LAB_DUMP_BTF=1): $run"
    lab "$k" "$WORK/own" LAB_DUMP_BTF=1 "$LAB/capture.sh" $run
    [ -z "$ownroot" ] && ownroot=$WORK/own/$k
    btf=$WORK/own/$k/$first/btf-vmlinux
  fi
  if [ ! -f "$btf" ]; then say "FAIL $k: no BTF dumped ($WORK/lab-$k.log)"; status=1; continue; fi
  say "lab-own captures: $ownroot"
  say "BTF $btf ($(stat -c %s "$btf") bytes)"
  # 2. the recipe's definitions from that BTF
  defs=$WORK/recipe-$k.kprobes.txt
  if ! reaplay recipe --btf "$btf" --notifiers kvm,mntest --format kprobe-events > "$defs" 2>> "$LOG"; then
    say "FAIL $k: reaplay recipe"; status=1; continue
  fi
  say "recipe definitions ($defs):"; grep -v '^#' "$defs" | tee -a "$LOG" > /dev/null
  # same offsets as the lab's: compare argument lists per probed function, names of events aside
  norm() { grep -v '^#' "$1" | sed -E 's/^([pr])[0-9]*:[^ ]+ /\1 /' | grep -v ' oom_reap_task_mm' | sort; }
  if diff <(norm "$defs") <(norm "$ownroot/$first/kprobe_events.txt") >> "$LOG"; then
    say "ok   $k: recipe definitions = the lab's ($ownroot/$first/kprobe_events.txt), event names aside"
  else say "DIFF $k: recipe definitions differ from the lab's (above)"; status=1; fi
  # 3. capture with the recipe's definitions
  if [ "${REUSE:-0}" = 1 ] && has_all "$WORK/recipe/$k"; then
    say "reusing the captures made with the recipe's kprobes in $WORK/recipe/$k ($(stat -c %y "$WORK/recipe/$k/$first/truth.json" | cut -d. -f1))"
  else
    say "capturing with the recipe's kprobes (LAB_KPROBES): $SCENARIOS"
    lab "$k" "$WORK/recipe" LAB_KPROBES="$defs" "$LAB/capture.sh" $SCENARIOS
  fi
  grep -h 'kprobe FAILED' "$WORK"/recipe/"$k"/*/lab.log | sed 's/^/  /' | tee -a "$LOG"
  # 4. check against truth.json and against the lab's own definitions
  for s in $SCENARIOS; do
    d=$WORK/recipe/$k/$s
    if [ ! -f "$d/truth.json" ]; then say "FAIL $k/$s: no capture ($WORK/lab-$k.log)"; status=1; continue; fi
    out=$WORK/compare-$k-$s.txt
    (cd "$HERE" && npx tsx scripts/validate-compare.ts "$k/$s" "$d" "$ownroot/$s") > "$out" 2>&1 || status=1
    cat "$out" >> "$LOG"; grep -v '^ok  ' "$out"
  done
done
say "done: $([ $status = 0 ] && echo 'all agree' || echo 'differences found')"
exit $status
