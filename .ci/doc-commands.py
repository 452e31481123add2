#!/usr/bin/env python3
"""Runs every command that README.md and docs/*.md show, as a user would from the checkout's root.

The documented commands are the logical lines (joined at trailing backslashes) of the ```bash / ```sh blocks; comment
lines are not commands. A command may carry a note for CI, either as a trailing comment or as a comment line right
above it:

    # CI: with --quick          the flag is added to -Dexec.args (or appended), so a training command runs briefly
    # CI: with --help           -Dexec.args becomes --help (a command CI cannot feed, but whose options must parse)
    # CI: not run, <reason>     listed as skipped, with the reason (the docs say so next to the command)
    # CI: runs as the test stage   the README's test command, which .ci/run runs after this script

Every inline code span of the prose, and every line of an indented code block, that is a command (starts with mvn,
java, bash, python3, OMP_NUM_THREADS= or a path to a script) must also appear in a bash block, as a whole command or as one part of a `&&` chain, so that it is run
too; one that does not is reported and fails the run.

Commands run with bash in the checkout's root, one after another in document order (README.md first), with DATA set
to an empty temporary folder (the documented sample-data command fills it) unless DATA is already set. Each command's
output goes to target/doc-commands/NN.log; the table of commands and their status is printed at the end, and written
to target/doc-commands/summary.md. Exit status 1 if a command failed.

usage: python3 .ci/doc-commands.py [--list] [--only SUBSTRING] [--timeout SECONDS]
"""
import argparse
import os
import re
import shlex
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MARK = re.compile(r"\s#\s*CI:\s*(.*)$|^#\s*CI:\s*(.*)$")
INLINE = re.compile(r"`([^`\n]+)`")
INLINE_COMMAND = re.compile(r"^(mvn|java|bash|python3)\s|^OMP_NUM_THREADS=\S+\s+\S|^[\w.-]+/[\w./-]+\.sh(\s|$)")


@dataclass
class Command:
    file: str
    line: int
    text: str
    note: str = ""
    status: str = ""
    seconds: float = 0.0
    detail: str = ""
    run_text: str = field(default="")

    @property
    def mode(self):
        n = self.note.lower()
        if n.startswith("not run"):
            return "skip"
        if n.startswith("runs as the test stage"):
            return "test-stage"
        if n.startswith("with --quick"):
            return "--quick"
        if n.startswith("with --help"):
            return "--help"
        if n:
            raise SystemExit(f"{self.file}:{self.line}: unknown CI note '{self.note}' (see .ci/doc-commands.py)")
        return "as shown"


def split_note(line):
    """A physical line without its CI note, and the note ('' if none)."""
    m = MARK.search(line)
    if not m:
        return line, ""
    return line[: m.start()].rstrip(), (m.group(1) or m.group(2) or "").strip()


def documents():
    docs = sorted((ROOT / "docs").glob("*.md"))
    return [ROOT / "README.md"] + docs


def block_commands(path):
    """The commands of the bash blocks of one Markdown file, and the inline command spans of its prose."""
    commands, inline = [], []
    lines = path.read_text(encoding="utf-8").split("\n")
    rel = str(path.relative_to(ROOT))
    in_block, shell, pending_note = False, False, ""
    buf, buf_line, buf_note = [], 0, ""
    for i, raw in enumerate(lines, 1):
        stripped = raw.strip()
        if stripped.startswith("```"):
            if not in_block:
                in_block, shell = True, stripped[3:].strip() in ("bash", "sh", "shell")
                pending_note = ""
            else:
                in_block = False
            continue
        if not in_block:
            for span in INLINE.findall(raw):
                if INLINE_COMMAND.match(span.strip()):
                    inline.append((rel, i, span.strip()))
            if raw.startswith("    ") and INLINE_COMMAND.match(stripped):
                inline.append((rel, i, stripped))   # an indented code block: must also be in a bash block
            continue
        if not shell:
            continue
        if not buf:
            if not stripped:
                pending_note = ""
                continue
            if stripped.startswith("#"):
                _, note = split_note(stripped)
                if note:
                    pending_note = note
                continue
            buf_line, buf_note = i, pending_note
            pending_note = ""
        text, note = split_note(raw)
        buf_note = note or buf_note
        if text.rstrip().endswith("\\"):
            buf.append(text.rstrip()[:-1].rstrip())
            continue
        buf.append(text.strip())
        commands.append(Command(rel, buf_line, " ".join(p.strip() for p in buf if p.strip()), buf_note))
        buf = []
    return commands, inline


