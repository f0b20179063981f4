"""The exceptions the package raises. A bad record never raises: it is a result with
``status: "error"``. A bad argument, model or dictionary does, before any record is read."""

from __future__ import annotations

import os
from typing import Optional


class ActorstanceError(Exception):
    """Base of every exception of this package; also a run that fails as a whole."""


class ArgumentError(ActorstanceError, ValueError):
    """An argument that cannot be used. ``field`` names it; ``path`` is the file, if one."""

    def __init__(self, message: str, field: str, path: Optional[os.PathLike] = None):
        super().__init__(message)
        self.field = field
        self.path = None if path is None else os.fspath(path)


class ModelError(ActorstanceError):
    """A model folder that cannot be loaded. ``path`` is the folder."""

    def __init__(self, message: str, path: os.PathLike):
        super().__init__(message)
        self.path = os.fspath(path)
