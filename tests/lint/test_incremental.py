"""The language server's incremental parse gives exactly what a parse of the whole text gives.

Over a corpus (every Python file under tests/data, every rule example and its fixed text,
the server benchmark's generated module, and texts made to fall between the cases the
splitting handles), random sequences of line edits that also break the syntax and repair
it: at every version, the findings and fixes with the incremental parse equal
`lint_source`'s, and the assembled module is the whole parse's module (`deep_equals`, same
code). Real LibCST throughout.
"""

from __future__ import annotations

import ast
import importlib.util
import random
import sys
import warnings
from pathlib import Path

import libcst as cst
import pytest

from fluxloop_lint.engine import lint_source, node_positions
from fluxloop_lint.incremental import AssembledPositions, IncrementalParse, statement_starts
from fluxloop_lint.rules import ALL_RULES
from fluxloop_lint.types import FixStrategy, LintSettings

ROOT = Path(__file__).resolve().parents[2]
PATH = "example.py"
EVERY_RULE = LintSettings(select=("ALL",), unsafe_fixes=True)
MANUAL = LintSettings(select=("ALL",), unsafe_fixes=True, fix_strategy=FixStrategy.MANUAL)


def _benchmark_module() -> str:
    """`benchmarks/server_speed.py`'s 1,000-line module (the benchmarks are scripts, not a package)."""
    for name in ("lint_speed", "server_speed"):
        if name not in sys.modules:
            spec = importlib.util.spec_from_file_location(name, ROOT / "benchmarks" / f"{name}.py")
            assert spec is not None and spec.loader is not None
            module = importlib.util.module_from_spec(spec)
            sys.modules[name] = module
            spec.loader.exec_module(module)
    return sys.modules["server_speed"].thousand_line_module()


# Texts at the edges of what the splitting handles: each must come out exactly as the whole
# parse does, assembled or parsed whole.
EDGES = {
    "crlf": "import fluxloop_runtime as fl\r\n\r\n\r\n@fl.tool()\r\n@function_tool\r\ndef a():\r\n    pass\r\n\r\n"
    "# c\r\nx = 1\r\n",
    "crlf-no-final-newline": "import fluxloop_runtime as fl\r\nx = 1\r\ny = 2",
    "lone-cr": "import fluxloop_runtime as fl\rx = 1\ny = 2\n",
    "form-feed": "import fluxloop_runtime as fl\n\f\nx = 1\n\fy = 2\n",
    "tabs-then-spaces": "import fluxloop_runtime as fl\nx = 1\nif x:\n\ty = 2\n\n\ndef f():\n    return 1\n",
    "two-space-first": "import fluxloop_runtime as fl\n\nclass A:\n  a = 1\n\ndef f():\n    return 1\n\ndef g():\n  return 2\n",
    "tabs": "import fluxloop_runtime as fl\nx = 1\nif x:\n\ty = 2\n\n\ndef f():\n\tif x:\n\t\treturn 1\n",
    "match": "import fluxloop_runtime as fl\nx = 1\nmatch x:\n  case 1:\n        pass\n\ndef f():\n    pass\n",
    "semicolons": "import fluxloop_runtime as fl; x = 1\ny = 2; z = 3\nif y: pass\n",
    "continuation": "import fluxloop_runtime as fl\nx = 1 + \\\n    2\ny = [\n1]\nz = 3 \\\n\nw = 4\n",
    "decorator-in-parentheses": (
        "import fluxloop_runtime as fl\n\n@(\nfl.tool)\ndef f():\n    pass\n\n@(fl.tool)\ndef g(): pass\n"
    ),
    "comments-between": (
        "# header\n\n# more\nimport fluxloop_runtime as fl\n\n\ndef f():\n    pass\n\n    # indented, the block's\n"
        "# the next statement's\n\n\n        # deeper\nclass A:\n    def m(self):\n        pass\n  # odd\n# end\n"
    ),
    "only-comments": "# fluxloop_runtime\n\n# nothing else\n",
    "empty-lines-only": "\n\n\n",
    "bom-and-cookie": "\ufeff# -*- coding: utf-8 -*-\nimport fluxloop_runtime as fl\nx = 1\n",
    "cookie-on-line-two": "import fluxloop_runtime as fl\n# -*- coding: latin-1 -*-\nx = 1\n",
    "no-final-newline": "import fluxloop_runtime as fl\n\n@fl.tool()\n@function_tool\ndef a():\n    pass",
    "trailing-whitespace-line": "import fluxloop_runtime as fl\n   \nx = 1\n  ",
    "async-and-decorated-class": "import fluxloop_runtime as fl\n\n@fl.trace()\nclass A: pass\n\nasync def f():\n    await g()\n",
    "nested-defs": (
        "import fluxloop_runtime as fl\nif True:\n    @fl.tool()\n    @function_tool\n    def a():\n        pass\nelse:\n    pass\n"
    ),
    "string-statements": 'import fluxloop_runtime as fl\n"""doc\n\nx = 1\n"""\n\'\'\'\ndef f():\n\'\'\'\nx = 1\n',
}


