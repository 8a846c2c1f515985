#!/usr/bin/env python3
"""How fast fluxloop-lint is against Ruff, flake8 and the Fixit rule a team would write instead.

    python3 dev.py bench            # or: .venv-bench/bin/python benchmarks/lint_speed.py

Three corpora, built under `benchmarks/.corpus/` (gitignored; each its own git work tree so
the repository's `.gitignore` does not hide it from the tools):

- `real`: the sources of pinned real packages (downloaded once with `pip download --no-deps`),
  plus a few percent of generated agent modules that use FluxLoop, many in the wrong order;
- `all_fluxloop`: only generated agent modules, every one using FluxLoop;
- `multi_module`: a generated project whose FluxLoop modules take their framework decorators
  from other modules of the project (house decorators, factories, a shared server), so names
  resolve through the project.

Each tool runs as a user runs it (a subprocess, cold: no cache), best of a few runs. Targets:
on `real`, fluxloop-lint at least 50x faster than the Fixit peer and at most 1.5x Ruff's time
(resolution through the project on, as always); on `all_fluxloop`, at least 3x faster than the
Fixit peer. `multi_module` is reported, with its findings (the Fixit peer, which sees one file
at a time, finds only the local ones).
"""

from __future__ import annotations

import json
import math
import os
import random
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
CORPUS = HERE / ".corpus"
BIN = Path(sys.executable).parent
PACKAGES = ("langchain-core==1.8.3", "httpx==0.28.1", "click==8.1.8")
FLUXLOOP_SHARE = 0.03
ALL_FLUXLOOP_FILES = 120
FAST_REPEATS = 3

TARGET_VS_FIXIT_REAL = 50.0
TARGET_VS_RUFF_REAL = 1.5
MULTI_MODULE_FILES = 120
TARGET_VS_FIXIT_ALL = 3.0


# --- corpus -----------------------------------------------------------------------------------

MODULE_HEAD = '''\
"""Generated agent module {index}: tools for the {domain} agent."""

from __future__ import annotations

import functools
import logging

from agents import Agent, function_tool
from langchain_core.tools import tool
from mcp.server.fastmcp import FastMCP

import fluxloop_runtime as fl
from fluxloop_runtime import trace

logger = logging.getLogger(__name__)
mcp = FastMCP("{domain}")
'''

TOOL_WRONG = '''

@fl.tool(name="tool.{name}")
@function_tool
def {name}(query: str, limit: int = {limit}) -> list[str]:
    """Look up {domain} records matching a query."""
    logger.debug("searching %s", query)
    results = [f"{{query}}-{{i}}" for i in range(limit)]
    return [item.upper() for item in results if item]
'''

TOOL_RIGHT = '''

@function_tool
@fl.tool(name="tool.{name}")
def {name}(query: str, limit: int = {limit}) -> list[str]:
    """Look up {domain} records matching a query."""
    results = [f"{{query}}-{{i}}" for i in range(limit)]
    return sorted(results)
'''

LANGCHAIN_WRONG = '''

@trace(name="lc.{name}")
@tool
def {name}(city: str) -> str:
    """Answer a {domain} question about a city."""
    if not city:
        raise ValueError("city is required")
    return city.title()
'''

MCP_WRONG = '''

@trace(name="mcp.{name}")
@mcp.tool()
def {name}(amount: float, rate: float = 1.{limit}) -> float:
    """Convert an amount for the {domain} agent."""
    return round(amount * rate, 2)
'''

METHODS = '''

class {cls}:
    """Helpers of the {domain} agent."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix

    @fl.trace(name="{domain}.normalise")
    @staticmethod
    def normalise(text: str) -> str:
        return " ".join(text.split())

    @classmethod
    @fl.trace(name="{domain}.create")
    def create(cls, prefix: str) -> "{cls}":
        return cls(prefix)

    @functools.lru_cache(maxsize=64)
    def label(self, value: int) -> str:
        return f"{{self.prefix}}-{{value:04d}}"
'''

MODULE_TAIL = '''

{domain}_agent = Agent(
    name="{domain}",
    instructions="Help the traveller with {domain} questions.",
    tools=[{tools}],
)
'''

DOMAINS = ("weather", "hotels", "flights", "visa", "currency", "museums", "trains", "food")


def generated_module(index: int, rng: random.Random) -> str:
    domain = DOMAINS[index % len(DOMAINS)]
    parts = [MODULE_HEAD.format(index=index, domain=domain)]
    tools = []
    for number in range(rng.randint(3, 6)):
        name = f"{domain}_tool_{index}_{number}"
        template = rng.choice((TOOL_WRONG, TOOL_RIGHT, TOOL_RIGHT, LANGCHAIN_WRONG, MCP_WRONG))
        parts.append(template.format(name=name, domain=domain, limit=rng.randint(2, 9)))
        if template in (TOOL_WRONG, TOOL_RIGHT):
            tools.append(name)
    parts.append(METHODS.format(cls=f"{domain.title()}Helper{index}", domain=domain))
    parts.append(MODULE_TAIL.format(domain=domain, tools=", ".join(tools)))
    return "".join(parts)


