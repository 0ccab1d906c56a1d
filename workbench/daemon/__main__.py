"""``python -m workbench.daemon``: the desk server (``workbench.daemon.server``)."""

import sys

from workbench.daemon.server import main

if __name__ == "__main__":  # importing the module (every module of the core) starts nothing
    sys.exit(main())