def _corpus() -> dict[str, str]:
    texts = {
        str(path.relative_to(ROOT)): path.read_text(encoding="utf-8")
        for path in sorted((ROOT / "tests" / "data").rglob("*.py"))
    }
    for rule in ALL_RULES:
        for number, example in enumerate((*rule.VALID, *rule.INVALID)):
            texts[f"{rule.CODE}-example-{number}"] = example.code
            if getattr(example, "expected_replacement", None):
                texts[f"{rule.CODE}-example-{number}-fixed"] = example.expected_replacement
    texts["server-benchmark"] = _benchmark_module()
    texts.update({f"edge-{name}": text for name, text in EDGES.items()})
    return texts


CORPUS = _corpus()
NAMES = sorted(CORPUS)
# Lines an edit inserts: the corpus's own lines, and lines that break the syntax or sit
# where the splitting must take care (comments at every indentation, decorators, `\`).
POOL = sorted({line for text in CORPUS.values() for line in text.split("\n")}) + [
    "", "    ", "# a comment", "    # an indented comment", "\t# a tab comment", "@fl.tool()", "@function_tool",
    "def f(", ")", '"""', "x = (", "    return 1", "class C:", "else:", "\\", "y = 1 \\", "\f", "a = 1; b = 2",
]


def _edit(lines: list[str], rng: random.Random) -> None:
    """One random edit, in place: insert, delete, replace, duplicate or move a line, change
    one character, cut a block of lines, or paste a block of another text's."""
    kind = rng.choice(("insert", "insert", "delete", "replace", "duplicate", "move", "character", "cut", "paste"))
    where = rng.randrange(len(lines) + 1) if kind == "insert" else rng.randrange(len(lines)) if lines else 0
    if kind == "insert" or not lines:
        lines.insert(where, rng.choice(POOL))
    elif kind == "delete":
        del lines[where]
    elif kind == "replace":
        lines[where] = rng.choice(POOL)
    elif kind == "duplicate":
        lines.insert(where, lines[where])
    elif kind == "move":
        lines.insert(rng.randrange(len(lines)), lines.pop(where))
    elif kind == "cut":
        del lines[where : where + rng.randint(2, 12)]
    elif kind == "paste":
        other = CORPUS[rng.choice(NAMES)].split("\n")
        begin = rng.randrange(len(other))
        lines[where:where] = other[begin : begin + rng.randint(2, 12)]
    else:
        line = lines[where]
        column = rng.randrange(len(line) + 1)
        lines[where] = line[:column] + rng.choice(" \t#(:x") + line[column:]


def _same_as_whole(text: str, parse: IncrementalParse, settings: LintSettings, *, fix: bool = False) -> bool:
    """Assert the incremental parse lints `text` (with `fix`, fixes it) as the whole parse
    does; True when it assembled the module reusing chunks of the version before."""
    parse.last = None
    assert lint_source(text, PATH, settings, fix=fix, parser=parse) == lint_source(text, PATH, settings, fix=fix)
    if parse.last is None or fix:  # after fixing, the last module parsed is the fixed text's
        return False
    whole = cst.parse_module(text)
    assert parse.last.module.code == whole.code  # (LibCST's own code may differ from the text, e.g. without a final newline)
    assert parse.last.module.deep_equals(whole)
    assert parse.starts == statement_starts(text)  # the edited region split as the whole text splits
    return parse.reused > 0


