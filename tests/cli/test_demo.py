"""``custmodel demo``: the demo on a new SQLite file, and how to explore it afterwards."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from custmodel.cli import app
from tests.cli.conftest import CLEAN_ENV, Cli, one_line


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty current directory."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_demo_plays_on_a_new_sqlite_file_and_shows_how_to_explore_it(workdir: Path) -> None:
    """Without --db the demo writes custmodel-demo.sqlite and prints commands to explore it."""
    result = CliRunner().invoke(app, ["demo", "--customers", "300"], env=CLEAN_ENV)
    assert 0 == result.exit_code, result.stderr
    assert "(played on sqlite:///custmodel-demo.sqlite)" in result.stdout
    assert "export CUSTMODEL_DATABASE_URL=sqlite:///custmodel-demo.sqlite" in result.stdout
    explored = Cli("sqlite:///custmodel-demo.sqlite").json("customer select --count")
    assert 0 < explored["count"]


def test_demo_starts_afresh_on_every_run(workdir: Path) -> None:
    """A second run deletes the file first and tells the same story."""
    first = CliRunner().invoke(app, ["demo", "--customers", "300"], env=CLEAN_ENV)
    second = CliRunner().invoke(app, ["demo", "--customers", "300"], env=CLEAN_ENV)
    assert (0, first.stdout) == (second.exit_code, second.stdout)


def test_demo_never_writes_into_the_store_of_the_environment(workdir: Path) -> None:
    """CUSTMODEL_DATABASE_URL is ignored: the demo must not fill the store you work with."""
    env = {**CLEAN_ENV, "CUSTMODEL_DATABASE_URL": "sqlite:///work.sqlite"}
    assert 0 == CliRunner().invoke(app, ["demo", "--customers", "300"], env=env).exit_code
    assert ["custmodel-demo.sqlite"] == sorted(
        p.name for p in workdir.iterdir() if p.suffix == ".sqlite"
    )


def test_demo_on_memory_keeps_nothing(workdir: Path) -> None:
    """--db memory:// plays in memory, writes no file, and says the data is gone."""
    result = Cli("memory://").ok("demo --customers 300")
    assert "That store is gone now" in result.stdout
    assert [] == list(workdir.iterdir())


def test_demo_refuses_a_store_that_holds_customers(cli: Cli) -> None:
    """With --db on a store that holds customers the demo refuses (exit 1) and adds nothing."""
    cli.ok("customer register private Müller")
    result = cli("demo")
    assert (1, "error: the demo plays on an empty store only; this one holds 1 customer") == (
        result.exit_code,
        one_line(result.stderr),
    )
    with cli.book() as book:
        assert 1 == book.count()


def test_demo_passes_seed_and_size_to_the_data_set() -> None:
    """--seed and --customers choose the data set the demo plays on."""
    shown = Cli("memory://").ok("demo --seed 7 --customers 300").stdout
    assert "Seed 7, 300 customers" in shown


def test_demo_with_a_size_out_of_range_is_a_usage_error() -> None:
    """--customers below the demo's minimum exits with 2 in one line."""
    result = Cli("memory://")("demo --customers 5")
    assert (2, "error: the demo registers 300 to 100000 customers") == (
        result.exit_code,
        one_line(result.stderr),
    )


def test_demo_shows_its_progress_on_a_terminal() -> None:
    """On a terminal the demo's long loops show a progress bar on stderr."""
    result = Cli("memory://")("demo --customers 300", env={"TTY_COMPATIBLE": "1"})
    assert (0, True) == (result.exit_code, "Registering customers" in result.stderr)


def test_demo_writes_the_dunning_data_file_into_the_letters_dir(workdir: Path) -> None:
    """--letters-dir makes the directory and leaves the dunning run's data file in it."""
    result = Cli("memory://").ok("demo --customers 300 --letters-dir letters")
    data = (workdir / "letters" / "mahnlauf.csv").read_text(encoding="utf-8-sig")
    assert data.startswith("Kunde-Nummer;"), result.stdout
