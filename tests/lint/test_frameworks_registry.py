"""The registry misses no public decorator of the frameworks it knows.

Two checks. Every public alias of a registered decorator, class or framework object is
registered. And every public method of every registered class, and every public function of
the modules that define registered decorators, is classified: registered (with its kind and
forms) or listed in `NOT_DECORATORS`. A release that adds a decorator fails here until
someone classifies it. Frameworks installed by the test extra are imported; those that cannot
be installed beside them are read from their pinned sources in `tests/data/framework_sources/`.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import warnings
from pathlib import Path

import pytest

from fluxloop_lint.frameworks import CLASSES, DECORATORS, INSTANCES, NOT_DECORATORS, FrameworkClass, registry_for
from fluxloop_lint.types import FrameworkKind

# Installed by the test extra, and checked by importing them.
INSTALLED = (
    "agents", "langchain_core", "mcp", "fastapi", "flask", "typer", "click", "pytest",
    "celery", "fastmcp", "pydantic_ai", "pytest_asyncio", "ag2",
)
STANDARD_LIBRARY = ("functools",)  # checked too: `functools.singledispatchmethod` is a registered class
PRIVATE_OR_HEAVY = ("._", ".tests", ".testing", ".__main__", ".cli", ".extensions", ".contrib")

# Frameworks that cannot be installed beside the others (CrewAI and Strands need mcp<2, mcp 1.x
# and fastmcp 2.x are older majors of installed packages): one pinned source file each, by the
# module it is.
SOURCES_FOLDER = Path(__file__).resolve().parent.parent / "data" / "framework_sources"
SOURCES = {
    "mcp-1.30.0/mcp/server/fastmcp/server.py": "mcp.server.fastmcp.server",
    "mcp-1.30.0/mcp/server/lowlevel/server.py": "mcp.server.lowlevel.server",
    "fastmcp-2.14.7/fastmcp/server/server.py": "fastmcp.server.server",
    "crewai-1.15.30/crewai/events/event_bus.py": "crewai.events.event_bus",
    "crewai-1.15.30/crewai/hooks/decorators.py": "crewai.hooks.decorators",
    "crewai-1.15.30/crewai/project/annotations.py": "crewai.project.annotations",
    "crewai-1.15.30/crewai/tools/base_tool.py": "crewai.tools.base_tool",
    "strands-agents-1.62.0/strands/tools/decorator.py": "strands.tools.decorator",
}

# Registered classes neither installed nor vendored (their paths were checked once against the
# pinned releases in a scratch environment), and what is not a class.
NOT_CHECKED = {
    "autogen.ConversableAgent": "AG2 0.x (the `autogen` package) is not installed for the tests",
    "modal.App": "Modal is not installed for the tests",
    "functools.singledispatch": "a function: `register` belongs to the function it returns",
}


def _import(name: str):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return importlib.import_module(name)
    except Exception:  # optional extras, platform modules: not part of what is installed here
        return None


def _object_at(path: str):
    module_name, _, attribute = path.rpartition(".")
    while module_name:
        module = _import(module_name)
        if module is not None:
            value = module
            for part in path[len(module_name) + 1 :].split("."):
                value = getattr(value, part, None)
                if value is None:
                    return None
            return value
        module_name, _, _ = module_name.rpartition(".")
    return None


def _public_modules(package_name: str):
    package = _import(package_name)
    if package is None:
        return
    yield package
    for info in pkgutil.walk_packages(getattr(package, "__path__", []), package_name + "."):
        if any(marker in info.name for marker in PRIVATE_OR_HEAVY):
            continue
        module = _import(info.name)
        if module is not None:
            yield module


def _installed(path: str) -> bool:
    return path.split(".", 1)[0].lstrip("_") in (*INSTALLED, *STANDARD_LIBRARY)


# -- what the frameworks have ---------------------------------------------------------------


def _imported_methods(cls: type) -> set[str]:
    """The public methods of a class, inherited ones included (properties are not methods)."""
    return {
        name for name in dir(cls)
        if not name.startswith("_") and callable(getattr(cls, name, None))
        and not isinstance(inspect.getattr_static(cls, name), type)
    }


def _imported_functions(module) -> set[str]:
    """The public functions a module defines (re-exports are checked where they are defined)."""
    return {
        name for name, value in vars(module).items()
        if not name.startswith("_") and inspect.isfunction(value) and value.__module__ == module.__name__
    }


def _is_property(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    for decorator in node.decorator_list:
        name = ast.unparse(decorator)
        if name.endswith(("property", ".setter", ".getter", ".deleter")):
            return True
    return False


def _public_defs(body: list[ast.stmt], *, methods: bool) -> set[str]:
    return {
        node.name for node in body
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and not node.name.startswith("_")
        and not (methods and _is_property(node))
    }


def _vendored():
    """(module, its syntax tree) for each pinned source file."""
    for relative, module in SOURCES.items():
        yield module, ast.parse((SOURCES_FOLDER / relative).read_text(encoding="utf-8"))


def _classes_found() -> dict[str, list[tuple[str, set[str]]]]:
    """For each registered class (by its first path): where it was found and its public methods."""
    found: dict[str, list[tuple[str, set[str]]]] = {}
    by_path = {path: framework_class for framework_class in CLASSES for path in framework_class.paths}
    for framework_class in CLASSES:
        seen: set[int] = set()
        for path in framework_class.paths:
            value = _object_at(path) if _installed(path) else None
            if isinstance(value, type) and id(value) not in seen:
                seen.add(id(value))
                found.setdefault(framework_class.paths[0], []).append((path, _imported_methods(value)))
    for module, tree in _vendored():
        for node in tree.body:
            framework_class = by_path.get(f"{module}.{getattr(node, 'name', '')}")
            if isinstance(node, ast.ClassDef) and framework_class is not None:
                where = f"{module}.{node.name} (source)"
                found.setdefault(framework_class.paths[0], []).append((where, _public_defs(node.body, methods=True)))
    return found


def _decorator_modules_found() -> dict[str, set[str]]:
    """The modules that define registered module-level decorators, with their public functions."""
    found: dict[str, set[str]] = {}
    for entry in DECORATORS:
        if _installed(entry.qualified_name) and not entry.qualified_name.endswith(".*"):
            value = _object_at(entry.qualified_name)
            if inspect.isfunction(value):
                found.setdefault(value.__module__, _imported_functions(importlib.import_module(value.__module__)))
    vendored_decorator_modules = {entry.qualified_name.rpartition(".")[0] for entry in DECORATORS}
    for module, tree in _vendored():
        if module in vendored_decorator_modules:
            found[module] = _public_defs(tree.body, methods=False)
    return found


# -- the checks -----------------------------------------------------------------------------


def _decorator_methods(framework_class: FrameworkClass, *, checked_release_only: bool = False) -> set[str]:
    return {
        name for group in framework_class.methods if not (checked_release_only and group.releases)
        for name in group.names
    }


def test_every_public_method_of_a_registered_class_is_classified():
    found = _classes_found()
    unclassified, stale = [], []
    for framework_class in CLASSES:
        key = framework_class.paths[0]
        if key in NOT_CHECKED:
            assert key not in found, f"{key} is checked now: remove it from NOT_CHECKED"
            continue
        assert key in found, f"{key}: neither installed nor vendored, so it is never checked"
        decorators = _decorator_methods(framework_class)
        not_decorators = NOT_DECORATORS.get(key, frozenset())
        assert not decorators & not_decorators, f"{key}: both a decorator and not: {decorators & not_decorators}"
        every_release: set[str] = set()
        for where, methods in found[key]:
            every_release |= methods
            unclassified += [f"{where}.{name}" for name in sorted(methods - decorators - not_decorators)]
        expected = _decorator_methods(framework_class, checked_release_only=True) | not_decorators
        stale += [f"{key}.{name}" for name in sorted(expected - every_release)]
    assert not unclassified, "methods neither registered nor in NOT_DECORATORS:\n" + "\n".join(unclassified)
    assert not stale, "classified methods no checked release has:\n" + "\n".join(stale)


def test_every_public_function_of_a_decorator_module_is_classified():
    registry = registry_for()
    found = _decorator_modules_found()
    assert {"agents.tool", "click.decorators", "crewai.hooks.decorators", "crewai.project.annotations",
            "strands.tools.decorator"} <= set(found)
    unclassified, stale = [], []
    for module, functions in sorted(found.items()):
        not_decorators = NOT_DECORATORS.get(module, frozenset())
        registered = {name for name in functions if f"{module}.{name}" in registry}
        assert not registered & not_decorators, f"{module}: both a decorator and not: {registered & not_decorators}"
        unclassified += [f"{module}.{name}" for name in sorted(functions - registered - not_decorators)]
        stale += [f"{module}.{name}" for name in sorted(not_decorators - functions)]
    assert not unclassified, "functions neither registered nor in NOT_DECORATORS:\n" + "\n".join(unclassified)
    assert not stale, "NOT_DECORATORS lists functions the module does not have:\n" + "\n".join(stale)


def test_every_framework_object_a_module_creates_is_registered():
    classes = {
        id(value): framework_class.paths[0] for framework_class in CLASSES for path in framework_class.paths
        if _installed(path) and isinstance(value := _object_at(path), type)
    }
    instance_modules = {path.rpartition(".")[0] for path in INSTANCES if _installed(path)}
    assert "celery.signals" in instance_modules
    missing = [
        f"{module_name}.{name} ({classes[id(type(value))]})"
        for module_name in sorted(instance_modules)
        for name, value in vars(importlib.import_module(module_name)).items()
        if not name.startswith("_") and id(type(value)) in classes and f"{module_name}.{name}" not in INSTANCES
    ]
    assert not missing, "framework objects missing from INSTANCES:\n" + "\n".join(missing)


@pytest.mark.parametrize("package", INSTALLED)
def test_every_public_alias_of_a_registered_decorator_is_registered(package):
    registry = registry_for()
    registered = [entry.qualified_name for entry in DECORATORS if not entry.qualified_name.endswith(".*")]
    registered += [path for framework_class in CLASSES for path in framework_class.paths]
    registered += list(INSTANCES)
    objects = {}
    for path in registered:
        if path.split(".", 1)[0].lstrip("_") == package:
            value = _object_at(path)
            if value is not None:
                objects.setdefault(id(value), (value, path))
    assert objects, f"no registered decorator of {package} could be imported"
    missing = []
    for module in _public_modules(package):
        for attribute, value in vars(module).items():
            if attribute.startswith("_") or id(value) not in objects or objects[id(value)][0] is not value:
                continue
            path = f"{module.__name__}.{attribute}"
            if isinstance(value, type):
                known = path in registry.classes
            else:
                known = path in registry or path in INSTANCES
            if not known:
                missing.append(f"{path} (same object as {objects[id(value)][1]})")
    assert not missing, "public paths missing from the registry:\n" + "\n".join(sorted(missing))


def test_registered_paths_import_as_decorators():
    for path in ("agents.function_tool", "agents.tool.function_tool", "langchain_core.tools.tool",
                 "langchain_core.tools.convert.tool", "langchain_core.runnables.chain",
                 "mcp.server.mcpserver.MCPServer", "fastapi.FastAPI", "flask.Flask", "typer.Typer",
                 "celery.signals.worker_init.connect", "pytest_asyncio.fixture", "fastmcp.tools.Tool.from_function"):
        assert callable(_object_at(path)), path


def test_methods_have_their_own_forms():
    registry = registry_for()
    assert registry.lookup("flask.Flask.route").forms == "called"
    assert registry.lookup("flask.Flask.before_request").forms == "bare"
    assert registry.lookup("flask.Blueprint.app_errorhandler").forms == "called"
    assert registry.lookup("flask.Blueprint.before_app_request").forms == "bare"
    assert registry.lookup("fastmcp.FastMCP.tool").forms == "both"
    assert registry.lookup("fastmcp.FastMCP.resource").forms == "called"


@pytest.mark.parametrize(
    ("path", "entry"),
    [
        ("fastapi.FastAPI.webhooks.post", "fastapi.APIRouter.post"),
        ("fastapi.applications.FastAPI.router.get", "fastapi.APIRouter.get"),
        ("flask.Flask.cli.command", "flask.cli.AppGroup.command"),
        ("flask.blueprints.Blueprint.cli.group", "flask.cli.AppGroup.group"),
        ("celery.Celery.on_after_configure.connect", "celery.utils.dispatch.Signal.connect"),
        ("celery.signals.worker_init.connect", "celery.utils.dispatch.Signal.connect"),
        ("crewai.events.crewai_event_bus.on", "crewai.events.event_bus.CrewAIEventsBus.on"),
        ("pydantic_ai.capabilities.Hooks.on.before_model_request",
         "pydantic_ai.capabilities.hooks._HookRegistration.before_model_request"),
    ],
)
def test_framework_objects_reached_through_attributes_resolve_to_their_class(path, entry):
    registry = registry_for()
    assert registry.lookup(path) is registry.lookup(entry) is not None


# How to make an instance of each class that has registered attributes.
SAMPLE_INSTANCES = {
    "fastapi.FastAPI": lambda: _object_at("fastapi.FastAPI")(),
    "flask.Flask": lambda: _object_at("flask.Flask")(__name__),
    "flask.Blueprint": lambda: _object_at("flask.Blueprint")("bp", __name__),
    "celery.Celery": lambda: _object_at("celery.Celery")("app"),
    "pydantic_ai.capabilities.Hooks": lambda: _object_at("pydantic_ai.capabilities.Hooks")(),
}


def test_every_registered_attribute_holds_an_instance_of_its_class():
    checked = 0
    for framework_class in CLASSES:
        for attribute, class_path in framework_class.attributes:
            instance = SAMPLE_INSTANCES[framework_class.paths[0]]()
            assert isinstance(getattr(instance, attribute), _object_at(class_path)), (framework_class.paths[0], attribute)
            checked += 1
    assert checked >= 8


def _function():
    def handler(query: str = "") -> str:
        return query

    return handler


def _receiver():  # Celery's signals call receivers with keyword arguments
    def receiver(**kwargs) -> None:
        return None

    return receiver


def _coroutine_function():
    async def handler() -> None:
        return None

    return handler


def _sample_applications():
    """(registered name, how the real framework applies it to a function[, the function to
    decorate]): the registry's kind must say what the framework does with it."""
    import ag2
    import celery
    import click
    import fastapi
    import flask
    import pydantic_ai
    import pytest_asyncio
    import typer
    from celery.signals import worker_init
    from fastmcp import FastMCP
    from fastmcp.tools import Tool
    from mcp.server.mcpserver import MCPServer

    return [
        ("flask.Flask.route", lambda fn: flask.Flask(__name__).route("/")(fn)),
        ("flask.Flask.before_request", lambda fn: flask.Flask(__name__).before_request(fn)),
        ("flask.Flask.teardown_appcontext", lambda fn: flask.Flask(__name__).teardown_appcontext(fn)),
        ("flask.Blueprint.before_app_request", lambda fn: flask.Blueprint("bp", __name__).before_app_request(fn)),
        ("flask.Blueprint.app_errorhandler", lambda fn: flask.Blueprint("bp", __name__).app_errorhandler(404)(fn)),
        ("flask.Blueprint.record", lambda fn: flask.Blueprint("bp", __name__).record(fn)),
        ("flask.Flask.cli.command", lambda fn: flask.Flask(__name__).cli.command()(fn)),
        ("fastapi.FastAPI.websocket_route", lambda fn: fastapi.FastAPI().websocket_route("/ws")(fn)),
        ("fastapi.FastAPI.webhooks.post", lambda fn: fastapi.FastAPI().webhooks.post("/new")(fn)),
        ("fastapi.APIRouter.route", lambda fn: fastapi.APIRouter().route("/")(fn)),
        ("typer.Typer.command", lambda fn: typer.Typer().command()(fn)),
        ("click.option", lambda fn: click.option("--x")(fn)),
        ("click.pass_context", lambda fn: click.pass_context(fn)),
        ("click.Group.result_callback", lambda fn: click.Group().result_callback()(fn)),
        ("celery.Celery.task", lambda fn: celery.Celery("app").task(fn)),
        ("celery.signals.worker_init.connect", lambda fn: worker_init.connect(fn), _receiver),
        ("celery.Celery.on_after_configure.connect",
         lambda fn: celery.Celery("app").on_after_configure.connect(weak=False)(fn), _receiver),
        ("mcp.server.mcpserver.MCPServer.completion", lambda fn: MCPServer("s").completion()(fn)),
        ("mcp.server.mcpserver.MCPServer.custom_route", lambda fn: MCPServer("s").custom_route("/x", ["GET"])(fn)),
        ("fastmcp.FastMCP.tool", lambda fn: FastMCP("s").tool(fn)),
        ("fastmcp.FastMCPApp.ui", lambda fn: _object_at("fastmcp.FastMCPApp")("a").ui(fn)),
        ("fastmcp.tools.Tool.from_function", lambda fn: Tool.from_function(fn)),
        ("pydantic_ai.Agent.tool_plain", lambda fn: pydantic_ai.Agent("test").tool_plain(fn)),
        ("pydantic_ai.capabilities.Hooks.on.before_run",
         lambda fn: _object_at("pydantic_ai.capabilities.Hooks")().on.before_run(fn)),
        ("pytest_asyncio.fixture", lambda fn: pytest_asyncio.fixture(fn), _coroutine_function),
        ("ag2.Agent.tool", lambda fn: ag2.Agent("a").tool(fn)),
        ("ag2.Agent.prompt", lambda fn: ag2.Agent("a").prompt(fn)),
    ]


