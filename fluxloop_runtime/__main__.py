"""`python -m fluxloop_runtime ...`: the `fluxloop` command under an unambiguous name."""

import sys

from fluxloop_runtime.cli import main

if __name__ == "__main__":
    sys.exit(main())
