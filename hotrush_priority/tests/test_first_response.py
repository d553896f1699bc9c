# Copyright 2026 hotrush_priority contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from freezegun import freeze_time

from odoo.tests import tagged

from .common import HotrushCase, local_to_utc

MSK = "Europe/Moscow"
REQUESTED = local_to_utc(MSK, 2026, 11, 26, 11, 0)


@tagged("post_install", "-at_install")
class TestFirstResponse(HotrushCase):
    def setUp(self):
        super().setUp()
        with freeze_time(REQUESTED):
            self.ticket = self._create_ticket(hotrush=True, user_id=self.agent.id)
        self._run_cron(REQUESTED)
        self.assertTrue(self.ticket.activity_ids, "the 'Respond by' activity")

    def _reply(self, user, at, **kwargs):
        with freeze_time(at):
            return self.ticket.with_user(user).message_post(
                body="We are on it.",
                message_type=kwargs.pop("message_type", "comment"),
                subtype_xmlid=kwargs.pop("subtype_xmlid", "mail.mt_comment"),
                **kwargs,
            )

    def test_public_reply_in_time_is_met(self):
        at = local_to_utc(MSK, 2026, 11, 26, 11, 40)
        self._reply(self.agent, at)
        self.assertEqual(self.ticket.hotrush_sla_status, "met")
        self.assertEqual(self.ticket.hotrush_first_response_at, at)
        self.assertEqual(self.ticket.hotrush_first_response_user_id, self.agent)
        self.assertFalse(self.ticket.activity_ids, "the response activity is done")

    def test_public_reply_late_is_breached(self):
        self._reply(self.agent, local_to_utc(MSK, 2026, 11, 26, 12, 0, 1))
        self.assertEqual(self.ticket.hotrush_sla_status, "breached")

    def test_reply_at_deadline_is_met(self):
        self._reply(self.agent, local_to_utc(MSK, 2026, 11, 26, 12, 0))
        self.assertEqual(self.ticket.hotrush_sla_status, "met")

    def test_internal_note_does_not_count(self):
        self._reply(
            self.agent,
            local_to_utc(MSK, 2026, 11, 26, 11, 10),
            subtype_xmlid="mail.mt_note",
        )
        self.assertFalse(self.ticket.hotrush_first_response_at)
        self.assertEqual(self.ticket.hotrush_sla_status, "running")

    def test_portal_reply_does_not_count(self):
        self._reply(self.portal, local_to_utc(MSK, 2026, 11, 26, 11, 10))
        self.assertFalse(self.ticket.hotrush_first_response_at)
        self.assertEqual(self.ticket.hotrush_sla_status, "running")

    def test_system_message_does_not_count(self):
        with freeze_time(local_to_utc(MSK, 2026, 11, 26, 11, 10)):
            self.ticket.message_post(
                body="Automatic notice", message_type="notification"
            )
            self.ticket.write({"name": "Renamed"})
        self.assertFalse(self.ticket.hotrush_first_response_at)

    def test_first_response_is_not_overwritten(self):
        first = local_to_utc(MSK, 2026, 11, 26, 11, 30)
        self._reply(self.agent, first)
        self._reply(self.leader, local_to_utc(MSK, 2026, 11, 26, 13, 0))
        self.assertEqual(self.ticket.hotrush_first_response_at, first)
        self.assertEqual(self.ticket.hotrush_first_response_user_id, self.agent)
        self.assertEqual(self.ticket.hotrush_sla_status, "met")

    def test_email_from_agent_counts(self):
        # the agent answers by email to the customer's public message
        thread_message = self._reply(
            self.portal, local_to_utc(MSK, 2026, 11, 26, 11, 5)
        )
        raw = (
            "From: Alex Agent <alex.agent@hotrush.example.com>\r\n"
            "To: support@hotrush.example.com\r\n"
            "Subject: Re: Checkout is down\r\n"
            f"In-Reply-To: {thread_message.message_id}\r\n"
            f"References: {thread_message.message_id}\r\n"
            "Message-ID: <agent-reply-1@hotrush.example.com>\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n"
            "\r\n"
            "Fixed, please try again.\r\n"
        )
        at = local_to_utc(MSK, 2026, 11, 26, 11, 50)
        with freeze_time(at):
            self.env["mail.thread"].message_process("helpdesk.ticket", raw)
        email = self.ticket.message_ids.filtered(
            lambda m: m.message_id == "<agent-reply-1@hotrush.example.com>"
        )
        self.assertEqual(email.message_type, "email")
        self.assertEqual(self.ticket.hotrush_first_response_user_id, self.agent)
        self.assertEqual(self.ticket.hotrush_sla_status, "met")

    def test_reply_before_request_does_not_count(self):
        with freeze_time(local_to_utc(MSK, 2026, 11, 26, 10, 0)):
            ticket = self._create_ticket()
            ticket.with_user(self.agent).message_post(
                body="Hello", message_type="comment", subtype_xmlid="mail.mt_comment"
            )
        with freeze_time(REQUESTED):
            ticket.write({"hotrush": True})
        self.assertFalse(ticket.hotrush_first_response_at)
        self.assertEqual(ticket.hotrush_sla_status, "running")
