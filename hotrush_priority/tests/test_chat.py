# Copyright 2026 hotrush_priority contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Live chat as the answer (HR-84): a chat starts no later than the response deadline,
and a chat held, recorded by an agent, is the first response at its start."""

import re

from freezegun import freeze_time

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import Form, HttpCase, new_test_user, tagged

from .common import HotrushCase, local_to_utc
from .test_portal import PortalMixin
from .test_rpc import RpcMixin

MSK = "Europe/Moscow"
BERLIN = "Europe/Berlin"  # the customer's zone (the calendar's is Moscow)


def thursday(hour, minute=0, second=0):
    """Thu 2026-11-26, Moscow time: a request at 11:00 is due at 12:00."""
    return local_to_utc(MSK, 2026, 11, 26, hour, minute, second)


@tagged("post_install", "-at_install")
class TestChatSlot(HotrushCase):
    """A chat requested on a HotRush ticket starts by its deadline."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.zoom = cls.env.ref("hotrush_priority.chat_tool_zoom")

    def _ticket(self, at=None):
        with freeze_time(at or thursday(11)):
            return self._create_ticket(hotrush=True)

    def _request_chat(self, ticket, when, at=None, user=None):
        with freeze_time(at or thursday(11, 20)):
            return ticket.with_user(user or self.portal).action_hotrush_request_chat(
                self.zoom.id, "rita@rushmore.example.com", when
            )

    def test_slot_after_deadline_refused_with_latest_start(self):
        ticket = self._ticket()
        self.assertEqual(ticket.hotrush_deadline, thursday(12))
        latest = ticket._hotrush_format(thursday(12), tz=BERLIN)
        self.assertIn("10:00", latest, "12:00 in Moscow is 10:00 in Berlin")
        with self.refused(ValidationError, re.escape(latest)):
            self._request_chat(ticket, thursday(12, 1))
        self.assertFalse(ticket.hotrush_chat_at)
        # an agent asking on the customer's behalf is told the customer's time too
        with self.refused(ValidationError, "no later than the response deadline"):
            self._request_chat(ticket, thursday(15), user=self.agent)

    def test_chat_offered_again_once_the_booked_one_has_passed(self):
        ticket = self._ticket()
        with freeze_time(thursday(11, 10)):
            self.assertIn("chat", ticket._hotrush_portal_actions())
        self._request_chat(ticket, thursday(11, 30))
        with freeze_time(thursday(11, 25)):
            self.assertNotIn("chat", ticket._hotrush_portal_actions(), "one at a time")
        with freeze_time(thursday(11, 40)):
            self.assertIn("chat", ticket._hotrush_portal_actions())
            self._request_chat(ticket, thursday(11, 50), at=thursday(11, 40))
        self.assertEqual(ticket.hotrush_chat_at, thursday(11, 50))
        with freeze_time(thursday(12, 1)):
            self.assertNotIn("chat", ticket._hotrush_portal_actions(), "deadline")

    def test_slot_at_deadline_accepted(self):
        ticket = self._ticket()
        self._request_chat(ticket, thursday(12))
        self.assertEqual(ticket.hotrush_chat_at, thursday(12))

    def test_grace_does_not_move_the_latest_start(self):
        self.company.hotrush_grace_minutes = 30
        ticket = self._ticket()
        with self.refused(
            ValidationError, re.escape(ticket._hotrush_format(thursday(12), tz=BERLIN))
        ):
            self._request_chat(ticket, thursday(12, 10))

    def test_queued_ticket_chat_by_its_deadline_after_the_opening(self):
        # requested at 07:00, support opens at 09:00: deadline 10:00
        ticket = self._ticket(thursday(7))
        self.assertEqual(ticket.hotrush_deadline, thursday(10))
        with self.refused(ValidationError, "no later than the response deadline"):
            self._request_chat(ticket, thursday(10, 30), at=thursday(7, 10))
        self._request_chat(ticket, thursday(9, 30), at=thursday(7, 10))
        self.assertEqual(ticket.hotrush_chat_at, thursday(9, 30))

    def test_deadline_passed_refused(self):
        ticket = self._ticket()
        with self.refused(ValidationError, "has passed"):
            self._request_chat(ticket, thursday(13), at=thursday(12, 30))

    def test_new_ticket_checks_the_deadline_it_will_have(self):
        """The new-ticket form checks the chat on a ticket not created yet."""
        vals = self._ticket_vals(hotrush=True)
        with freeze_time(thursday(11)):
            probe = self.env["helpdesk.ticket"].with_user(self.portal).new(vals)
            self.assertFalse(probe.hotrush_deadline)
            with self.assertRaisesRegex(
                ValidationError, re.escape(probe._hotrush_format(thursday(12), BERLIN))
            ):
                probe._hotrush_validate_chat(
                    self.zoom.id, "rita@rushmore.example.com", thursday(12, 1)
                )
            chat = probe._hotrush_validate_chat(
                self.zoom.id, "rita@rushmore.example.com", thursday(12)
            )
        self.assertEqual(chat["hotrush_chat_at"], thursday(12))


