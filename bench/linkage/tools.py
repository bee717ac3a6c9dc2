"""custmodel, recordlinkage and splink, each finding the duplicates of one data set.

Every tool is a :class:`bench.harness.Contender`: ``prepare`` (not measured) builds its input
from the records (customers for custmodel, a data frame for the peers), ``run`` (measured) goes
from that input to groups of record ids, everything the tool needs on the way included (the
peers' indexing, comparing, training and clustering), and ``finish`` turns the groups into the
pairs they imply.

The peers get the same fields as custmodel, lower-cased, e-mail addresses folded and phone
numbers reduced to their digits (the cleaning any user of them does first); German spellings
(ü/ue) are not folded for them, as that is part of what custmodel brings. Both peers block on
the same passes: given name + surname, birth date, postal code, street (and e-mail and phone
where the data set has them), so that typos, swapped names and a changed surname still meet.
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from bench.harness import Contender
from bench.linkage.records import LinkageData, customers, frame
from bench.quality import Pair, pairs_from_groups
from custmodel.dedupe import find_duplicate_groups

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "MATCH_PROBABILITY",
    "components",
    "custmodel_contender",
    "peer_frame",
    "recordlinkage_contender",
    "splink_contender",
]

#: splink's pairs (and clusters) count as matches from this probability on.
MATCH_PROBABILITY = 0.9

#: Random pairs, per candidate pair, that recordlinkage's classifier is trained on besides.
_RANDOM_PAIRS = 5

_NOT_DIGITS = re.compile(r"\D+")


def components(pairs: Iterable[tuple[int, int]]) -> list[list[int]]:
    """The connected components (groups) that ``pairs`` link, each sorted.

    >>> components([(1, 2), (3, 2), (5, 6)])
    [[1, 2, 3], [5, 6]]
    """
    parent: dict[int, int] = {}

    def root(n: int) -> int:
        parent.setdefault(n, n)
        while parent[n] != n:
            parent[n] = parent[parent[n]]
            n = parent[n]
        return n

    for a, b in pairs:
        parent[root(a)] = root(b)
    groups: defaultdict[int, list[int]] = defaultdict(list)
    for n in list(parent):
        groups[root(n)].append(n)
    return sorted(sorted(g) for g in groups.values())


def _groups_to_pairs(_state: object, groups: Sequence[Sequence[int]]) -> frozenset[Pair]:
    return pairs_from_groups(groups)


def custmodel_contender(data: LinkageData) -> Contender[Any]:
    """custmodel's public finder over the records as customers (built once, not measured)."""
    people = customers(data.records, data.fields)

    def run(state: list[Any]) -> list[tuple[int, ...]]:
        return [group.customers for group in find_duplicate_groups(state)]

    return Contender(run, lambda: people, _groups_to_pairs)


def _phone(value: object) -> object:
    if not isinstance(value, str):
        return None
    text = value.strip().replace("(0)", "")
    digits = _NOT_DIGITS.sub("", text)
    if text.startswith("+49"):
        digits = "0" + digits[2:]
    return digits or None


def peer_frame(data: LinkageData) -> pd.DataFrame:
    """The records as the peers get them: lower-cased, phone numbers as digits ("030...")."""
    df = frame(data.records, data.fields)
    for field in data.fields:
        if field == "phone":
            df[field] = df[field].map(_phone)
        elif field != "birth_date":
            df[field] = df[field].str.lower()
    return df


def _passes(fields: Sequence[str]) -> list[tuple[str, ...]]:
    """The blocking passes over the fields the data set has."""
    passes: list[tuple[str, ...]] = [("given_name", "surname"), ("birth_date",)]
    passes += [(f,) for f in ("postcode", "street", "email", "phone") if f in fields]
    return passes


