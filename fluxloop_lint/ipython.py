"""IPython syntax in a notebook cell: masked so that the rest parses as Python, then put back.

Masked, at the start of a statement (not inside brackets, strings or a backslash
continuation): line magics (`%pip install x`, `%time f()`), shell escapes (`!ls`, `!!ls`),
their assignments (`files = !ls`, `t = %timeit -o f()`) and help (`obj?`, `obj??`, `?obj`),
each with the lines its trailing backslashes continue. A cell that starts with a cell magic
(`%%time`, `%%bash`) is not Python at all: `is_cell_magic` tells the caller to leave it out.

A masked line becomes `pass` with a numbered comment, at the line's indentation: the code
around it keeps its blocks and line numbers, and nothing is reported on it. A fix that moves
it (a function body re-indented under `try:`) carries the comment along, by which `unmask`
puts the original line back, shifted by the same indentation.
"""

from __future__ import annotations

import re

from fluxloop_lint.fixes.edits import split_lines

PLACEHOLDER = "pass  # IPython line {index}"
_PLACEHOLDER = re.compile(r"([ \t]*)pass  # IPython line (\d+)")
_ESCAPE_START = ("%", "!", "?")
# `files = !ls`, `a, b = %magic`: a target list, `=`, then the escape.
_ASSIGNED_ESCAPE = re.compile(r"[ \t]*[A-Za-z_][\w.]*(?:[ \t]*,[ \t]*[A-Za-z_][\w.]*)*[ \t]*=[ \t]*[%!]")
_TRIPLE_QUOTES = ('"""', "'''")

# Where the previous lines left the tokenizer: open brackets, the quote of an open string,
# and whether the last line ended with a backslash.
_State = tuple[int, str | None, bool]
_STATEMENT_START: _State = (0, None, False)


def is_cell_magic(source: str) -> bool:
    """True when the cell's first line that is not blank is a cell magic (`%%time`)."""
    return source.lstrip().startswith("%%")


def _scan(line: str, state: _State) -> tuple[_State, int]:
    """The state after `line`, and where the line's code ends (its comment's `#`, else its end)."""
    depth, quote, _ = state
    end = len(line.rstrip("\r\n"))
    index, code_end = 0, end
    while index < end:
        if quote is not None:
            if line[index] == "\\":
                index += 2
            elif line.startswith(quote, index):
                index += len(quote)
                quote = None
            else:
                index += 1
            continue
        char = line[index]
        if char == "#":
            code_end = index
            break
        if char in "\"'":
            quote = line[index : index + 3] if line[index : index + 3] in _TRIPLE_QUOTES else char
            index += len(quote)
            continue
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth = max(0, depth - 1)
        index += 1
    continued = line[:code_end].endswith("\\")
    if quote is not None and quote not in _TRIPLE_QUOTES and not continued:
        quote = None  # an unterminated one-line string ends with its line (a syntax error Python reports)
    return (depth, quote, continued and quote is None), code_end


def _is_escape(line: str, after: _State, code_end: int) -> bool:
    """True for an IPython line, given that a statement starts on it and where it leaves the tokenizer."""
    if line.lstrip().startswith(_ESCAPE_START) or _ASSIGNED_ESCAPE.match(line):
        return True
    return after == _STATEMENT_START and line[:code_end].rstrip().endswith("?")  # help: `obj?`


def mask(source: str) -> tuple[str, tuple[str, ...]]:
    """The cell's code with its IPython lines masked, and those lines as they were (with their
    line endings), in order: the placeholder numbered N stands for the N-th."""
    masked: list[str] = []
    originals: list[str] = []
    state = _STATEMENT_START
    continuing_indent: str | None = None  # inside an escape continued by a backslash: its indentation
    for line in split_lines(source):
        body = line.rstrip("\r\n")
        ending = line[len(body) :]
        if continuing_indent is None and state == _STATEMENT_START:
            after, code_end = _scan(line, state)
            if not (body.strip() and _is_escape(body, after, code_end)):
                masked.append(line)
                state = after
                continue
            continuing_indent = body[: len(body) - len(body.lstrip())]
        elif continuing_indent is None:
            masked.append(line)
            state, _ = _scan(line, state)
            continue
        masked.append(continuing_indent + PLACEHOLDER.format(index=len(originals)) + ending)
        originals.append(line)
        if not body.endswith("\\"):
            continuing_indent = None
    return "".join(masked), tuple(originals)


def _reindented(original: str, old_indent: str, new_indent: str) -> str:
    """`original` moved from `old_indent` to `new_indent` (unchanged when they are equal)."""
    if new_indent.startswith(old_indent):
        return new_indent[len(old_indent) :] + original
    if old_indent.startswith(new_indent) and original.startswith(old_indent[len(new_indent) :]):
        return original[len(old_indent) - len(new_indent) :]
    return new_indent + original.lstrip()


def _placeholder_indents(originals: tuple[str, ...]) -> list[str]:
    """The indentation `mask` gave each placeholder: that of the first line of its escape."""
    indents: list[str] = []
    current: str | None = None
    for line in originals:
        if current is None:
            current = line[: len(line) - len(line.lstrip())]
        indents.append(current)
        if not line.rstrip("\r\n").endswith("\\"):
            current = None
    return indents


def unmask(masked: str, originals: tuple[str, ...]) -> str | None:
    """The masked code (perhaps fixed since) with each IPython line back in its placeholder's
    place; None unless every placeholder is there exactly once."""
    restored: list[str] = []
    seen: set[int] = set()
    indents = _placeholder_indents(originals)
    for line in split_lines(masked):
        body = line.rstrip("\r\n")
        match = _PLACEHOLDER.fullmatch(body)
        if match is None:
            restored.append(line)
            continue
        index = int(match.group(2))
        if index >= len(originals) or index in seen:
            return None
        seen.add(index)
        original_body = originals[index].rstrip("\r\n")
        restored.append(_reindented(original_body, indents[index], match.group(1)) + line[len(body) :])
    return "".join(restored) if len(seen) == len(originals) else None
