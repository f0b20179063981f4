"""Shared fixtures: one loaded Analyzer for the session, the CLI binary built beside it, and
records of every kind (analysed, and failing for each reason a dict or a text can fail)."""

import os
import pathlib

import pytest

import actorstance

ROOT = pathlib.Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "azerbaijan-russia.txt"


@pytest.fixture(scope="session")
def analyzer():
    return actorstance.Analyzer()


@pytest.fixture(scope="session")
def cli():
    """The CLI of the same checkout (scripts/test builds it before the Python tests)."""
    path = pathlib.Path(os.environ.get("ACTORSTANCE_BIN", ROOT / "target" / "release" / "actorstance"))
    assert path.exists(), f"{path} is missing: build it with `cargo build --release` (scripts/test does)"
    return path


@pytest.fixture(scope="session")
def records():
    """JSON-compatible records: the reference article, short news items with title, date and
    extra fields (one clashing with an output key), and records that fail."""
    return [
        {"id": "azerbaijan-russia", "text": EXAMPLE.read_text(), "date": "2025-07-01", "source": "example"},
        {
            "id": "short-1",
            "title": "Ministry summons envoy",
            "date": "2025-07-02",
            "text": "Russia accused Azerbaijan of staging a provocation. "
            "\"This is unacceptable,\" the spokeswoman of the Russian Foreign Ministry said.",
            "status": "draft",
        },
        {"id": 7, "text": "France and Germany signed a new defence pact on Tuesday, praising each other."},
        {"id": "empty", "text": "   "},
        {"id": "not-a-string", "text": 42},
        {"id": "no-text"},
        {"id": "", "text": "An empty id."},
    ]