def with_flag(text, flag):
    """The command with flag in its -Dexec.args (replacing them for --help), or appended when it has none."""
    m = re.search(r'-Dexec\.args="([^"]*)"', text)
    if m:
        args = flag if flag == "--help" else (m.group(1) + " " + flag).strip()
        return text[: m.start()] + f'-Dexec.args="{args}"' + text[m.end():]
    if re.search(r"\bexec:java\b", text):
        return text + f' -Dexec.args="{flag}"'
    return text + " " + flag


def normalise(text):
    return " ".join(text.split())


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--list", action="store_true", help="list the commands and their CI mode, run nothing")
    ap.add_argument("--only", help="run only commands containing this text (the others are listed as not selected)")
    ap.add_argument("--timeout", type=int, default=1500, help="seconds per command (default 1500)")
    a = ap.parse_args()

    commands, inline = [], []
    for d in documents():
        c, i = block_commands(d)
        commands += c
        inline += i
    known = set()
    for c in commands:
        known.add(normalise(c.text))
        known.update(normalise(p) for p in c.text.split("&&"))
    missing = [(f, l, s) for f, l, s in inline if normalise(s) not in known]

    if a.list:
        for c in commands:
            print(f"{c.mode:12} {c.file}:{c.line}  {c.text}")
        for f, l, s in missing:
            print(f"{'INLINE ONLY':12} {f}:{l}  {s}")
        return 0

    logs = ROOT / "target" / "doc-commands"
    logs.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env.setdefault("DATA", tempfile.mkdtemp(prefix="pgm-doc-data-"))
    print(f"doc-commands: {len(commands)} commands from README.md and docs/*.md; DATA={env['DATA']}", flush=True)
    for n, c in enumerate(commands, 1):
        mode = c.mode
        if a.only and a.only not in c.text:
            c.status, c.detail = "SKIP", "not selected (--only)"
            continue
        if mode == "skip":
            c.status, c.detail = "SKIP", c.note
            continue
        if mode == "test-stage":
            c.status, c.detail = "SKIP", "run by .ci/run after this script"
            continue
        c.run_text = c.text if mode == "as shown" else with_flag(c.text, mode)
        log = logs / f"{n:02d}.log"
        print(f"[{n:02d}] {c.file}:{c.line} ({mode}) $ {c.run_text}", flush=True)
        t0 = time.time()
        with open(log, "w", encoding="utf-8") as out:
            out.write(f"$ {c.run_text}\n")
            out.flush()
            try:
                p = subprocess.run(["bash", "-o", "pipefail", "-c", c.run_text], cwd=ROOT, env=env, stdout=out,
                                   stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, timeout=a.timeout)
                rc = p.returncode
            except subprocess.TimeoutExpired:
                rc = "timeout"
        c.seconds = time.time() - t0
        c.status = "PASS" if rc == 0 else "FAIL"
        c.detail = f"log {log.relative_to(ROOT)}" + ("" if rc == 0 else f", exit {rc}")
        print(f"     {c.status} in {c.seconds:.0f} s ({c.detail})", flush=True)
        if rc != 0:
            tail = log.read_text(encoding="utf-8", errors="replace").splitlines()[-25:]
            print("\n".join("     | " + t for t in tail), flush=True)

    rows = ["| # | status | s | where | command as run (CI mode) | note |", "|---|---|---|---|---|---|"]
    for n, c in enumerate(commands, 1):
        shown = (c.run_text or c.text).replace("|", "\\|")
        rows.append(f"| {n} | {c.status} | {c.seconds:.0f} | {c.file}:{c.line} | `{shown}` ({c.mode}) | "
                    f"{c.detail.replace('|', '/')} |")
    for f, l, s in missing:
        rows.append(f"| - | FAIL | 0 | {f}:{l} | `{s}` (inline) | shown only inline or indented: put it in a bash block |")
    summary = "\n".join(rows) + "\n"
    (logs / "summary.md").write_text(summary, encoding="utf-8")
    print("\n" + summary)
    passed = sum(c.status == "PASS" for c in commands)
    failed = sum(c.status == "FAIL" for c in commands) + len(missing)
    skipped = sum(c.status == "SKIP" for c in commands)
    print(f"doc-commands: {passed} passed, {failed} failed, {skipped} skipped")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
