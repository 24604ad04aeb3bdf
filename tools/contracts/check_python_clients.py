#!/usr/bin/env python3
"""Generate a Python client from each HTTP service's OpenAPI with openapi-python-client, then prove
it usable: every module compiles and imports, and mypy --strict passes over it and over the first
calls an integrator writes (usage_clients.py).

Part of `make contracts-check`: a spec that the generator refuses or warns about (`--fail-on-warning`),
or that makes it write code that does not compile, import or type-check, fails CI.

Usage: check_python_clients.py [--docs docs/openapi] [--out tools/contracts/build/python]
"""

from __future__ import annotations

import argparse
import compileall
import os
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
CLIENTS = {"command-service": "innkeeper_command_client", "query-service": "innkeeper_query_client"}
"""The services integrators call, and the import name their generated client gets."""


def _run(what: str, command: list[str], **kwargs: object) -> None:
    print(f"+ {what}", flush=True)
    subprocess.run(command, check=True, **kwargs)  # type: ignore[call-overload]


def generate(docs: Path, out: Path) -> None:
    bin_dir = Path(sys.executable).parent
    # The generator formats its output with ruff (its post-hooks): the venv's, found on PATH.
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}
    for service, package in CLIENTS.items():
        target = out / package
        shutil.rmtree(target, ignore_errors=True)
        command = [
            str(bin_dir / "openapi-python-client"),
            "generate",
            "--path",
            str(docs / f"{service}.json"),
        ]
        options = ["--output-path", str(target), "--meta", "none", "--fail-on-warning"]
        _run(
            f"openapi-python-client: {service} -> {package}",
            command + options,
            env=env,
            stdout=subprocess.DEVNULL,
        )


def check(out: Path) -> None:
    if not compileall.compile_dir(out, quiet=1, workers=1):
        raise SystemExit(f"generated clients under {out} do not compile")
    # Import every module of every client, in a fresh interpreter (nothing of this process leaks in).
    imports = (
        "import importlib, pkgutil, sys\n"
        "for name in sys.argv[1:]:\n"
        "    package = importlib.import_module(name)\n"
        "    modules = [m.name for m in pkgutil.walk_packages(package.__path__, name + '.')]\n"
        "    for module in modules: importlib.import_module(module)\n"
        "    print(f'{name}: {len(modules)} modules import')\n"
    )
    _run("import every module", [sys.executable, "-c", imports, *CLIENTS.values()], cwd=out)
    config, usage = HERE / "mypy-generated.ini", HERE / "usage_clients.py"
    _run(
        "mypy --strict, with usage_clients.py",
        [sys.executable, "-m", "mypy", "--config-file", str(config), *CLIENTS.values(), str(usage)],
        cwd=out,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--docs", type=Path, default=ROOT / "docs" / "openapi")
    parser.add_argument("--out", type=Path, default=HERE / "build" / "python")
    arguments = parser.parse_args(argv)
    arguments.out.mkdir(parents=True, exist_ok=True)
    try:
        generate(arguments.docs.resolve(), arguments.out.resolve())
        check(arguments.out.resolve())
    except subprocess.CalledProcessError as failed:  # its own output above says why
        print(f"Python clients: {Path(failed.cmd[0]).name} … exited {failed.returncode}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
