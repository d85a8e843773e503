"""``python -m harness.cli``: the same as the ``hil`` command."""

import sys

from harness.cli import main

sys.exit(main())
