"""`python -m fluxloop_lint`, the same as the `fluxloop-lint` console script."""

from fluxloop_lint.cli import main

if __name__ == "__main__":
    main()
