"""Docker's `.dockerignore` rules, enough to tell which files of the repository enter a build context.

Semantics of Docker's pattern matcher: patterns are matched in order against the path relative to the
context and against each of its parent directories; the last pattern that matches decides, and a
pattern starting with `!` re-includes. `*` stays within one path segment, `**` spans any number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath


@dataclass(frozen=True)
class Rule:
    regex: re.Pattern[str]
    include: bool


def _to_regex(pattern: str) -> re.Pattern[str]:
    parts: list[str] = []
    index = 0
    while index < len(pattern):
        if pattern.startswith("**/", index):
            parts.append("(?:.*/)?")
            index += 3
        elif pattern.startswith("**", index):
            parts.append(".*")
            index += 2
        elif pattern[index] == "*":
            parts.append("[^/]*")
            index += 1
        elif pattern[index] == "?":
            parts.append("[^/]")
            index += 1
        elif pattern[index] == "[":
            end = pattern.index("]", index)
            parts.append(pattern[index : end + 1])
            index = end + 1
        else:
            parts.append(re.escape(pattern[index]))
            index += 1
    return re.compile("".join(parts) + r"\Z")


def parse(text: str) -> list[Rule]:
    rules = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        include = line.startswith("!")
        pattern = str(PurePosixPath(line.lstrip("!").strip().lstrip("/")))
        rules.append(Rule(_to_regex(pattern), include))
    return rules


def excluded(rules: list[Rule], path: str) -> bool:
    """Whether `path` (relative to the context, with `/`) stays out of the build context."""
    candidates = [path, *(str(parent) for parent in PurePosixPath(path).parents if str(parent) != ".")]
    verdict = False
    for rule in rules:
        if any(rule.regex.match(candidate) for candidate in candidates):
            verdict = not rule.include
    return verdict


def context_files(root: Path, rules: list[Rule]) -> list[str]:
    """The files under `root` that a build would receive."""
    files = (path.relative_to(root).as_posix() for path in root.rglob("*") if path.is_file())
    return sorted(path for path in files if not excluded(rules, path))
