"""Griffe extensions for the documentation site: custmodel's docstrings as mkdocstrings reads them.

``SphinxRoles``: the docstrings use Sphinx roles (``:class:`CustomerBook```) and reST's
``text::`` before an example, which Markdown would show verbatim. Each role becomes a
cross-reference to the object's page, its name resolved where the docstring stands (the
module's imports and members) and followed through re-exports to the documented object, so a
reference the site cannot resolve fails the strict build. Names outside custmodel's public
API (private helpers, other libraries) become plain code.

``EnumValues``: enum members carry no docstrings; each gets one line naming the value custmodel
stores and serializes for it, so the reference lists them.
"""

from __future__ import annotations

import functools
import re
from typing import Any

import griffe

_ROLE = re.compile(
    r":(?P<role>class|meth|func|mod|data|attr|exc|obj):`(?P<tilde>~?)(?P<name>[\w.]+)`"
)
_LITERAL_BLOCK = re.compile(r"(?<=\S)::$", re.MULTILINE)
_PACKAGE = "custmodel"


class SphinxRoles(griffe.Extension):
    """Rewrite the Sphinx roles and reST literal markers of custmodel's docstrings."""

    def on_package(self, *, pkg: griffe.Module, **kwargs: Any) -> None:
        """Rewrite every docstring of custmodel once the whole package is loaded."""
        if pkg.name != _PACKAGE:
            return
        for obj in _objects(pkg):
            if obj.docstring is not None:
                text = _ROLE.sub(functools.partial(_reference, obj, pkg), obj.docstring.value)
                obj.docstring.value = _LITERAL_BLOCK.sub(":", text)


def _objects(obj: griffe.Object) -> list[griffe.Object]:
    """Return ``obj`` and every object defined in it (not what it imports), depth first."""
    found = [obj]
    for member in obj.members.values():
        if not isinstance(member, griffe.Alias):
            found.extend(_objects(member))
    return found


def _reference(obj: griffe.Object, pkg: griffe.Module, match: re.Match[str]) -> str:
    """Return the Markdown for one role found in ``obj``'s docstring."""
    name = match["name"]
    shown = name.rsplit(".", 1)[-1] if match["tilde"] else name
    if match["role"] in {"meth", "func"}:
        shown += "()"
    path = _resolve(obj, pkg, name)
    if path is None:
        return f"`{shown}`"
    return f"[`{shown}`][{path}]"


def _resolve(obj: griffe.Object, pkg: griffe.Module, name: str) -> str | None:
    """Return the path of the documented object ``name`` means in ``obj``, or None."""
    first, _, rest = name.partition(".")
    if first == _PACKAGE:
        path = name
    else:
        found = _resolve_name(obj, first)
        if found is None:
            return None
        path = f"{found}.{rest}" if rest else found
    if not path.startswith(f"{_PACKAGE}.") and path != _PACKAGE:
        return None
    target = _target(pkg, path)
    if target is None:
        return None
    if _private(target.path):
        return _public_path(pkg, target)
    return target.path


def _resolve_name(obj: griffe.Object, name: str) -> str | None:
    """Return the path ``name`` stands for in ``obj``, or None.

    A private module's docstrings may name what the public package around it re-exports
    (``SqlStore`` in ``custmodel.storage.sql._transaction``); such names resolve there.
    """
    scope: griffe.Object | None = obj
    while scope is not None:
        try:
            return scope.resolve(name)
        except griffe.NameResolutionError:
            pass
        module = scope.module
        scope = module.parent if module.name.startswith("_") else None
    return None


def _target(pkg: griffe.Module, path: str) -> griffe.Object | None:
    """Return the object at ``path``, following re-exports, or None."""
    try:
        target: griffe.Object | griffe.Alias = (
            pkg if path == _PACKAGE else pkg[path.removeprefix(f"{_PACKAGE}.")]
        )
        if isinstance(target, griffe.Alias):
            target = target.final_target
    except (KeyError, griffe.AliasResolutionError, griffe.CyclicAliasError):
        return None
    return target


def _private(path: str) -> bool:
    """True if a part of ``path`` is private (``_name``, not ``__name__``)."""
    return any(part.startswith("_") and not part.startswith("__") for part in path.split("."))


def _public_path(pkg: griffe.Module, target: griffe.Object) -> str | None:
    """Return where the site documents ``target`` of a private module, or None.

    The path without the private modules, if that leads to ``target``: the public package
    re-exports it from its private implementation module (``custmodel.storage.sql._store``).
    """
    public = ".".join(
        part
        for part in target.path.split(".")
        if not (part.startswith("_") and not part.startswith("__"))
    )
    found = _target(pkg, public)
    if found is None or found.path != target.path:
        return None
    return public


class EnumValues(griffe.Extension):
    """Document every member of custmodel's enums with the value it is stored as."""

    def on_package(self, *, pkg: griffe.Module, **kwargs: Any) -> None:
        """Give the undocumented members of every enum class a one-line docstring."""
        if pkg.name != _PACKAGE:
            return
        for obj in _objects(pkg):
            if isinstance(obj, griffe.Class) and any(
                str(base).rsplit(".", 1)[-1].endswith("Enum") for base in obj.bases
            ):
                for member in obj.members.values():
                    if isinstance(member, griffe.Attribute) and member.docstring is None:
                        value = str(member.value)
                        member.docstring = griffe.Docstring(
                            f"Stored and serialized as `{value}`.", parent=member
                        )
