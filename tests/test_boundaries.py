"""House rules: Qt lives in p2pdesk/ui only (ruff's TID251 says the same in the editor)."""

from __future__ import annotations

import ast
import tomllib

from tests.conftest import ROOT


def _imports(path) -> set[str]:  # noqa: ANN001
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_qt_is_imported_only_under_ui() -> None:
    package = ROOT / "p2pdesk"
    offenders = [
        str(path.relative_to(ROOT))
        for path in package.rglob("*.py")
        if "ui" not in path.relative_to(package).parts[:1]
        and any(name.split(".")[0] in ("PySide6", "shiboken6") for name in _imports(path))
    ]
    assert offenders == []


def test_lint_rule_bans_qt_outside_ui() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    lint = config["tool"]["ruff"]["lint"]
    assert "PySide6" in lint["flake8-tidy-imports"]["banned-api"]
    assert "TID251" in lint["per-file-ignores"]["p2pdesk/ui/**"]
    assert "TID" in lint["select"]


def test_rich_text_escape_matches_the_standard_library() -> None:
    import html

    from p2pdesk.ui.richtext import esc

    sample = "<b>x</b> & \"q\" 'a' مرحبا 李 Zoë"
    assert esc(sample) == html.escape(sample, quote=True)


def test_the_script_view_says_what_the_rules_module_says() -> None:
    from p2pdesk.playbook.rules import NOT_LEGAL_ADVICE
    from p2pdesk.ui import script_view

    assert script_view.NOT_LEGAL_ADVICE == NOT_LEGAL_ADVICE