def _parses(lines: list[str]) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile("\n".join(lines), PATH, "exec", ast.PyCF_ONLY_AST, dont_inherit=True)
    except Exception:
        return False
    return True


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_random_edits_lint_as_the_whole_text_does(name):
    """Edits one after another, as typing makes them: one that breaks the syntax is mostly
    repaired at the next step (the text goes back to its last version that parsed)."""
    text = CORPUS[name]
    rng = random.Random(name)
    lines = text.split("\n")
    last_parsed = list(lines)
    parse = IncrementalParse()
    _same_as_whole(text, parse, EVERY_RULE)
    steps = 4 if len(lines) > 300 else 12 if len(lines) > 40 else 8  # rule examples are many and short
    reusing = 0
    for step in range(steps):
        if not _parses(lines) and rng.random() < 0.7:
            lines = list(last_parsed)
        else:
            _edit(lines, rng)
        if _parses(lines):
            last_parsed = list(lines)
        reusing += _same_as_whole("\n".join(lines), parse, MANUAL if step % 5 == 4 else EVERY_RULE)
    starts = statement_starts(text)
    if starts is not None and len(starts) > 1 and IncrementalParse().assemble(text) is not None:
        assert reusing, "no edit took the incremental path"


@pytest.mark.parametrize("name", [name for name in sorted(CORPUS) if "-example-" in name])
def test_fixing_with_the_incremental_parse_writes_what_fix_writes(name):
    parse = IncrementalParse()
    _same_as_whole(CORPUS[name], parse, EVERY_RULE, fix=True)
    _same_as_whole(CORPUS[name], parse, MANUAL, fix=True)


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_every_position_is_the_whole_modules(name):
    assembled = IncrementalParse().assemble(CORPUS[name])
    if assembled is None:
        assert statement_starts(CORPUS[name]) is None or name.startswith("edge-")
        return
    positions = AssembledPositions(assembled, set(assembled.module.body))
    for node, where in node_positions(assembled.module).items():
        assert positions[node] == where, type(node).__name__


def test_an_edit_in_one_function_parses_only_that_function_again():
    text = CORPUS["server-benchmark"]
    parse = IncrementalParse()
    first = parse.assemble(text)
    assert first is not None and parse.reused == 0
    edited = text.replace("Look up weather records", "Look up weather records (edited)", 1)
    assert edited != text
    second = parse.assemble(edited)
    assert second is not None
    assert parse.reused == len(second.chunks) - 1
    changed = [new for old, new in zip(first.chunks, second.chunks) if old is not new]
    assert len(changed) == 1 and "(edited)" in changed[0].text


def test_a_repeated_statement_gets_nodes_of_its_own():
    """Two identical statements must not share nodes: the engine tells nodes apart by identity."""
    text = "from agents import function_tool\nimport fluxloop_runtime as fl\n\n@fl.tool()\n@function_tool\ndef a():\n    pass\n"
    text *= 2
    parse = IncrementalParse()
    for _ in range(2):
        assembled = parse.assemble(text)
        assert assembled is not None
        assert len({id(statement) for statement in assembled.module.body}) == len(assembled.module.body)
        result = lint_source(text, PATH, EVERY_RULE, parser=parse)
        assert result == lint_source(text, PATH, EVERY_RULE)
        assert len([finding for finding in result.findings if finding.code == "FLX101"]) == 2


@pytest.mark.parametrize(
    "name",
    [
        "lone-cr", "form-feed", "continuation", "decorator-in-parentheses", "only-comments", "empty-lines-only",
        "tabs-then-spaces", "two-space-first", "match",
    ],
)
def test_texts_the_pieces_might_not_rebuild_are_parsed_whole(name):
    assert IncrementalParse().assemble(EDGES[name]) is None


@pytest.mark.parametrize("name", ["crlf", "tabs", "comments-between", "semicolons", "string-statements", "no-final-newline"])
def test_texts_whose_pieces_rebuild_them_are_assembled(name):
    assembled = IncrementalParse().assemble(EDGES[name])
    assert assembled is not None
    assert assembled.module.deep_equals(cst.parse_module(EDGES[name]))
