"""The one error type the experiment commands turn into a one-line message and exit 2."""


class ExperimentError(Exception):
    """A problem with the user's configuration, inputs, target or folders (not with a run)."""
