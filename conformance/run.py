"""`make conformance`: `.venv/bin/python conformance/run.py --help` — see docs/operations.md."""

import sys
from pathlib import Path

# Run as a script: make the repository root importable so `conformance` is a package.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from conformance.cli import main

if __name__ == "__main__":
    sys.exit(main())
