"""The scale-out phase and the final verify in the table and the lines under it."""

from __future__ import annotations

from typing import Any

from bench.cpu import OWN, labelled
from bench.details import scale_out_lines
from bench.report import build_rows

SCALE_OUT = {
    "reads": {
        "one": {"rps": 300.0, "cpu_share": {"query-service 1": 0.4}},
        "two": {"rps": 330.0, "cpu_share": {"query-service 1": 0.25, "query-service 2": 0.24, "x": 0.1}},
    },
    "projector": {
        "one": {"events_per_s": 500.0, "events": 3000, "shards_by_process": {"projector 1": 4},
                "cpu_share": {"projector 1": 0.5}},
        "two": {"events_per_s": 510.0, "events": 3100, "cpu_share": {"projector 1": 0.3, "projector 2": 0.28},
                "shards_by_process": {"projector 1": 2, "projector 2": 2}},
    },
}  # fmt: skip


def rows(ink: dict[str, Any]) -> dict[str, Any]:
    return {row.measure: row for row in build_rows({"innkeeper": ink})}


def test_two_replicas_are_reported_beside_one_without_a_target() -> None:
    found = rows({"scale_out": SCALE_OUT})
    reads = found["GET /hotels/{id} req/s, two query-service processes"]
    assert (reads.value, reads.baseline, reads.verdict) == (330.0, 300.0, "")
    drain = found["projector events applied/s, two projector processes"]
    assert round(drain.ratio or 0, 2) == 1.02


def test_scale_out_lines_name_each_process_and_its_shards() -> None:
    text = "\n".join(scale_out_lines({"innkeeper": {"scale_out": SCALE_OUT}}))
    assert "query-service 1 25%, query-service 2 24%, x 10%" in text
    assert "shards applied by projector 1 2, projector 2 2" in text


def test_verify_passes_only_when_the_tool_exited_0() -> None:
    measure = "make verify after the run (live read model = rebuild)"
    assert rows({})[measure].verdict == "n/a"
    assert rows({"verify": {"passed": True, "difference_count": 0}})[measure].verdict == "PASS"
    failed = rows({"verify": {"passed": False, "difference_count": 3}})[measure]
    assert (failed.value, failed.verdict) == (3, "MISS")


def test_labelled_names_processes_apart_and_restores_the_names() -> None:
    OWN[-2] = "query-service"
    with labelled({-2: "query-service 2", -3: "projector 2"}):
        assert (OWN[-2], OWN[-3]) == ("query-service 2", "projector 2")
    assert OWN.pop(-2) == "query-service"
    assert -3 not in OWN