def test_kinds_say_what_the_real_frameworks_do():
    registry = registry_for()
    wrong = []
    for name, apply, *make_function in _sample_applications():
        entry = registry.lookup(name)
        assert entry is not None, name
        function = (make_function[0] if make_function else _function)()
        result = apply(function)
        if entry.kind is FrameworkKind.TRANSFORMING:
            ok = not inspect.isfunction(result)  # a Tool, a Task, a Command, None
        elif entry.kind is FrameworkKind.REGISTERING:
            ok = result is function
        elif entry.kind is FrameworkKind.MARKING:
            ok = result is function and bool(vars(function))
        else:  # wrapping: a new function around it
            ok = inspect.isfunction(result) and result is not function and result.__wrapped__ is function
        if not ok:
            wrong.append(f"{name}: registered as {entry.kind.name}, returned {result!r}")
    assert not wrong, "\n".join(wrong)


def _both_forms():
    """(registered name, a new object whose attribute it is, the attribute[, the function]) for
    decorators registered as used both bare and called."""
    import ag2
    import celery
    import click
    import pydantic_ai
    import pytest_asyncio
    from fastmcp import FastMCP

    return [
        ("fastmcp.FastMCP.tool", lambda: FastMCP("s"), "tool"),
        ("fastmcp.FastMCP.prompt", lambda: FastMCP("s"), "prompt"),
        ("pydantic_ai.Agent.tool_plain", lambda: pydantic_ai.Agent("test"), "tool_plain"),
        ("pydantic_ai.Agent.instructions", lambda: pydantic_ai.Agent("test"), "instructions"),
        ("pydantic_ai.capabilities.Hooks.on.before_run", lambda: _object_at("pydantic_ai.capabilities.Hooks")().on,
         "before_run"),
        ("ag2.Agent.tool", lambda: ag2.Agent("a"), "tool"),
        ("ag2.tool", lambda: ag2, "tool"),
        ("celery.Celery.task", lambda: celery.Celery("app"), "task"),
        ("click.Group.command", lambda: click.Group(), "command"),
        ("pytest_asyncio.fixture", lambda: pytest_asyncio, "fixture", _coroutine_function),
    ]


