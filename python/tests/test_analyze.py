"""Analyzer.analyze: the JSONL schema exactly, in input order, lazily; failed records are
results, never exceptions."""

import datetime
import itertools
import json
import subprocess

import pytest

import actorstance


def cli_lines(cli, tmp_path, records):
    path = tmp_path / "in.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    run = subprocess.run([str(cli), "analyze", "--threads", "2", str(path)], capture_output=True, text=True)
    assert run.returncode in (0, 3), run.stderr  # 3: some records failed, as they should
    return [json.loads(line) for line in run.stdout.splitlines()]


def test_results_are_the_cli_lines(analyzer, cli, tmp_path, records):
    # Records whose id does not depend on where they were read (a missing id becomes the
    # location: file:line for the CLI, the position for Python).
    located = [r for r in records if r.get("id")]
    assert list(analyzer.analyze(located)) == cli_lines(cli, tmp_path, located)


def test_explain_is_the_cli_explain(analyzer, cli, tmp_path, records):
    path = tmp_path / "in.jsonl"
    path.write_text(json.dumps(records[1]) + "\n")
    run = subprocess.run([str(cli), "analyze", "--explain", str(path)], capture_output=True, text=True, check=True)
    (result,) = analyzer.analyze(records[1], explain=True)
    assert result == json.loads(run.stdout)
    assert "explain" in result


def test_a_string_is_an_article_whose_id_is_its_position(analyzer):
    results = list(analyzer.analyze(["Russia condemned Ukraine.", "Azerbaijan protested to Russia."]))
    assert [r["id"] for r in results] == ["0", "1"]
    assert all(r["status"] == "ok" for r in results)
    (one,) = analyzer.analyze("Azerbaijan protested to Russia.")
    assert {a["id"] for a in one["actors"]} == {"AZE", "RUS"}


def test_every_record_comes_back_in_order_and_bad_ones_as_errors(analyzer, records):
    odd = [
        "",
        None,
        12,
        b"bytes are not text",
        {"id": "when", "text": "Russia condemned Ukraine.", "at": datetime.datetime(2025, 1, 1)},
        {"id": "nan", "text": "Russia condemned Ukraine.", "score": float("nan")},
        "Russia condemned Ukraine.",
    ]
    results = list(analyzer.analyze(records + odd))
    assert len(results) == len(records) + len(odd)
    got = [(r["id"], r["status"], r.get("error", {}).get("kind")) for r in results]
    n = len(records)
    assert got == [
        ("azerbaijan-russia", "ok", None),
        ("short-1", "ok", None),
        ("7", "ok", None),
        ("empty", "error", "empty_text"),
        ("not-a-string", "error", "invalid_text"),
        ("no-text", "error", "missing_text"),
        ("6", "error", "invalid_id"),
        (str(n), "error", "empty_text"),
        (str(n + 1), "error", "invalid_record"),
        (str(n + 2), "error", "invalid_record"),
        (str(n + 3), "error", "invalid_record"),
        ("when", "error", "invalid_record"),
        ("nan", "ok", None),
        (str(n + 6), "ok", None),
    ]
    assert "not int" in results[n + 2]["error"]["message"]
    # JSON has no NaN: a passed-through NaN (pandas' missing value) comes back as None.
    assert results[n + 5]["score"] is None


def test_streaming_takes_ten_from_an_endless_generator(analyzer):
    read = []

    def endless():
        for i in itertools.count():
            read.append(i)
            yield {"id": f"n{i}", "text": f"Russia criticised Azerbaijan for the {i}th time."}

    first = list(itertools.islice(analyzer.analyze(endless()), 10))
    assert [r["id"] for r in first] == [f"n{i}" for i in range(10)]
    # Records are read one batch at a time (batch_articles, 32), as its results are taken.
    assert len(read) == 32
    # The abandoned run was closed when its results were dropped: the analyzer is free again.
    assert [r["id"] for r in analyzer.analyze(["Russia criticised Azerbaijan."])] == ["0"]


def test_one_run_at_a_time_and_close_frees_the_analyzer(analyzer):
    running = analyzer.analyze(f"Text {i} about Russia." for i in range(1000))
    next(running)
    with pytest.raises(actorstance.ActorstanceError, match="running another analysis"):
        analyzer.tables(["Russia condemned Ukraine."])
    running.close()
    assert list(running) == []
    assert analyzer.tables(["Russia condemned Ukraine."])["articles"].num_rows == 1


def test_summary_counts_after_the_last_result(analyzer, records):
    results = analyzer.analyze(records)
    assert results.summary is None
    assert len(list(results)) == len(records)
    assert results.summary == {"ok": 3, "failed": 4, "unscored": {"sentences": 0, "mentions": 0, "pairs": 0}}


def test_an_exception_of_the_input_reaches_the_caller_after_the_records_before_it(analyzer):
    def failing():
        yield "Russia condemned Ukraine."
        raise LookupError("the source went away")

    results = analyzer.analyze(failing())
    assert next(results)["id"] == "0"
    with pytest.raises(LookupError, match="the source went away"):
        next(results)
