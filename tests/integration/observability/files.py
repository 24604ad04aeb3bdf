"""The observability files of the repository, and what they name: the alerts' and the dashboard's PromQL,
the runbook links, the scrape jobs."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped]

ROOT = Path(__file__).resolve().parents[3]
PROMETHEUS = ROOT / "deploy" / "prometheus"
GRAFANA = ROOT / "deploy" / "grafana"
OTEL_COLLECTOR = ROOT / "deploy" / "otel-collector"
OPERATIONS = ROOT / "docs" / "operations.md"

SCRAPE_TOKEN = "/etc/prometheus/innkeeper-auth/prometheus-token"
"""Where prometheus.yml reads its bearer token for /metrics (compose mounts .run/auth there)."""


def load_yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text())


def alert_rules() -> list[dict[str, Any]]:
    return [rule for group in load_yaml(PROMETHEUS / "rules.yml")["groups"] for rule in group["rules"]]


def dashboard() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((GRAFANA / "innkeeper.json").read_text())
    return loaded


def dashboard_expressions() -> dict[str, str]:
    """Panel title and query letter → PromQL of every query on the dashboard."""
    return {
        f"{panel['title']} {target['refId']}": target["expr"]
        for panel in dashboard()["panels"]
        for target in panel.get("targets", [])
    }


def expressions() -> dict[str, str]:
    """Where (alert name, or dashboard panel) → PromQL, for every expression the files hold."""
    alerts = {f"alert {rule['alert']}": rule["expr"] for rule in alert_rules()}
    return alerts | {f"panel {where}": expr for where, expr in dashboard_expressions().items()}


def heading_anchors(markdown: str) -> set[str]:
    """GitHub's anchors of a document's headings: lower case, punctuation dropped, spaces to dashes."""
    headings = re.findall(r"^#{1,6}\s+(.+?)\s*$", markdown, re.MULTILINE)
    return {re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-") for heading in headings}


def scrape_jobs() -> dict[str, dict[str, Any]]:
    return {job["job_name"]: job for job in load_yaml(PROMETHEUS / "prometheus.yml")["scrape_configs"]}
