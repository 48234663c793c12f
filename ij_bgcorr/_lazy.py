"""Names a package offers, imported from the modules that define them when first used.

A package lists where each of its names lives and calls :func:`offer`; ``import
ij_bgcorr`` (or ``ij_bgcorr.engine``) then loads no more than it needs — the JVM
bridge, numba, scikit-image and Dask load with the first name that uses them.

Python's own hook for this, a module ``__getattr__`` (PEP 562), is not enough
where a function shares its name with a submodule (``ij_bgcorr.batch``,
``ij_bgcorr.crossval.compare``): the import system sets a package's attribute
to each submodule it loads, which would replace the function. The package's
module object is therefore given a class that keeps such a name for the function.
"""

from __future__ import annotations

import importlib
import sys
import types
from collections.abc import Iterable, Mapping
from typing import Any


class _Package(types.ModuleType):
    """A package whose names load on first use (set up by :func:`offer`)."""

    _where: Mapping[str, str]
    _modules: frozenset[str]

    def __getattr__(self, name: str) -> Any:
        if name in self._modules:
            value: Any = importlib.import_module(f"{self.__name__}.{name}")
        elif name in self._where:
            value = getattr(importlib.import_module(self._where[name]), name)
        else:
            raise AttributeError(f"module {self.__name__!r} has no attribute {name!r}")
        self.__dict__[name] = value
        return value

    def __setattr__(self, name: str, value: Any) -> None:
        if name in self._where and isinstance(value, types.ModuleType):
            return  # a submodule loading under the name of one of the package's functions
        super().__setattr__(name, value)

    def __dir__(self) -> list[str]:
        return sorted(set(super().__dir__()) | set(self._where) | self._modules)


def offer(package: str, where: Mapping[str, str], modules: Iterable[str] = ()) -> None:
    """Make ``package`` load ``where``'s names and its ``modules`` when first used.

    Parameters
    ----------
    package : str
        The package's dotted name (its ``__name__``), already being imported.
    where : mapping of str to str
        Each name and the dotted name of the module that defines it.
    modules : iterable of str
        Submodules offered as names of the package (``ij_bgcorr.reference``).
    """
    module = sys.modules[package]
    module.__class__ = _Package
    module.__dict__["_where"] = dict(where)
    module.__dict__["_modules"] = frozenset(modules)
