# Copyright 2026 hotrush_priority contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

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


@tagged("post_install", "-at_install")
class TestFirstResponseFromSupport(HotrushCase):
    """The first response comes from support: a helpdesk agent (any of helpdesk_mgmt's
    levels) of the ticket's company who may write the ticket. Anyone else's public
    message is a message, not an answer."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.salesperson = new_test_user(
            cls.env,
            login="hr_salesperson",
            name="Sam Sales",
            email="sam.sales@hotrush.example.com",
            groups="base.group_user",
        )
        cls.other_company = cls.env["res.company"].create({"name": "Other Support"})
        cls.foreign_agent = new_test_user(
            cls.env,
            login="hr_foreign_agent",
            name="Fay Foreign",
            email="fay.foreign@hotrush.example.com",
            groups="helpdesk_mgmt.group_helpdesk_user",
            company_id=cls.other_company.id,
            company_ids=[cls.other_company.id],
        )

    def setUp(self):
        super().setUp()
        with freeze_time(REQUESTED):
            self.ticket = self._create_ticket(hotrush=True, user_id=self.agent.id)
            self.ticket.message_subscribe(partner_ids=self.salesperson.partner_id.ids)
        self._run_cron(REQUESTED)
        self.response = self.ticket.activity_ids
        self.assertTrue(self.response, "the 'Respond by' activity")

    def _post_as(self, user, at=None, sudo=False):
        ticket = self.ticket.sudo() if sudo else self.ticket.with_user(user)
        with freeze_time(at or local_to_utc(MSK, 2026, 11, 26, 11, 20)):
            return ticket.message_post(
                body="Forwarded to support.",
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
                author_id=user.partner_id.id,
            )

    def assertStillWaiting(self):
        self.assertFalse(self.ticket.hotrush_first_response_at)
        self.assertFalse(self.ticket.hotrush_first_response_user_id)
        self.assertEqual(self.ticket.hotrush_sla_status, "running")
        self.assertEqual(self.ticket.activity_ids, self.response, "still to answer")

    def test_salesperson_following_the_ticket_is_no_answer(self):
        message = self._post_as(self.salesperson)
        self.assertFalse(message.is_internal, "a public message the customer reads")
        self.assertStillWaiting()
        # support's reply afterwards is the first response
        at = local_to_utc(MSK, 2026, 11, 26, 11, 30)
        self._reply_as_agent(at)
        self.assertEqual(self.ticket.hotrush_first_response_at, at)
        self.assertEqual(self.ticket.hotrush_first_response_user_id, self.agent)
        self.assertEqual(self.ticket.hotrush_sla_status, "met")

    def _reply_as_agent(self, at):
        with freeze_time(at):
            self.ticket.with_user(self.agent).message_post(
                body="We are on it.",
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )

    def test_agent_of_another_company_is_no_answer(self):
        # by e-mail, say: the gateway posts as the superuser with the agent as author
        self._post_as(self.foreign_agent, sudo=True)
        self.assertStillWaiting()

    def test_own_tickets_agent_following_the_ticket_answers(self):
        """An agent limited to their own tickets may not write another agent's
        ticket; writing in it makes them a follower, and helpdesk_mgmt lets internal
        users write what they follow: support staff who may write it, so their
        reply answers."""
        self.assertFalse(self.ticket.with_user(self.own_agent).has_access("write"))
        self._post_as(self.own_agent, sudo=True)
        self.assertIn(self.own_agent.partner_id, self.ticket.message_partner_ids)
        self.assertEqual(self.ticket.hotrush_first_response_user_id, self.own_agent)

    def test_own_tickets_agent_on_their_ticket_answers(self):
        self.ticket.user_id = self.own_agent
        self._post_as(self.own_agent)
        self.assertEqual(self.ticket.hotrush_first_response_user_id, self.own_agent)
        self.assertEqual(self.ticket.hotrush_sla_status, "met")

    def test_salesperson_cannot_mark_the_hotrush_activity_done(self):
        with self.refused(AccessError, "support staff"):
            self.response.with_user(self.salesperson).action_feedback(feedback="done")
        self.assertTrue(self.response.exists())
        self.assertStillWaiting()

    def test_agent_marks_the_hotrush_activity_done(self):
        self.response.with_user(self.agent).action_feedback(feedback="done")
        self.assertFalse(self.ticket.activity_ids)
