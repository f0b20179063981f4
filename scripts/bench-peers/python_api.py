"""The Python package's row of scripts/bench: `actorstance.Analyzer.analyze` over the same
JSONL corpus as the CLI row, in one process, every result dict taken (what a notebook or a
pandas job does with them); the CLI row writes its JSONL file instead.
Usage: python_api.py CORPUS.jsonl THREADS PRECISION"""
import json
import sys

import actorstance

corpus, threads, precision = sys.argv[1], int(sys.argv[2]), sys.argv[3]
analyzer = actorstance.Analyzer(threads=threads, precision=precision)
with open(corpus, encoding="utf-8") as f:
    records = (json.loads(line) for line in f)
    ok = sum(1 for r in analyzer.analyze(records) if r["status"] == "ok")
print(f"python-api: {ok} articles analysed", file=sys.stderr)
