"""The core stays pure: it imports no I/O, Excel or command-line module."""

import ast
import pathlib

CORE = pathlib.Path(__file__).parents[1] / "bhyt_xl" / "core"
ALLOWED = {"__future__", "dataclasses", "datetime", "re", "unicodedata", "math", "calendar", "typing",
           "collections", "functools", "itertools", "numpy", "pandas", "pyarrow", "dateutil", "rapidfuzz"}
ALLOWED_PROJECT = ("bhyt_xl.core", "bhyt_xl.params", "bhyt_xl.problems")


def test_core_modules_import_only_pure_libraries():
    for path in CORE.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                ok = top in ALLOWED or name.startswith(ALLOWED_PROJECT)
                assert ok, f"{path.name} imports {name}"
