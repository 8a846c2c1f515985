"""The `fluxloop-lint` command line, shaped after Ruff's.

    fluxloop-lint [OPTIONS] [PATHS]...     check (and with --fix, fix) files
    fluxloop-lint rules                    list the rules
    fluxloop-lint explain CODE             one rule's rationale and examples
    fluxloop-lint server                   the language server, on stdio (for editors)

Checking needs no subcommand: anything that is not `rules`, `explain`, `server` or `check` is taken as
the check command's options and paths (so a path named `rules` is written `./rules`).
Exit status: 0 nothing left to report, 1 findings remain (or, with --exit-non-zero-on-fix,
files were fixed), 2 usage, configuration or internal error or a fixed file that could not
be written (read-only; the other files are still fixed), always as one line on stderr
(`--debug` shows the traceback).
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Sequence
from typing import Any

import click

from fluxloop_lint import __version__, output
from fluxloop_lint.config import SELECTOR, CommandLineOverrides, ConfigError, load_configuration
from fluxloop_lint.files import is_notebook
from fluxloop_lint.runner import lint_paths, lint_stdin
from fluxloop_lint.types import FixStrategy, RunOptions, RunReport

EXIT_CLEAN = 0
EXIT_FINDINGS = 1
EXIT_ERROR = 2
PROGRAM = "fluxloop-lint"
DEFAULT_COMMAND = "check"


class UserFacingError(Exception):
    """An error whose message is meant for the user as it is."""


def _error_line(message: str) -> None:
    click.echo(f"{PROGRAM}: error: {message}", err=True)


class LintGroup(click.Group):
    """A group whose default command is `check`, and whose errors are one line on stderr."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args or args[0] not in self.commands:
            args = [DEFAULT_COMMAND, *args]
        return super().parse_args(ctx, args)

    def main(self, args: Sequence[str] | None = None, prog_name: str | None = None, **extra: Any) -> Any:
        arguments = list(sys.argv[1:] if args is None else args)
        extra.pop("standalone_mode", None)
        try:
            status = super().main(arguments, prog_name or PROGRAM, standalone_mode=False, **extra)
        except click.UsageError as error:
            hint = f" (see `{PROGRAM} --help`)" if error.ctx is not None else ""
            _error_line(f"{error.format_message()}{hint}")
            status = EXIT_ERROR
        except click.ClickException as error:
            _error_line(error.format_message())
            status = EXIT_ERROR
        except click.Abort:
            _error_line("interrupted")
            status = EXIT_ERROR
        except (ConfigError, UserFacingError) as error:
            if "--debug" in arguments:
                traceback.print_exc()
            _error_line(str(error))
            status = EXIT_ERROR
        except Exception as error:  # an internal error: one line, the traceback on request
            if "--debug" in arguments:
                traceback.print_exc()
            _error_line(f"internal error: {type(error).__name__}: {error} (run with --debug for the traceback)")
            status = EXIT_ERROR
        sys.exit(status if isinstance(status, int) else EXIT_CLEAN)


def _selectors(values: tuple[str, ...], option: str) -> tuple[str, ...]:
    """Selectors from repeated, comma-separated options, upper-cased."""
    selectors = []
    for value in values:
        for part in value.split(","):
            part = part.strip().upper()
            if not part:
                continue
            if not SELECTOR.fullmatch(part):
                raise click.BadParameter(f"{part!r} is not a rule code, a code prefix (FLX1) or ALL", param_hint=option)
            selectors.append(part)
    return tuple(selectors)


def _selector_option(name: str, help_text: str) -> Any:
    return click.option(name, multiple=True, metavar="CODES", help=help_text)


