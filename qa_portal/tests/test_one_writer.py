"""One writer per rule (issue 11): the final grade, a Child of Concern and an action each have one module.

Read from the source rather than trusted to review, in the project's own code and its benchmark scripts (not the
tests or migrations):
- every assignment to an audit's `final_grade` attribute, and every `final_grade=` given to `update()`, `create()`
  or the model's constructor, is in audits/grading.py. The importer and the demo save audits in bulk, so they list
  "final_grade" among the fields they save, but the value is set by `audits.grading.audit_final_grade_assign`;
- every `ChildOfConcern(...)`, `Action(...)`, `<model>.objects.create/bulk_create/get_or_create/update_or_create`
  and bulk insert (`BulkInsert(<model>, ...)`) of either model is in actions/services.py.
"""

import ast
from pathlib import Path

from django.conf import settings

from qa_portal.tests.project_packages import PROJECT_PACKAGES

WRITING_CALLS = {"update", "create", "get_or_create", "update_or_create", "Audit"}


def _source_files():
    root = Path(settings.BASE_DIR)
    for package in (*PROJECT_PACKAGES, "bench"):
        for path in sorted((root / package).rglob("*.py")):
            parts = path.relative_to(root).parts
            if "tests" not in parts and "migrations" not in parts:
                yield path.relative_to(root).as_posix(), ast.parse(path.read_text(), filename=str(path))


def _targets(node):
    if isinstance(node, ast.Tuple | ast.List):
        for element in node.elts:
            yield from _targets(element)
    else:
        yield node


def final_grade_writers(files) -> set[str]:
    writers = set()
    for name, tree in files:
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in (t for each in targets for t in _targets(each)):
                    if isinstance(target, ast.Attribute) and target.attr == "final_grade":
                        writers.add(name)
            elif isinstance(node, ast.Call):
                func = node.func
                called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if called in WRITING_CALLS and any(k.arg == "final_grade" for k in node.keywords):
                    writers.add(name)
    return writers


def _name(node) -> str:
    return node.attr if isinstance(node, ast.Attribute) else getattr(node, "id", "")


def row_creators(files, model: str) -> set[str]:
    """Modules that make rows of `model`: its constructor, its manager's create methods, a bulk insert of it."""
    creators = set()
    for name, tree in files:
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            if _name(func) == model:
                creators.add(name)
            elif (
                isinstance(func, ast.Attribute)
                and func.attr in {"create", "bulk_create", "get_or_create", "update_or_create"}
                and isinstance(func.value, ast.Attribute)
                and func.value.attr == "objects"
                and _name(func.value.value) == model
            ):
                creators.add(name)
            elif _name(func) == "BulkInsert" and node.args and _name(node.args[0]) == model:
                creators.add(name)
    return creators


def test_the_check_finds_each_way_of_making_a_row():
    samples = {
        "a.py": "Action(audit=audit)",
        "b.py": "models.Action(audit=audit)",
        "c.py": "Action.objects.create(audit=audit)",
        "d.py": "Action.objects.bulk_create(rows)",
        "e.py": "BulkInsert(Action, columns).insert(rows)",
        "f.py": "NewAction(description='x'); Action.objects.filter(pk=1).update(description='y')",  # not new rows
    }
    files = [(name, ast.parse(text)) for name, text in samples.items()]
    assert row_creators(files, "Action") == {"a.py", "b.py", "c.py", "d.py", "e.py"}


def test_children_of_concern_are_raised_in_one_module():
    assert row_creators(_source_files(), "ChildOfConcern") == {"actions/services.py"}


def test_actions_are_created_in_one_module():
    assert row_creators(_source_files(), "Action") == {"actions/services.py"}


def test_the_check_finds_each_kind_of_write():
    samples = {
        "a.py": "audit.final_grade = 'good'",
        "b.py": "audit.at_risk, audit.final_grade = False, grade",
        "c.py": "Audit.objects.filter(pk=1).update(final_grade=grade)",
        "d.py": "Audit(child=child, final_grade=grade)",
        "e.py": "Audit.objects.filter(final_grade=grade).count()",  # a read
    }
    files = [(name, ast.parse(text)) for name, text in samples.items()]
    assert final_grade_writers(files) == {"a.py", "b.py", "c.py", "d.py"}


def test_the_final_grade_is_written_in_one_module():
    assert final_grade_writers(_source_files()) == {"audits/grading.py"}
