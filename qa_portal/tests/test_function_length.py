"""No function in the project is longer than a reader can hold in mind (issue 11: at most 120 lines).

Walks every Python file that is neither a test nor a migration (nor the virtualenv) and measures each
function and method from its `def` to its last line, nested functions included in their parent.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MAX_LINES = 120
SKIPPED_FOLDERS = {".venv", "venv", ".git", "node_modules", "migrations", "tests", "test-artifacts", "__pycache__"}


def is_project_code(path: Path) -> bool:
    parts = path.relative_to(ROOT).parts
    if any(part in SKIPPED_FOLDERS or part.startswith(".") for part in parts[:-1]):
        return False
    name = path.name
    return not (name.startswith("test_") or name.endswith("_test.py") or name == "conftest.py")


def project_files() -> list[Path]:
    return sorted(path for path in ROOT.rglob("*.py") if is_project_code(path))


def long_functions(path: Path, root: Path = ROOT, limit: int = MAX_LINES) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            length = node.end_lineno - node.lineno + 1
            if length > limit:
                found.append(f"{path.relative_to(root)}:{node.lineno} {node.name}() is {length} lines")
    return found


def test_the_walk_sees_the_project_and_skips_tests_migrations_and_the_venv():
    files = {str(path.relative_to(ROOT)) for path in project_files()}
    assert "reports/tables.py" in files
    assert "manage.py" in files
    assert not any(
        "/migrations/" in name or "/tests/" in name or name.startswith(".venv") or name.endswith("conftest.py")
        for name in files
    )


def test_a_long_function_is_found(tmp_path):
    source = tmp_path / "long.py"
    body = "\n".join(f"        x{i} = {i}" for i in range(MAX_LINES))
    source.write_text(f"def short():\n    return 1\n\n\nclass A:\n    def long(self):\n{body}\n", encoding="utf-8")
    assert long_functions(source, root=tmp_path) == [f"long.py:6 long() is {MAX_LINES + 1} lines"]


def test_no_function_is_longer_than_120_lines():
    too_long = [problem for path in project_files() for problem in long_functions(path)]
    assert not too_long, "Split these into smaller functions:\n" + "\n".join(too_long)
