"""pytest plugin: collect Odoo test classes the way Odoo's own test loader does.

pytest-odoo collects every ``test*`` method of every ``TestCase`` class it finds in a test
module, including classes imported from other addons and inherited methods. Odoo's loader
(``odoo.tests.loader.get_module_test_cases``) only runs classes defined in the module, only
the methods they define themselves (unless ``allow_inherited_tests_method``), and only tests
tagged ``standard``. This plugin applies the same rules, so suites such as helpdesk_mgmt's
run exactly as they do under ``odoo-bin --test-enable``.
"""

import pytest


def _odoo_selects(item):
    cls = getattr(item, "cls", None)
    if cls is None or not hasattr(cls, "test_tags"):
        return True
    module = getattr(item, "module", None)
    if module is not None and cls.__module__ != module.__name__:
        return False
    name = getattr(item, "originalname", None) or item.name
    if name not in cls.__dict__ and not getattr(
        cls, "allow_inherited_tests_method", False
    ):
        return False
    return "standard" in cls.test_tags


def pytest_collection_modifyitems(config, items):
    selected, deselected = [], []
    for item in items:
        (selected if _odoo_selects(item) else deselected).append(item)
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = selected


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config):
    from odoo.tests.common import BaseCase

    # Odoo's tag selector gives every test an empty parameter list before it runs.
    if not hasattr(BaseCase, "_test_params"):
        BaseCase._test_params = ()