def python_files(root: Path) -> list[Path]:
    return sorted(path for path in root.rglob("*.py") if ".git" not in path.parts)


def count_lines(files: list[Path]) -> int:
    return sum(path.read_bytes().count(b"\n") for path in files)


def _fresh(folder: Path) -> None:
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    subprocess.run(["git", "init", "-q"], cwd=folder, check=True)


def build_real_corpus() -> Path:
    downloads = CORPUS / "downloads"
    downloads.mkdir(parents=True, exist_ok=True)
    wheels = sorted(downloads.glob("*.whl"))
    if len(wheels) < len(PACKAGES):
        print(f"downloading {', '.join(PACKAGES)} ...", file=sys.stderr)
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:", "-d", downloads, *PACKAGES],
            check=True,
        )
        wheels = sorted(downloads.glob("*.whl"))
    real = CORPUS / "real"
    _fresh(real)
    for wheel in wheels:
        with zipfile.ZipFile(wheel) as archive:
            for member in archive.namelist():
                if member.endswith(".py"):
                    archive.extract(member, real / wheel.name.split("-")[0])
    real_files = python_files(real)
    rng = random.Random(4)
    generated = real / "fluxloop_agents"
    generated.mkdir()
    for index in range(math.ceil(len(real_files) * FLUXLOOP_SHARE)):
        (generated / f"agent_{index:03d}.py").write_text(generated_module(index, rng))
    return real


def build_all_fluxloop_corpus() -> Path:
    folder = CORPUS / "all_fluxloop"
    _fresh(folder)
    rng = random.Random(5)
    for index in range(ALL_FLUXLOOP_FILES):
        (folder / f"agent_{index:03d}.py").write_text(generated_module(index, rng))
    return folder


# The house decorators of the tests' flat fixture project: factories, partials, house functions.
HOUSE_DECORATORS = HERE.parent / "tests" / "data" / "projects" / "flat" / "common" / "decorators.py"

SHARED_SERVER = '''\
from mcp.server.fastmcp import FastMCP

mcp = FastMCP("shared")
'''

MULTI_MODULE_HEAD = '''\
"""Generated agent module {index}: its framework decorators live in other modules."""

import fluxloop_runtime as fl

from common.decorators import bound_tool, configured_tool, house_tool, lenient_tool, strict_tool

from .server import mcp
'''

MULTI_MODULE_TOOL = '''

@fl.tool(name="tool.{name}")
@{decorator}
def {name}(query: str, limit: int = {limit}) -> list[str]:
    """Look up records matching a query."""
    results = [f"{{query}}-{{i}}" for i in range(limit)]
    return [item.upper() for item in results if item]
'''

MULTI_MODULE_DECORATORS = ("strict_tool", "lenient_tool", "house_tool", "configured_tool(name_override=\"x\")",
                           "bound_tool", "mcp.tool()")


def build_multi_module_corpus() -> Path:
    folder = CORPUS / "multi_module"
    _fresh(folder)
    (folder / "common").mkdir()
    (folder / "common" / "__init__.py").write_text("")
    shutil.copy(HOUSE_DECORATORS, folder / "common" / "decorators.py")
    package = folder / "travel"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "server.py").write_text(SHARED_SERVER)
    rng = random.Random(6)
    for index in range(MULTI_MODULE_FILES):
        parts = [MULTI_MODULE_HEAD.format(index=index)]
        for number in range(rng.randint(3, 6)):
            decorator = rng.choice(MULTI_MODULE_DECORATORS)
            parts.append(MULTI_MODULE_TOOL.format(name=f"tool_{index}_{number}", decorator=decorator, limit=rng.randint(2, 9)))
        (package / f"agent_{index:03d}.py").write_text("".join(parts))
    return folder


# --- timing -----------------------------------------------------------------------------------


def byte_compile_code_under_test() -> None:
    """Write the bytecode of fluxloop_lint and of the Fixit peer rule, as `pip install` does
    for a wheel (and Python on a first import). This venv installs fluxloop-lint editable, and
    where PYTHONDONTWRITEBYTECODE is set (as on the machines this project runs on) every
    process would otherwise compile fluxloop_lint from source: a cost no installed user pays,
    while Fixit, Ruff and flake8 come with their bytecode. Timestamped .pyc files follow later
    edits of the sources."""
    import compileall

    import fluxloop_lint

    for folder in (Path(fluxloop_lint.__file__).parent, HERE / "fixit_peer"):
        if not compileall.compile_dir(folder, quiet=1):
            raise SystemExit(f"could not byte-compile {folder}")


