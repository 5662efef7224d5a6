"""No module import cycle in the project, counting imports inside functions (issue 11).

grimp (import-linter's graph) reads every import statement of a module, local ones included. A cycle is a
strongly connected group of modules; Tarjan's algorithm finds them in one pass over the graph.
"""

import grimp

from qa_portal.tests.project_packages import PROJECT_PACKAGES


def _cycles(graph) -> list[list[str]]:
    modules = sorted(graph.modules)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for root in modules:
        if root in index:
            continue
        # Iterative depth-first search: (module, the modules it imports still to visit).
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            module, imported = work[-1]
            step = next(imported, None)
            if step is not None:
                if step not in index:
                    index[step] = low[step] = counter
                    counter += 1
                    stack.append(step)
                    on_stack.add(step)
                    work.append((step, iter(sorted(graph.find_modules_directly_imported_by(step)))))
                elif step in on_stack:
                    low[module] = min(low[module], index[step])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[module])
            if low[module] == index[module]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == module:
                        break
                if len(group) > 1:
                    found.append(sorted(group))
    return found


def test_the_cycle_finder_sees_a_cycle_hidden_in_a_function(tmp_path, monkeypatch):
    package = tmp_path / "cyclic"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "services.py").write_text("def send():\n    from cyclic import tasks\n")
    (package / "tasks.py").write_text("from cyclic import services\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert _cycles(grimp.build_graph("cyclic", cache_dir=None)) == [["cyclic.services", "cyclic.tasks"]]


def test_the_project_has_no_module_import_cycle():
    graph = grimp.build_graph(*PROJECT_PACKAGES, cache_dir=None)
    assert _cycles(graph) == []
