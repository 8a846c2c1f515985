"""The `fluxloop` command: `fluxloop run experiment` and `fluxloop parse experiment`.

Also reachable as `python -m fluxloop_runtime`, which is the safe spelling when the public
`fluxloop-cli` (which ships its own `fluxloop` script) is installed in the same
environment. Exit status: 0 done (runs that failed are results, shown in the summary),
2 bad usage, configuration or folders, 130 interrupted by Ctrl-C.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

EXIT_USAGE = 2
EXIT_INTERRUPTED = 130
# Click >= 8.2 raises this for a bare `fluxloop` or `fluxloop run`; its message is the help.
_NO_ARGUMENTS_IS_HELP = getattr(click.exceptions, "NoArgsIsHelpError", ())


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """Run agents under FluxLoop and read what they recorded."""


@cli.group()
def run() -> None:
    """Run things under FluxLoop."""


@cli.group()
def parse() -> None:
    """Turn recorded output into readable files."""


@run.command("experiment")
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path, dir_okay=False),
    default="config.yaml",
    show_default=True,
    help="The experiment's YAML configuration.",
)
@click.option("--iterations", type=click.IntRange(1, 1000), help="Override the configuration's iterations.")
@click.option(
    "--output",
    type=click.Path(path_type=Path, file_okay=False),
    help="Folder to create the experiment folder in (overrides output_directory).",
)
def run_experiment_command(config_path: Path, iterations: int | None, output: Path | None) -> int:
    """Run the configured target on every input, once per iteration, one trace per run."""
    from fluxloop_runtime.experiments.config import load_experiment
    from fluxloop_runtime.experiments.runner import run_experiment

    loaded = load_experiment(config_path)
    result = run_experiment(loaded, iterations=iterations, output_directory=output and output.resolve())
    click.echo(result.table)
    click.echo(f"\nexperiment folder: {result.folder}")
    if result.interrupted:
        click.echo("interrupted: the summary covers the completed runs only", err=True)
        return EXIT_INTERRUPTED
    return 0


@parse.command("experiment")
@click.argument("folder", type=click.Path(path_type=Path, file_okay=False))
@click.option(
    "--output",
    type=click.Path(path_type=Path, file_okay=False),
    help="Folder for the analysis (default: FOLDER/per_trace_analysis).",
)
@click.option("--overwrite", is_flag=True, help="Replace the files of an earlier analysis.")
def parse_experiment_command(folder: Path, output: Path | None, overwrite: bool) -> int:
    """Write one Markdown file per trace and per_trace.jsonl from an experiment folder."""
    from fluxloop_runtime.experiments.parse import parse_experiment

    result = parse_experiment(folder, output=output, overwrite=overwrite)
    click.echo(f"parsed {result.traces} trace(s) into {result.output_folder}")
    if result.unmatched_observations:
        click.echo(f"note: {result.unmatched_observations} observation(s) belong to no completed run", err=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `fluxloop` script and of `python -m fluxloop_runtime`."""
    from fluxloop_runtime.experiments.errors import ExperimentError

    try:
        status = cli.main(args=argv, prog_name="fluxloop", standalone_mode=False)
    except _NO_ARGUMENTS_IS_HELP as error:
        click.echo(error.format_message(), err=True)
        return EXIT_USAGE
    except click.UsageError as error:
        hint = f" (see '{error.ctx.command_path} --help')" if error.ctx is not None else ""
        click.echo(f"fluxloop: error: {error.format_message()}{hint}", err=True)
        return EXIT_USAGE
    except click.ClickException as error:
        click.echo(f"fluxloop: error: {error.format_message()}", err=True)
        return error.exit_code
    except ExperimentError as error:
        click.echo(f"fluxloop: error: {error}", err=True)
        return EXIT_USAGE
    except (KeyboardInterrupt, click.Abort):
        click.echo("fluxloop: interrupted", err=True)
        return EXIT_INTERRUPTED
    return status if isinstance(status, int) else 0


if __name__ == "__main__":
    sys.exit(main())
