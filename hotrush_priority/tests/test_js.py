# Copyright 2026 hotrush_priority contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tests import tagged

from odoo.addons.web.tests.test_js import WebSuite


@tagged("post_install", "-at_install")
class TestHotrushJs(WebSuite):
    """The addon's HOOT unit tests (static/tests), in headless Chromium."""

    def get_hoot_filters(self):
        self._test_params = [("+", "@hotrush_priority")]
        return super().get_hoot_filters()

    def test_hotrush_priority_hoot(self):
        self.test_unit_desktop()
