"""The project's nginx front door as a process of the test: deploy/nginx/innkeeper.conf.template filled
in as the nginx image's entrypoint fills it (envsubst of the variables it is given), inside a small main
configuration that stands in for the image's /etc/nginx/nginx.conf, with every path in a directory of
the test's own (never the system's pid file, logs or temporary files)."""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from pathlib import Path
from types import TracebackType

import httpx
import pytest

TEMPLATE = Path(__file__).resolve().parents[3] / "deploy" / "nginx" / "innkeeper.conf.template"
_VARIABLE = re.compile(r"\$\{([A-Z0-9_]+)\}")

# What the image's nginx.conf puts around conf.d, plus an access log that names the replicas each
# request was passed to, in order (`$upstream_addr`: "a, b" when nginx moved on from a to b).
_MAIN = """\
daemon off;
worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/error.log notice;
events {{ worker_connections 256; }}
http {{
    log_format routed '$request_method $uri $status upstream=[$upstream_addr] statuses=[$upstream_status]';
    access_log {dir}/access.log routed;
    client_body_temp_path {dir}/client_body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    include {dir}/innkeeper.conf;
}}
"""


def variables(template: str) -> set[str]:
    """The names the template needs filled in."""
    return set(_VARIABLE.findall(template))


def render(template: str, values: dict[str, str]) -> str:
    """The template with each of its variables replaced; fails naming any variable left without a value."""
    unset = variables(template) - set(values)
    assert not unset, f"no value for {sorted(unset)} in {TEMPLATE.name}"
    return _VARIABLE.sub(lambda found: values[found.group(1)], template)


def nginx_executable() -> str:
    found = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/usr/local/sbin")
    if found is None:
        pytest.fail(
            "nginx is not installed: the front-door tests run the project's nginx configuration. Install "
            "it: `apt-get install -y --no-install-recommends nginx-light` (.ci/run does this in CI).",
            pytrace=False,
        )
    return found


class FrontDoor:
    """nginx running the project's rules with `values` for the template's variables, in `directory`."""

    def __init__(self, values: dict[str, str], directory: Path) -> None:
        self.values, self.directory = values, directory
        self.process: subprocess.Popen[bytes] | None = None

    def url(self, listen_variable: str) -> str:
        """The front door's URL for one service, by the template variable of its listen address."""
        return f"http://{self.values[listen_variable]}"

    def start(self) -> FrontDoor:
        (self.directory / "innkeeper.conf").write_text(render(TEMPLATE.read_text(), self.values))
        main = self.directory / "nginx.conf"
        main.write_text(_MAIN.format(dir=self.directory))
        command = [nginx_executable(), "-p", str(self.directory), "-e", str(self.directory / "error.log")]
        checked = subprocess.run([*command, "-t", "-c", str(main)], capture_output=True, text=True)
        assert checked.returncode == 0, f"nginx -t rejects the configuration:\n{checked.stderr}"
        self.process = subprocess.Popen([*command, "-c", str(main)], stderr=subprocess.STDOUT)
        self._wait_serving()
        return self

    def _wait_serving(self, seconds: float = 20) -> None:
        health = f"{self.url('FRONT_DOOR_HEALTH_LISTEN')}/nginx-health"
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"nginx exited with {self.process.returncode}:\n{self.errors()}")
            try:
                if httpx.get(health, timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.05)
        raise TimeoutError(f"nginx not answering {health} after {seconds}s:\n{self.errors()}")

    def routed(self) -> list[str]:
        """The access log's lines so far: method, path, status and the replicas tried."""
        log = self.directory / "access.log"
        return log.read_text().splitlines() if log.exists() else []

    def errors(self) -> str:
        log = self.directory / "error.log"
        return log.read_text(errors="replace") if log.exists() else ""

    def __enter__(self) -> FrontDoor:
        return self.start()

    def __exit__(self, *exc: object | TracebackType) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()  # SIGTERM: nginx's fast shutdown
            self.process.wait(timeout=10)