@tagged("post_install", "-at_install")
class TestChatHeld(HotrushCase):
    """The chat the customer booked, held, is the first response at its start, met
    or breached; any other chat is told as a chat and answers nothing."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls.portal.partner_id  # Europe/Berlin

    def setUp(self):
        super().setUp()
        self.ticket = self._request_notified(thursday(11), user_id=self.agent.id)
        self.assertEqual(self.ticket.hotrush_sla_status, "running")

    def _book(self, when, at=None):
        """The customer books a live chat at ``when`` (asked at 11:20 by default)."""
        with freeze_time(at or thursday(11, 20)):
            self.ticket.with_user(self.portal).action_hotrush_request_chat(
                self.env.ref("hotrush_priority.chat_tool_zoom").id,
                "rita@rushmore.example.com",
                when,
            )

    def _held(self, start, at, user=None, note="We restarted the payment service."):
        with freeze_time(at):
            self.ticket.with_user(user or self.agent).action_hotrush_chat_held(
                start, note
            )
        return self._held_messages()

    def _held_messages(self):
        self.env.invalidate_all()
        return self.ticket.message_ids.filtered(
            lambda m: "We held a live chat with you" in str(m.body)
        )

    def test_held_before_deadline_met_at_its_start(self):
        chat_type = self.env.ref("hotrush_priority.mail_activity_type_hotrush_chat")
        with freeze_time(thursday(11, 20)):
            self.ticket.with_user(self.portal).action_hotrush_request_chat(
                self.env.ref("hotrush_priority.chat_tool_zoom").id,
                "rita@rushmore.example.com",
                thursday(11, 40),
            )
        self.assertIn(chat_type, self.ticket.activity_ids.activity_type_id)
        self.assertFalse(
            self.ticket.hotrush_first_response_at, "a request is no answer"
        )
        # held 11:40, recorded after the deadline: the chat's start counts
        message = self._held(thursday(11, 40), at=thursday(12, 30))
        self.assertNotIn(
            chat_type, self.ticket.activity_ids.activity_type_id, "the chat is done"
        )
        self.assertEqual(len(message), 1)
        self.assertEqual(self.ticket.hotrush_sla_status, "met")
        self.assertEqual(self.ticket.hotrush_first_response_at, thursday(11, 40))
        self.assertEqual(self.ticket.hotrush_first_response_user_id, self.agent)
        self.assertEqual(self.ticket.hotrush_chat_held_at, thursday(11, 40))
        self.assertEqual(self.ticket.hotrush_response_working_minutes, 40)
        self.flush_tracking()
        self.assertTrue(self.ticket.hotrush_told_answer_at, "the answered notice")
        self.assertFalse(self.ticket.hotrush_told_breach_at)

    def test_booked_chat_held_after_the_deadline_is_no_answer(self):
        """Booked for 11:55, started at 12:05: after the deadline, it answers
        nothing; time breaches the request."""
        self._book(thursday(11, 55))
        message = self._held(thursday(12, 5), at=thursday(12, 10))
        self.assertEqual(len(message), 1, "told as a chat")
        self.assertFalse(self.ticket.hotrush_first_response_at)
        self.assertFalse(self.ticket.hotrush_chat_held_at)
        self._run_cron(thursday(12, 11))
        self.assertEqual(self.ticket.hotrush_sla_status, "breached")
        self.flush_tracking()
        self.assertTrue(self.ticket.hotrush_told_breach_at, "the breached notice")
        self.assertFalse(self.ticket.hotrush_told_answer_at)

    def test_booked_chat_held_on_time_recorded_after_the_breach(self):
        """The booked chat held at 11:50, recorded at 12:20 after the SLA action
        decided a breach: it counts at its start."""
        self._book(thursday(11, 50))
        self._run_cron(thursday(12, 1))
        self.assertEqual(self.ticket.hotrush_sla_status, "breached")
        self._held(thursday(11, 50), at=thursday(12, 20))
        self.assertEqual(self.ticket.hotrush_sla_status, "met")
        self.assertEqual(self.ticket.hotrush_first_response_at, thursday(11, 50))

    def test_unbooked_chat_backdated_after_a_breach_moves_nothing(self):
        """A chat the customer never booked, recorded after the breach with a start
        before the deadline, is told as a chat: the breach stands."""
        self._run_cron(thursday(12, 1))
        self.assertEqual(self.ticket.hotrush_sla_status, "breached")
        message = self._held(thursday(11, 50), at=thursday(12, 20))
        self.assertEqual(len(message), 1)
        self.assertFalse(message.is_internal, "the customer is told of the chat")
        self.assertEqual(self.ticket.hotrush_sla_status, "breached")
        self.assertFalse(self.ticket.hotrush_first_response_at)
        self.assertFalse(self.ticket.hotrush_chat_held_at)
        self.flush_tracking()
        self.assertFalse(self.ticket.hotrush_told_answer_at, "never 'answered in time'")

    def test_chat_at_another_time_than_booked_is_no_answer(self):
        """Booked for 11:30; a chat started 16 minutes off is another chat."""
        self._book(thursday(11, 30))
        for start in (thursday(11, 46), thursday(11, 13)):
            with self.subTest(start=start):
                self._held(start, at=thursday(11, 50))
                self.assertFalse(self.ticket.hotrush_first_response_at)
                self.assertEqual(self.ticket.hotrush_sla_status, "running")
        # 15 minutes late is still the booked chat
        self._held(thursday(11, 45), at=thursday(11, 55))
        self.assertEqual(self.ticket.hotrush_first_response_at, thursday(11, 45))
        self.assertEqual(self.ticket.hotrush_sla_status, "met")

    def test_an_earlier_other_chat_then_the_booked_one(self):
        """A quick chat at another time is told as a chat; the booked one, held
        later, still answers the request at its start."""
        self._book(thursday(11, 45))
        self._held(thursday(11, 21), at=thursday(11, 25))
        self.assertFalse(self.ticket.hotrush_first_response_at)
        messages = self._held(thursday(11, 46), at=thursday(11, 55))
        self.assertEqual(len(messages), 2, "both told to the customer")
        self.assertEqual(self.ticket.hotrush_first_response_at, thursday(11, 46))
        self.assertEqual(self.ticket.hotrush_sla_status, "met")

    def test_booked_chat_of_an_ended_request_answers_nothing(self):
        """Withdrawn after assignment, the booked chat is cancelled; a chat held
        at that time anyway is told as a chat, nothing of the ended request
        changes."""
        self._book(thursday(11, 40))
        with freeze_time(thursday(11, 30)):
            self.ticket.with_user(self.portal).action_hotrush_withdraw()
        self.assertFalse(self.ticket.hotrush_chat_at, "the booking is cancelled")
        messages = self._held(thursday(11, 40), at=thursday(11, 45))
        self.assertEqual(len(messages), 1)
        self.assertFalse(self.ticket.hotrush_first_response_at)
        self.assertEqual(self.ticket.hotrush_sla_status, "cancelled")

    def test_held_within_the_grace_is_met_as_a_reply(self):
        self.company.hotrush_grace_minutes = 10
        self._book(thursday(11, 58))
        self._held(thursday(12, 9), at=thursday(12, 15))
        self.assertEqual(self.ticket.hotrush_sla_status, "met", "within the grace")

    def test_already_answered_keeps_the_first_response(self):
        with freeze_time(thursday(11, 30)):
            self.ticket.with_user(self.agent).message_post(
                body="Looking into it.",
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
        self.assertEqual(self.ticket.hotrush_first_response_at, thursday(11, 30))
        message = self._held(thursday(11, 20), at=thursday(11, 45))
        self.assertEqual(len(message), 1, "the customer is still told")
        self.assertEqual(self.ticket.hotrush_first_response_at, thursday(11, 30))
        self.assertEqual(self.ticket.hotrush_sla_status, "met")

    def test_future_start_refused(self):
        with self.refused(ValidationError, "in the future"):
            self._held(thursday(11, 50), at=thursday(11, 40))
        with self.refused(ValidationError, "started"):
            self._held(False, at=thursday(11, 40))
        with self.refused(ValidationError, "started"):
            self._held("not a time", at=thursday(11, 40))
        self.assertFalse(self._held_messages())
        self.assertFalse(self.ticket.hotrush_first_response_at)

    def test_start_before_the_request_refused(self):
        with self.refused(ValidationError, "before HotRush was requested"):
            self._held(thursday(10, 50), at=thursday(11, 40))
        self.assertFalse(self.ticket.hotrush_first_response_at)

    def test_note_is_plain_text(self):
        with self.refused(ValidationError, "plain text"):
            self._held(thursday(11, 30), at=thursday(11, 40), note="<b>hi</b>")

    def test_portal_user_refused(self):
        for user in (self.portal, self.other_portal):
            with self.subTest(user=user.login), self.refused(AccessError, "support"):
                self._held(thursday(11, 30), at=thursday(11, 40), user=user)
        self.assertFalse(self._held_messages())
        self.assertFalse(self.ticket.hotrush_first_response_at)
        self.assertEqual(self.ticket.hotrush_sla_status, "running")

    def test_internal_user_without_write_access_refused(self):
        employee = new_test_user(
            self.env,
            login="hr_employee",
            name="Emma Employee",
            groups="base.group_user",
        )
        with self.refused(AccessError):
            self._held(thursday(11, 30), at=thursday(11, 40), user=employee)
        self.assertFalse(self.ticket.hotrush_first_response_at)

    def test_public_message_to_the_customer_only(self):
        self.ticket.message_subscribe(partner_ids=self.other_portal.partner_id.ids)
        message = self._held(thursday(11, 30), at=thursday(11, 40))
        self.assertEqual(message.message_type, "comment")
        self.assertEqual(message.subtype_id, self.env.ref("mail.mt_comment"))
        self.assertFalse(message.is_internal)
        self.assertEqual(message.author_id, self.agent.partner_id)
        self.assertEqual(message.partner_ids, self.customer)
        self.assertEqual(message.notification_ids.res_partner_id, self.customer)
        # in the customer's zone: 11:30 in Moscow is 09:30 in Berlin
        self.assertIn("9:30", str(message.body))
        self.assertIn(BERLIN, str(message.body))
        self.assertIn("We restarted the payment service.", str(message.body))
        # the portal's conversation shows it to the customer
        self.assertIn(
            message,
            self.ticket.with_user(self.portal).website_message_ids,
        )
        # the other customer, a follower, is not told
        self.assertNotIn(
            self.other_portal.partner_id, message.notification_ids.res_partner_id
        )

    def test_context_cannot_backdate_a_reply(self):
        with freeze_time(thursday(12, 30)):
            self.ticket.with_user(self.agent).with_context(
                hotrush_chat_held=True
            ).message_post(
                body="Late.", message_type="comment", subtype_xmlid="mail.mt_comment"
            )
        self.assertEqual(self.ticket.hotrush_first_response_at, thursday(12, 30))
        self.assertEqual(self.ticket.hotrush_sla_status, "breached")

    def test_new_request_forgets_the_held_chat(self):
        self._book(thursday(11, 30))
        self._held(thursday(11, 30), at=thursday(11, 40))
        self.assertEqual(self.ticket.hotrush_chat_held_at, thursday(11, 30))
        with freeze_time(thursday(11, 50)):
            self.ticket.with_user(self.agent).action_hotrush_withdraw()
        with freeze_time(thursday(13)):
            self.ticket.with_user(self.agent).action_hotrush_request()
        self.assertFalse(self.ticket.hotrush_chat_held_at)
        self.assertFalse(self.ticket.hotrush_first_response_at)

    def test_wizard(self):
        self._book(thursday(11, 35))
        action = self.ticket.with_user(
            self.agent
        ).action_hotrush_open_chat_held_wizard()
        self.assertEqual(action["res_model"], "hotrush.chat.held.wizard")
        with freeze_time(thursday(11, 45)):
            wizard_form = Form(
                self.env[action["res_model"]]
                .with_user(self.agent)
                .with_context(**action["context"])
            )
            wizard_form.start = thursday(11, 35)
            wizard_form.note = "Fixed together."
            wizard_form.save().action_record()
        self.assertEqual(self.ticket.hotrush_first_response_at, thursday(11, 35))
        self.assertEqual(self.ticket.hotrush_sla_status, "met")
        self.assertIn("Fixed together.", str(self._held_messages().body))


@tagged("post_install", "-at_install")
class TestChatRoutes(RpcMixin, PortalMixin, HttpCase):
    """The new-ticket form and RPC obey the chat rules."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_portal()

    def test_form_refuses_a_slot_after_the_deadline(self):
        self.authenticate("hr_portal", "hr_portal_pw")
        count = self.env["helpdesk.ticket"].search_count([])
        # tomorrow noon is always after a deadline one working hour from now
        local, _utc = self._tomorrow_noon()
        page = self.url_open("/new/ticket").text
        csrf = re.search(r'name="csrf_token"\s+value="([^"]+)"', page).group(1)
        response = self.url_open(
            "/submitted/ticket",
            data=self._form(
                chat_tool=str(self.zoom.id),
                chat_contact="rita@rushmore.example.com",
                chat_time=local,
                csrf_token=csrf,
            ),
        )
        self.assertIn("hotrush_form_error", response.text)
        self.assertIn(
            "A live chat must start no later than the response deadline",
            response.text,
            self._alert(response.text),
        )
        self.assertIn("(Europe/Moscow)", response.text, "the customer's zone")
        self.assertEqual(self.env["helpdesk.ticket"].search_count([]), count)

    def test_chat_held_by_rpc(self):
        ticket = self._create_ticket(hotrush=True, user_id=self.agent.id)
        start = ticket.hotrush_requested_at
        # the customer booked a chat at that moment (the rules write the booking)
        ticket.sudo().hotrush_chat_at = start
        self.authenticate("hr_portal", "hr_portal_pw")
        self.assertRpcRefused(
            "odoo.exceptions.AccessError",
            "Only support staff",
            "helpdesk.ticket",
            "action_hotrush_chat_held",
            [ticket.id],
            str(start),
            "Held",
        )
        self.assertFalse(ticket.hotrush_first_response_at)
        self.agent.password = "hr_agent_pw"
        self.authenticate("hr_agent", "hr_agent_pw")
        self._call(
            "helpdesk.ticket", "action_hotrush_chat_held", [ticket.id], str(start)
        )
        self.env.invalidate_all()
        self.assertEqual(ticket.hotrush_first_response_at, start)
        self.assertEqual(ticket.hotrush_sla_status, "met")
