# Copyright 2026 hotrush_priority contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Portal tours in headless Chromium (HR-62, HR-82): on a desktop and on a 390 px
phone, where each tour also checks the layout (no sideways scroll, touch targets of
44 px, ranges and times on one line)."""

from freezegun import freeze_time

from odoo.tests import HttpCase, tagged

from .common import local_to_utc, make_calendar
from .test_portal import PortalMixin


class PortalTourMixin(PortalMixin):
    """The tours both viewports run."""

    # Odoo runs the test methods a class defines itself, unless told otherwise
    allow_inherited_tests_method = True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_portal()
        cls._setup_support_products()
        cls.stage_done = cls.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_done")
        # a team with its own calendar and target: the form's promise follows it
        cls.hosting_calendar = make_calendar(
            cls.env,
            "Hosting hours",
            "Europe/Moscow",
            [(day, 9.0, 18.0) for day in range(5)],
        )
        cls.hosting = cls.env["helpdesk.ticket.team"].create(
            {
                "name": "Hosting Support",
                "hotrush_offered": True,
                "hotrush_response_hours": 2,
                "hotrush_calendar_id": cls.hosting_calendar.id,
            }
        )

    def test_new_urgent_ticket_on_a_team_with_its_own_calendar(self):
        self.start_tour(
            "/new/ticket", "hotrush_portal_new_urgent_own_calendar", login="hr_portal"
        )
        ticket = self.env["helpdesk.ticket"].search([("name", "=", "Hosting is down")])
        self.assertEqual(ticket.team_id, self.hosting)
        self.assertTrue(ticket.hotrush)
        # planned on the team's own calendar and target, as its promise said
        [(_opening, deadline)] = self.hosting_calendar._hotrush_plan(
            [(ticket.hotrush_requested_at, 2)]
        )
        self.assertEqual(ticket.hotrush_deadline, deadline)

    def test_uncheck_cancels_the_live_chat(self):
        ticket = self._create_ticket(hotrush=True)
        _local, utc = self._chat_slot()
        ticket.with_user(self.portal).action_hotrush_request_chat(
            self.zoom.id, "rita@example.com", utc
        )
        chat_type = self.env.ref("hotrush_priority.mail_activity_type_hotrush_chat")
        self.assertIn(chat_type, ticket.activity_ids.activity_type_id)
        self.start_tour(
            f"/my/ticket/{ticket.id}",
            "hotrush_portal_uncheck_cancels_chat",
            login="hr_portal",
        )
        self.assertEqual(ticket.hotrush_end_action, "uncheck")
        self.assertFalse(ticket.hotrush_chat_at)
        self.assertNotIn(
            chat_type, ticket.activity_ids.activity_type_id, "the agent's is gone"
        )

    def test_withdraw_after_closing_with_its_confirmation(self):
        ticket = self._create_ticket(
            hotrush=True, user_id=self.agent.id, hotrush_billable_hours=2.0
        )
        ticket.with_user(self.agent).write({"stage_id": self.stage_done.id})
        balance = self.balances.filtered(
            lambda b: b.partner_id == self.customer_company
        )
        paid = balance.amount
        self.start_tour(
            f"/my/ticket/{ticket.id}",
            "hotrush_portal_withdraw_after_closing",
            login="hr_portal",
        )
        self.assertEqual(ticket.hotrush_end_action, "withdraw")
        balance.invalidate_recordset()
        self.assertEqual(balance.amount, paid + 160.0, "the surcharge of 2 h returns")

    def test_customer_pages_layout(self):
        # the longest status the list shows (a date and two times), a long title
        with freeze_time(local_to_utc("Europe/Moscow", 2026, 11, 26, 6, 0)):
            ticket = self._create_ticket(
                hotrush=True,
                name="The store is offline since the latest update of the theme",
            )
        self.assertEqual(ticket.hotrush_sla_status, "queued")
        for url in ("/my", "/my/tickets", "/new/ticket", f"/my/ticket/{ticket.id}"):
            with self.subTest(url=url):
                self.start_tour(url, "hotrush_portal_layout", login="hr_portal")


@tagged("post_install", "-at_install")
class TestPortalTours(PortalTourMixin, HttpCase):
    def test_new_urgent_ticket_with_chat(self):
        # the tour asks for a chat tomorrow at noon: no later than the deadline of
        # a day's response target, at most 18 working hours from now (HR-84)
        self.company.hotrush_response_hours = 24
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


@tagged("post_install", "-at_install")
class TestPortalToursPhone(PortalTourMixin, HttpCase):
    """The same tours on a 390 px phone with a touch screen."""

    browser_size = "390x844"
    touch_enabled = True
