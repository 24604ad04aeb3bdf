"""`make bench`: `.venv/bin/python bench/run.py` — see docs/benchmarks.md for what it measures."""

import sys
from pathlib import Path

# Run as a script: make the repository root importable so `bench` is a package.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.main import main

if __name__ == "__main__":
    main()
