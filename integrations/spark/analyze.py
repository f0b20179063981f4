"""actorstance on Apache Spark: the same job across a cluster.

Reads a directory of JSONL articles, repartitions, pipes each partition through
`actorstance analyze -` (a streaming filter: one JSON line out per JSON line in, in order),
and writes the results as Parquet: `articles`, `actors` and `pairs` (partitioned by date),
plus `pair_day`, the stance of each ordered actor pair per day across the corpus (Spark SQL).

A partition whose subprocess dies fails its task, and Spark retries it; a record that fails
inside actorstance comes back as a `status: "error"` row. The job checks that it wrote exactly
one article row per input record.

Usage (see scripts/spark-analyze):
  analyze.py IN_DIR OUT_DIR --binary PATH --model DIR [--master URL] [--partitions N] [--threads N]
"""

import argparse
import json
import os
import shlex
import sys

from pyspark.sql import Row, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("in_dir")
    p.add_argument("out_dir")
    p.add_argument("--binary", required=True, help="the actorstance binary (same path on every executor)")
    p.add_argument("--model", required=True, help="the model folder (same path on every executor)")
    p.add_argument("--master", default="local[2]")
    p.add_argument("--partitions", type=int, default=0, help="default: the default parallelism")
    p.add_argument(
        "--threads",
        type=int,
        default=1,
        help="actorstance threads per task; keep executor cores x threads <= machine cores",
    )
    return p.parse_args(argv)


ARTICLE = T.StructType(
    [
        T.StructField("article_id", T.StringType()),
        T.StructField("status", T.StringType()),
        T.StructField("error_kind", T.StringType()),
        T.StructField("error_message", T.StringType()),
        T.StructField("date", T.StringType()),
        T.StructField("title", T.StringType()),
        T.StructField("model", T.StringType()),
        T.StructField("model_version", T.StringType()),
        T.StructField("n_actors", T.IntegerType()),
    ]
)

ACTOR = T.StructType(
    [
        T.StructField("article_id", T.StringType()),
        T.StructField("date", T.StringType()),
        T.StructField("actor", T.StringType()),
        T.StructField("name", T.StringType()),
        T.StructField("kind", T.StringType()),
        T.StructField("affiliation", T.StringType()),
        T.StructField("n_mentions", T.IntegerType()),
        T.StructField("stance_score", T.DoubleType()),
        T.StructField("stance_confidence", T.DoubleType()),
        T.StructField("portrayal_score", T.DoubleType()),
        T.StructField("portrayal_confidence", T.DoubleType()),
    ]
)

PAIR = T.StructType(
    [
        T.StructField("article_id", T.StringType()),
        T.StructField("date", T.StringType()),
        T.StructField("source", T.StringType()),
        T.StructField("target", T.StringType()),
        T.StructField("score", T.DoubleType()),
        T.StructField("mean", T.DoubleType()),
        T.StructField("weight", T.DoubleType()),
        T.StructField("weight_abs", T.DoubleType()),
        T.StructField("confidence", T.DoubleType()),
        T.StructField("n_sentences", T.IntegerType()),
    ]
)


def day(date):
    """The YYYY-MM-DD day of an ISO date, else None."""
    return date[:10] if isinstance(date, str) and len(date) >= 10 else None


def article_row(r):
    err = r.get("error") or {}
    model = r.get("model") or {}
    return Row(
        article_id=str(r.get("id")),
        status=r.get("status"),
        error_kind=err.get("kind"),
        error_message=err.get("message"),
        date=day(r.get("date")),
        title=r.get("title") if isinstance(r.get("title"), str) else None,
        model=model.get("name"),
        model_version=model.get("version"),
        n_actors=len(r.get("actors") or []),
    )


def actor_rows(r):
    for a in r.get("actors") or []:
        stance, portrayal = a.get("stance") or {}, a.get("portrayal") or {}
        yield Row(
            article_id=str(r["id"]),
            date=day(r.get("date")),
            actor=a["id"],
            name=a.get("name"),
            kind=a.get("kind"),
            affiliation=a.get("affiliation"),
            n_mentions=len(a.get("mentions") or []),
            stance_score=stance.get("score"),
            stance_confidence=stance.get("confidence"),
            portrayal_score=portrayal.get("score"),
            portrayal_confidence=portrayal.get("confidence"),
        )


