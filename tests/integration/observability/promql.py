"""The metric names a PromQL expression selects, read without a PromQL parser (promtool has no command
that prints one offline): everything that is not a metric name is taken out first, then the identifiers
that remain are metric names."""

from __future__ import annotations

import re

GRAFANA_VARIABLES = re.compile(r"\$(__rate_interval|__interval|__range)\b|\$\{__[a-z_]+\}")
STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|`[^`]*`')
MATCHERS = re.compile(r"\{[^{}]*\}")  # label matchers, once their strings are gone
RANGES = re.compile(r"\[[^\[\]]*\]")  # range and subquery durations
LABEL_LISTS = re.compile(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^()]*\)")
DURATIONS = re.compile(r"(?<![\w:.])\d+(ms|[smhdwy])(\d+(ms|[smhdwy]))*\b")  # after `offset`, `@`
NUMBERS = re.compile(r"(?<![\w:.])(0x[0-9a-fA-F]+|\d[\d_]*(\.\d*)?([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?)")
IDENTIFIER = re.compile(r"(?<![\w:])([A-Za-z_:][\w:]*)(\s*\()?")
KEYWORDS = {"and", "or", "unless", "bool", "offset", "start", "end", "inf", "nan", "atan2"}
"""Binary operators and modifiers spelled as words, and the literals Inf and NaN (in any case)."""


def metric_names(expression: str) -> set[str]:
    """The metric names `expression` selects (a function or an aggregation is followed by `(`)."""
    if "__name__" in expression:
        raise ValueError(f"a metric chosen by its __name__ label is not read here: {expression}")
    text = GRAFANA_VARIABLES.sub("1m", expression)
    text = STRINGS.sub("", text)
    text = MATCHERS.sub("", text)
    text = RANGES.sub("", text)
    text = LABEL_LISTS.sub("", text)
    text = DURATIONS.sub("", text)
    text = NUMBERS.sub("", text)
    names = set()
    for name, call in IDENTIFIER.findall(text):
        if not call and name.lower() not in KEYWORDS:
            names.add(name)
    return names
