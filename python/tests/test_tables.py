"""Analyzer.tables: pyarrow tables from the library's table code, row for row what
`analyze --format parquet` writes; and the frames the README shows."""

import json
import subprocess

import pyarrow.parquet as pq

NAMES = ["articles", "actors", "pairs", "mentions", "statements"]


def test_tables_are_the_cli_parquet_row_for_row(analyzer, cli, tmp_path, records):
    located = [r for r in records if r.get("id")]
    path = tmp_path / "in.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in located))
    out = tmp_path / "tables"
    run = subprocess.run([str(cli), "analyze", "--format", "parquet", "-o", str(out), str(path)], capture_output=True, text=True)
    assert run.returncode in (0, 3), run.stderr
    tables = analyzer.tables(located)
    assert list(tables) == NAMES
    for name in NAMES:
        written = pq.read_table(out / f"{name}.parquet")
        assert tables[name].schema.equals(written.schema, check_metadata=False), name
        assert tables[name].to_pylist() == written.to_pylist(), name
    assert tables["articles"].num_rows == len(located)
    assert tables["pairs"].num_rows > 0


def test_frames(analyzer, records):
    import pandas
    import polars

    tables = analyzer.tables(records)
    pairs = tables["pairs"].to_pandas()
    assert isinstance(pairs, pandas.DataFrame) and len(pairs) == tables["pairs"].num_rows
    actors = polars.from_arrow(tables["actors"])
    assert actors.height == tables["actors"].num_rows
    assert set(actors["actor"]) >= {"AZE", "RUS"}
