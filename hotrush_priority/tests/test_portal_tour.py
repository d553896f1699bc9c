# Copyright 2026 hotrush_priority contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Portal tours in headless Chromium (HR-62)."""

from odoo.tests import HttpCase, tagged

from .common import make_calendar
from .test_portal import PortalMixin


@tagged("post_install", "-at_install")
class TestPortalTours(PortalMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_portal()

    def test_new_urgent_ticket_with_chat(self):
        # the tour asks for a chat tomorrow at noon: no later than the deadline of
        # a day's response target, at most 18 working hours from now (HR-84)
        self.company.hotrush_response_hours = 24
        # a team with its own calendar and target: the form's promise follows it
        self.env["helpdesk.ticket.team"].create(
            {
                "name": "Hosting Support",
                "hotrush_offered": True,
                "hotrush_response_hours": 2,
                "hotrush_calendar_id": make_calendar(
                    self.env,
                    "Hosting hours",
                    "Europe/Moscow",
                    [(day, 9.0, 18.0) for day in range(5)],
                ).id,
            }
        )
        self.start_tour(
            "/new/ticket", "hotrush_portal_new_urgent_with_chat", login="hr_portal"
        )
        ticket = self.env["helpdesk.ticket"].search([("name", "=", "Shop is down")])
        self.assertTrue(ticket.hotrush)
        self.assertEqual(ticket.hotrush_chat_tool_id.name, "Zoom")
        self.assertEqual(ticket.hotrush_chat_contact, "rita@rushmore.example.com")

    def test_uncheck_before_assignment(self):
        ticket = self._create_ticket(hotrush=True)
        self.start_tour(
            f"/my/ticket/{ticket.id}", "hotrush_portal_uncheck", login="hr_portal"
        )
        self.assertFalse(ticket.hotrush)
        self.assertEqual(ticket.hotrush_end_action, "uncheck")

    def test_withdraw_after_assignment(self):
        ticket = self._create_ticket(hotrush=True, user_id=self.agent.id)
        self.start_tour(
            f"/my/ticket/{ticket.id}", "hotrush_portal_withdraw", login="hr_portal"
        )
        self.assertEqual(ticket.hotrush_end_action, "withdraw")
        self.assertEqual(ticket.hotrush_event_ids[:1].note, "Found it ourselves")

    def test_checkbox_disabled_without_balance(self):
        self.balances.filtered(
            lambda b: b.partner_id == self.customer_company
        ).line_ids.unlink()
        self.start_tour("/new/ticket", "hotrush_portal_no_balance", login="hr_portal")
