"""A bad argument or model raises a typed exception naming the field or the path, before any
record is read."""

import pytest

import actorstance
from actorstance import ArgumentError, ModelError


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"threads": 0}, "threads"),
        ({"batch_articles": -1}, "batch_articles"),
        ({"rollup": "continent"}, "rollup"),
        ({"precision": "int4"}, "precision"),
        ({"gazetteer": "/nonexistent/people.actors"}, "gazetteer"),
    ],
)
def test_bad_arguments_name_their_field(kwargs, field):
    with pytest.raises(ArgumentError) as e:
        actorstance.Analyzer(**kwargs)
    assert e.value.field == field
    assert isinstance(e.value, ValueError) and isinstance(e.value, actorstance.ActorstanceError)


def test_a_bad_gazetteer_names_its_path(tmp_path):
    path = tmp_path / "empty.actors"
    path.write_text("# nothing here\n")
    with pytest.raises(ArgumentError, match="no actor entry") as e:
        actorstance.Analyzer(gazetteer=path)
    assert (e.value.field, e.value.path) == ("gazetteer", str(path))


def test_a_missing_model_names_its_folder(tmp_path):
    with pytest.raises(ModelError) as e:
        actorstance.Analyzer(model=tmp_path / "no-model")
    assert e.value.path == str(tmp_path / "no-model")


@pytest.mark.parametrize("records", [5, b"bytes", None])
def test_records_that_are_no_records_raise(analyzer, records):
    with pytest.raises(ArgumentError) as e:
        analyzer.analyze(records)
    assert e.value.field == "records"


def test_the_loaded_model_is_described(analyzer):
    assert analyzer.model_name == "actorstance-minilm-v5"
    assert analyzer.precision in ("fp32", "bf16")
    assert analyzer.model_path.parts[-2:] == ("models", "actorstance-minilm-v5")


def test_the_stubs_describe_what_the_module_has():
    import ast
    import pathlib

    stubs = ast.parse((pathlib.Path(actorstance.__file__).parent / "_native.pyi").read_text())
    declared = {
        node.name: {f.name for f in node.body if isinstance(f, ast.FunctionDef)}
        for node in stubs.body
        if isinstance(node, ast.ClassDef)
    }
    for cls, members in declared.items():
        real = getattr(actorstance, cls)
        assert real.__doc__, cls
        for member in members:
            assert hasattr(real, member), f"{cls}.{member}"
    assert set(declared) == {"Analyzer", "Results"}
