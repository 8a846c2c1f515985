#!/usr/bin/env python3
"""How long `fluxloop-lint server` takes from a `didChange` to its diagnostics, next to `ruff server`.

    python3 dev.py bench            # or: .venv-bench/bin/python benchmarks/server_speed.py

A minimal client drives each server over stdio as an editor does: open a 1,000-line module
that uses FluxLoop (`lint_speed.py`'s generated agent modules, one after another), then send
edits one at a time, each a whole new text, and wait for the diagnostics of that version. The
first edits warm the server up; the median and the best of the rest are printed. Target:
fluxloop-lint's median at most 50 ms on this machine. Next to it: the same lint in this
process (`runner.lint_document`, what the server calls), so that the server's own share
shows, and `ruff server` for scale (Ruff lints in Rust), when installed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import time
from pathlib import Path

from lint_speed import generated_module

from fluxloop_lint.config import load_configuration
from fluxloop_lint.incremental import IncrementalParse
from fluxloop_lint.runner import lint_document

BIN = Path(sys.executable).parent
LINES = 1000
WARM_UP = 5
TARGET_MS = 50.0


def thousand_line_module() -> str:
    rng = random.Random(12)
    text, index = "", 0
    while text.count("\n") < LINES:
        text += generated_module(index, rng)
        index += 1
    return "\n".join(text.splitlines()[:LINES]) + "\n"


class Connection:
    """JSON-RPC over a server's stdio, as bare as an editor's: pygls's client cannot read Ruff's
    `initialize` result (its notebook filters), and the benchmark needs nothing of it."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.next_id = 0

    def send(self, method: str, params: object, *, request: bool = False) -> int | None:
        message: dict[str, object] = {"jsonrpc": "2.0", "method": method, "params": params}
        if request:
            self.next_id += 1
            message["id"] = self.next_id
        body = json.dumps(message).encode()
        assert self.process.stdin is not None
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
        return self.next_id if request else None

    async def receive(self) -> dict:
        assert self.process.stdout is not None
        length = 0
        while (header := await self.process.stdout.readline()) not in (b"\r\n", b""):
            if header.lower().startswith(b"content-length:"):
                length = int(header.split(b":")[1])
        return json.loads(await self.process.stdout.readexactly(length))

    async def until(self, wanted) -> dict:  # type: ignore[no-untyped-def]
        """Read messages until one satisfies `wanted`; answer the server's requests with null."""
        while True:
            message = await self.receive()
            if "method" in message and "id" in message:
                body = json.dumps({"jsonrpc": "2.0", "id": message["id"], "result": None}).encode()
                self.process.stdin.write(b"Content-Length: %d\r\n\r\n%s" % (len(body), body))  # type: ignore[union-attr]
            if wanted(message):
                return message


def published_for(version: int):  # type: ignore[no-untyped-def]
    return lambda message: message.get("method") == "textDocument/publishDiagnostics" and message["params"].get("version") == version


async def measure(command: list[str], text: str, edits: int, folder: Path) -> list[float]:
    """Seconds from each `didChange` to the diagnostics of its version."""
    process = await asyncio.create_subprocess_exec(
        *command, cwd=folder, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL
    )
    connection = Connection(process)
    capabilities = {"textDocument": {"publishDiagnostics": {"versionSupport": True}}}
    asked = connection.send("initialize", {"processId": None, "rootUri": folder.as_uri(), "capabilities": capabilities}, request=True)
    await connection.until(lambda message: message.get("id") == asked)
    connection.send("initialized", {})
    uri = (folder / "agents_module.py").as_uri()
    document = {"uri": uri, "languageId": "python", "version": 1, "text": text}
    connection.send("textDocument/didOpen", {"textDocument": document})
    await asyncio.wait_for(connection.until(published_for(1)), 60)
    times = []
    for version in range(2, edits + WARM_UP + 2):
        changed = text.replace("Generated agent module 0", f"Generated agent module 0 (edit {version})")
        start = time.perf_counter()
        connection.send(
            "textDocument/didChange",
            {"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": changed}]},
        )
        await asyncio.wait_for(connection.until(published_for(version)), 60)
        times.append(time.perf_counter() - start)
    asked = connection.send("shutdown", None, request=True)
    await connection.until(lambda message: message.get("id") == asked)
    connection.send("exit", None)
    await process.wait()
    return times[WARM_UP:]


def in_process(text: str, edits: int, folder: Path) -> list[float]:
    """Seconds `lint_document` takes on the same texts, without a server around it, parsing
    each version as the server does (reusing the unchanged statements of the version before)."""
    configuration = load_configuration([str(folder)])
    path = str(folder / "agents_module.py")
    parse = IncrementalParse()
    lint_document(path, text, configuration, parser=parse)
    times = []
    for version in range(2, edits + WARM_UP + 2):
        changed = text.replace("Generated agent module 0", f"Generated agent module 0 (edit {version})")
        start = time.perf_counter()
        lint_document(path, changed, configuration, parser=parse)
        times.append(time.perf_counter() - start)
    return times[WARM_UP:]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=40, help="edits measured per server")
    edits = parser.parse_args().edits
    folder = Path(__file__).resolve().parent / ".corpus" / "server"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "pyproject.toml").write_text("[tool.fluxloop-lint]\n", encoding="utf-8")
    text = thousand_line_module()
    print(f"\n== didChange to diagnostics, {text.count(chr(10))}-line FluxLoop module, {edits} edits after {WARM_UP} to warm up")
    servers = {"fluxloop-lint server": [str(BIN / "fluxloop-lint"), "server"]}
    if (BIN / "ruff").exists():
        servers["ruff server"] = [str(BIN / "ruff"), "server"]
    medians = {}
    for name, command in servers.items():
        times = asyncio.run(measure(command, text, edits, folder))
        medians[name] = statistics.median(times) * 1000
        print(f"  {name:<28} median {medians[name]:6.1f} ms   best {min(times) * 1000:6.1f} ms")
        if name == "fluxloop-lint server":
            engine = in_process(text, edits, folder)
            medians["lint_document"] = statistics.median(engine) * 1000
            print(f"  {'lint_document, in process':<28} median {medians['lint_document']:6.1f} ms   best {min(engine) * 1000:6.1f} ms")
    ours = medians["fluxloop-lint server"]
    print(f"  the server's own share: {ours - medians['lint_document']:+.1f} ms of the median")
    if "ruff server" in medians:
        print(f"  fluxloop-lint server / ruff server: {ours / medians['ruff server']:.1f}x")
    verdict = "MET" if ours <= TARGET_MS else "NOT MET"
    print(f"  target: median <= {TARGET_MS:g} ms: {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
