# Copyright 2026 hotrush_priority contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The customer's notices (HR-81): once per event, to the customer only, in their
language and time zone, visible in the portal's conversation, each one turned off by
its company setting."""

# pylint: disable=invalid-commit
# (TestNoticeConcurrency commits separate cursors: it shows real concurrency)
from datetime import timedelta

from freezegun import freeze_time

from odoo import SUPERUSER_ID, api, fields
from odoo.exceptions import AccessError
from odoo.service.model import get_public_method
from odoo.tests import TransactionCase, new_test_user, tagged

from ..models.helpdesk_ticket_notice import NOTICES
from .common import HotrushCase, RaceMixin, local_to_utc, portal_conversation

MSK = "Europe/Moscow"
# the subjects of the templates, without the ticket's name
SUBJECTS = {
    "accepted": "HotRush accepted:",
    "queued": "HotRush queued until support opens:",
    "opened": "HotRush clock running, support opened:",
    "answered": "HotRush answered in time:",
    "breached": "HotRush deadline missed:",
    "ended": "HotRush ended at your request:",
    "removed": "HotRush removed:",
}


def text(message):
    """The body of ``message`` with its whitespace collapsed, as a reader sees it."""
    return " ".join(str(message.body).split())


def thursday(hour, minute=0, second=0):
    """Thu 2026-11-26, Moscow time (the worked examples of the specification)."""
    return local_to_utc(MSK, 2026, 11, 26, hour, minute, second)


@tagged("post_install", "-at_install")
class TestNotices(HotrushCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write(
            {"hotrush_warning_minutes": 15, "hotrush_development_team_id": cls.dev_team}
        )
        cls.customer = cls.portal.partner_id  # Europe/Berlin, English

    # helpers

    def _told(self, tickets, kind):
        """The ``kind`` notices posted on ``tickets``."""
        self.env.invalidate_all()
        return tickets.message_ids.filtered(
            lambda m: (m.subject or "").startswith(SUBJECTS[kind])
        )

    def _all_told(self, tickets):
        self.env.invalidate_all()
        return tickets.message_ids.filtered(
            lambda m: any((m.subject or "").startswith(s) for s in SUBJECTS.values())
        )

    def _reply(self, ticket, user, at):
        with freeze_time(at):
            return ticket.with_user(user).message_post(
                body="We are on it.",
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )

    def assertToldOnce(self, ticket, kind):
        """One ``kind`` notice: public, automated, to the customer only, by e-mail."""
        notice = self._told(ticket, kind)
        self.assertEqual(len(notice), 1, f"one {kind} notice")
        self.assertEqual(notice.message_type, "auto_comment")
        self.assertEqual(notice.subtype_id, self.env.ref("mail.mt_comment"))
        self.assertFalse(notice.is_internal)
        self.assertEqual(notice.partner_ids, ticket.partner_id)
        self.assertEqual(notice.notification_ids.res_partner_id, ticket.partner_id)
        self.assertEqual(notice.author_id, self.company.partner_id)
        self.assertIn(ticket.display_name, notice.subject)
        return notice

    # HotRush accepted: the deadline, rate, hours in the customer's zone, grace

    def test_accepted_once_with_deadline_rate_and_hours(self):
        ticket = self._request_notified(thursday(11))
        self._run_cron(thursday(11, 1))
        self._run_cron(thursday(11, 2))
        notice = self.assertToldOnce(ticket, "accepted")
        body = text(notice)
        # deadline Thu 12:00 in Moscow is 10:00 in the customer's Berlin
        self.assertIn("10:00 AM", body)
        self.assertNotIn("12:00", body)
        self.assertIn("Europe/Berlin", body)
        self.assertIn("2 times", body)
        # Mon-Fri 09:00-24:00, Sat-Sun 10:00-18:00 in Moscow, as Berlin reads it
        self.assertIn("Mon-Fri 07:00-22:00", body)
        self.assertIn("Sat-Sun 08:00-16:00", body)
        self.assertNotIn("replication", body, "no grace, no replication note")
        self.assertFalse(self._told(ticket, "queued"))
        # a notice is no answer
        self.assertFalse(ticket.hotrush_first_response_at)
        self.assertEqual(ticket.hotrush_sla_status, "running")
        self.assertEqual(ticket.hotrush_told_request_at, thursday(11))

    def test_accepted_with_grace_says_replication(self):
        self.company.write(
            {"hotrush_grace_minutes": 30, "hotrush_rate_multiplier": 1.5}
        )
        ticket = self._request_notified(thursday(11))
        body = text(self.assertToldOnce(ticket, "accepted"))
        self.assertIn("replication process between our servers", body)
        self.assertIn("30", body)
        self.assertIn("1.50 times", body)

    def test_rate_in_money_when_the_team_bills_a_support_hour(self):
        product = self.env["product.product"].create(
            {"name": "Support hour", "type": "service", "lst_price": 80.0}
        )
        self.team.hotrush_support_product_id = product
        ticket = self._request_notified(thursday(11))
        body = text(self.assertToldOnce(ticket, "accepted"))
        self.assertRegex(
            body,
            r"billed at \S*\s?160/h instead of \S*\s?80/h \(2 times the normal "
            r"support rate\)\.",
        )
        self._run_cron(thursday(12, 1))
        body = text(self.assertToldOnce(ticket, "breached"))
        self.assertRegex(body, r"stays billed at the HotRush rate, \S*\s?160/h")

    def test_visible_in_the_portal_conversation(self):
        ticket = self._request_notified(thursday(11))
        notice = self.assertToldOnce(ticket, "accepted")
        self.assertIn(notice, portal_conversation(ticket, self.portal))

    def test_batch_of_requests_told_in_one_run(self):
        with freeze_time(thursday(11)):
            tickets = self.env["helpdesk.ticket"].create(
                [self._ticket_vals(hotrush=True, name=f"Down {n}") for n in range(3)]
            )
        self._run_cron(thursday(11))
        for ticket in tickets:
            notice = self.assertToldOnce(ticket, "accepted")
            self.assertIn(f"Down {tickets.ids.index(ticket.id)}", notice.subject)

    # queued outside working hours, then support opened

    def test_queued_then_opened_once(self):
        ticket = self._request_notified(thursday(6))  # opens 09:00, deadline 10:00
        body = text(self.assertToldOnce(ticket, "queued"))
        self.assertIn("7:00 AM", body, "support opens at 07:00 Berlin time")
        self.assertIn("8:00 AM", body, "deadline 08:00 Berlin time")
        self.assertIn("Mon-Fri 07:00-22:00", body)
        self.assertFalse(self._told(ticket, "accepted"))
        self.assertFalse(self._told(ticket, "opened"))

        self._run_cron(thursday(8, 59))
        self.assertFalse(self._told(ticket, "opened"), "not open yet")
        self._run_cron(thursday(9, 0))
        self._run_cron(thursday(9, 5))
        opened = self.assertToldOnce(ticket, "opened")
        self.assertIn("8:00 AM (Europe/Berlin)", text(opened))

    def test_no_opened_notice_after_an_accepted_one(self):
        # the action did not run before the opening: the request is told late,
        # as accepted with its deadline, and not told again as opened
        with freeze_time(thursday(6)):
            ticket = self._create_ticket(hotrush=True)
        self._run_cron(thursday(9, 10))
        self.assertToldOnce(ticket, "accepted")
        self.assertFalse(self._told(ticket, "queued"))
        self.assertFalse(self._told(ticket, "opened"))

    def test_no_stale_opened_notice_once_the_deadline_passed(self):
        """The action did not run between the opening and the breach: the customer
        is told the breach, not that support will answer by a time already past."""
        ticket = self._request_notified(thursday(6))  # opens 09:00, deadline 10:00
        self.assertToldOnce(ticket, "queued")
        self._run_cron(thursday(10, 30))
        self.assertTrue(ticket.hotrush_opening_notified_at, "the team was told")
        self.assertFalse(self._told(ticket, "opened"))
        self.assertToldOnce(ticket, "breached")

    # answered in time

    def test_answered_in_time_once(self):
        ticket = self._request_notified(thursday(11), user_id=self.agent.id)
        answer = self._reply(ticket, self.agent, thursday(11, 40))
        self.assertEqual(ticket.hotrush_sla_status, "met")
        self.assertFalse(self._told(ticket, "answered"), "told at the commit")
        self.flush_tracking()
        notice = self.assertToldOnce(ticket, "answered")
        self.assertGreater(notice.id, answer.id, "told after the answer")
        self.assertIn("9:40 AM", text(notice))
        self._reply(ticket, self.leader, thursday(11, 50))
        self._run_cron(thursday(11, 51))
        self._run_cron(thursday(12, 30))
        self.assertToldOnce(ticket, "answered")
        self.assertFalse(self._told(ticket, "breached"))
        self.assertEqual(ticket.hotrush_first_response_user_id, self.agent)

    # breached, and what it means for the bill

    def test_breached_once_surcharge_kept(self):
        ticket = self._request_notified(thursday(11))
        self._run_cron(thursday(12, 1))
        self._run_cron(thursday(12, 6))
        notice = self.assertToldOnce(ticket, "breached")
        body = text(notice)
        self.assertIn("not answered by its deadline", body)
        self.assertIn("stays billed at the HotRush rate", body)
        self.assertIn("2 times", body)
        # the late answer is not told as a second breach, nor as in time
        self._reply(ticket, self.agent, thursday(12, 30))
        self.assertEqual(ticket.hotrush_sla_status, "breached")
        self._run_cron(thursday(12, 31))
        self.assertToldOnce(ticket, "breached")
        self.assertFalse(self._told(ticket, "answered"))

    def test_breached_surcharge_waived(self):
        self.company.hotrush_waive_breached = True
        ticket = self._request_notified(thursday(11))
        self._run_cron(thursday(12, 1))
        body = text(self.assertToldOnce(ticket, "breached"))
        self.assertIn("You do not pay the HotRush surcharge", body)
        self.assertNotIn("stays billed at the HotRush rate", body)

    def test_late_answer_before_the_action_told_as_breach_once(self):
        ticket = self._request_notified(thursday(11), user_id=self.agent.id)
        self._reply(ticket, self.agent, thursday(12, 0, 1))
        self.assertEqual(ticket.hotrush_sla_status, "breached")
        # the breach step (nothing to escalate: answered) and the due notices
        self._run_cron(thursday(12, 2))
        self._run_cron(thursday(12, 10))
        body = text(self.assertToldOnce(ticket, "breached"))
        self.assertIn("our answer to your HotRush ticket", body)
        self.assertFalse(self._told(ticket, "answered"))

    # unchecked / withdrawn: confirmation and the rate now

    def test_unchecked_once(self):
        ticket = self._request_notified(thursday(11))
        with freeze_time(thursday(11, 10)):
            ticket.with_user(self.portal).action_hotrush_uncheck()
        self._run_cron(thursday(11, 10))
        self._run_cron(thursday(11, 15))
        body = text(self.assertToldOnce(ticket, "ended"))
        self.assertIn("HotRush is unchecked", body)
        self.assertIn("No HotRush surcharge applies", body)
        self.assertFalse(self._told(ticket, "removed"))

    def test_withdrawn_once(self):
        ticket = self._request_notified(thursday(11), user_id=self.agent.id)
        with freeze_time(thursday(11, 10)):
            ticket.with_user(self.portal).action_hotrush_withdraw(note="Solved it")
        self._run_cron(thursday(11, 10))
        self._run_cron(thursday(12, 30))
        body = text(self.assertToldOnce(ticket, "ended"))
        self.assertIn("is withdrawn", body)
        self.assertIn("billed at the normal support rate", body)
        self.assertFalse(self._told(ticket, "breached"), "ended before its deadline")

    # removed by support: the reason in the customer's words, the rate now

    def _removed_body(self, reason, note=False, **vals):
        ticket = self._request_notified(thursday(11), user_id=self.agent.id, **vals)
        with freeze_time(thursday(11, 10)):
            ticket.with_user(self.agent).action_hotrush_remove(
                reason,
                note=note,
                team_id=self.dev_team.id if reason == "customization" else False,
            )
        self._run_cron(thursday(11, 10))
        self._run_cron(thursday(11, 15))
        self.assertFalse(self._told(ticket, "ended"))
        return text(self.assertToldOnce(ticket, "removed"))

    def test_removed_customization(self):
        body = self._removed_body("customization")
        self.assertIn("customization project", body)
        self.assertIn("Development", body)
        self.assertIn("billed at the normal support rate", body)

    def test_removed_bug(self):
        body = self._removed_body("bug", note="Fixed in the next release.")
        self.assertIn("bug in the default software behavior", body)
        self.assertIn("Fixed in the next release.", body)

    def test_removed_general_question(self):
        body = self._removed_body("general")
        self.assertIn("sales and licensing", body)

    def test_removed_other_gives_the_note(self):
        body = self._removed_body("other", note="Duplicate of HT0001 & co")
        self.assertIn("Note from support: Duplicate of HT0001 &amp; co", body)

    def test_removed_by_a_move_to_a_team_without_hotrush(self):
        ticket = self._request_notified(thursday(11), user_id=self.agent.id)
        with freeze_time(thursday(11, 10)):
            ticket.with_user(self.agent).team_id = self.dev_team
        self._run_cron(thursday(11, 10))
        body = text(self.assertToldOnce(ticket, "removed"))
        self.assertIn("does not offer HotRush", body)

    # once per request: re-requesting, running the action again

    def test_rerequest_is_told_once_per_request(self):
        ticket = self._request_notified(thursday(11))
        with freeze_time(thursday(11, 5)):
            ticket.with_user(self.portal).action_hotrush_request()  # already on
        self._run_cron(thursday(11, 5))
        self.assertToldOnce(ticket, "accepted")

        with freeze_time(thursday(11, 10)):
            ticket.with_user(self.portal).action_hotrush_uncheck()
        self._run_cron(thursday(11, 10))
        with freeze_time(thursday(11, 20)):
            ticket.with_user(self.portal).action_hotrush_request()
        self._run_cron(thursday(11, 20))
        self._run_cron(thursday(11, 25))
        self.assertEqual(len(self._told(ticket, "accepted")), 2, "a new request")
        self.assertEqual(len(self._told(ticket, "ended")), 1)

    def test_end_before_it_was_told_superseded_by_a_new_request(self):
        ticket = self._request_notified(thursday(11))
        with freeze_time(thursday(11, 10)):
            ticket.with_user(self.portal).action_hotrush_uncheck()
            ticket.with_user(self.portal).action_hotrush_request()
        self._run_cron(thursday(11, 10))
        self.assertFalse(self._told(ticket, "ended"), "HotRush runs again")
        self.assertEqual(len(self._told(ticket, "accepted")), 2)

    def test_told_at_the_commit_after_the_audit_note(self):
        ticket = self._request_notified(thursday(11), user_id=self.agent.id)
        with freeze_time(thursday(11, 10)):
            ticket.with_user(self.portal).action_hotrush_withdraw()
        audit_note = ticket.message_ids[:1]
        self.assertIn("HotRush ended", str(audit_note.body))
        self.assertFalse(self._told(ticket, "ended"))
        self.flush_tracking()
        self.assertGreater(self.assertToldOnce(ticket, "ended").id, audit_note.id)

    def test_rolled_back_end_is_not_told(self):
        ticket = self._request_notified(thursday(11))
        with self.refused(ValueError, "something later failed"):
            ticket.with_user(self.portal).action_hotrush_uncheck()
            raise ValueError("something later failed")
        self.assertTrue(ticket.hotrush)
        self.flush_tracking()
        self._run_cron(thursday(11, 10))
        self.assertFalse(self._told(ticket, "ended"))
        self.assertFalse(ticket.hotrush_told_end_at)

    def test_concurrent_paths_tell_once(self):
        # the breach step and a late answer both see the breach; a second worker
        # handling the same event finds the marker (see test_notice_concurrency)
        ticket = self._request_notified(thursday(11), user_id=self.agent.id)
        self._run_cron(thursday(12, 1))
        self._reply(ticket, self.agent, thursday(12, 2))
        ticket._hotrush_tell_customer("breached", thursday(12, 3))
        ticket._hotrush_notice_due("breached")
        self._run_cron(thursday(12, 4))
        self.assertToldOnce(ticket, "breached")

    # language and time zone

    def test_customer_language_and_zone(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        template = self.env.ref(NOTICES["accepted"][0])
        template.with_context(
            lang="fr_FR"
        ).subject = "HotRush accepté : {{ object.display_name }}"
        french = self.env["res.partner"].create(
            {
                "name": "Fleur Française",
                "email": "fleur@example.com",
                "lang": "fr_FR",
                "tz": "Europe/Paris",
                "parent_id": self.customer_company.id,
            }
        )
        with freeze_time(thursday(11)):
            tickets = self._create_ticket(
                hotrush=True, partner_id=french.id
            ) | self._create_ticket(hotrush=True)
        self._run_cron(thursday(11))
        self.env.invalidate_all()
        french_notice = tickets[0].message_ids.filtered(
            lambda m: (m.subject or "").startswith("HotRush accepté")
        )
        self.assertEqual(len(french_notice), 1)
        self.assertEqual(french_notice.partner_ids, french)
        # the French date format, in Paris time (deadline 12:00 Moscow, 10:00 Paris)
        self.assertIn("26/11/2026 10:00", text(french_notice))
        self.assertIn("Europe/Paris", text(french_notice))
        # rendered in the same batch, the English customer's stays English
        english = self.assertToldOnce(tickets[1], "accepted")
        self.assertIn("11/26/26, 10:00", text(english))

    def test_zone_falls_back_to_the_calendar(self):
        self.customer.tz = False
        ticket = self._request_notified(thursday(11))
        body = text(self.assertToldOnce(ticket, "accepted"))
        self.assertIn("12:00 PM (Europe/Moscow)", body)
        self.assertIn("Mon-Fri 09:00-24:00", body)

    # never another customer, never when turned off or without e-mail

    def test_never_to_another_customer_following_the_ticket(self):
        ticket = self._request_notified(thursday(11), user_id=self.agent.id)
        other = self.other_portal.partner_id
        ticket.message_subscribe(
            partner_ids=other.ids,
            subtype_ids=self.env["mail.message.subtype"].search([]).ids,
        )
        self._run_cron(thursday(12, 1))  # breached
        with freeze_time(thursday(12, 5)):
            ticket.with_user(self.agent).action_hotrush_remove("bug")
        self._run_cron(thursday(12, 5))
        notices = self._all_told(ticket)
        self.assertEqual(len(notices), 3, "accepted, breached and removed")
        self.assertEqual(notices.partner_ids, self.customer)
        self.assertEqual(notices.notification_ids.res_partner_id, self.customer)
        mails = (
            self.env["mail.mail"]
            .sudo()
            .search([("mail_message_id", "in", notices.ids)])
        )
        self.assertEqual(mails.recipient_ids, self.customer)
        self.assertNotIn(other, notices.notification_ids.res_partner_id)
        self.assertNotIn(
            self.leader.partner_id, notices.notification_ids.res_partner_id
        )

    def test_not_told_when_turned_off(self):
        self.company.write(
            dict.fromkeys({setting for _t, setting, _m in NOTICES.values()}, False)
        )
        queued = self._request_notified(thursday(6))
        ticket = self._request_notified(thursday(11), user_id=self.agent.id)
        answered = self._request_notified(thursday(11), user_id=self.agent.id)
        unchecked = self._request_notified(thursday(11))
        self._reply(answered, self.agent, thursday(11, 30))
        with freeze_time(thursday(11, 30)):
            unchecked.with_user(self.portal).action_hotrush_uncheck()
        self._run_cron(thursday(12, 1))
        with freeze_time(thursday(12, 5)):
            ticket.with_user(self.agent).action_hotrush_remove("bug")
        self._run_cron(thursday(12, 5))
        tickets = queued | ticket | answered | unchecked
        self.assertFalse(self._all_told(tickets))
        self.assertTrue(all(tickets.mapped("hotrush_told_request_at")))
        # the queued one's opening was announced after its deadline: its breach
        # is what it is told (here: marked, the notice being off)
        self.assertFalse(queued.hotrush_told_opening_at)
        self.assertTrue(answered.hotrush_told_answer_at)
        self.assertTrue((ticket | queued).mapped("hotrush_told_breach_at"))
        self.assertTrue((ticket | unchecked).mapped("hotrush_told_end_at"))
        # turned on again: past events are not told late
        self.company.write(
            dict.fromkeys({setting for _t, setting, _m in NOTICES.values()}, True)
        )
        self._run_cron(thursday(12, 10))
        self.assertFalse(self._all_told(tickets))

    def test_one_notice_turned_off_leaves_the_others(self):
        self.company.hotrush_notice_accepted = False
        ticket = self._request_notified(thursday(11))
        queued = self._request_notified(thursday(6))
        self.assertFalse(self._told(ticket, "accepted"))
        self.assertToldOnce(queued, "queued")

    def test_not_told_without_customer_email(self):
        customer = self.env["res.partner"].create(
            {"name": "No Mail Ltd", "parent_id": self.customer_company.id}
        )
        ticket = self._request_notified(thursday(11), partner_id=customer.id)
        with freeze_time(thursday(11, 10)):
            ticket.with_user(self.agent).action_hotrush_remove("general")
        self._run_cron(thursday(11, 10))
        self.assertFalse(self._all_told(ticket))
        self.assertTrue(ticket.hotrush_told_request_at)

    def test_settings_default_on_and_in_the_settings_form(self):
        company = self.env["res.company"].create({"name": "New Support Co"})
        settings = [setting for _t, setting, _m in NOTICES.values()]
        self.assertTrue(all(company[setting] for setting in settings))
        config = self.env["res.config.settings"].create({})
        config.hotrush_notice_breached = False
        config.execute()
        self.assertFalse(self.env.company.hotrush_notice_breached)
        action = config.action_hotrush_notice_templates()
        templates = self.env["mail.template"].search(action["domain"])
        self.assertIn(
            self.env.ref("hotrush_priority.mail_template_hotrush_moved"), templates
        )
        for template_xmlid, _setting, _marker in NOTICES.values():
            self.assertIn(self.env.ref(template_xmlid), templates)
        self.assertLessEqual(
            set(templates.mapped("model")), {"helpdesk.ticket", "hotrush.event"}
        )

    # access

    def test_portal_cannot_trigger_notices_on_another_customers_ticket(self):
        ticket = self._request_notified(thursday(11))
        stranger = self.other_portal
        for action in (
            "action_hotrush_uncheck",
            "action_hotrush_withdraw",
            "action_hotrush_request",
        ):
            with self.refused(AccessError):
                getattr(ticket.with_user(stranger), action)()
        for method in ("_hotrush_tell_customer", "_hotrush_notice_due"):
            with self.assertRaises(AccessError):
                get_public_method(ticket.with_user(stranger), method)
        self._run_cron(thursday(11, 10))
        self.assertEqual(self._all_told(ticket), self._told(ticket, "accepted"))
        self.assertTrue(ticket.hotrush)

    def test_markers_are_system_fields(self):
        ticket = self._request_notified(thursday(11))
        for field in ("hotrush_told_request_at", "hotrush_told_end_at"):
            with self.refused(AccessError, "set by the HotRush rules"):
                ticket.with_user(self.agent).write({field: False})

    def test_templates_editable_by_administrators(self):
        template = self.env.ref(NOTICES["accepted"][0])
        admin = new_test_user(self.env, login="hr_admin", groups="base.group_system")
        template.with_user(admin).subject = "Urgent: {{ object.display_name }}"
        ticket = self._request_notified(thursday(11))
        self.env.invalidate_all()
        self.assertTrue(
            ticket.message_ids.filtered(
                lambda m: m.subject == f"Urgent: {ticket.display_name}"
            )
        )


@tagged("post_install", "-at_install")
class TestNoticeConcurrency(RaceMixin, TransactionCase):
    """The breach step of the scheduled action and an agent's late answer, in two
    real transactions at once: the customer is told of the breach once.

    This test commits its own data with separate cursors (a transaction-bound test
    cannot show concurrency) and deletes it afterwards."""

    def _env(self, cr):
        # the e-mails are queued, not sent, as the scheduled action queues them
        return api.Environment(cr, SUPERUSER_ID, {"mail_notify_force_send": False})

    def _setup_committed(self):
        with self.registry.cursor() as cr:
            env = self._env(cr)
            partner = env["res.partner"].create(
                {"name": "Race Customer", "email": "race@example.com"}
            )
            team = env["helpdesk.ticket.team"].create(
                {"name": "Race desk", "hotrush_offered": True}
            )
            balance = env["hotrush.support.balance"]._get_for(partner, env.company)
            balance.line_ids.create(
                {
                    "balance_id": balance.id,
                    "kind": "adjustment",
                    "amount": 1000.0,
                    "note": "Test credit",
                    "expiry_date": "2099-12-31",
                }
            )
            # requested a week ago: its deadline has passed
            ticket = env["helpdesk.ticket"].create(
                {
                    "name": "Race",
                    "description": "<p>Race</p>",
                    "team_id": team.id,
                    "partner_id": partner.id,
                    "hotrush": True,
                    "hotrush_requested_at": fields.Datetime.now() - timedelta(days=7),
                }
            )
            cr.commit()
            return {
                "partner": partner.id,
                "team": team.id,
                "balance": balance.id,
                "ticket": ticket.id,
            }

    def _cleanup(self, ids):
        with self.registry.cursor() as cr:
            env = self._env(cr)
            ticket = env["helpdesk.ticket"].browse(ids["ticket"])
            env["mail.mail"].search(
                [("mail_message_id", "in", ticket.message_ids.ids)]
            ).unlink()
            env["hotrush.support.balance.line"].search(
                [("balance_id", "=", ids["balance"])]
            ).unlink()
            ticket.with_context(active_test=False).unlink()
            env["hotrush.support.balance"].browse(ids["balance"]).unlink()
            env["helpdesk.ticket.team"].browse(ids["team"]).unlink()
            env["res.partner"].browse(ids["partner"]).unlink()
            cr.commit()

    def test_breach_step_and_late_answer_at_once(self):
        ids = self._setup_committed()
        self.addCleanup(self._cleanup, ids)

        def ticket(env):
            return env["helpdesk.ticket"].browse(ids["ticket"])

        def escalate(env):
            ticket(env)._hotrush_escalate_breach(fields.Datetime.now())

        def answer(env):
            # by the administrator, an internal user: the first response
            ticket(env).message_post(
                author_id=env.ref("base.partner_admin").id,
                body="Sorry for the wait.",
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )

        # both snapshots before either commits; the losing transaction's
        # serialization failure is logged, then retried
        self._race(
            [escalate, answer], lambda env: ticket(env).read(["hotrush_sla_status"])
        )
        with self.registry.cursor() as cr:
            env = self._env(cr)
            ticket = env["helpdesk.ticket"].browse(ids["ticket"])
            self.assertEqual(ticket.hotrush_sla_status, "breached")
            self.assertTrue(ticket.hotrush_first_response_at)
            notices = ticket.message_ids.filtered(
                lambda m: (m.subject or "").startswith(SUBJECTS["breached"])
            )
            self.assertEqual(len(notices), 1)
            self.assertEqual(notices.partner_ids.ids, [ids["partner"]])
            self.assertTrue(ticket.hotrush_told_breach_at)
