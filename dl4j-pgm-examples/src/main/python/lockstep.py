#!/usr/bin/env python3
"""Runs two benchmark processes in turns: round by round, one times its share of the steps while the other waits.

bench/pgm-vs-torch.sh runs FusionStepBenchmark (PgM) and pgm_peer.py (its PyTorch peer) this way, both with --lockstep
R and their training threads pinned to the same core. A shared machine's speed drifts by 10-20 % within an hour and
one core's for minutes; two processes run a minute apart can meet different phases of it, and their ratio moves with
them. Taking turns within seconds, both meet the same phases (docs/performance.md, "PgM and the peer in turns").

The protocol (FusionStepBenchmark's Lockstep class): each process prints 'ready' after its warm-up, then waits for a
line 'go' on standard input before each of its R rounds and prints 'round I fitMs=.. fitCpuMs=.. fitProcessCpuMs=..
outputMs=.. outputCpuMs=.. steps=K' after it; after the last round it waits for the end of its input, which comes
when the other process has ended, so that neither's last work shares the core with the other's last round. The first
process goes first in even rounds, the second in odd ones.
Each process's standard output goes whole to its log file, its standard error to the same name with '.err'. Prints
per round the two processes' thread CPU ms per fit step and per output call and their ratios (first / second), and
the spread of those ratios; exits 1 when a process fails or breaks the protocol.

usage: lockstep.py --rounds R --names A B --logs LOG_A LOG_B -- COMMAND_A... :: COMMAND_B...
"""
import argparse
import statistics
import subprocess
import sys


class Turn:
    """One of the two processes: its command, its log, and the lines it has printed."""

    def __init__(self, name, command, log):
        self.name, self.command, self.log_path = name, command, log
        self.log = open(log, "w")
        self.err_path = log + ".err"
        self.proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=open(self.err_path, "w"), text=True, bufsize=1)

    def read_until(self, prefix, what):
        """The first line that starts with prefix; every line read goes to the log."""
        for line in self.proc.stdout:
            self.log.write(line)
            if line.startswith(prefix):
                return line
        self.log.flush()
        raise SystemExit(f"lockstep: {self.name} ended before {what} (exit {self.proc.wait()}); the end of "
                         f"{self.err_path}:\n" + "".join(open(self.err_path).readlines()[-15:]))

    def go(self, r):
        """Starts round r and returns its times."""
        try:
            self.proc.stdin.write("go\n")
            self.proc.stdin.flush()
        except BrokenPipeError:
            pass  # the process has ended: read_until says so with its exit status
        return parse_round(self.read_until("round ", f"round {r}"), self.name, r)

    def finish(self):
        """Closes the process's input, logs the rest of its output and waits for it; its exit status."""
        self.proc.stdin.close()
        for line in self.proc.stdout:
            self.log.write(line)
        self.log.close()
        return self.proc.wait()


def parse_round(line, name, r):
    """The key=value pairs of a 'round I ...' line, as floats; checks that it is round r."""
    fields = line.split()
    if len(fields) < 2 or fields[1] != str(r):
        raise SystemExit(f"lockstep: {name} reported {line.strip()!r} where round {r} was expected")
    try:
        return {k: float(v) for k, v in (f.split("=", 1) for f in fields[2:])}
    except ValueError:
        raise SystemExit(f"lockstep: {name}'s round {r} line is not key=number pairs: {line.strip()!r}")


def split_commands(argv):
    """COMMAND_A... :: COMMAND_B... as two lists."""
    if "::" not in argv:
        raise SystemExit("lockstep: expected two commands separated by '::' after '--'")
    i = argv.index("::")
    if i == 0 or i == len(argv) - 1:
        raise SystemExit("lockstep: both commands must be given, around '::'")
    return argv[:i], argv[i + 1:]


def main():
    a = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    a.add_argument("--rounds", type=int, required=True, metavar="R")
    a.add_argument("--names", nargs=2, default=["first", "second"], metavar=("A", "B"))
    a.add_argument("--logs", nargs=2, required=True, metavar=("LOG_A", "LOG_B"))
    a.add_argument("commands", nargs=argparse.REMAINDER, help="-- COMMAND_A... :: COMMAND_B...")
    o = a.parse_args()
    if o.rounds < 1:
        a.error(f"--rounds: expected at least 1, found {o.rounds}")
    commands = o.commands[1:] if o.commands[:1] == ["--"] else o.commands
    first, second = split_commands(commands)
    turns = [Turn(o.names[0], first, o.logs[0]), Turn(o.names[1], second, o.logs[1])]
    for t in turns:
        t.read_until("ready", "its warm-up ended ('ready')")
    ratios = {"fitCpuMs": [], "outputCpuMs": []}
    for r in range(o.rounds):
        order = turns if r % 2 == 0 else turns[::-1]
        times = {t.name: t.go(r) for t in order}
        x, y = times[turns[0].name], times[turns[1].name]
        for k in ratios:
            ratios[k].append(x[k] / y[k])
        print(f"round {r + 1} of {o.rounds} ({order[0].name} first, {int(x['steps'])} steps each): thread CPU ms "
              f"per fit step {turns[0].name} {x['fitCpuMs']:.2f}, {turns[1].name} {y['fitCpuMs']:.2f}: "
              f"{ratios['fitCpuMs'][-1]:.2f}x; per output {x['outputCpuMs']:.2f}, {y['outputCpuMs']:.2f}: "
              f"{ratios['outputCpuMs'][-1]:.2f}x", flush=True)
    failed = [(t.name, s) for t, s in ((t, t.finish()) for t in turns) if s != 0]
    for name, status in failed:
        print(f"lockstep: {name} exited with {status}", file=sys.stderr)
    if failed:
        sys.exit(1)
    print(f"rounds' ratios {turns[0].name} / {turns[1].name}: fit step "
          f"{min(ratios['fitCpuMs']):.2f}-{max(ratios['fitCpuMs']):.2f}x "
          f"(median {statistics.median(ratios['fitCpuMs']):.2f}x), output "
          f"{min(ratios['outputCpuMs']):.2f}-{max(ratios['outputCpuMs']):.2f}x "
          f"(median {statistics.median(ratios['outputCpuMs']):.2f}x)")


if __name__ == "__main__":
    main()