def recordlinkage_contender(data: LinkageData) -> Contender[Any]:
    """recordlinkage: multi-pass blocking, thresholded comparisons, the ECM classifier."""
    import pandas as pd
    import recordlinkage as rl

    df = peer_frame(data).set_index("unique_id")
    fields = data.fields

    def run(state: pd.DataFrame) -> list[list[int]]:
        indexer = rl.Index()
        for keys in _passes(fields):
            indexer.add(rl.index.Block(list(keys)))
        candidates = indexer.index(state)
        compare = rl.Compare()
        for field in ("given_name", "surname", "city"):
            compare.string(field, field, method="jarowinkler", threshold=0.85, label=field)
        compare.string(
            "street", "street", method="damerau_levenshtein", threshold=0.8, label="street"
        )
        for field in ("postcode", "birth_date", "email", "phone"):
            if field in fields:
                compare.exact(field, field, label=field)
        features = compare.compute(candidates, state)
        # Trained on the candidates alone, ECM takes a field every candidate of one blocking
        # pass agrees on for the mark of a non-match (FEBRL2: precision 0.62). Pairs drawn at
        # random, nearly all non-matches, show it what non-matches look like (as splink's u
        # sampling does); only the candidates are classified.
        sample = rl.Index()
        sample.add(rl.index.Random(_RANDOM_PAIRS * len(candidates), random_state=1))
        random_pairs = sample.index(state).difference(candidates)
        classifier = rl.ECMClassifier(binarize=0.5)
        classifier.fit(pd.concat([features, compare.compute(random_pairs, state)]))
        matches = classifier.predict(features)
        return components((int(a), int(b)) for a, b in matches)

    return Contender(run, lambda: df, _groups_to_pairs)


def _splink_settings(fields: Sequence[str]) -> Any:
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on

    comparisons: list[Any] = [
        cl.ForenameSurnameComparison("given_name", "surname"),
        cl.DateOfBirthComparison("birth_date", input_is_string=False),
        cl.LevenshteinAtThresholds("street", [1, 3]),
        cl.JaroWinklerAtThresholds("city", [0.9]),
        cl.LevenshteinAtThresholds("postcode", [1]),
    ]
    if "email" in fields:
        comparisons.append(cl.EmailComparison("email"))
    if "phone" in fields:
        comparisons.append(cl.LevenshteinAtThresholds("phone", [1]))
    return SettingsCreator(
        link_type="dedupe_only",
        comparisons=comparisons,
        blocking_rules_to_generate_predictions=[block_on(*keys) for keys in _passes(fields)],
        retain_matching_columns=False,
    )


def splink_contender(data: LinkageData, *, u_pairs: float = 1e6) -> Contender[Any]:
    """splink 5 on DuckDB: u by random sampling, m by EM, pairs and clusters at p >= 0.9."""
    import pandas as pd
    from splink import DuckDBAPI, Linker, block_on

    df = peer_frame(data)
    # A date column, so that DuckDB compares dates without parsing text for every pair.
    df["birth_date"] = pd.to_datetime(df["birth_date"], format="%Y-%m-%d").dt.date
    fields = data.fields

    def run(state: pd.DataFrame) -> list[list[int]]:
        db_api = DuckDBAPI()
        linker = Linker(db_api.register(state), _splink_settings(fields), log_level=logging.ERROR)
        training = linker.training
        training.estimate_probability_two_random_records_match(
            [block_on("given_name", "surname", "birth_date")], recall=0.7
        )
        training.estimate_u_using_random_sampling(max_pairs=u_pairs, seed=1)
        training.estimate_parameters_using_expectation_maximisation(
            block_on("given_name", "surname")
        )
        training.estimate_parameters_using_expectation_maximisation(block_on("birth_date"))
        predictions = linker.inference.predict(threshold_match_probability=MATCH_PROBABILITY)
        clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
            predictions, threshold_match_probability=MATCH_PROBABILITY
        ).as_pandas_dataframe()  # type: ignore[no-untyped-call]
        members: defaultdict[object, list[int]] = defaultdict(list)
        for cluster, unique_id in zip(clusters["cluster_id"], clusters["unique_id"], strict=True):
            members[cluster].append(int(unique_id))
        return [sorted(m) for m in members.values() if len(m) > 1]

    return Contender(run, lambda: df, _groups_to_pairs)
