"""Type stubs of the native module (Rust, PyO3)."""

import os
import pathlib
from typing import Any, Dict, Iterable, Iterator, Literal, Mapping, Optional, Union

import pyarrow

Record = Union[str, Mapping[str, Any]]
"""A text (its id is its position, from 0), or a dict with ``id`` and ``text`` and optional
``title`` and ``date`` (strings); other fields are passed through to the result."""

class Analyzer:
    """Loads a model once; analyses records with it, one run at a time.

    Args:
        model: a model folder; default ``$ACTORSTANCE_MODEL``, else the bundled default model.
        threads: threads for the encoder and the text stages (process-wide, like
            ``torch.set_num_threads``; the text stages' pool is fixed by the first Analyzer).
        rollup: ``"country"`` (people and bodies roll up into their country's actor) or
            ``"none"``.
        precision: ``"auto"`` (bf16 where the CPU has AVX-512 BF16, else fp32), ``"fp32"``
            or ``"bf16"``.
        gazetteer: a PETRARCH ``.actors`` dictionary (one written by ``actorstance actors
            learn`` too), read before the bundled office-holders.
        batch_articles: records analysed together (one encoder pass over their sentences).

    Raises:
        ArgumentError: an argument that cannot be used (``field`` names it).
        ModelError: the model folder cannot be loaded (``path``).
    """

    def __init__(
        self,
        model: Optional[Union[str, os.PathLike]] = None,
        threads: int = 2,
        rollup: Literal["country", "none"] = "country",
        precision: Literal["auto", "fp32", "bf16"] = "auto",
        gazetteer: Optional[Union[str, os.PathLike]] = None,
        batch_articles: int = 32,
    ) -> None: ...
    def analyze(self, records: Union[Record, Iterable[Record]], explain: bool = False) -> "Results":
        """One result dict per record, in input order, lazily (an endless iterable is fine).

        The GIL is released while the pipeline runs; Ctrl-C raises ``KeyboardInterrupt`` at
        the next batch. With ``explain``, each result carries the model's raw per-sentence
        outputs under ``explain``.
        """
    def tables(self, records: Union[Record, Iterable[Record]]) -> Dict[str, pyarrow.Table]:
        """Analyses every record; returns the ``articles``, ``actors``, ``pairs``,
        ``mentions`` and ``statements`` tables (the columns of ``analyze --format parquet``)."""
    @property
    def model_name(self) -> str: ...
    @property
    def model_version(self) -> str: ...
    @property
    def model_path(self) -> pathlib.Path:
        """The folder the model was loaded from."""
    @property
    def precision(self) -> Literal["fp32", "bf16"]:
        """What the encoder runs in, ``auto`` resolved for this CPU."""

class Results(Iterator[Dict[str, Any]]):
    """The lazy results of :meth:`Analyzer.analyze`."""

    def __iter__(self) -> "Results": ...
    def __next__(self) -> Dict[str, Any]: ...
    def close(self) -> None:
        """Stops the run after its current batch; iteration ends."""
    @property
    def summary(self) -> Optional[Dict[str, Any]]:
        """After the last result: ``ok``, ``failed`` and ``unscored`` counts; None before."""
