"""Smoke test: the addon uninstalls cleanly from a database where it is installed."""

import subprocess

from conftest import sql


def test_uninstall_leaves_helpdesk_working(odoo_cmd, db_copy):
    state = sql(
        db_copy, "SELECT state FROM ir_module_module WHERE name='hotrush_priority'"
    )
    assert state == [["installed"]]
    run = subprocess.run(
        [*odoo_cmd("module", "uninstall"), "-d", db_copy, "hotrush_priority"],
        check=False,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    log = run.stdout + run.stderr
    assert " WARNING " not in log and " ERROR " not in log, log[-3000:]
    state = sql(
        db_copy, "SELECT state FROM ir_module_module WHERE name='hotrush_priority'"
    )
    assert state == [["uninstalled"]]
    # nothing of the addon is left in the data model, helpdesk_mgmt is still installed
    left = sql(
        db_copy,
        "SELECT count(*) FROM ir_model_fields WHERE name LIKE 'hotrush%'"
        " OR model LIKE 'hotrush.%'",
    )
    assert left == [["0"]]
    state = sql(
        db_copy, "SELECT state FROM ir_module_module WHERE name='helpdesk_mgmt'"
    )
    assert state == [["installed"]]