def pair_rows(r):
    for a in r.get("actors") or []:
        for t in a.get("toward") or []:
            yield Row(
                article_id=str(r["id"]),
                date=day(r.get("date")),
                source=a["id"],
                target=t["target"],
                score=float(t["score"]),
                mean=float(t["mean"]),
                weight=float(t["weight"]),
                # Results of versions before weight_abs read as full agreement, as aggregate does.
                weight_abs=float(t.get("weight_abs", abs(t["mean"] * t["weight"]))),
                confidence=float(t["confidence"]),
                n_sentences=int(t["n_sentences"]),
            )


def main(argv):
    args = parse_args(argv)
    spark = SparkSession.builder.master(args.master).appName("actorstance").getOrCreate()
    sc = spark.sparkContext
    # Blank lines are not records for actorstance: drop them here, so that rows in = rows out.
    lines = sc.textFile(os.path.join(args.in_dir, "*.jsonl")).filter(lambda l: l.strip())
    n_in = lines.count()
    partitions = args.partitions or sc.defaultParallelism
    analyze = [args.binary, "analyze", "-", "--threads", str(args.threads), "--model", args.model]
    # Exit 3 means "finished, some records failed" (they are error rows): a success for the
    # task. Any other failure (a crash, a kill) fails the task, and Spark retries it.
    cmd = ["sh", "-c", " ".join(map(shlex.quote, analyze)) + '; rc=$?; [ "$rc" -eq 0 ] || [ "$rc" -eq 3 ]']
    # RUST_LOG=error: actorstance's stderr stays quiet; stdout carries records only.
    results = (
        lines.repartition(partitions)
        .pipe(" ".join(map(shlex.quote, cmd)), env={"RUST_LOG": "error"}, checkCode=True)
        .map(json.loads)
        .cache()
    )
    articles = spark.createDataFrame(results.map(article_row), ARTICLE)
    actors = spark.createDataFrame(results.flatMap(actor_rows), ACTOR)
    pairs = spark.createDataFrame(results.flatMap(pair_rows), PAIR)
    n_out = articles.count()
    if n_out != n_in:
        sys.exit(f"actorstance on spark: {n_in} input records but {n_out} results")
    out = args.out_dir
    articles.write.mode("overwrite").partitionBy("date").parquet(os.path.join(out, "articles"))
    actors.write.mode("overwrite").partitionBy("date").parquet(os.path.join(out, "actors"))
    pairs.write.mode("overwrite").partitionBy("date").parquet(os.path.join(out, "pairs"))
    # Corpus stance of each ordered pair per day, by the formula of `actorstance aggregate`
    # (README, "How scores are computed"): the articles' sums Σw, Σw·s (= mean·weight) and
    # Σw·|s| add up, and a day scores as one article holding all its sentences would.
    pairs.createOrReplaceTempView("pairs")
    pair_day = spark.sql(
        """
        SELECT date, source, target,
               CASE WHEN w > 1e-6 THEN GREATEST(-1.0, LEAST(1.0, ws / w)) ELSE 0.0 END
                 * (1 - EXP(-w)) AS score,
               CASE WHEN w_abs > 1e-6 THEN LEAST(1.0, ABS(ws) / w_abs) ELSE 0.0 END
                 * (1 - EXP(-w)) AS confidence,
               w AS weight, n_articles, n_sentences
        FROM (SELECT date, source, target,
                     SUM(weight) AS w, SUM(mean * weight) AS ws, SUM(weight_abs) AS w_abs,
                     COUNT(*) AS n_articles, SUM(n_sentences) AS n_sentences
              FROM pairs GROUP BY date, source, target)
        """
    )
    pair_day.write.mode("overwrite").parquet(os.path.join(out, "pair_day"))
    failed = articles.filter(F.col("status") != "ok").count()
    summary = {"records": n_in, "results": n_out, "failed": failed, "partitions": partitions}
    print(json.dumps(summary))
    spark.stop()


if __name__ == "__main__":
    main(sys.argv[1:])
