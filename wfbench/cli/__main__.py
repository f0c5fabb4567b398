"""``python -m wfbench.cli``: the ``wfbench`` command."""

import sys

from wfbench.cli import main

sys.exit(main())
