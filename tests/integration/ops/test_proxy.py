"""The nginx front door as compose fills its template: well-formed, one port per service, re-resolving
replicas, retrying only GETs. tests/integration/frontdoor runs the same template in nginx."""

from __future__ import annotations

import re

from frontdoor.nginx import TEMPLATE, render, variables

from ops.repo import PORTS, services


def _directives(text: str) -> list[tuple[int, str, list[str]]]:
    """(block depth, name, arguments) of every directive; fails on unbalanced braces or a missing `;`."""
    tokens = re.findall(r'"(?:[^"\\]|\\.)*"|\'[^\']*\'|[{};]|[^\s{};]+', re.sub(r"#[^\n]*", "", text))
    found: list[tuple[int, str, list[str]]] = []
    words: list[str] = []
    depth = 0
    for token in tokens:
        if token in ("{", ";"):
            assert words, f"empty statement before {token!r}"
            found.append((depth, words[0], words[1:]))
            words, depth = [], depth + (token == "{")
        elif token == "}":
            assert not words, f"missing ';' after {' '.join(words)}"
            depth -= 1
            assert depth >= 0, "unbalanced '}'"
        else:
            words.append(token)
    assert not words, f"missing ';' after {' '.join(words)}"
    assert depth == 0, "unclosed block"
    return found


def _as_compose_fills_it() -> str:
    environment = {key: str(value) for key, value in services()["proxy"]["environment"].items()}
    return render(TEMPLATE.read_text(), environment)


DIRECTIVES = _directives(_as_compose_fills_it())


def _top(name: str) -> list[list[str]]:
    return [arguments for depth, directive, arguments in DIRECTIVES if depth == 0 and directive == name]


def test_compose_fills_every_variable_of_the_template_and_mounts_it_where_the_image_fills_it() -> None:
    proxy = services()["proxy"]
    assert variables(TEMPLATE.read_text()) == set(proxy["environment"])
    assert f"./deploy/nginx/{TEMPLATE.name}:/etc/nginx/templates/default.conf.template:ro" in proxy["volumes"]


def test_replicas_are_re_resolved_through_dockers_dns() -> None:
    assert _top("resolver") == [["127.0.0.11", "valid=5s", "ipv6=off"]]
    passes = [arguments for _, name, arguments in DIRECTIVES if name == "proxy_pass"]
    assert passes
    assert all(arguments[0].startswith("$") for arguments in passes), "a literal host is resolved only once"


def test_each_service_has_its_own_listening_port_that_forwards_to_its_replicas() -> None:
    listens = [int(arguments[0]) for _, name, arguments in DIRECTIVES if name == "listen"]
    urls = " ".join(arguments[1] for _, name, arguments in DIRECTIVES if name == "set")
    forwarded = {int(port): host for host, port in re.findall(r"http://([a-z-]+):(\d+)", urls)}
    assert forwarded == {port: service for service, port in PORTS.items()}
    assert set(PORTS.values()) <= set(listens)
    published = {int(spec.rsplit(":", 1)[1]) for spec in services()["proxy"]["ports"]}
    assert published == set(PORTS.values())
    health_port = re.search(r"127\.0\.0\.1:(\d+)/", " ".join(services()["proxy"]["healthcheck"]["test"]))
    assert health_port is not None
    assert int(health_port.group(1)) in listens


def test_only_idempotent_requests_are_retried_on_another_replica() -> None:
    (next_upstream,) = _top("proxy_next_upstream")
    assert {"error", "timeout", "http_502", "http_503"} <= set(next_upstream)
    assert "non_idempotent" not in next_upstream


def test_the_proxy_waits_longer_than_a_read_your_writes_request() -> None:
    (read_timeout,) = _top("proxy_read_timeout")
    wait = services()["query-service"]["environment"]["CONSISTENCY_WAIT_SECONDS"]
    default = int(re.findall(r":-(\d+)", wait)[0])
    assert int(read_timeout[0].rstrip("s")) > default