def timed(command: list[str], cwd: Path, repeats: int, env: dict[str, str] | None = None) -> tuple[float, str]:
    """Best wall time of `repeats` runs, and the last run's standard output."""
    best = math.inf
    output = ""
    for _ in range(repeats):
        start = time.perf_counter()
        completed = subprocess.run(command, cwd=cwd, capture_output=True, text=True, env=env, check=False)
        best = min(best, time.perf_counter() - start)
        output = completed.stdout
        if completed.returncode not in (0, 1):
            raise SystemExit(f"{command[0]} failed ({completed.returncode}): {completed.stderr.strip()[:500]}")
    return best, output


def measure(corpus: Path, with_peers: bool) -> dict[str, float]:
    fixit_env = {**os.environ, "PYTHONPATH": str(HERE)}
    times: dict[str, float] = {}
    times["fluxloop-lint"], report = timed(
        [str(BIN / "fluxloop-lint"), "--no-cache", "--exit-zero", "--output-format", "json", "."], corpus, FAST_REPEATS
    )
    flux_findings = len(json.loads(report))
    fixit_time, fixit_report = timed(
        [str(BIN / "fixit"), "--rules", "fixit_peer.flux_order", "lint", "."], corpus, 1, fixit_env
    )
    times["fixit peer"] = fixit_time
    fixit_findings = sum("FluxLoopDecoratorOrder" in line for line in fixit_report.splitlines())
    times["ruff --select ALL"], _ = timed(
        [str(BIN / "ruff"), "check", "--isolated", "--select", "ALL", "--no-cache", "--exit-zero", "-q", "."],
        corpus,
        FAST_REPEATS,
    )
    if with_peers:
        times["flake8"], _ = timed([str(BIN / "flake8"), "--exit-zero", "-q", "."], corpus, 1)
    print(f"  findings: fluxloop-lint {flux_findings}, Fixit peer {fixit_findings}")
    return times


def report(name: str, corpus: Path, times: dict[str, float]) -> None:
    files = python_files(corpus)
    lines = count_lines(files)
    print(f"  {len(files)} files, {lines} lines")
    for tool, seconds in times.items():
        print(f"  {tool:<20} {seconds:8.3f} s  {lines / seconds:12,.0f} lines/s")


def verdict(label: str, value: float, target: float, higher_is_better: bool) -> bool:
    met = value >= target if higher_is_better else value <= target
    relation = ">=" if higher_is_better else "<="
    print(f"  {label}: {value:.1f}x (target {relation} {target:g}x) {'MET' if met else 'NOT MET'}")
    return met


def main() -> int:
    missing = [tool for tool in ("fluxloop-lint", "ruff", "flake8", "fixit") if not (BIN / tool).exists()]
    if missing:
        print(f"lint_speed: missing {', '.join(missing)}; install with: .venv-bench/bin/pip install -e '.[bench,otlp]'")
        return 2
    start = time.perf_counter()
    byte_compile_code_under_test()
    real = build_real_corpus()
    all_fluxloop = build_all_fluxloop_corpus()
    multi_module = build_multi_module_corpus()

    print(f"\n== real corpus ({', '.join(PACKAGES)} + {FLUXLOOP_SHARE:.0%} generated FluxLoop modules)")
    real_times = measure(real, with_peers=True)
    report("real", real, real_times)
    met = [
        verdict(
            "fluxloop-lint vs Fixit peer (speed-up)",
            real_times["fixit peer"] / real_times["fluxloop-lint"],
            TARGET_VS_FIXIT_REAL,
            True,
        ),
        verdict(
            "fluxloop-lint time / Ruff time",
            real_times["fluxloop-lint"] / real_times["ruff --select ALL"],
            TARGET_VS_RUFF_REAL,
            False,
        ),
    ]

    print("\n== all-FluxLoop corpus (every file uses FluxLoop)")
    all_times = measure(all_fluxloop, with_peers=False)
    report("all_fluxloop", all_fluxloop, all_times)
    met.append(
        verdict(
            "fluxloop-lint vs Fixit peer (speed-up)",
            all_times["fixit peer"] / all_times["fluxloop-lint"],
            TARGET_VS_FIXIT_ALL,
            True,
        )
    )

    print("\n== multi-module corpus (decorators from other modules of the project)")
    multi_times = measure(multi_module, with_peers=False)
    report("multi_module", multi_module, multi_times)
    print(f"  fluxloop-lint time / Ruff time: {multi_times['fluxloop-lint'] / multi_times['ruff --select ALL']:.1f}x (reported)")
    print(f"\n{sum(met)}/{len(met)} targets met; benchmark took {time.perf_counter() - start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
