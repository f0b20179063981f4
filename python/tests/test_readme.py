"""The README's Python example runs as written (from the repository root, as a user of a
clone would)."""

import os
import re

from conftest import ROOT


def test_the_readme_example_runs(capsys):
    readme = (ROOT / "README.md").read_text()
    section = readme.split("\n## Python\n", 1)[1].split("\n## ", 1)[0]
    (code,) = re.findall(r"```python\n(.*?)```", section, re.S)
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        scope = {}
        exec(compile(code, "README.md", "exec"), scope)
    finally:
        os.chdir(cwd)
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("ok [") and "'AZE'" in out[0] and "'RUS'" in out[0]
    assert out[1:] == ["a1 ok None", "a2 error empty_text"]
    assert len(scope["pairs"]) == scope["tables"]["pairs"].num_rows > 0
    assert scope["actors"].height == scope["tables"]["actors"].num_rows
