"""What a decorated call records as its input: its arguments by parameter name, encoded.

`InputCapture(func)` is made once per decorated function. For each call, `capture(args,
kwargs)` gives the arguments bound to their parameters (defaults applied, a leading
`self`/`cls` and the parameters a framework fills in left out, `fluxloop_runtime.
framework_context`) and their JSON text, encoded when the call starts: the input is what
the call was given.

Most calls pass every parameter positionally, as a few strings and numbers. For them
a function made for the decorated function's parameters (`_positional_capture`) builds the
dict and its text in one step, while the masking settings record those names as they are
(`redaction.recorded_as_is`) and the text is within `max_value_chars`. Any other call goes
the general way: bound by the signature, encoded by `recorded_json` (masked, bounded, any
value).
"""

from __future__ import annotations

import functools
import inspect
import typing
from collections.abc import Callable
from typing import Any

from . import redaction
from .framework_context import annotation_head, is_framework_context
from .redaction import recorded_json
from .serialization import SCALAR_JSON, encode_string

Binder = Callable[[tuple[Any, ...], dict[str, Any]], dict[str, Any]]
PositionalCapture = Callable[..., tuple[dict[str, Any], str]]
_FAST_KINDS = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)


class InputCapture:
    """The input of one decorated function's calls."""

    __slots__ = ("bind", "positional", "arity", "fast_under")

    def __init__(self, func: Callable[..., Any]) -> None:
        self.bind, self.positional = _binder(func)
        # A call passing this many arguments and no keyword argument binds them to
        # `positional` in order (-1: no such call, e.g. with `*args` or a keyword-only one).
        self.arity = -1 if self.positional is None else len(self.positional)
        # The masking settings last seen, and the fast capture to use under them (None:
        # they mask a parameter). One pair, so that threads never see half of a change.
        self.fast_under: tuple[object, PositionalCapture | None] = (None, None)

    def capture(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[dict[str, Any], str]:
        """The call's input and its JSON text."""
        if len(args) == self.arity and not kwargs:
            settings = redaction.current_settings
            seen, fast = self.fast_under
            if seen is not settings:
                fast = self._fast_under(settings)
            if fast is not None:
                try:
                    bound, text = fast(*args)
                except Exception:  # noqa: BLE001 - a value of another type: the general way
                    pass
                else:
                    if len(text) <= settings.limit:
                        return bound, text
        bound = self.bind(args, kwargs)
        return bound, recorded_json(bound)

    def _fast_under(self, settings: object) -> PositionalCapture | None:
        assert self.positional is not None
        recorded = tuple(name for name in self.positional if name is not None)
        fast = _positional_capture(self.positional) if redaction.recorded_as_is(recorded) else None
        self.fast_under = (settings, fast)
        return fast


@functools.lru_cache(maxsize=1024)
def _positional_capture(parameters: tuple[str | None, ...]) -> PositionalCapture:
    """A function taking a call's positional arguments for `parameters` (None: one not
    recorded) and giving `{parameter: value}` and its JSON text, as `encode_json` writes it,
    when every recorded value is of a `SCALAR_JSON` type; for any other value it raises
    (KeyError for the type, ValueError for an int beyond Python's digit limit).

    It is one dict display and one f-string, made for these parameters as `dataclasses`
    makes an `__init__` for its fields. For `(a, b)` it is
        def capture(v0, v1):
            return {n0: v0, n1: v1}, f"{k0}{J[type(v0)](v0)}{k1}{J[type(v1)](v1)}}}"
    with `n0 = "a"`, `k0 = '{"a": '`, `k1 = ', "b": '`: in half the C encoder's time, whose
    cost is mostly per call and per item. Names are constants of its namespace, never part
    of its source. Made once per list of parameters (cached)."""
    namespace: dict[str, Any] = {"J": SCALAR_JSON}
    items, parts = [], []
    for index, name in enumerate(parameters):
        if name is None:
            continue
        namespace[f"n{index}"] = name
        namespace[f"k{index}"] = (", " if items else "{") + encode_string(name) + ": "
        items.append(f"n{index}: v{index}")
        parts.append(f"{{k{index}}}{{J[type(v{index})](v{index})}}")
    text = ("".join(parts) + "}}") if parts else "{{}}"
    arguments = ", ".join(f"v{index}" for index in range(len(parameters)))
    source = f'def capture({arguments}):\n    return {{{", ".join(items)}}}, f"{text}"\n'
    exec(source, namespace)  # noqa: S102 - made above from indexes only
    return namespace["capture"]


def _annotation_name(annotation: Any) -> str | None:
    """The class name an annotation starts with (`RunContextWrapper[Ctx]` and
    `"agents.RunContextWrapper[Ctx]"` give `RunContextWrapper`)."""
    if annotation is inspect.Parameter.empty:
        return None
    if isinstance(annotation, str):
        return annotation_head(annotation)
    origin = typing.get_origin(annotation) or annotation
    return getattr(origin, "__name__", None)


def _left_out(parameters: list[inspect.Parameter]) -> tuple[str, ...]:
    """Parameters not recorded: a leading `self`/`cls`, and those a framework fills in."""
    names = [
        parameter.name
        for parameter in parameters
        if is_framework_context(parameter.name, _annotation_name(parameter.annotation))
    ]
    if parameters and parameters[0].name in ("self", "cls") and parameters[0].kind != inspect.Parameter.KEYWORD_ONLY:
        names.insert(0, parameters[0].name)
    return tuple(names)


def _binder(func: Callable[..., Any]) -> tuple[Binder, tuple[str | None, ...] | None]:
    """A function mapping a call's arguments to `{parameter: value}` with defaults applied
    and `_left_out` parameters removed (plain signatures get a fast one); and, when every
    parameter can be passed positionally, their names in order (None for one left out)."""
    try:
        signature = inspect.signature(func)
    except (TypeError, ValueError):
        return (lambda args, kwargs: {"args": list(args), "kwargs": dict(kwargs)}), None
    parameters = list(signature.parameters.values())
    skipped = _left_out(parameters)
    if all(parameter.kind in _FAST_KINDS for parameter in parameters):
        positional = tuple(p.name for p in parameters if p.kind == inspect.Parameter.POSITIONAL_OR_KEYWORD)
        defaults = tuple((p.name, p.default) for p in parameters if p.default is not inspect.Parameter.empty)
        count = len(parameters)

        def bind_fast(args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any]:
            bound = dict(zip(positional, args))
            if kwargs:
                bound.update(kwargs)
            if len(bound) < count:
                for name, default in defaults:
                    if name not in bound:
                        bound[name] = default
            for name in skipped:
                bound.pop(name, None)
            return bound

        in_order = None if len(positional) < count else tuple(None if name in skipped else name for name in positional)
        return bind_fast, in_order

    def bind_general(args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any]:
        try:
            bound_arguments = signature.bind(*args, **kwargs)
        except TypeError:
            return {"args": list(args), "kwargs": dict(kwargs)}
        bound_arguments.apply_defaults()
        bound = dict(bound_arguments.arguments)
        for name in skipped:
            bound.pop(name, None)
        return bound

    return bind_general, None


__all__ = ["InputCapture"]