def test_decorators_used_both_ways_give_the_same_result_bare_and_called():
    registry = registry_for()
    for name, owner, attribute, *make_function in _both_forms():
        assert registry.lookup(name).forms == "both", name
        make = make_function[0] if make_function else _function
        bare_function, called_function = make(), make()
        bare = getattr(owner(), attribute)(bare_function)
        called = getattr(owner(), attribute)()(called_function)
        assert type(bare) is type(called), name
        assert (bare is bare_function) == (called is called_function), name


def test_public_names_are_a_modules_registered_names():
    registry = registry_for()
    assert {"function_tool", "input_guardrail", "tool_output_guardrail"} <= registry.public_names("agents")
    assert {"worker_init", "task_prerun", "setup_logging"} <= registry.public_names("celery.signals")
    assert {"FastAPI", "APIRouter"} <= registry.public_names("fastapi")
    assert {"fixture", "mark"} <= registry.public_names("pytest")
    assert "post" not in registry.public_names("fastapi.FastAPI")
    assert registry.public_names("not_a_framework") == frozenset()


def test_non_framework_decorators_are_known_and_never_reported():
    registry = registry_for()
    for path in ("functools.wraps", "functools.lru_cache", "functools.cache", "contextlib.contextmanager",
                 "contextlib.asynccontextmanager", "typing.overload", "typing.final", "dataclasses.dataclass"):
        assert registry.lookup(path).kind is FrameworkKind.WRAPPING, path


def test_configuration_extends_and_overrides():
    registry = registry_for((("acme.tool", FrameworkKind.TRANSFORMING), ("functools.wraps", FrameworkKind.MARKING)))
    assert registry.lookup("acme.tool").kind is FrameworkKind.TRANSFORMING
    assert registry.lookup("functools.wraps").kind is FrameworkKind.MARKING
