"""Alerts, scrape configuration and dashboard as files: promtool checks them, and every metric they name
is one a service exports."""
