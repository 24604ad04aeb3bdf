"""`python -m frontdoor.bound_replica <address> <package>`: run `python -m <package>` unchanged, except
that its HTTP server binds one loopback address (127.0.0.2, 127.0.0.3, ...) instead of every address.

That is what its own network address gives each replica of a compose service: all replicas listen on the
same port, the name resolves to each replica's address, and a replica that dies takes its address with
it. The services bind `innkeeper_kit.serving.LISTEN_ADDRESS` and have no setting for it, so the test sets it
here (the preflight's port check reads it too).
"""

from __future__ import annotations

import runpy
import sys

from innkeeper_kit import serving


def main() -> None:
    address, package = sys.argv[1], sys.argv[2]
    serving.LISTEN_ADDRESS = address
    sys.argv = [package, *sys.argv[3:]]
    runpy.run_module(package, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
