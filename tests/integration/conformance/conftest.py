"""The conformance harness's integration tests: `conformance` is imported from the repository root."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from conformance.system_local import LocalSystem

ROOT = Path(__file__).resolve().parents[3]
if str(ROOT) not in sys.path:  # `python -m pytest` has it; a bare `pytest` may not
    sys.path.insert(0, str(ROOT))


@pytest.fixture
async def system(request: pytest.FixtureRequest) -> AsyncIterator[LocalSystem]:
    """A started LocalSystem (one replica each), its run dir named after the test module; stopped after."""
    from conformance.system_local import LocalSystem  # after the root is on sys.path

    started = LocalSystem(f"{request.module.__name__.rsplit('.', 1)[-1]}")
    try:
        await started.start()
        yield started
    finally:
        await started.stop()
