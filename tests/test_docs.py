"""The documentation: its Python examples run as written, and the site builds without warnings."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
PAGES = sorted([ROOT / "README.md", *DOCS.rglob("*.md")])
_BLOCK = re.compile(r"^```python\n(.*?)^```", re.MULTILINE | re.DOTALL)


def python_blocks(page: Path) -> list[str]:
    """Return the ```python blocks of a Markdown page, in order."""
    return _BLOCK.findall(page.read_text(encoding="utf-8"))


def page_id(page: Path) -> str:
    """Name a page by its path from the repository root (docs/ has two storage.md)."""
    return page.relative_to(ROOT).as_posix()


@pytest.mark.parametrize("page", [p for p in PAGES if python_blocks(p)], ids=page_id)
def test_page_examples_run(page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every python block of the page runs, in order, in one namespace, without error."""
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {"__name__": f"docs_{page.stem}"}
    for number, block in enumerate(python_blocks(page), start=1):
        code = compile(block, f"{page_id(page)}:block{number}", "exec")
        exec(code, namespace)  # noqa: S102 - running our own documentation is the point


def test_pages_under_subdirectories_are_found() -> None:
    """The page list reaches into docs/ subdirectories, where the API reference lives."""
    assert DOCS / "reference" / "book.md" in PAGES


def mkdocs_config() -> dict[str, Any]:
    """Return mkdocs.yml as data; tags such as ``!ENV`` or ``!!python/name:`` read as None."""
    yaml = pytest.importorskip("yaml", reason="PyYAML comes with the docs extra")

    safe: Any = yaml.SafeLoader  # PyYAML ships no types

    class Loader(safe):  # type: ignore[misc]
        """A safe loader that tolerates MkDocs' own tags."""

    def ignore(loader: Any, suffix: str, node: Any) -> None:
        return None

    Loader.add_multi_constructor("!", ignore)
    Loader.add_multi_constructor("tag:yaml.org,2002:python/", ignore)
    config: dict[str, Any] = yaml.load(
        (ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=Loader
    )
    return config


def nav_pages(entries: object) -> set[str]:
    """Return every Markdown page the nav (or a part of it) names, relative to docs/."""
    if isinstance(entries, str):
        return {entries} if entries.endswith(".md") else set()
    if isinstance(entries, list):
        return set().union(*(nav_pages(entry) for entry in entries))
    if isinstance(entries, dict):
        return set().union(*(nav_pages(value) for value in entries.values()))
    return set()


def test_every_docs_page_is_in_the_site_navigation() -> None:
    """Every Markdown page under docs/ appears in the nav of mkdocs.yml."""
    pages = {p.relative_to(DOCS).as_posix() for p in DOCS.rglob("*.md")}
    assert [] == sorted(pages - nav_pages(mkdocs_config()["nav"]))


def test_every_top_level_page_is_linked_from_the_index() -> None:
    """docs/index.md links every other page at the top of docs/."""
    index = (DOCS / "index.md").read_text(encoding="utf-8")
    pages = [p.name for p in DOCS.glob("*.md") if p.name != "index.md"]
    assert [] == [name for name in pages if f"({name})" not in index]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess[str], Path]:
    """Build the site once with `mkdocs build --strict`; return the run and the site directory."""
    mkdocs = Path(sys.executable).parent / "mkdocs"
    if not mkdocs.exists():
        message = f"{mkdocs} is missing: install the docs extra (pip install -e '.[docs]')"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{message} (CI=true: the site must be checked)")
        pytest.skip(message)
    site_dir = tmp_path_factory.mktemp("site")
    # The theme prints a notice about MkDocs 2 on every build; it is no warning about our pages.
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    result = subprocess.run(
        [str(mkdocs), "build", "--strict", "--site-dir", str(site_dir)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    return result, site_dir


def test_site_builds_strictly_without_warnings(
    site: tuple[subprocess.CompletedProcess[str], Path],
) -> None:
    """`mkdocs build --strict` succeeds and logs no warning: links, anchors, nav, docstrings."""
    result, site_dir = site
    output = result.stdout + result.stderr
    warnings = [line for line in output.splitlines() if line.startswith(("WARNING", "ERROR"))]
    assert (0, []) == (result.returncode, warnings), output
    assert (site_dir / "reference" / "book" / "index.html").exists()


def reference_page(site: tuple[subprocess.CompletedProcess[str], Path], name: str) -> str:
    """Return the HTML of one API reference page of the built site."""
    result, site_dir = site
    assert 0 == result.returncode, result.stdout + result.stderr
    return (site_dir / "reference" / name / "index.html").read_text(encoding="utf-8")


def test_sphinx_roles_in_docstrings_become_links(
    site: tuple[subprocess.CompletedProcess[str], Path],
) -> None:
    """`:class:`CustomerBook`` in a docstring is a link to the class, not literal text."""
    book = reference_page(site, "book")
    assert ":class:" not in book
    assert 'href="#custmodel.book.CustomerBook"><code>CustomerBook</code></a>' in book


def test_enum_members_are_listed_with_their_values(
    site: tuple[subprocess.CompletedProcess[str], Path],
) -> None:
    """The reference lists CustomerKind.PRIVATE and the value it is stored as."""
    model = reference_page(site, "model")
    assert 'id="custmodel.model.CustomerKind.PRIVATE"' in model
    assert "Stored and serialized as <code>'private'</code>" in model
