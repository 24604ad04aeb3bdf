"""The observability profile's tracing: the OpenTelemetry Collector's configuration takes OTLP from the
services and exports every trace to the profile's Jaeger, which Grafana can query. (No collector binary
here: the file is read as the collector reads it — components declared, then wired into pipelines.)"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from ops.repo import OTLP_COLLECTOR_URL, services

from observability.files import GRAFANA, OTEL_COLLECTOR, load_yaml

CONFIG_IN_CONTAINER = "/etc/otelcol-contrib/config.yaml"


def collector_config() -> dict[str, Any]:
    loaded: dict[str, Any] = load_yaml(OTEL_COLLECTOR / "config.yaml")
    return loaded


def test_the_collector_runs_with_this_configuration() -> None:
    collector = services()["otel-collector"]
    assert f"./deploy/otel-collector/config.yaml:{CONFIG_IN_CONTAINER}:ro" in collector["volumes"]
    assert collector["command"] == [f"--config={CONFIG_IN_CONTAINER}"]


def test_every_component_a_pipeline_names_is_declared_and_every_declared_one_is_used() -> None:
    config = collector_config()
    pipelines = config["service"]["pipelines"]
    assert set(pipelines) == {"traces"}
    for section in ("receivers", "processors", "exporters"):
        used = {name for pipeline in pipelines.values() for name in pipeline.get(section, [])}
        assert used == set(config[section]), section


def test_it_takes_otlp_over_http_and_grpc_from_the_compose_network_where_the_services_send() -> None:
    protocols = collector_config()["receivers"]["otlp"]["protocols"]
    # Since collector 0.104 an endpoint defaults to localhost: in a container it must say 0.0.0.0.
    assert protocols["http"]["endpoint"] == "0.0.0.0:4318"
    assert protocols["grpc"]["endpoint"] == "0.0.0.0:4317"
    sent_to = urlsplit(OTLP_COLLECTOR_URL)
    assert (sent_to.hostname, sent_to.port) == ("otel-collector", 4318)
    assert {"4317", "4318"} <= set(services()["otel-collector"]["expose"])


def test_traces_are_batched_under_a_memory_limit_and_exported_to_the_profiles_jaeger() -> None:
    config = collector_config()
    traces = config["service"]["pipelines"]["traces"]
    assert traces["receivers"] == ["otlp"]
    assert traces["processors"][0] == "memory_limiter"  # first: it refuses before anything is held
    assert "batch" in traces["processors"]
    [exporter] = traces["exporters"]
    assert exporter.split("/")[0] == "otlp"
    host, port = config["exporters"][exporter]["endpoint"].rsplit(":", 1)
    assert host == "jaeger"
    jaeger = services()[host]
    assert port in jaeger["expose"]
    assert jaeger["environment"]["COLLECTOR_OTLP_ENABLED"] == "true"
    assert jaeger["profiles"] == services()["otel-collector"]["profiles"] == ["observability"]
    assert services()["otel-collector"]["depends_on"] == {"jaeger": {"condition": "service_healthy"}}


def test_jaeger_keeps_a_bounded_number_of_traces_and_grafana_reads_them() -> None:
    jaeger = services()["jaeger"]
    assert jaeger["environment"]["SPAN_STORAGE_TYPE"] == "memory"
    assert 0 < int(jaeger["environment"]["MEMORY_MAX_TRACES"]) <= 100_000
    [source] = [s for s in load_yaml(GRAFANA / "datasources.yml")["datasources"] if s["type"] == "jaeger"]
    url = urlsplit(source["url"])
    assert url.hostname == "jaeger"
    assert str(url.port) in jaeger["expose"]
    assert jaeger["ports"][0].endswith(f":{url.port}")  # the same UI, on 127.0.0.1 for people