@click.group(cls=LintGroup, context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """fluxloop-lint: finds FluxLoop instrumentation that breaks agent frameworks."""


@cli.command(
    DEFAULT_COMMAND,
    epilog="Other commands: `fluxloop-lint rules` lists the rules; `fluxloop-lint explain CODE` explains one; `fluxloop-lint server` is the language server.",
)
@click.argument("paths", nargs=-1, type=click.Path(path_type=str))
@click.option("--fix", is_flag=True, help="Apply fixes (safe ones; unsafe too with --unsafe-fixes).")
@click.option("--diff", is_flag=True, help="Print the fixes as a unified diff and write nothing.")
@click.option("--unsafe-fixes", is_flag=True, help="Also apply fixes that may change behaviour.")
@click.option(
    "--fix-strategy",
    type=click.Choice([strategy.value for strategy in FixStrategy]),
    help="reorder: framework decorator outermost (Pattern B); manual: instrument the body (Pattern A).",
)
@_selector_option("--select", "Rules to enable, replacing the configured set (codes, prefixes or ALL).")
@_selector_option("--extend-select", "Rules to enable in addition to the configured set.")
@_selector_option("--ignore", "Rules to disable (codes or prefixes).")
@click.option(
    "--output-format",
    type=click.Choice(["text", "json", "github", "sarif"]),
    default="text",
    show_default=True,
    help="How findings are printed.",
)
@click.option("--statistics", is_flag=True, help="Print a count per rule instead of each finding.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when findings remain.")
@click.option("--exit-non-zero-on-fix", is_flag=True, help="Exit 1 when files were fixed, even if nothing remains.")
@click.option("--config", "config_path", metavar="PATH", help="Read the configuration from this file.")
@click.option("--no-cache", is_flag=True, help="Do not read or write the cache.")
@click.option(
    "--force-exclude",
    is_flag=True,
    help="Apply the excludes to paths named on the command line too (for pre-commit, which names every file).",
)
@click.option("--stdin-filename", metavar="PATH", help="The name of the file read from standard input (`-`).")
@click.option("-q", "--quiet", is_flag=True, help="Print findings only, no summary.")
@click.option("--show-fixes", is_flag=True, help="Show each finding's fix title (help:) and fix, and the files --fix rewrote.")
@click.option("--debug", is_flag=True, help="Show tracebacks of internal errors.")
@click.version_option(__version__, "--version", prog_name=PROGRAM)
def check(
    paths: tuple[str, ...],
    fix: bool,
    diff: bool,
    unsafe_fixes: bool,
    fix_strategy: str | None,
    select: tuple[str, ...],
    extend_select: tuple[str, ...],
    ignore: tuple[str, ...],
    output_format: str,
    statistics: bool,
    exit_zero: bool,
    exit_non_zero_on_fix: bool,
    config_path: str | None,
    no_cache: bool,
    force_exclude: bool,
    stdin_filename: str | None,
    quiet: bool,
    show_fixes: bool,
    debug: bool,
) -> int:
    """Check PATHS (default: the current folder) and, with --fix, fix them."""
    paths = paths or ((("-",) if stdin_filename else (".",)))
    reading_stdin = "-" in paths
    if reading_stdin and len(paths) > 1:
        raise click.UsageError("`-` (standard input) cannot be combined with other paths")
    overrides = CommandLineOverrides(
        select=_selectors(select, "--select") if select else None,
        extend_select=_selectors(extend_select, "--extend-select"),
        ignore=_selectors(ignore, "--ignore"),
        fix_strategy=FixStrategy(fix_strategy) if fix_strategy else None,
        unsafe_fixes=unsafe_fixes,
    )
    config_paths = [stdin_filename] if reading_stdin and stdin_filename else list(paths)
    configuration = load_configuration(config_paths, config_path, overrides)
    options = RunOptions(
        fix=fix or diff,
        write=fix and not diff and not reading_stdin,
        use_cache=not no_cache and not reading_stdin,
        show_progress=not quiet,
        debug=debug,
        force_exclude=force_exclude,
    )
    if reading_stdin:
        source = sys.stdin.buffer.read()
        report = lint_stdin(source, stdin_filename or "-", configuration, options)
    else:
        report = lint_paths(paths, configuration, options)

    for path, error in report.errors:
        _error_line(f"{path}: {error}")
    if diff:
        status = _print_diffs(report, quiet, unsafe_fixes)
    elif fix and reading_stdin:
        status = _print_fixed_stdin(report, output_format, statistics, quiet, unsafe_fixes)
    else:
        status = _print_findings(report, output_format, statistics, quiet, unsafe_fixes, fix, show_fixes)
    if exit_non_zero_on_fix and any(linted.result.fixed for linted in report.files):
        status = EXIT_FINDINGS
    if exit_zero:
        status = EXIT_CLEAN
    return EXIT_ERROR if report.errors else status


def _print_findings(
    report: RunReport,
    output_format: str,
    statistics: bool,
    quiet: bool,
    unsafe_fixes: bool,
    fixing: bool,
    show_fixes: bool,
    err: bool = False,
) -> int:
    findings = report.findings
    if statistics:
        click.echo(output.format_statistics(findings, unsafe_fixes, as_json=output_format == "json"), nl=False, err=err)
    elif output_format == "json":
        click.echo(output.format_json(findings), nl=False, err=err)
    elif output_format == "github":
        click.echo(output.format_github(findings), nl=False, err=err)
    elif output_format == "sarif":
        click.echo(output.format_sarif(findings), nl=False, err=err)
    else:
        click.echo(output.format_text(findings, unsafe_fixes, show_fixes), nl=False, err=err)
        if fixing and (show_fixes or not quiet):
            for linted in report.files:
                if linted.written:
                    click.echo(output.fixed_file_line(linted.result.path, linted.result.fixed), nl=False, err=err)
        if not quiet:
            fixed = sum(linted.result.fixed for linted in report.files)
            errors = len(report.errors)
            summary = (
                output.fix_summary(findings, fixed, unsafe_fixes, errors)
                if fixing
                else output.check_summary(findings, unsafe_fixes, errors)
            )
            click.echo(summary, nl=False, err=err)
    return EXIT_FINDINGS if findings else EXIT_CLEAN


def _print_diffs(report: RunReport, quiet: bool, unsafe_fixes: bool) -> int:
    """The fixes as a diff on stdout; what they leave (files that do not parse, findings
    without a fix) as text on stderr, so a clean diff never hides them. Exit 1 if either."""
    changed = [linted for linted in report.files if linted.result.fixed_source is not None]
    remaining = report.findings
    click.echo(output.format_text(remaining, unsafe_fixes), nl=False, err=True)
    for linted in changed:
        fixed = linted.result.fixed_source
        fixed_bytes = fixed.encode("utf-8") if isinstance(fixed, str) else fixed
        assert linted.original is not None and fixed_bytes is not None
        diff = output.notebook_diff if is_notebook(linted.result.path) else output.unified_diff
        click.echo(diff(linted.result.path, linted.original, fixed_bytes), nl=False)
    if not quiet:
        fixes = sum(linted.result.fixed for linted in changed)
        if changed:
            click.echo(f"Would fix {output.plural(fixes, 'problem')} in {output.plural(len(changed), 'file')}.", err=True)
        else:
            click.echo("No fixes to apply.", err=True)
        if remaining:
            click.echo(f"{output.plural(len(remaining), 'problem')} left that the fixes do not remove.", err=True)
    return EXIT_FINDINGS if changed or remaining else EXIT_CLEAN


def _print_fixed_stdin(report: RunReport, output_format: str, statistics: bool, quiet: bool, unsafe_fixes: bool) -> int:
    """`--fix` on standard input: the fixed code on stdout, the findings left on stderr."""
    linted = report.files[0]
    fixed = linted.result.fixed_source
    if fixed is None:
        sys.stdout.buffer.write(linted.original or b"")
    else:
        sys.stdout.buffer.write(fixed.encode("utf-8") if isinstance(fixed, str) else fixed)
    sys.stdout.buffer.flush()
    return _print_findings(report, output_format, statistics, quiet, unsafe_fixes, True, False, err=True)


@cli.command("rules")
def rules_command() -> int:
    """List the rules: code, whether on by default, the fix, and the name (details: explain CODE).
    An explicit-only rule is marked as such: `ALL` and prefixes do not select it."""
    from fluxloop_lint.rule_docs import EXPLICIT_ONLY_NOTE, fix_word
    from fluxloop_lint.rules import ALL_RULES

    for rule in ALL_RULES:
        default = "on " if rule.DEFAULT_ENABLED else "off"
        fix = fix_word(rule)
        explicit = f"  ({EXPLICIT_ONLY_NOTE})" if rule.EXPLICIT_ONLY else ""
        click.echo(f"{rule.CODE}  {default}  fix: {fix:<6}  {rule.NAME}{explicit}")
    return EXIT_CLEAN


@cli.command("explain")
@click.argument("code")
def explain_command(code: str) -> int:
    """Explain one rule: what it does, why that is bad, a wrong and a right example, the fix's safety."""
    from fluxloop_lint.rule_docs import explanation
    from fluxloop_lint.rules import rule_for_code

    rule = rule_for_code(code.upper())
    if rule is None:
        raise UserFacingError(f"unknown rule code '{code}' (see `{PROGRAM} rules`)")
    click.echo(explanation(rule))
    return EXIT_CLEAN


@cli.command("server")
def server_command() -> int:
    """Run the language server on standard input and output (for editors)."""
    from fluxloop_lint.server import serve

    serve()
    return EXIT_CLEAN


def main() -> None:
    """The console script's entry point."""
    cli.main()
