"""promtool validates the rules and the scrape configuration and runs the rules' unit tests (Debian's
`prometheus` package; `.ci/run` installs it); the runbook links, the scrape jobs and the dashboard point
where they should."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml  # type: ignore[import-untyped]
from ops.repo import PORTS, services

from observability.files import (
    GRAFANA,
    OPERATIONS,
    PROMETHEUS,
    ROOT,
    SCRAPE_TOKEN,
    alert_rules,
    dashboard,
    expressions,
    heading_anchors,
    load_yaml,
    scrape_jobs,
)
from observability.promql import metric_names

QUEUE_COARSE = ("messages", "messages_ready", "messages_unacked", "process_reductions_total")
"""rabbitmq_detailed_queue_<these>: the `queue_coarse_metrics` family of rabbitmq_prometheus."""


def promtool(*args: str, cwd: Path = PROMETHEUS) -> str:
    """Run promtool; fail (not skip) when it is missing: CI must check the rules."""
    binary = shutil.which("promtool") or "/usr/bin/promtool"
    if not Path(binary).is_file():
        pytest.fail(
            "promtool is missing: install Debian's prometheus package "
            "(apt-get install -y --no-install-recommends prometheus; .ci/run does)"
        )
    done = subprocess.run([binary, *args], cwd=cwd, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, f"promtool {' '.join(args)}:\n{done.stdout}{done.stderr}"
    return done.stdout + done.stderr


def test_promtool_accepts_the_rules() -> None:
    assert f"SUCCESS: {len(alert_rules())} rules found" in promtool("check", "rules", "rules.yml")


def test_the_rules_unit_tests_pass_and_cover_every_alert() -> None:
    assert "SUCCESS" in promtool("test", "rules", "rules.test.yml")
    tests = load_yaml(PROMETHEUS / "rules.test.yml")["tests"]
    cases = [case for test in tests for case in test["alert_rule_test"]]
    fired = {case["alertname"] for case in cases if case.get("exp_alerts")}
    quiet = {case["alertname"] for case in cases if not case.get("exp_alerts")}
    names = {rule["alert"] for rule in alert_rules()}
    assert fired == names, f"alerts never made to fire: {names - fired}"
    assert quiet == names, f"alerts never shown quiet: {names - quiet}"


def test_promtool_accepts_the_scrape_configuration_with_its_rules(tmp_path: Path) -> None:
    """The whole check (rule files included), on a copy whose token file exists here."""
    token = tmp_path / "prometheus-token"
    token.write_text("a-token\n")
    config = (PROMETHEUS / "prometheus.yml").read_text()
    assert SCRAPE_TOKEN in config
    (tmp_path / "prometheus.yml").write_text(config.replace(SCRAPE_TOKEN, str(token)))
    shutil.copy(PROMETHEUS / "rules.yml", tmp_path / "rules.yml")
    output = promtool("check", "config", "prometheus.yml", cwd=tmp_path)
    assert f"SUCCESS: {len(alert_rules())} rules found" in output


def test_every_alert_has_a_severity_a_summary_and_a_runbook_entry_in_the_operations_guide() -> None:
    anchors = heading_anchors(OPERATIONS.read_text())
    for rule in alert_rules():
        assert rule["labels"]["severity"] in {"page", "ticket"}, rule["alert"]
        assert rule["annotations"]["summary"], rule["alert"]
        document, _, anchor = rule["annotations"]["runbook_url"].partition("#")
        assert document == "docs/operations.md", rule["alert"]
        assert anchor in anchors, f"{rule['alert']}: docs/operations.md has no heading for #{anchor}"


def test_every_replica_of_every_service_is_scraped_by_name_on_its_port() -> None:
    """Docker's DNS answers a service's name with one A record per replica: each is scraped, none through
    the front door; and every replica's /readyz is probed."""
    jobs = scrape_jobs()
    for service, port in PORTS.items():
        job = jobs[f"innkeeper-{service}"]
        assert job["dns_sd_configs"] == [
            {"names": [service], "type": "A", "port": port, "refresh_interval": "5s"}
        ]
        assert job["authorization"]["credentials_file"] == SCRAPE_TOKEN
        assert services()[service]["environment"]["PORT"] == str(port)
    probed = {(c["names"][0], c["port"]) for c in jobs["innkeeper-readyz"]["dns_sd_configs"]}
    assert probed == set(PORTS.items())
    assert "proxy" not in yaml.safe_dump(jobs)


def test_the_observability_profile_mounts_these_files_and_needs_a_grafana_password() -> None:
    prometheus, grafana = services()["prometheus"], services()["grafana"]
    assert prometheus["profiles"] == grafana["profiles"] == services()["blackbox-exporter"]["profiles"]
    assert prometheus["profiles"] == ["observability"]
    mounted = {volume.split(":")[0] for volume in prometheus["volumes"] + grafana["volumes"]}
    assert {"./deploy/prometheus/prometheus.yml", "./deploy/prometheus/rules.yml", "./.run/auth"} <= mounted
    provisioned = {
        f"./deploy/grafana/{name}" for name in ("datasources.yml", "dashboards.yml", "innkeeper.json")
    }
    assert provisioned <= mounted
    assert grafana["environment"]["GF_SECURITY_ADMIN_PASSWORD"].startswith("${GRAFANA_ADMIN_PASSWORD:?")


def test_the_dashboard_queries_the_provisioned_data_source() -> None:
    sources = {source["type"]: source for source in load_yaml(GRAFANA / "datasources.yml")["datasources"]}
    assert set(sources) == {"prometheus", "jaeger"}  # metrics, and the profile's traces
    source = sources["prometheus"]
    panels = [panel for panel in dashboard()["panels"] if panel["type"] != "row"]
    assert panels
    for panel in panels:
        assert panel["targets"], panel["title"]
        assert panel["datasource"]["uid"] == source["uid"], panel["title"]
        assert {target["datasource"]["uid"] for target in panel["targets"]} == {source["uid"]}


def test_rabbitmqs_queue_depths_are_scraped_where_the_plugin_gives_them_per_queue() -> None:
    """rabbitmq_prometheus's /metrics aggregates over all queues; `/metrics/detailed` with the
    `queue_coarse_metrics` family names each queue: rabbitmq_detailed_queue_messages{vhost,queue} (checked
    against RabbitMQ 3.10 and documented by the plugin), as the dead-letter alerts read it."""
    job = scrape_jobs()["rabbitmq"]
    assert job["metrics_path"] == "/metrics/detailed"
    assert job["params"] == {"vhost": ["innkeeper"], "family": ["queue_coarse_metrics"]}
    assert job["static_configs"] == [{"targets": ["rabbitmq:15692"]}]
    assert "rabbitmq_prometheus" in (ROOT / "deploy" / "rabbitmq" / "enabled_plugins").read_text()
    family = {f"rabbitmq_detailed_queue_{name}" for name in QUEUE_COARSE}
    named = {name for expression in expressions().values() for name in metric_names(expression)}
    assert {name for name in named if name.startswith("rabbitmq_")} <= family
    assert not job["job_name"].startswith("innkeeper-"), "NotReady's up{job=~innkeeper-.*} is the services'"
