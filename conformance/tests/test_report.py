"""The report: a console row per scenario, the summary, and docs/conformance.md's table and verdicts."""

from dataclasses import dataclass
from datetime import UTC, datetime

from conformance.load import LoadPlan
from conformance.report import ScenarioResult, document, header, host, plan_line, row, summary

CPUINFO = "processor\t: 0\nmodel name\t: Example CPU @ 2.00GHz\n\n" * 2


@dataclass(frozen=True)
class Verdict:
    name: str
    ok: bool
    detail: str


def passed() -> ScenarioResult:
    verdicts = [
        Verdict("accepted-exactly-once", True, "2,412 accepted, 0 missing"),
        Verdict("verify", True, "equal"),
    ]
    counts = {"sent": 4572, "accepted": 2655, "rejected": 1645, "unanswered": 272}
    return ScenarioResult("kill-projector", "kill -9 projector", counts, verdicts, 0.5612, ["quiet 3.1 s"])


def failed() -> ScenarioResult:
    verdicts = [Verdict("verify", False, "8 differences"), Verdict("no-overbooking", True, "0 nights over")]
    return ScenarioResult("store-kill-1", "kill -9 the store", {"sent": 10}, verdicts, None, ["a | b"])


def test_a_row_lines_up_under_the_header_with_thousands_and_the_ready_time() -> None:
    line = row(passed())
    assert line.startswith("kill-projector")
    assert "4,572" in line
    assert "2,655" in line
    assert "1,645" in line
    assert "2/2 ok" in line
    assert line.endswith("0.56 s")
    assert len(header().split()) >= 8


def test_a_failing_scenario_names_its_failed_invariants_and_is_not_ok() -> None:
    result = failed()
    assert not result.ok
    assert "FAIL verify" in row(result)
    assert row(result).endswith("—")
    assert passed().ok


def test_a_scenario_with_no_verdict_or_not_available_is_not_ok() -> None:
    assert not ScenarioResult("baseline", "none").ok
    assert not ScenarioResult("partition-postgres", "cut", available=False).ok
    assert "not available" in row(ScenarioResult("partition-postgres", "cut", available=False))


def test_the_summary_counts_the_scenarios_that_held_and_names_the_failures() -> None:
    unavailable = ScenarioResult("partition-postgres", "cut", available=False)
    text = summary([passed(), failed(), unavailable])
    assert text.startswith("1/3 scenarios hold every invariant")
    assert "NOT RUN (not available on this target): partition-postgres" in text
    assert text.endswith("FAILED: store-kill-1")


def test_the_host_is_the_cpu_model_and_its_cores() -> None:
    assert host(CPUINFO).startswith("Example CPU @ 2.00GHz, 2 cores, ")


def test_the_load_plan_reads_as_one_sentence() -> None:
    line = plan_line(LoadPlan(rate=150, seconds=40, clients=8))
    assert line.startswith("150 commands/s for 40 s from 8 clients (4 HTTP, 4 AMQP)")


def test_the_document_has_commit_host_date_plan_table_and_every_verdict() -> None:
    text = document([passed(), failed()], LoadPlan(), "local", datetime(2026, 1, 2, 3, 4, tzinfo=UTC))
    assert "- commit: " in text
    assert "- host: " in text
    assert "- date: 2026-01-02 03:04 UTC" in text
    assert "- load per scenario: 40 commands/s" in text
    table = [line for line in text.splitlines() if line.startswith("| ")]
    assert table[0].startswith("| scenario | fault | sent | accepted |")
    assert table[0].endswith("| notes |")
    cells = "kill-projector | kill -9 projector | 4,572 | 2,655 | 1,645 | 272 | 2/2 ok | 0.56 s | quiet 3.1 s"
    assert table[1] == f"| {cells} |"
    assert table[2].endswith("| FAIL verify | — | a \\| b |")
    assert "- **FAIL** `verify`: 8 differences" in text
    assert "- ok `accepted-exactly-once`: 2,412 accepted, 0 missing" in text


def test_a_long_fault_is_cut_in_the_console_row_but_not_in_the_document() -> None:
    long = "command-service crashes at relay.after_publish_before_mark (reach 120)"
    result = ScenarioResult("failpoint-relay", long, {"sent": 801}, [Verdict("verify", True, "equal")], 3.09)
    assert "…" in row(result)
    assert row(result).endswith("3.09 s")
    assert long in document([result], LoadPlan(), "local")
