# Copyright 2026 hotrush_priority contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import datetime
from unittest.mock import patch

from freezegun import freeze_time
from psycopg2.errors import SerializationFailure

from odoo import Command
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged
from odoo.tools import SQL

from .common import HotrushCase, local_to_utc

MSK = "Europe/Moscow"
LOGGER = "odoo.addons.hotrush_priority.models.hotrush_request_sla"
WARNING_TEXT = "HotRush deadline approaching"
BREACH_TEXT = "HotRush SLA breached"
OPENING_TEXT = "Support is open"


def thursday(hour, minute=0, second=0):
    """Thu 2026-11-26, Moscow time (the worked examples of the specification)."""
    return local_to_utc(MSK, 2026, 11, 26, hour, minute, second)


@tagged("post_install", "-at_install")
class TestSlaCron(HotrushCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.hotrush_warning_minutes = 15

    # helpers

    def _request(self, at, **vals):
        """A HotRush request, and the request step of the run it triggers (HR-5)."""
        ticket = self._request_notified(at, **vals)
        self.assertEqual(ticket.hotrush_team_notified_at, at)
        return ticket

    def _notices(self, ticket, text):
        return ticket.message_ids.filtered(lambda m: text in str(m.body))

    def _activities(self, ticket, text):
        return ticket.activity_ids.filtered(lambda a: text in (a.summary or ""))

    def _trail(self, tickets):
        """Everything the action may add: markers, status, messages, activities,
        followers."""
        self.env.invalidate_all()
        return [
            (
                t.hotrush_sla_status,
                t.hotrush_warned_at,
                t.hotrush_escalated_at,
                t.hotrush_opening_notified_at,
                sorted(t.message_ids.ids),
                sorted(t.activity_ids.ids),
                sorted(t.message_partner_ids.ids),
            )
            for t in tickets
        ]

    # HR-50: warning before the deadline

    def test_warning_to_assignee(self):
        ticket = self._request(thursday(11), user_id=self.agent.id)
        self._run_cron(thursday(11, 44, 59))
        self.assertFalse(ticket.hotrush_warned_at)
        self.assertFalse(self._notices(ticket, WARNING_TEXT))

        self._run_cron(thursday(11, 45))
        self.assertEqual(ticket.hotrush_warned_at, thursday(11, 45))
        self.assertEqual(ticket.hotrush_sla_status, "running")
        activity = self._activities(ticket, WARNING_TEXT)
        self.assertEqual(activity.user_id, self.agent)
        self.assertIn("12:00", activity.summary)
        message = self._notices(ticket, WARNING_TEXT)
        self.assertEqual(message.partner_ids, self.agent.partner_id)
        self.assertIn("15 minutes left", str(message.body))
        self.assertFalse(ticket.hotrush_escalated_at)

    def test_warning_to_team_leader_when_unassigned(self):
        ticket = self._request(thursday(11))
        self._run_cron(thursday(11, 50))
        self.assertEqual(self._activities(ticket, WARNING_TEXT).user_id, self.leader)
        self.assertEqual(
            self._notices(ticket, WARNING_TEXT).partner_ids, self.leader.partner_id
        )

    def test_customer_assigned_never_gets_support_notes(self):
        """helpdesk_mgmt's auto-assignment gives a ticket e-mailed by a portal user
        to that user: the warning's activity and internal note go to the team
        leader, and the customer gets no internal note, no activity, no e-mail of
        them (the breach's escalation neither)."""
        ticket = self._request(thursday(11))
        ticket.sudo().user_id = self.portal  # as the auto-assignment sets it
        self.assertEqual(ticket._hotrush_responsible_user(), self.leader)
        self._run_cron(thursday(11, 50))
        self.assertEqual(self._activities(ticket, WARNING_TEXT).user_id, self.leader)
        note = self._notices(ticket, WARNING_TEXT)
        self.assertEqual(note.partner_ids, self.leader.partner_id)
        self._run_cron(thursday(12, 1))
        self.assertTrue(ticket.hotrush_escalated_at)
        customer = self.portal.partner_id
        internal = ticket.message_ids.filtered(lambda m: m.subtype_id.internal)
        self.assertTrue(internal)
        self.assertNotIn(customer, internal.partner_ids)
        self.assertFalse(
            internal.notification_ids.filtered(lambda n: n.res_partner_id == customer)
        )
        self.assertNotIn(self.portal, ticket.activity_ids.user_id)

    def test_warning_lead_setting(self):
        settings = self.env["res.config.settings"].create(
            {"hotrush_warning_minutes": 30}
        )
        settings.execute()
        self.assertEqual(self.company.hotrush_warning_minutes, 30)
        early = self._request(thursday(11))
        self._run_cron(thursday(11, 30))
        self.assertEqual(early.hotrush_warned_at, thursday(11, 30))

        self.company.hotrush_warning_minutes = 0  # no warnings at all
        quiet = self._request(thursday(13))
        self._run_cron(thursday(13, 59))
        self.assertFalse(quiet.hotrush_warned_at)
        self._run_cron(thursday(14, 0, 1))
        self.assertEqual(quiet.hotrush_sla_status, "breached")
        self.assertFalse(self._notices(quiet, WARNING_TEXT))

        with self.refused(ValidationError, "warning lead cannot be negative"):
            self.company.hotrush_warning_minutes = -5

    def test_warning_lead_per_company(self):
        other = self.env["res.company"].create(
            {"name": "Rush East", "hotrush_warning_minutes": 60}
        )
        # the same hours, on a calendar of its own company
        other.hotrush_calendar_id = self.calendar.copy({"company_id": other.id})
        self.leader.company_ids |= other
        team = self.env["helpdesk.ticket.team"].create(
            {
                "name": "East Support",
                "company_id": other.id,
                "hotrush_offered": True,
                "user_id": self.leader.id,
                "user_ids": [Command.set([self.leader.id])],
            }
        )
        self._give_balance(self.customer_company, 100.0, company=other)
        here = self._request(thursday(11))
        there = self._request(thursday(11), team_id=team.id, company_id=other.id)
        self.assertEqual(there.hotrush_deadline, thursday(12))
        self._run_cron(thursday(11, 0, 1))
        self.assertFalse(here.hotrush_warned_at)
        self.assertEqual(there.hotrush_warned_at, thursday(11, 0, 1))
        self._run_cron(thursday(11, 45))
        self.assertEqual(here.hotrush_warned_at, thursday(11, 45))

    # HR-51: breach and escalation

    def test_breach_escalates_to_team_leader(self):
        ticket = self._request(thursday(11), user_id=self.agent.id)
        self._run_cron(thursday(12))  # at the deadline it is still in time
        self.assertEqual(ticket.hotrush_sla_status, "running")
        self.assertFalse(ticket.hotrush_escalated_at)

        self._run_cron(thursday(12, 0, 1))
        self.assertEqual(ticket.hotrush_sla_status, "breached")
        self.assertEqual(ticket.hotrush_escalated_at, thursday(12, 0, 1))
        self.assertIn(self.leader.partner_id, ticket.message_partner_ids)
        self.assertEqual(
            self._activities(ticket, "HotRush breached").user_id, self.leader
        )
        message = self._notices(ticket, BREACH_TEXT)
        self.assertEqual(message.partner_ids, self.leader.partner_id)
        self.assertIn("Lee Leader", str(message.body))
        # the breach is tracked in the chatter too
        tracked = ticket.message_ids.tracking_value_ids.filtered(
            lambda v: v.field_id.name == "hotrush_sla_status"
        )
        self.assertIn("Breached", tracked.mapped("new_value_char"))

    def test_breaches_of_a_batch_each_tracked_on_their_ticket(self):
        """The statuses a batch moves are tracked as Odoo tracks them, a note per
        ticket with its own old and new value, logged together."""
        tickets = [
            self._request(thursday(11), user_id=self.agent.id) for _ticket in range(3)
        ]
        self._run_cron(thursday(12, 0, 1))
        for ticket in tickets:
            [note] = ticket.message_ids.filtered(
                lambda m: (
                    "hotrush_sla_status" in m.tracking_value_ids.field_id.mapped("name")
                    and "Breached" in m.tracking_value_ids.mapped("new_value_char")
                )
            )
            self.assertEqual(note.model, "helpdesk.ticket")
            self.assertEqual(note.res_id, ticket.id)
            self.assertEqual(note.subtype_id, self.env.ref("mail.mt_note"))
            [value] = note.tracking_value_ids.filtered(
                lambda v: v.field_id.name == "hotrush_sla_status"
            )
            self.assertEqual(
                (value.old_value_char, value.new_value_char), ("Running", "Breached")
            )

    def test_grace_delays_breach(self):
        self.company.hotrush_grace_minutes = 30
        ticket = self._request(thursday(11), user_id=self.agent.id)
        self._run_cron(thursday(12, 30))
        self.assertEqual(ticket.hotrush_sla_status, "running")
        self.assertFalse(ticket.hotrush_escalated_at)
        self._run_cron(thursday(12, 30, 1))
        self.assertEqual(ticket.hotrush_sla_status, "breached")
        self.assertTrue(ticket.hotrush_escalated_at)

    def test_first_response_answers_the_cron_activities(self):
        ticket = self._request(thursday(11), user_id=self.agent.id)
        self._run_cron(thursday(12, 5))
        self.assertTrue(self._activities(ticket, "HotRush breached"))
        with freeze_time(thursday(12, 10)):
            ticket.with_user(self.agent).message_post(
                body="Fixed.", message_type="comment", subtype_xmlid="mail.mt_comment"
            )
        self.assertFalse(
            ticket.activity_ids, "the answer closes every HotRush activity"
        )
        self.assertEqual(ticket.hotrush_sla_status, "breached")

    def test_notice_threads_and_waits_in_the_mail_queue(self):
        # the notice answers the thread as a post would (the customer's last e-mail),
        # and its e-mail to the leader waits in Odoo's e-mail queue, woken by the run
        ticket = self._request(thursday(11), user_id=self.agent.id)
        with freeze_time(thursday(11, 30)):
            email = ticket.sudo().message_post(
                body="Still down.",
                message_type="email",
                subtype_xmlid="mail.mt_comment",
                author_id=self.portal.partner_id.id,
            )
        queue = self.env.ref("mail.ir_cron_mail_scheduler_action")
        Trigger = self.env["ir.cron.trigger"]
        woken = Trigger.search([("cron_id", "=", queue.id)])
        self._run_cron(thursday(12, 0, 1))
        notice = self._notices(ticket, BREACH_TEXT)
        self.assertEqual(notice.parent_id, email)
        mail = self.env["mail.mail"].search([("mail_message_id", "=", notice.id)])
        self.assertEqual(mail.recipient_ids, self.leader.partner_id)
        self.assertEqual(mail.state, "outgoing")
        self.assertTrue(Trigger.search([("cron_id", "=", queue.id)]) - woken)

    # HR-52: opening notice for tickets queued since the last closing

    def test_opening_notice_for_queued_tickets(self):
        early = self._request(thursday(0, 30))
        later = self._request(thursday(6))
        self.assertEqual((early | later).mapped("hotrush_sla_status"), ["queued"] * 2)
        self.assertEqual(later.hotrush_queued_until, thursday(9))

        self._run_cron(thursday(8, 59, 59))
        self.assertEqual((early | later).mapped("hotrush_sla_status"), ["queued"] * 2)
        self.assertFalse(self._notices(early | later, OPENING_TEXT))

        self._run_cron(thursday(9))
        for ticket in early | later:
            self.assertEqual(ticket.hotrush_sla_status, "running")
            self.assertEqual(ticket.hotrush_opening_notified_at, thursday(9))
            notice = self._notices(ticket, OPENING_TEXT)
            self.assertEqual(notice.partner_ids, (self.leader | self.agent).partner_id)
            self.assertFalse(ticket.hotrush_warned_at)

        self._run_cron(thursday(9, 45))
        self.assertEqual(later.hotrush_warned_at, thursday(9, 45))
        self._run_cron(thursday(10, 0, 1))
        self.assertEqual(later.hotrush_sla_status, "breached")
        self.assertEqual(len(self._notices(later, OPENING_TEXT)), 1)

    def test_opening_after_the_weekend(self):
        # Sun 19:00 is after Sunday's closing: queued until Monday 09:00
        ticket = self._request(local_to_utc(MSK, 2026, 11, 29, 19, 0))
        monday_9 = local_to_utc(MSK, 2026, 11, 30, 9, 0)
        self.assertEqual(ticket.hotrush_queued_until, monday_9)
        self._run_cron(local_to_utc(MSK, 2026, 11, 30, 8, 55))
        self.assertEqual(ticket.hotrush_sla_status, "queued")
        self._run_cron(local_to_utc(MSK, 2026, 11, 30, 9, 5))
        self.assertEqual(ticket.hotrush_sla_status, "running")
        self.assertEqual(len(self._notices(ticket, OPENING_TEXT)), 1)

    def test_late_run_announces_then_escalates(self):
        # the action did not run all morning: announced, escalated, never warned
        ticket = self._request(thursday(6))
        self._run_cron(thursday(11))
        self.assertEqual(ticket.hotrush_sla_status, "breached")
        self.assertTrue(ticket.hotrush_opening_notified_at)
        self.assertTrue(ticket.hotrush_escalated_at)
        self.assertFalse(ticket.hotrush_warned_at)
        self.assertFalse(self._notices(ticket, WARNING_TEXT))

    # Deadlines across closings and DST changes

    def test_deadline_on_next_working_day(self):
        # Fri 23:30 + 1 h of working time = Sat 10:30 (Saturday opens at 10:00)
        ticket = self._request(local_to_utc(MSK, 2026, 11, 27, 23, 30))

        def saturday(*hour_minute):
            return local_to_utc(MSK, 2026, 11, 28, *hour_minute)

        self.assertEqual(ticket.hotrush_deadline, saturday(10, 30))
        self._run_cron(local_to_utc(MSK, 2026, 11, 27, 23, 59))
        self._run_cron(saturday(10, 14, 59))
        self.assertFalse(ticket.hotrush_warned_at)
        self.assertFalse(ticket.hotrush_opening_notified_at, "it was never queued")
        self._run_cron(saturday(10, 15))
        self.assertEqual(ticket.hotrush_warned_at, saturday(10, 15))
        self._run_cron(saturday(10, 30))
        self.assertEqual(ticket.hotrush_sla_status, "running")
        self._run_cron(saturday(10, 30, 1))
        self.assertEqual(ticket.hotrush_sla_status, "breached")
        self.assertEqual(ticket.hotrush_escalated_at, saturday(10, 30, 1))

    def test_breach_after_dst_start(self):
        # Sat 2010-03-27 17:30 (+03) -> Sun 10:30 (+04): 06:30 UTC, not 07:30
        ticket = self._request(local_to_utc(MSK, 2010, 3, 27, 17, 30))
        self.assertEqual(ticket.hotrush_deadline, datetime(2010, 3, 28, 6, 30))
        self._run_cron(local_to_utc(MSK, 2010, 3, 28, 10, 15))
        self.assertEqual(ticket.hotrush_warned_at, datetime(2010, 3, 28, 6, 15))
        self._run_cron(local_to_utc(MSK, 2010, 3, 28, 10, 30))
        self.assertEqual(ticket.hotrush_sla_status, "running")
        self._run_cron(local_to_utc(MSK, 2010, 3, 28, 10, 30, 1))
        self.assertEqual(ticket.hotrush_sla_status, "breached")
        self.assertEqual(ticket.hotrush_escalated_at, datetime(2010, 3, 28, 6, 30, 1))

    def test_breach_after_dst_end(self):
        # Sat 2010-10-30 17:30 (+04) -> Sun 10:30 (+03): 07:30 UTC, not 06:30
        ticket = self._request(local_to_utc(MSK, 2010, 10, 30, 17, 30))
        self.assertEqual(ticket.hotrush_deadline, datetime(2010, 10, 31, 7, 30))
        self._run_cron(datetime(2010, 10, 31, 6, 30, 1))  # 09:30 local: not open yet
        self.assertEqual(ticket.hotrush_sla_status, "running")
        self.assertFalse(ticket.hotrush_warned_at)
        self._run_cron(local_to_utc(MSK, 2010, 10, 31, 10, 30))
        self.assertEqual(ticket.hotrush_sla_status, "running")
        self.assertTrue(ticket.hotrush_warned_at)
        self._run_cron(local_to_utc(MSK, 2010, 10, 31, 10, 30, 1))
        self.assertEqual(ticket.hotrush_sla_status, "breached")
        self.assertEqual(ticket.hotrush_escalated_at, datetime(2010, 10, 31, 7, 30, 1))

    # Only undecided HotRush tickets

    def test_ended_met_and_cancelled_never_warned_or_escalated(self):
        met = self._request(thursday(11), user_id=self.agent.id)
        unchecked = self._request(thursday(11))
        late = self._request(thursday(11), user_id=self.agent.id)
        normal = self._create_ticket(user_id=self.agent.id)
        with freeze_time(thursday(11, 5)):
            unchecked.action_hotrush_uncheck()
        with freeze_time(thursday(11, 10)):
            met.with_user(self.agent).message_post(
                body="On it.", message_type="comment", subtype_xmlid="mail.mt_comment"
            )
        self.assertEqual(met.hotrush_sla_status, "met")
        self.assertEqual(unchecked.hotrush_sla_status, "cancelled")
        quiet = met | unchecked | normal
        self.flush_tracking()  # the changes above are tracked at their commit
        before = self._trail(quiet)

        self._run_cron(thursday(11, 50))
        with freeze_time(thursday(12, 10)):  # answered late, before the next run
            late.with_user(self.agent).message_post(
                body="Sorry.", message_type="comment", subtype_xmlid="mail.mt_comment"
            )
        self.assertEqual(late.hotrush_sla_status, "breached")
        self._run_cron(thursday(13))

        self.assertEqual(self._trail(quiet), before)
        self.assertFalse(late.hotrush_escalated_at, "answered: nobody to chase")
        self.assertFalse(self._notices(late, BREACH_TEXT))

    def test_request_again_resets_the_notices(self):
        ticket = self._request(thursday(11))
        self._run_cron(thursday(11, 45))
        self.assertTrue(ticket.hotrush_warned_at)
        with freeze_time(thursday(11, 50)):
            ticket.action_hotrush_uncheck()
        with freeze_time(thursday(14)):
            ticket.write({"hotrush": True})
        self.assertFalse(ticket.hotrush_warned_at)
        self._run_cron(thursday(14, 45))
        self.assertEqual(ticket.hotrush_warned_at, thursday(14, 45))
        self.assertEqual(len(self._notices(ticket, WARNING_TEXT)), 2)

    def test_markers_are_system_fields(self):
        ticket = self._request(thursday(11), user_id=self.agent.id)
        with self.refused(AccessError, "set by the HotRush rules"):
            ticket.with_user(self.agent).write({"hotrush_warned_at": thursday(11)})
        self.assertFalse(ticket.hotrush_warned_at)

    # HR-53: idempotent, batched, isolated failures, constant queries

    def test_running_twice_changes_nothing_more(self):
        queued = self._request(thursday(6))  # opens 09:00, deadline 10:00
        warned = self._request(thursday(9, 30), user_id=self.agent.id)
        not_due = self._request(thursday(10, 10))
        tickets = queued | warned | not_due
        self._run_cron(thursday(10, 20))
        self.assertTrue(queued.hotrush_opening_notified_at)
        self.assertTrue(queued.hotrush_escalated_at)
        self.assertTrue(warned.hotrush_warned_at)
        self.assertFalse(not_due.hotrush_warned_at)
        after_first = self._trail(tickets)

        self._run_cron(thursday(10, 20))
        self.assertEqual(self._trail(tickets), after_first)
        self._run_cron(thursday(10, 25))
        self.assertEqual(self._trail(tickets), after_first)

    def test_scheduled_action_record(self):
        cron = self.env.ref("hotrush_priority.ir_cron_hotrush_sla")
        self.assertRecordValues(
            cron,
            [
                {
                    "interval_number": 5,
                    "interval_type": "minutes",
                    "active": True,
                    "model_id": self.env["ir.model"]._get_id("hotrush.request"),
                }
            ],
        )
        ticket = self._request(thursday(11))
        with freeze_time(thursday(11, 50)), self._commits_flushed():
            cron.ir_actions_server_id.run()
        self.assertEqual(ticket.hotrush_warned_at, thursday(11, 50))

    def test_batches_commit_progress(self):
        tickets = self.env["helpdesk.ticket"]
        for _i in range(5):
            tickets |= self._request(thursday(11))
        calls = []
        IrCron = self.registry["ir.cron"]
        commit_progress = IrCron._commit_progress

        def record(cron, processed=0, *, remaining=None, deactivate=False):
            calls.append((processed, remaining))
            return commit_progress(cron, processed, remaining=remaining)

        with patch.object(IrCron, "_commit_progress", record):
            self._run_cron(thursday(11, 50), batch_size=2)
        self.assertEqual(calls, [(2, 3), (2, 1), (1, 0)])
        self.assertTrue(all(tickets.mapped("hotrush_warned_at")))

    def test_fresh_breach_goes_before_a_backlog(self):
        """HR-85: a breach still on its minute is escalated in the first batch, before
        the breaches a long stop of the action left; the backlog follows, each once."""
        backlog = self.env["helpdesk.ticket"]
        for hour in (9, 10):
            backlog |= self._request(thursday(hour))
        fresh = self._request(thursday(11))  # deadline 12:00
        Ticket = self.registry["helpdesk.ticket"]
        escalate = Ticket._hotrush_escalate_breach
        batches = []

        def record(tickets, now):
            batches.append(tickets.ids)
            return escalate(tickets, now)

        with patch.object(Ticket, "_hotrush_escalate_breach", record):
            self._run_cron(thursday(12, 1), batch_size=1)
        self.assertEqual(batches[0], fresh.ids, "the freshest breach first")
        taken = [ticket_id for batch in batches for ticket_id in batch]
        self.assertEqual(sorted(taken), sorted((backlog | fresh).ids))
        self.assertTrue(all((backlog | fresh).mapped("hotrush_escalated_at")))
        breach = "HotRush SLA breached"
        self.assertEqual(len(self._notices(backlog | fresh, breach)), 3)

    def test_breach_backlog_does_not_hold_back_a_warning(self):
        """HR-85: the steps take turns, one batch each: a warning falling due while a
        backlog of breaches is escalated goes out after one batch of it, not after
        all of it; every ticket is still handled once."""
        backlog = self.env["helpdesk.ticket"]
        for hour, minute in ((9, 0), (9, 30), (10, 0)):
            backlog |= self._request(thursday(hour, minute))
        warned = self._request(thursday(11))  # deadline 12:00, warned from 11:45
        Ticket = self.registry["helpdesk.ticket"]
        escalate, warn = Ticket._hotrush_escalate_breach, Ticket._hotrush_warn
        calls = []

        def record_breach(tickets, now):
            calls.append(("breach", tickets.ids))
            return escalate(tickets, now)

        def record_warning(tickets, now):
            calls.append(("warning", tickets.ids))
            return warn(tickets, now)

        with (
            patch.object(Ticket, "_hotrush_escalate_breach", record_breach),
            patch.object(Ticket, "_hotrush_warn", record_warning),
        ):
            self._run_cron(thursday(11, 50), batch_size=1)
        self.assertEqual(
            [kind for kind, _ids in calls], ["breach", "warning", "breach", "breach"]
        )
        self.assertEqual(calls[1][1], warned.ids)
        taken = sorted(i for kind, ids in calls if kind == "breach" for i in ids)
        self.assertEqual(taken, sorted(backlog.ids))
        self.assertTrue(all(backlog.mapped("hotrush_escalated_at")))
        self.assertEqual(warned.hotrush_warned_at, thursday(11, 50))
        self.assertEqual(len(self._notices(backlog, "HotRush SLA breached")), 3)

    def test_a_later_step_waits_for_an_earlier_one(self):
        """A ticket whose opening and deadline both passed while the action did not
        run is announced before it is escalated, even when the announcements take
        several batches."""
        with freeze_time(thursday(8)):
            queued = self.env["helpdesk.ticket"]
            for _i in range(3):
                queued |= self._create_ticket(hotrush=True)
        Ticket = self.registry["helpdesk.ticket"]
        opening, escalate = (
            Ticket._hotrush_notify_opening,
            Ticket._hotrush_escalate_breach,
        )
        calls = []

        def record_opening(tickets, now):
            calls.append(("opening", tickets.ids))
            return opening(tickets, now)

        def record_breach(tickets, now):
            calls.append(("breach", tickets.ids))
            return escalate(tickets, now)

        with (
            patch.object(Ticket, "_hotrush_notify_opening", record_opening),
            patch.object(Ticket, "_hotrush_escalate_breach", record_breach),
        ):
            self._run_cron(thursday(11), batch_size=1)
        seen = set()
        for kind, ids in calls:
            if kind == "opening":
                seen.update(ids)
            else:
                self.assertLessEqual(set(ids), seen, "escalated before announced")
        self.assertTrue(all(queued.mapped("hotrush_opening_notified_at")))
        self.assertTrue(all(queued.mapped("hotrush_escalated_at")))

    def test_a_step_waiting_for_an_earlier_one_stays_in_the_run(self):
        """The action did not run since Wednesday. Wednesday's night request (open
        at 09:00, due 10:00) and Thursday's (open at 09:00 today) both have their
        opening due; the freshest goes first. The breach of Wednesday's waits for
        its opening, in the same run, not until the next one."""
        wednesday = self._request_notified(local_to_utc(MSK, 2026, 11, 25, 0, 30))
        today = self._request_notified(thursday(0, 30))
        self._run_cron(thursday(9, 30), batch_size=1)
        self.assertEqual(wednesday.hotrush_opening_notified_at, thursday(9, 30))
        self.assertEqual(today.hotrush_opening_notified_at, thursday(9, 30))
        self.assertEqual(wednesday.hotrush_escalated_at, thursday(9, 30))
        self.assertFalse(today.hotrush_escalated_at)

    def test_out_of_time_resumes_on_next_run(self):
        tickets = self.env["helpdesk.ticket"]
        for _i in range(5):
            tickets |= self._request(thursday(11))
        calls = []

        def no_time_left(cron, processed=0, *, remaining=None, deactivate=False):
            calls.append((processed, remaining))
            return 0.0

        with patch.object(self.registry["ir.cron"], "_commit_progress", no_time_left):
            self._run_cron(thursday(11, 50), batch_size=2)
        self.assertEqual(calls, [(2, 3)], "stops after a batch, more remains")
        self.assertEqual(len(tickets.filtered("hotrush_warned_at")), 2)
        self._run_cron(thursday(11, 51), batch_size=2)
        self.assertTrue(all(tickets.mapped("hotrush_warned_at")))
        self.assertEqual(len(self._notices(tickets, WARNING_TEXT)), 5)

    def test_failing_ticket_is_logged_and_skipped(self):
        first = self._request(thursday(11))
        broken = self._request(thursday(11))
        last = self._request(thursday(11))
        Ticket = self.registry["helpdesk.ticket"]
        warn = Ticket._hotrush_warn

        def warn_or_fail(tickets, now):
            warn(tickets, now)  # the partial work must be rolled back
            if broken in tickets:
                raise ValueError("corrupt ticket")

        with (
            patch.object(Ticket, "_hotrush_warn", warn_or_fail),
            self.assertLogs(LOGGER, "ERROR") as logs,
        ):
            self._run_cron(thursday(11, 50))
        self.assertEqual(len(logs.records), 1)
        self.assertIn(f"id {broken.id}", logs.output[0])
        self.assertEqual(str(logs.records[0].exc_info[1]), "corrupt ticket")
        self.assertTrue(first.hotrush_warned_at)
        self.assertTrue(last.hotrush_warned_at)
        self.assertFalse(broken.hotrush_warned_at)
        self.assertFalse(self._notices(broken, WARNING_TEXT))
        self.assertFalse(self._activities(broken, WARNING_TEXT))
        self.assertEqual(len(self._notices(first | last, WARNING_TEXT)), 2)

        # fixed: the next run catches up with that ticket only
        self._run_cron(thursday(11, 55))
        self.assertEqual(broken.hotrush_warned_at, thursday(11, 55))
        self.assertEqual(len(self._notices(first | broken | last, WARNING_TEXT)), 3)

    def test_concurrent_change_left_to_next_run(self):
        # Another worker committed a due ticket after this run's transaction began:
        # repeatable read refuses to lock it. That step stops quietly, the others go
        # on, and the next run catches up.
        queued = self._request(thursday(6))  # opens 09:00, deadline 10:00
        cr = self.env.cr
        execute = cr.execute
        conflicts = []

        def execute_or_conflict(query, params=None, log_exceptions=True):
            code = query.code if isinstance(query, SQL) else query
            if not conflicts and "SKIP LOCKED" in code and "opening" in code:
                conflicts.append(code)
                raise SerializationFailure("could not serialize access")
            return execute(query, params, log_exceptions)

        with (
            patch.object(cr, "execute", execute_or_conflict),
            self.assertNoLogs(level="WARNING"),
        ):
            self._run_cron(thursday(9, 50))
        self.assertIn("opening_notified_at", conflicts[0])
        self.assertFalse(queued.hotrush_opening_notified_at)
        self.assertEqual(queued.hotrush_warned_at, thursday(9, 50), "next step ran")
        self._run_cron(thursday(9, 55))
        self.assertEqual(queued.hotrush_opening_notified_at, thursday(9, 55))
        self.assertEqual(queued.hotrush_sla_status, "running")

    def _create_not_due(self, count):
        """Open HotRush tickets the action has nothing to do with on Thu at 08:00:
        half running since Wed 23:30 (deadline Thu 09:30), half queued since 07:00."""
        tickets = self.env["helpdesk.ticket"].with_context(
            tracking_disable=True, mail_create_nolog=True, mail_notrack=True
        )
        running = count // 2
        for at, number in (
            (local_to_utc(MSK, 2026, 11, 25, 23, 30), running),
            (thursday(7), count - running),
        ):
            with freeze_time(at):
                tickets |= tickets.create(
                    [self._ticket_vals(hotrush=True) for _i in range(number)]
                )
        self.env.flush_all()
        return tickets

    def _queries_of_one_run(self, at):
        self._run_cron(at)  # warms the registry caches up
        self.env.invalidate_all()
        before = self.env.cr.sql_log_count
        with freeze_time(at), self._commits_flushed():
            self.env["hotrush.request"]._cron_hotrush_sla()
        return self.env.cr.sql_log_count - before

    def test_queries_do_not_grow_with_open_tickets(self):
        at = thursday(8)
        tickets = self._create_not_due(10)
        small = self._queries_of_one_run(at)
        tickets |= self._create_not_due(490)
        self.assertEqual(len(tickets.filtered("hotrush")), 500)
        large = self._queries_of_one_run(at)
        self.assertEqual(small, large)
        self.assertFalse(
            any(tickets.mapped("hotrush_warned_at"))
            or any(tickets.mapped("hotrush_opening_notified_at")),
            "nothing was due",
        )
        # they are real candidates: at 09:20 every one of them is due
        Request = self.env["hotrush.request"]
        self.assertEqual(
            Request.search_count(Request._hotrush_cron_domain_warning(thursday(9, 20))),
            250,
        )
        self.assertEqual(
            Request.search_count(Request._hotrush_cron_domain_opening(thursday(9, 20))),
            250,
        )
