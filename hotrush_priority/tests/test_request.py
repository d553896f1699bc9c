# Copyright 2026 hotrush_priority contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta

from freezegun import freeze_time

from odoo.exceptions import AccessError, ValidationError
from odoo.fields import Domain
from odoo.tests import tagged
from odoo.tools import format_datetime

from .common import HotrushCase, local_to_utc

MSK = "Europe/Moscow"
THURSDAY_11 = local_to_utc(MSK, 2026, 11, 26, 11, 0)


@tagged("post_install", "-at_install")
class TestRequest(HotrushCase):
    # HR-5: processed right away

    def test_request_raises_priority_and_remembers_it(self):
        with freeze_time(THURSDAY_11):
            ticket = self._create_ticket(priority="0")
            ticket.write({"hotrush": True})
        self.assertEqual(ticket.priority, "3")
        self.assertEqual(ticket.hotrush_priority_before, "0")
        self.assertEqual(ticket.hotrush_requested_by_id, self.env.user)

    def test_hotrush_sorts_first_by_deadline(self):
        with freeze_time(THURSDAY_11):
            urgent_normal = self._create_ticket(
                name="Very high, not HotRush", priority="3"
            )
        with freeze_time(local_to_utc(MSK, 2026, 11, 26, 12, 0)):
            later = self._create_ticket(name="HotRush later", hotrush=True)
        with freeze_time(THURSDAY_11):
            sooner = self._create_ticket(name="HotRush sooner", hotrush=True)
        tickets = self.env["helpdesk.ticket"].search(
            [("id", "in", (urgent_normal | later | sooner).ids)]
        )
        self.assertEqual(tickets.ids, [sooner.id, later.id, urgent_normal.id])

    def test_request_triggers_the_team_notice(self):
        """HR-5: the request wakes the SLA action, which gives the activity at once."""
        cron = self.env.ref("hotrush_priority.ir_cron_hotrush_sla")
        Trigger = self.env["ir.cron.trigger"].sudo()
        before = Trigger.search([("cron_id", "=", cron.id)])
        with freeze_time(THURSDAY_11):
            ticket = self._create_ticket(hotrush=True)
        triggers = Trigger.search([("cron_id", "=", cron.id)]) - before
        self.assertEqual(len(triggers), 1)
        self.assertEqual(triggers.call_at, THURSDAY_11)
        self.assertFalse(ticket.hotrush_team_notified_at)
        self.assertFalse(ticket.activity_ids, "given by the action, after the commit")
        self._run_cron(THURSDAY_11 + timedelta(seconds=2))
        self.assertEqual(
            ticket.hotrush_team_notified_at, THURSDAY_11 + timedelta(seconds=2)
        )
        self.assertEqual(ticket.activity_ids.user_id, self.leader)
        # a second run gives nothing more
        self._run_cron(THURSDAY_11 + timedelta(seconds=4))
        self.assertEqual(len(ticket.activity_ids), 1)

    def test_no_second_activity_for_a_ticket_that_has_one(self):
        """Requests made before the step existed got their activity in the request."""
        with freeze_time(THURSDAY_11):
            ticket = self._create_ticket(hotrush=True, user_id=self.agent.id)
            ticket._hotrush_schedule_response_activity()
        self._run_cron(THURSDAY_11 + timedelta(seconds=1))
        self.assertEqual(len(ticket.activity_ids), 1)
        self.assertTrue(ticket.hotrush_team_notified_at)

    def test_warned_only_after_the_team_notice(self):
        """A request committed while a run is past its first step: that run's warning
        step leaves it to the next run, which notifies the team, then warns."""
        self.company.hotrush_warning_minutes = 90
        with freeze_time(THURSDAY_11):
            ticket = self._create_ticket(hotrush=True, user_id=self.agent.id)
            Request = self.env["hotrush.request"]
            warning = Request._hotrush_cron_domain_warning(THURSDAY_11)
            self.assertFalse(
                Request.search(warning & Domain("ticket_id", "=", ticket.id))
            )
        self._run_cron(THURSDAY_11 + timedelta(seconds=1))
        self.assertTrue(ticket.hotrush_team_notified_at)
        self.assertTrue(ticket.hotrush_warned_at)
        summaries = ticket.activity_ids.mapped("summary")
        self.assertEqual(len(summaries), 2)
        self.assertTrue(any(s.startswith("Respond by") for s in summaries))

    def test_normal_tickets_do_not_wake_the_action(self):
        cron = self.env.ref("hotrush_priority.ir_cron_hotrush_sla")
        Trigger = self.env["ir.cron.trigger"].sudo()
        before = Trigger.search_count([("cron_id", "=", cron.id)])
        with freeze_time(THURSDAY_11):
            ticket = self._create_ticket()
            ticket.write({"priority": "2", "name": "Still normal"})
        self.assertEqual(Trigger.search_count([("cron_id", "=", cron.id)]), before)

    def test_activity_given_here_when_the_action_is_inactive(self):
        self.env.ref("hotrush_priority.ir_cron_hotrush_sla").active = False
        with freeze_time(THURSDAY_11):
            ticket = self._create_ticket(hotrush=True)
        self.assertEqual(ticket.hotrush_team_notified_at, THURSDAY_11)
        self.assertEqual(ticket.activity_ids.user_id, self.leader)

    def test_no_activity_when_answered_or_ended_before_the_action(self):
        with freeze_time(THURSDAY_11):
            answered = self._create_ticket(hotrush=True, user_id=self.agent.id)
            unchecked = self._create_ticket(hotrush=True)
            answered.with_user(self.agent).message_post(
                body="On it.", message_type="comment", subtype_xmlid="mail.mt_comment"
            )
            unchecked.with_user(self.portal).action_hotrush_uncheck()
        self._run_cron(THURSDAY_11 + timedelta(seconds=5))
        self.assertEqual(answered.hotrush_sla_status, "met")
        self.assertEqual(unchecked.hotrush_sla_status, "cancelled")
        self.assertFalse((answered | unchecked).activity_ids)
        self.assertFalse(answered.hotrush_team_notified_at)
        self.assertFalse(unchecked.hotrush_team_notified_at)

    def test_notified_marker_is_a_system_field(self):
        with freeze_time(THURSDAY_11):
            ticket = self._create_ticket(hotrush=True)
        with self.refused(AccessError, "set by the HotRush rules"):
            ticket.with_user(self.agent).write(
                {"hotrush_team_notified_at": THURSDAY_11}
            )
        with self.refused(AccessError):
            ticket.with_user(self.portal).write({"hotrush_team_notified_at": False})

    def test_assignment_notice_except_to_the_requester(self):
        with freeze_time(THURSDAY_11):
            own = self._create_ticket(user_id=self.agent.id)
            own.with_user(self.agent).action_hotrush_request()
            other = self._create_ticket(hotrush=True, user_id=self.agent.id)
        self.flush_tracking()
        before = self.env["mail.message"].search([]).ids
        self._run_cron(THURSDAY_11)

        def notices(ticket):
            return self.env["mail.message"].search(
                [
                    ("model", "=", "helpdesk.ticket"),
                    ("res_id", "=", ticket.id),
                    ("message_type", "=", "user_notification"),
                    ("id", "not in", before),
                ]
            )

        self.assertEqual((own | other).activity_ids.user_id, self.agent)
        self.assertEqual(len((own | other).activity_ids), 2)
        self.assertFalse(notices(own), "the agent asked for it: no notice to self")
        self.assertEqual(notices(other).partner_ids, self.agent.partner_id)
        self.assertIn(self.agent.partner_id, other.message_partner_ids)

    def test_activity_for_assignee(self):
        with freeze_time(THURSDAY_11):
            ticket = self._create_ticket(hotrush=True, user_id=self.agent.id)
        self._run_cron(THURSDAY_11)
        activity = ticket.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, self.agent)
        self.assertEqual(
            activity.summary,
            "Respond by "
            + format_datetime(
                self.env, ticket.hotrush_deadline, tz="Europe/Moscow", dt_format="short"
            ),
        )
        self.assertIn("12:00", activity.summary)
        self.assertEqual(str(activity.date_deadline), "2026-11-26")

    def test_activity_for_team_leader_when_unassigned(self):
        with freeze_time(THURSDAY_11):
            ticket = self._create_ticket(hotrush=True)
        self._run_cron(THURSDAY_11)
        self.assertFalse(ticket.user_id)
        self.assertEqual(ticket.activity_ids.user_id, self.leader)

    # the request's chatter note, logged with the team's notice

    def _notes(self, ticket, text):
        self.env.invalidate_all()
        return ticket.message_ids.filtered(
            lambda m: m.is_internal and text in str(m.body)
        ).sorted("id")

    def test_request_note_logged_by_the_request_step_once(self):
        with freeze_time(THURSDAY_11):
            ticket = self._create_ticket(hotrush=True)
        [event] = ticket.hotrush_event_ids
        self.assertTrue(event.note_pending)
        self.assertFalse(self._notes(ticket, "HotRush requested"), "not in the request")
        self._run_cron(THURSDAY_11 + timedelta(minutes=1))
        [note] = self._notes(ticket, "HotRush requested")
        self.assertIn(self.env.user.name, note.body)
        self.assertIn(
            ticket._hotrush_format(ticket.hotrush_deadline), str(note.body), "deadline"
        )
        self.assertFalse(event.note_pending)
        self._run_cron(THURSDAY_11 + timedelta(minutes=2))
        self.assertEqual(len(self._notes(ticket, "HotRush requested")), 1)
        # a new request is said again, once
        with freeze_time(THURSDAY_11 + timedelta(minutes=3)):
            ticket.with_user(self.agent).action_hotrush_remove("general")
            ticket.write({"hotrush": True})
        self._run_cron(THURSDAY_11 + timedelta(minutes=4))
        self.assertEqual(len(self._notes(ticket, "HotRush requested")), 2)
        self.assertFalse(ticket.hotrush_event_ids.filtered("note_pending"))

    def test_request_ended_before_the_step_is_said_first(self):
        with freeze_time(THURSDAY_11):
            ticket = self._create_ticket(hotrush=True)
            ticket.with_user(self.portal).action_hotrush_uncheck()
        requested = self._notes(ticket, "HotRush requested")
        ended = self._notes(ticket, "HotRush ended")
        self.assertEqual((len(requested), len(ended)), (1, 1))
        self.assertLess(requested.id, ended.id)
        self.assertFalse(ticket.hotrush_event_ids.filtered("note_pending"))
        self._run_cron(THURSDAY_11 + timedelta(minutes=1))
        self.assertEqual(len(self._notes(ticket, "HotRush requested")), 1)

    def test_request_note_at_once_without_the_scheduled_action(self):
        self.env.ref("hotrush_priority.ir_cron_hotrush_sla").active = False
        with freeze_time(THURSDAY_11):
            ticket = self._create_ticket(hotrush=True)
        self.assertEqual(len(self._notes(ticket, "HotRush requested")), 1)
        self.assertFalse(ticket.hotrush_event_ids.note_pending)

    def test_request_is_audited_and_tracked(self):
        with freeze_time(THURSDAY_11):
            ticket = self._create_ticket()
            self.flush_tracking()  # changes are tracked from the next transaction on
            ticket.with_user(self.agent).action_hotrush_request()
        event = ticket.hotrush_event_ids
        self.assertRecordValues(
            event,
            [
                {
                    "kind": "start",
                    "action": "request",
                    "user_id": self.agent.id,
                    "deadline": local_to_utc(MSK, 2026, 11, 26, 12, 0),
                    "team_id": self.team.id,
                }
            ],
        )
        self.flush_tracking()
        tracked = ticket.message_ids.tracking_value_ids.mapped("field_id.name")
        self.assertIn("hotrush", tracked)
        self.assertIn("hotrush_deadline", tracked)

    # HR-2, HR-3: eligibility, from every route

    def test_team_not_offering_refused(self):
        with self.assertRaisesRegex(ValidationError, "only available for requests to"):
            self.env["helpdesk.ticket"].with_user(self.agent).create(
                self._ticket_vals(hotrush=True, team_id=self.dev_team.id)
            )
        ticket = self._create_ticket(team_id=self.dev_team.id)
        with self.refused(ValidationError, "Technical Support"):
            ticket.with_user(self.agent).write({"hotrush": True})
        self.assertFalse(ticket.hotrush)

    def test_not_eligible_category_refused(self):
        with self.assertRaisesRegex(ValidationError, "not available for Sales"):
            self.env["helpdesk.ticket"].with_user(self.agent).create(
                self._ticket_vals(hotrush=True, category_id=self.category_sales.id)
            )

    def test_no_team_refused(self):
        with self.assertRaises(ValidationError):
            self._create_ticket(hotrush=True, team_id=False)

    def test_portal_request_own_ticket(self):
        ticket = self._create_ticket()
        with freeze_time(THURSDAY_11):
            ticket.with_user(self.portal).action_hotrush_request()
        self.assertTrue(ticket.hotrush)
        self.assertEqual(ticket.hotrush_requested_by_id, self.portal)
        self.assertEqual(ticket.hotrush_sla_status, "running")

    def test_portal_request_refusals(self):
        dev_ticket = self._create_ticket(team_id=self.dev_team.id)
        with self.refused(ValidationError, "only available"):
            dev_ticket.with_user(self.portal).action_hotrush_request()
        sales_ticket = self._create_ticket(category_id=self.category_sales.id)
        with self.refused(ValidationError, "not available"):
            sales_ticket.with_user(self.portal).action_hotrush_request()
        foreign = self._create_ticket(partner_id=self.other_portal.partner_id.id)
        with self.refused(AccessError):
            foreign.with_user(self.portal).action_hotrush_request()
        self.assertFalse(any((dev_ticket | sales_ticket | foreign).mapped("hotrush")))

    def test_portal_cannot_write_flag_or_system_fields(self):
        ticket = self._create_ticket()
        with self.refused(AccessError, "Use 'Request HotRush'"):
            ticket.with_user(self.portal).write({"hotrush": True})
        foreign = self._create_ticket(partner_id=self.other_portal.partner_id.id)
        with self.refused(AccessError, "doesn't have 'read' access"):
            foreign.with_user(self.portal).write({"hotrush": True})
        for field, value in [
            ("hotrush_deadline", "2030-01-01 00:00:00"),
            ("hotrush_first_response_at", "2026-11-26 08:00:00"),
            ("hotrush_sla_status", "met"),
        ]:
            with self.assertRaises(AccessError):
                ticket.with_user(self.portal).write({field: value})

    def test_agent_cannot_write_system_fields(self):
        with freeze_time(THURSDAY_11):
            ticket = self._create_ticket(hotrush=True, user_id=self.agent.id)
        deadline = ticket.hotrush_deadline
        for vals in [
            {"hotrush_deadline": "2030-01-01 00:00:00"},
            {"hotrush_sla_status": "met"},
            {"hotrush_first_response_user_id": self.agent.id},
            {"hotrush_requested_at": "2026-11-20 00:00:00"},
        ]:
            with self.assertRaisesRegex(AccessError, "set by the HotRush rules"):
                ticket.with_user(self.agent).write(vals)
        with self.assertRaisesRegex(AccessError, "set by the HotRush rules"):
            self.env["helpdesk.ticket"].with_user(self.agent).create(
                self._ticket_vals(hotrush=True, hotrush_deadline="2030-01-01")
            )
        self.assertEqual(ticket.hotrush_deadline, deadline)
        self.assertEqual(ticket.hotrush_sla_status, "running")

    def test_internal_user_without_access_cannot_request(self):
        ticket = self._create_ticket(user_id=self.agent.id)
        with self.assertRaises(AccessError):
            ticket.with_user(self.own_agent).action_hotrush_request()
        self.assertFalse(ticket.hotrush)

    def test_sla_status_follows_time(self):
        with freeze_time(local_to_utc(MSK, 2026, 11, 26, 7, 0)):
            ticket = self._create_ticket(hotrush=True)
        self.assertEqual(ticket.hotrush_sla_status, "queued")
        ticket._hotrush_update_sla_status(local_to_utc(MSK, 2026, 11, 26, 9, 30))
        self.assertEqual(ticket.hotrush_sla_status, "running")
        ticket._hotrush_update_sla_status(local_to_utc(MSK, 2026, 11, 26, 10, 0, 1))
        self.assertEqual(ticket.hotrush_sla_status, "breached")
        # decided: it never changes afterwards
        ticket._hotrush_update_sla_status(local_to_utc(MSK, 2026, 11, 26, 9, 30))
        self.assertEqual(ticket.hotrush_sla_status, "breached")

    def test_grace_delays_breach(self):
        self.company.hotrush_grace_minutes = 30
        with freeze_time(THURSDAY_11):
            ticket = self._create_ticket(hotrush=True)
        ticket._hotrush_update_sla_status(local_to_utc(MSK, 2026, 11, 26, 12, 20))
        self.assertEqual(ticket.hotrush_sla_status, "running")
        ticket._hotrush_update_sla_status(local_to_utc(MSK, 2026, 11, 26, 12, 31))
        self.assertEqual(ticket.hotrush_sla_status, "breached")
