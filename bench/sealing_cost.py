"""What sealing a guest's personal data costs a BookStay, in this process with the services' own code
(`innkeeper_kit.personal`): a returning guest's booking seals two texts (name, e-mail) under a key it
has; a new guest's booking first makes a data key and wraps it under the master key. The PostgreSQL side
(the key's row, written in the booking's transaction) is in the BookStay rate itself: compare the
commands' ratio to their paired baseline with a run from before sealing (docs/benchmarks.md).
"""

from __future__ import annotations

import time
from typing import Any

from bench.stats import percentile
from innkeeper_kit.personal import GuestKeyStore, MasterKeys, seal

SAMPLES = 2000
_NAME, _EMAIL = "Bench Guest", "g123456@bench-mail.io"


def sealing_costs(samples: int = SAMPLES) -> dict[str, Any]:
    store = GuestKeyStore(MasterKeys.parse(MasterKeys.new_setting("bench")))
    known = store.new_key()

    def returning_guest() -> None:
        seal(known.key_id, known.data_key, _NAME)
        seal(known.key_id, known.data_key, _EMAIL)

    def new_guest() -> None:
        key = store.new_key()
        store.insert_args("g-1", key)  # wraps it, as the command service does before its INSERT
        seal(key.key_id, key.data_key, _NAME)
        seal(key.key_id, key.data_key, _EMAIL)

    result = {name: _timed(work, samples) for name, work in (("returning_guest", returning_guest),
                                                             ("new_guest", new_guest))}  # fmt: skip
    print(f"    sealing: returning guest p50 {result['returning_guest']['p50_us']:.1f} us, "
          f"new guest p50 {result['new_guest']['p50_us']:.1f} us", flush=True)  # fmt: skip
    return result


def _timed(work: Any, samples: int) -> dict[str, float | None]:
    for _ in range(50):  # warm up
        work()
    values = []
    for _ in range(samples):
        started = time.perf_counter()
        work()
        values.append((time.perf_counter() - started) * 1e6)
    return {"p50_us": percentile(values, 0.5), "p99_us": percentile(values, 0.99)}
