"""Helpers for the project-level tests (outside the addon).

These tests drive Odoo from the outside (subprocesses, copies of the test database);
``scripts/test`` exports the configuration they need.
"""

import os
import subprocess

import pytest


@pytest.fixture(scope="session")
def odoo_cmd():
    """A function giving the command line of an Odoo sub-command with the test configuration."""
    conf = os.environ.get("HOTRUSH_TEST_ODOO_CONF")
    python = os.environ.get("HOTRUSH_PYTHON")
    if not (conf and python):
        pytest.fail(
            "run these tests through scripts/test (HOTRUSH_TEST_ODOO_CONF is unset)"
        )
    return lambda *command: [python, "-m", "odoo", *command, "-c", conf]


@pytest.fixture
def db_copy():
    """A throw-away copy of the test database, dropped afterwards."""
    source = os.environ["HOTRUSH_TEST_TEMPLATE_DB"]
    name = f"{source}_copy_{os.getpid()}"
    subprocess.run(["dropdb", "--if-exists", name], check=True)
    subprocess.run(["createdb", "-T", source, name], check=True)
    yield name
    subprocess.run(["dropdb", "--if-exists", name], check=True)


def sql(db, query):
    """Run one query with psql and return the rows as lists of strings."""
    out = subprocess.run(
        ["psql", "-X", "-A", "-t", "-F", "\t", "-d", db, "-c", query],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return [line.split("\t") for line in out.splitlines() if line]
