"""Using actorstance's tables from DuckDB (README, "Results in pandas, polars and DuckDB").

Usage: python3 examples/duckdb_results.py TABLES_DIR
where TABLES_DIR was written by `actorstance analyze --format parquet -o TABLES_DIR ...`.
Prints, as JSON, the number of articles and the most hostile ordered pair.
"""
import json
import sys

import duckdb

tables = sys.argv[1]
articles = duckdb.sql(f"select count(*) from '{tables}/articles.parquet'").fetchall()[0][0]
source, target, score = duckdb.sql(
    f"""
    select source, target, sum(score * confidence) / sum(confidence) as score
    from '{tables}/pairs.parquet'
    where confidence > 0
    group by source, target
    order by score asc, source, target
    limit 1
    """
).fetchall()[0]
# The same tables load in pandas (pd.read_parquet) and polars (pl.read_parquet) as they are.
print(json.dumps({"articles": articles, "most_hostile": [source, target, round(score, 4)]}))
