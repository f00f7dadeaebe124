"""The project's layers, read from its imports: dependencies run one way, and modules stay small.

From the bottom: `subscription` (the platform's models, the tenancy core and the shared company-UI
toolkit), `regions` (reference data), the company apps in the order they build on each other,
`reports`, `master_admin`, `config`. A module may import its own package and packages below it,
never above or beside it. Tests, migrations and `seed_demo` (whose job is to fill every app) are
exempt from the order; no module but a migration is over 400 lines.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LAYERS = [
    {"subscription"},
    {"regions"},
    {"doctors"},
    {"patients", "sales"},
    {"appointments"},
    {"payments"},
    {"reports"},
    {"master_admin"},
    {"config"},
]
LEVEL = {package: level for level, packages in enumerate(LAYERS) for package in packages}
EXEMPT = {"subscription/management/commands/seed_demo.py"}
MAX_LINES = 400


def project_modules(*, include_tests: bool, root: Path = ROOT):
    for package in LEVEL:
        for path in sorted((root / package).rglob("*.py")):
            relative = path.relative_to(root).as_posix()
            if "/migrations/" in relative:
                continue
            if "/tests/" in relative and not include_tests:
                continue
            yield relative, path


def imported_modules(path: Path) -> set[str]:
    """Every absolute module name `path` imports (at any depth: function-level imports count too)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


def upward_imports(root: Path = ROOT) -> list[str]:
    faults = []
    for relative, path in project_modules(include_tests=False, root=root):
        if relative in EXEMPT:
            continue
        package = relative.split("/")[0]
        for module in sorted(imported_modules(path)):
            target = module.split(".")[0]
            if target in LEVEL and target != package and LEVEL[target] >= LEVEL[package]:
                faults.append(f"{relative} imports {module}")
    return faults


def test_no_package_imports_one_above_or_beside_it():
    assert upward_imports() == []


def test_no_app_imports_another_apps_views():
    faults = [
        f"{relative} imports {module}"
        for relative, path in project_modules(include_tests=False)
        for module in imported_modules(path)
        if module.endswith(".views")
        and module.split(".")[0] not in (relative.split("/")[0], "config", "django")
        and relative.split("/")[0] != "config"
    ]
    assert faults == []


def test_the_ground_floor_imports_no_app_at_all():
    """The platform and tenancy core (and its UI toolkit) stand on Django alone."""
    above = set(LEVEL) - {"subscription"}
    faults = [
        f"{relative} imports {module}"
        for relative, path in project_modules(include_tests=False)
        if relative.startswith("subscription/") and relative not in EXEMPT
        for module in imported_modules(path)
        if module.split(".")[0] in above
    ]
    assert faults == []


def test_no_module_is_over_400_lines():
    long = {
        relative: lines
        for relative, path in project_modules(include_tests=True)
        if (lines := len(path.read_text().splitlines())) > MAX_LINES
    }
    assert long == {}, "split these modules (STYLE.md)"


def test_the_check_sees_an_upward_and_a_sideways_import(tmp_path):
    """The order check is able to fail: the core importing an app, and an app importing its neighbour."""
    for relative, text in {
        "subscription/core.py": "def f():\n    from doctors.models import Doctor\n",
        "patients/views.py": "import sales.models\n",
        "sales/models.py": "from doctors.models import Doctor\n",
    }.items():
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text(text)
    assert sorted(upward_imports(tmp_path)) == [
        "patients/views.py imports sales.models",
        "subscription/core.py imports doctors.models",
    ]
