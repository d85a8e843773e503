"""Virtual chassis tests: make the repository root importable (``virtual_chassis`` the package,
not this test directory) whichever way pytest was started."""

import sys
from pathlib import Path

ROOT = str(Path(__file__).resolve().parents[2])
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)
