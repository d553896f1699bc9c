# Copyright 2026 hotrush_priority contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The HotRush configuration of a company or a team uses that company's records or
shared ones, whatever the route (a form, RPC, an import): a support product of
another company would make every billable closing fail at that moment."""

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import HotrushCase, make_calendar


@tagged("post_install", "-at_install")
class TestCompanyConfig(HotrushCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other = cls.env["res.company"].create({"name": "Other Support Ltd"})
        cls.other_calendar = make_calendar(
            cls.env,
            "Other hours",
            "Europe/Berlin",
            [(day, 9.0, 17.0) for day in range(5)],
            company_id=cls.other.id,
        )
        cls.shared_calendar = make_calendar(
            cls.env,
            "Shared hours",
            "Europe/Berlin",
            [(day, 9.0, 17.0) for day in range(5)],
            company_id=False,
        )
        Product = cls.env["product.product"]
        cls.other_product = Product.create(
            {
                "name": "Other support hour",
                "type": "service",
                "company_id": cls.other.id,
            }
        )
        cls.shared_product = Product.create(
            {"name": "Shared support hour", "type": "service", "company_id": False}
        )
        cls.other_prepaid = Product.create(
            {
                "name": "Other prepaid support",
                "type": "service",
                "hotrush_prepaid_support": True,
                "company_id": cls.other.id,
            }
        )
        cls.other_team = cls.env["helpdesk.ticket.team"].create(
            {"name": "Other development", "company_id": cls.other.id}
        )

    def test_team_support_product_of_another_company_refused(self):
        with self.refused(ValidationError, "Other Support Ltd"):
            self.team.write({"hotrush_support_product_id": self.other_product.id})
        self.team.write({"hotrush_support_product_id": self.shared_product.id})
        self.assertEqual(self.team.hotrush_support_product_id, self.shared_product)

    def test_team_calendar_of_another_company_refused(self):
        with self.refused(ValidationError, "Other Support Ltd"):
            self.team.write({"hotrush_calendar_id": self.other_calendar.id})
        self.team.write({"hotrush_calendar_id": self.shared_calendar.id})
        self.assertEqual(self.team.hotrush_calendar_id, self.shared_calendar)

    def test_team_moved_to_another_company_with_its_product_refused(self):
        self.team.hotrush_support_product_id = self.env["product.product"].create(
            {"name": "Own hour", "type": "service", "company_id": self.company.id}
        )
        with self.refused(ValidationError, "can only use records of its own"):
            self.team.company_id = self.other

    def test_company_prepaid_product_of_another_company_refused(self):
        with self.refused(ValidationError, "Other prepaid support"):
            self.company.hotrush_prepaid_product_id = self.other_prepaid

    def test_company_calendar_of_another_company_refused(self):
        with self.refused(ValidationError, "Other hours"):
            self.company.hotrush_calendar_id = self.other_calendar
        self.company.hotrush_calendar_id = self.shared_calendar

    def test_company_customization_team_of_another_company_refused(self):
        with self.refused(ValidationError, "Other development"):
            self.company.hotrush_development_team_id = self.other_team

    def test_settings_refuse_another_company_product(self):
        with self.refused(ValidationError, "Other prepaid support"):
            self.env["res.config.settings"].create(
                {"hotrush_prepaid_product_id": self.other_prepaid.id}
            ).execute()
        self.assertFalse(self.company.hotrush_prepaid_product_id)
