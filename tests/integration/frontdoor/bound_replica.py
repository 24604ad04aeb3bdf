"""`python -m frontdoor.bound_replica <address> <package>`: run `python -m <package>` unchanged, except
that its HTTP server binds one loopback address (127.0.0.2, 127.0.0.3, ...) instead of every address.

That is what its own network address gives each replica of a compose service: all replicas listen on the
same port, the name resolves to each replica's address, and a replica that dies takes its address with
it. The services bind 0.0.0.0 and have no setting for the address, so the test sets it here, at uvicorn.
"""

from __future__ import annotations

import runpy
import sys
from typing import Any

import uvicorn


def main() -> None:
    address, package = sys.argv[1], sys.argv[2]
    serve_everywhere = uvicorn.run

    def serve_on_address(app: Any, **options: Any) -> None:
        assert options.get("host") == "0.0.0.0", f"{package} no longer binds 0.0.0.0: {options.get('host')}"
        serve_everywhere(app, **{**options, "host": address})

    uvicorn.run = serve_on_address
    sys.argv = [package, *sys.argv[3:]]
    runpy.run_module(package, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
