"""actorstance: who is hostile or friendly toward whom in news articles, with the evidence.

The Rust library in the Python process::

    import actorstance
    analyzer = actorstance.Analyzer()                 # the bundled model, loaded once
    for result in analyzer.analyze(["Russia accused Azerbaijan of ..."]):
        print(result["id"], result["status"], [a["name"] for a in result.get("actors", [])])
    tables = analyzer.tables(records)                 # dict of pyarrow.Table

Results are the JSONL schema (``schema/article.schema.json`` in the repository), one dict per record in input
order; a record that cannot be analysed is a result with ``status: "error"``.
"""

from ._errors import ActorstanceError, ArgumentError, ModelError
from ._native import Analyzer, Results

__all__ = ["Analyzer", "Results", "ActorstanceError", "ArgumentError", "ModelError"]
