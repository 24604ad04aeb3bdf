"""What the services' metrics have alike: a registry of their own, so nothing registers at import."""

from __future__ import annotations

from prometheus_client import GC_COLLECTOR, PLATFORM_COLLECTOR, PROCESS_COLLECTOR, CollectorRegistry


def process_registry() -> CollectorRegistry:
    """A registry with the garbage-collector, platform and process metrics the default one has, in its
    order (the collectors read the process only when scraped): `/metrics` answers as from the default."""
    registry = CollectorRegistry()
    for collector in (GC_COLLECTOR, PLATFORM_COLLECTOR, PROCESS_COLLECTOR):
        registry.register(collector)
    return registry
