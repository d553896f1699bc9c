# Copyright 2026 hotrush_priority contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Backend tours in headless Chromium: the agent's queue and reply, the removal
wizard (HR-14, HR-15, HR-22, HR-60)."""

from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, tagged

from .common import HotrushFixture, make_calendar

# Open around the clock: the browser runs at the real time, which freeze_time cannot
# reach, so the tickets must be running whenever the test runs.
ROUND_THE_CLOCK = [(day, 0.0, 24.0) for day in range(7)]


@tagged("post_install", "-at_install")
class TestBackendTours(HotrushFixture, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_hotrush()
        cls.agent.password = "hr_agent_pw"
        cls.leader.password = "hr_leader_pw"
        cls.team.hotrush_calendar_id = make_calendar(
            cls.env, "Round the clock", "Europe/Moscow", ROUND_THE_CLOCK
        )
        # Requested 10 to 30 minutes ago with a 1-hour target: deadlines 30 to 50
        # minutes from now, created out of order so that the queue's order shows.
        now = fields.Datetime.now()
        cls.later = cls._create_ticket(
            name="Login page is slow",
            hotrush=True,
            hotrush_requested_at=now - timedelta(minutes=10),
        )
        cls.most_urgent = cls._create_ticket(
            name="Payment gateway down",
            hotrush=True,
            hotrush_requested_at=now - timedelta(minutes=30),
        )
        cls.second = cls._create_ticket(
            name="Invoices show wrong totals",
            priority="1",
            hotrush=True,
            hotrush_requested_at=now - timedelta(minutes=20),
        )

    def test_tickets_running_with_distinct_deadlines(self):
        """What the tours rely on: running now, one well-defined most urgent."""
        tickets = self.most_urgent | self.second | self.later
        self.assertEqual(set(tickets.mapped("hotrush_sla_status")), {"running"})
        self.assertFalse(any(tickets.mapped("hotrush_queued_until")))
        self.assertLess(self.most_urgent.hotrush_deadline, self.second.hotrush_deadline)
        self.assertLess(self.second.hotrush_deadline, self.later.hotrush_deadline)

    def test_agent_answers_most_urgent_ticket(self):
        self.start_tour(
            "/odoo/my-hotrush-queue", "hotrush_backend_agent_reply", login="hr_agent"
        )
        self.env.invalidate_all()
        ticket = self.most_urgent
        self.assertEqual(ticket.hotrush_sla_status, "met")
        self.assertEqual(ticket.hotrush_first_response_user_id, self.agent)
        self.assertTrue(ticket.hotrush_first_response_at)
        self.assertLessEqual(ticket.hotrush_first_response_at, ticket.hotrush_deadline)
        reply = ticket.message_ids.filtered(
            lambda m: "payments work again" in (m.body or "")
        )
        self.assertEqual(reply.author_id, self.agent.partner_id)
        self.assertEqual(reply.message_type, "comment")
        self.assertFalse(reply.subtype_id.internal)
        self.assertTrue(ticket.hotrush, "answering does not end urgency")
        for other in self.later | self.second:
            self.assertEqual(other.hotrush_sla_status, "running")
            self.assertFalse(other.hotrush_first_response_at)

    def test_manager_removes_hotrush_with_reason(self):
        ticket = self.second
        self.start_tour(
            f"/odoo/helpdesk-tickets/{ticket.id}",
            "hotrush_backend_manager_remove",
            login="hr_leader",
        )
        self.env.invalidate_all()
        self.assertFalse(ticket.hotrush)
        self.assertEqual(ticket.hotrush_end_action, "remove")
        self.assertEqual(ticket.hotrush_sla_status, "cancelled")
        self.assertEqual(ticket.priority, "1", "the priority before HotRush is back")
        self.assertEqual(ticket.team_id, self.team)
        end = ticket.hotrush_event_ids.filtered(lambda e: e.kind == "end")
        self.assertEqual(len(end), 1)
        self.assertEqual(end.action, "remove")
        self.assertEqual(end.reason, "bug")
        self.assertEqual(end.note, "The fix needs a patch release.")
        self.assertEqual(end.user_id, self.leader)
