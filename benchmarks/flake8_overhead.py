#!/usr/bin/env python3
"""What installing the fluxloop-lint flake8 plugin costs flake8 on a real codebase.

    python3 dev.py bench            # or: .venv-bench/bin/python benchmarks/flake8_overhead.py [--repeats N]

Corpus: the `real` corpus of `lint_speed.py` (pinned real packages plus a few percent of
generated agent modules that use FluxLoop), built by its own builder.

Method: "without the plugin" must mean flake8 as it runs when the package is not installed,
not flake8 with FLX codes deselected (a deselected plugin still runs; and `--select=E,F,W`
would even keep FLX, since `F` is a prefix of it). So flake8 runs in a fresh interpreter of
this venv through a small launcher that, in the "without" mode, hides the `fluxloop-lint`
distribution from `importlib.metadata.distributions()`, where flake8 finds its plugins: the
entry point is never seen and the plugin module never imported, as if not installed. The
"with" mode runs the same launcher without hiding anything, so both pay the same launcher.
flake8 runs as users run it (default `--jobs`, i.e. one process per core) and with `-j 1`;
the two modes alternate, best of N runs each. `--isolated` keeps any flake8 configuration
out. Both wall time and CPU time (user + system of flake8 and its workers) are shown; the
target is judged on CPU time, the work the plugin adds, because wall time on a shared
2-core machine swings by more than the effect measured.

fluxloop_lint is byte-compiled first, as an installed package is (see
`lint_speed.byte_compile_code_under_test`): compiling its sources in every worker is not
what a user's flake8 pays when pip installed the wheel. Some users do pay it: those whose
installer writes no bytecode (uv by default) and who set PYTHONDONTWRITEBYTECODE. For them
one more row runs the default-jobs comparison with fluxloop_lint's `__pycache__` folders
removed and PYTHONDONTWRITEBYTECODE=1 in flake8's environment (the bytecode is written again
afterwards). That row is informational: the target is judged on the rows with bytecode.

Also measured: the same corpus without its FluxLoop modules (`--extend-exclude`), which is
the plugin's cost on a codebase that never mentions FluxLoop (a substring test per file).
Target: under 5% extra time on the real corpus.
"""

from __future__ import annotations

import argparse
import math
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from lint_speed import build_real_corpus, byte_compile_code_under_test, count_lines, python_files  # noqa: E402

TARGET_PERCENT = 5.0
DEFAULT_REPEATS = 5
DISTRIBUTION = "fluxloop-lint"

LAUNCHER = """\
import importlib.metadata
import sys

hide = sys.argv[1] == "without"
if hide:
    _distributions = importlib.metadata.distributions

    def distributions(**kwargs):
        for dist in _distributions(**kwargs):
            if (dist.metadata["Name"] or "").lower() != %r:
                yield dist

    importlib.metadata.distributions = distributions

from flake8.main.cli import main

sys.exit(main(sys.argv[2:]))
""" % DISTRIBUTION


def flake8_command(mode: str, *args: str) -> list[str]:
    return [sys.executable, "-c", LAUNCHER, mode, "--isolated", "--exit-zero", *args, "."]


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_once(command: list[str], corpus: Path, env: dict[str, str] | None = None) -> tuple[float, float, str]:
    """Wall time, CPU time (user + system, of flake8 and its workers) and the output."""
    cpu, start = _children_cpu(), time.perf_counter()
    completed = subprocess.run(command, cwd=corpus, capture_output=True, text=True, env=env, check=False)
    elapsed, cpu = time.perf_counter() - start, _children_cpu() - cpu
    if completed.returncode != 0:
        raise SystemExit(f"flake8 failed ({completed.returncode}): {completed.stderr.strip()[:500]}")
    return elapsed, cpu, completed.stdout


def flx_lines(output: str) -> int:
    return sum(": FLX" in line for line in output.splitlines())


def compare(label: str, corpus: Path, repeats: int, *args: str, env: dict[str, str] | None = None) -> float:
    """Best-of-N wall and CPU time with and without the plugin (alternating runs); returns
    the extra CPU time in percent."""
    wall = {"without": math.inf, "with": math.inf}
    cpu = {"without": math.inf, "with": math.inf}
    findings = {}
    for _ in range(repeats):
        for mode in ("without", "with"):
            elapsed, cpu_seconds, output = run_once(flake8_command(mode, *args), corpus, env)
            wall[mode] = min(wall[mode], elapsed)
            cpu[mode] = min(cpu[mode], cpu_seconds)
            findings[mode] = flx_lines(output)
    if findings["without"] != 0:
        raise SystemExit("the 'without' mode still reported FLX findings: the plugin was not hidden")
    extra_wall = (wall["with"] - wall["without"]) / wall["without"] * 100
    extra_cpu = (cpu["with"] - cpu["without"]) / cpu["without"] * 100
    print(
        f"  {label:<56} wall {wall['without']:6.3f} -> {wall['with']:6.3f} s ({extra_wall:+5.1f}%)   "
        f"cpu {cpu['without']:6.3f} -> {cpu['with']:6.3f} s ({extra_cpu:+5.1f}%)   FLX findings: {findings['with']}"
    )
    return extra_cpu


def remove_bytecode_of_fluxloop_lint() -> None:
    import fluxloop_lint

    for cache in Path(fluxloop_lint.__file__).parent.rglob("__pycache__"):
        shutil.rmtree(cache)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=DEFAULT_REPEATS, help="runs per mode (best is kept)")
    repeats = parser.parse_args().repeats

    byte_compile_code_under_test()
    corpus = build_real_corpus()
    files = python_files(corpus)
    fluxloop_files = [path for path in files if "fluxloop_agents" in path.parts]
    print(
        f"\n== flake8 with and without the fluxloop-lint plugin, best of {repeats}\n"
        f"  corpus: {corpus} ({len(files)} files, {count_lines(files)} lines, "
        f"{len(fluxloop_files)} of them FluxLoop modules)"
    )
    extras = [
        compare("real corpus, default jobs", corpus, repeats),
        compare("real corpus, -j 1", corpus, repeats, "-j", "1"),
    ]
    compare("no FluxLoop modules, -j 1", corpus, repeats, "--extend-exclude", "fluxloop_agents", "-j", "1")
    remove_bytecode_of_fluxloop_lint()
    try:
        no_bytecode = compare(
            "real corpus, default jobs, no bytecode for fluxloop_lint",
            corpus,
            repeats,
            env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
        )
    finally:
        byte_compile_code_under_test()
    worst = max(extras)
    verdict = "MET" if worst < TARGET_PERCENT else "NOT MET"
    print(
        f"  extra CPU time on the real corpus with installed bytecode: at most {worst:+.1f}% "
        f"(target < {TARGET_PERCENT:g}%) {verdict}; without bytecode for fluxloop_lint: "
        f"{no_bytecode:+.1f}% (informational, not judged)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
