"""Migrations a Django developer can trust: one initial migration per app (the catalogue's
back-reference to the case core's workflows is its own second migration), and data
migrations that carry their own data — editing a module must never change what an old
migration does."""

from __future__ import annotations

import ast
from pathlib import Path

import balcao

APPS = Path(balcao.__file__).resolve().parent
MIGRATIONS = sorted(APPS.glob("*/migrations/0*.py"))


def test_there_are_migrations():
    assert len(MIGRATIONS) >= 10


def test_one_initial_migration_per_app():
    initial = {}
    for path in MIGRATIONS:
        if "initial = True" in path.read_text(encoding="utf-8"):
            initial.setdefault(path.parent.parent.name, []).append(path.name)
    assert {app: names for app, names in initial.items() if len(names) > 1} == {}
    assert set(initial) >= {
        "accounts",
        "api",
        "audit",
        "bot",
        "cases",
        "catalog",
        "deadlines",
        "kb",
    }


def test_migrations_import_no_project_code_but_field_callables():
    """``import balcao.<app>.models`` is how Django names a field's default or upload
    path; anything else (``from balcao.… import …``) would tie a migration to live code."""
    offenders = []
    for path in MIGRATIONS:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("balcao"):
                offenders.append(f"{path.relative_to(APPS)}: from {node.module}")
            if isinstance(node, ast.Import):
                offenders += [
                    f"{path.relative_to(APPS)}: import {alias.name}"
                    for alias in node.names
                    if alias.name.startswith("balcao") and not alias.name.endswith(".models")
                ]
    assert offenders == []
