"""``python -m workbench.daemon``: the desk server (``workbench.daemon.server``)."""

import sys

from workbench.daemon.server import main

sys.exit(main())
