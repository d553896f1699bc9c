# Copyright 2026 hotrush_priority contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Notices on the minute and deadlines that follow their calendar (HR-85, HR-86)."""

from datetime import timedelta

from freezegun import freeze_time

from odoo import Command, fields
from odoo.tests import tagged

from ..const import SLA_CRON
from .common import HotrushCase, local_to_utc, make_calendar

MSK = "Europe/Moscow"


def msk(day, hour, minute=0):
    """2026-11-<day> at that Moscow time (the 26th is a Thursday)."""
    return local_to_utc(MSK, 2026, 11, day, hour, minute)


@tagged("post_install", "-at_install")
class TestExactTime(HotrushCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write({"hotrush_warning_minutes": 15, "hotrush_grace_minutes": 10})
        cls.cron = cls.env.ref(SLA_CRON)
        cls.Trigger = cls.env["ir.cron.trigger"]

    def _request(self, at, **vals):
        return self._request_notified(at, **vals)

    def _wake_ups(self, after):
        """The SLA action's wake-ups in the 3 days after ``after`` (other tests may
        have committed some at the real time)."""
        return sorted(
            self.Trigger.search(
                [
                    ("cron_id", "=", self.cron.id),
                    ("call_at", ">", after),
                    ("call_at", "<", after + timedelta(days=3)),
                ]
            ).mapped("call_at")
        )

    def _moves(self, ticket):
        return ticket.hotrush_event_ids.filtered(lambda e: e.kind == "move")

    # HR-85: the SLA action wakes at each due minute

    def test_triggers_at_warning_and_breach(self):
        start = msk(26, 11, 0) + timedelta(seconds=20)
        ticket = self._request(start)
        # deadline 12:00:20; warning 15 min before, breach after 10 min of grace
        self.assertEqual(
            ticket.hotrush_deadline, msk(26, 12, 0) + timedelta(seconds=20)
        )
        self.assertEqual(self._wake_ups(start), [msk(26, 11, 46), msk(26, 12, 11)])

    def test_queued_ticket_wakes_at_the_opening(self):
        start = msk(26, 7, 30)  # before the 09:00 opening
        ticket = self._request(start)
        self.assertEqual(ticket.hotrush_sla_status, "queued")
        self.assertEqual(
            self._wake_ups(start), [msk(26, 9, 0), msk(26, 9, 45), msk(26, 10, 11)]
        )

    def test_one_trigger_per_minute(self):
        start = msk(26, 11, 0)
        first = self._request(start)
        second = self._request(start + timedelta(seconds=30))
        self.assertEqual(first.hotrush_deadline.minute, second.hotrush_deadline.minute)
        # after the requests' immediate wake-ups: warnings at 11:45:00 and 11:45:30,
        # both breaches at 12:10:0x, one trigger for that minute
        wake_ups = self._wake_ups(start + timedelta(minutes=1))
        self.assertEqual(wake_ups, [msk(26, 11, 45), msk(26, 11, 46), msk(26, 12, 11)])

    def test_none_for_answered_or_ended_tickets(self):
        start = msk(26, 11, 0)
        answered = self._request(start, user_id=self.agent.id)
        ended = self._request(start)
        with freeze_time(start + timedelta(minutes=5)):
            answered.with_user(self.agent).message_post(
                body="On it.", message_type="comment", subtype_xmlid="mail.mt_comment"
            )
            ended.action_hotrush_uncheck()
        self.Trigger.search([("cron_id", "=", self.cron.id)]).unlink()
        with freeze_time(start + timedelta(minutes=6)):
            (answered | ended)._hotrush_wake_at_due_moments(fields.Datetime.now())
        self.assertFalse(self._wake_ups(start))

    def test_trigger_runs_the_warning_on_its_minute(self):
        start = msk(26, 11, 0)
        ticket = self._request(start, user_id=self.agent.id)
        [warning, _breach] = self._wake_ups(start)
        self._run_cron(warning)
        self.assertEqual(ticket.hotrush_warned_at, warning)

    # HR-86: re-planning when the calendar changes

    def test_holiday_for_tomorrow_moves_tomorrows_deadlines(self):
        # requested on Thursday night: queued until Friday 09:00, deadline 10:00
        queued = self._request(msk(26, 23, 50) + timedelta(minutes=20))
        met = self._request(msk(26, 11, 0), user_id=self.agent.id)
        with freeze_time(msk(26, 11, 20)):
            met.with_user(self.agent).message_post(
                body="Done.", message_type="comment", subtype_xmlid="mail.mt_comment"
            )
        self.assertEqual(queued.hotrush_deadline, msk(27, 10, 0))
        met_deadline = met.hotrush_deadline
        with freeze_time(msk(27, 0, 30)):
            holiday = self.env["resource.calendar.leaves"].create(
                {
                    "name": "Friday off",
                    "calendar_id": self.calendar.id,
                    "date_from": msk(27, 0, 0),
                    "date_to": msk(28, 0, 0),
                    "time_type": "leave",
                }
            )
        # Saturday opens at 10:00
        self.assertEqual(queued.hotrush_queued_until, msk(28, 10, 0))
        self.assertEqual(queued.hotrush_deadline, msk(28, 11, 0))
        self.assertEqual(queued.hotrush_sla_status, "queued")
        [move] = self._moves(queued)
        self.assertEqual(move.previous_deadline, msk(27, 10, 0))
        self.assertEqual(move.deadline, msk(28, 11, 0))
        self.assertIn("changed", move.note)
        told = queued.message_ids.filtered(lambda m: "deadline moved" in str(m.body))
        self.assertEqual(len(told), 1)
        self.assertFalse(told.is_internal, "the customer reads it on the portal")
        self.assertEqual(told.subtype_id, self.env.ref("mail.mt_comment"))
        # decided tickets keep their verdict and deadline
        self.assertEqual(met.hotrush_deadline, met_deadline)
        self.assertFalse(self._moves(met))
        # the new moments wake the action
        self.assertIn(msk(28, 10, 0), self._wake_ups(msk(27, 0, 30)))
        # nothing changed: nothing moves again
        with freeze_time(msk(27, 0, 40)):
            holiday.write({"name": "Friday off (bridge day)"})
        self.assertEqual(len(self._moves(queued)), 1)

    def test_attendance_change_moves_running_deadlines(self):
        ticket = self._request(msk(26, 11, 0))
        self.assertEqual(ticket.hotrush_deadline, msk(26, 12, 0))
        thursday = self.calendar.attendance_ids.filtered(lambda a: a.dayofweek == "3")
        with freeze_time(msk(26, 11, 10)):
            # Thursday ends at 11:30 now: 30 min today, 30 min from Friday 09:00
            thursday.write({"hour_to": 11.5})
        self.assertEqual(ticket.hotrush_deadline, msk(27, 9, 30))
        self.assertEqual(len(self._moves(ticket)), 1)

    def test_time_zone_change_moves_deadlines(self):
        ticket = self._request(msk(26, 11, 0))
        with freeze_time(msk(26, 11, 5)):
            # the same wall-clock hours in New York: 11:00 in Moscow is 03:00 there,
            # support opens at 09:00 New York time, 17:00 in Moscow
            self.calendar.tz = "America/New_York"
        self.assertEqual(ticket.hotrush_queued_until, msk(26, 17, 0))
        self.assertEqual(ticket.hotrush_deadline, msk(26, 18, 0))
        self.assertEqual(ticket.hotrush_sla_status, "queued")
        self.assertEqual(len(self._moves(ticket)), 1)

    def test_team_calendar_and_target_changes(self):
        ticket = self._request(msk(26, 11, 0))
        other = make_calendar(
            self.env, "Late shift", MSK, [(day, 13.0, 20.0) for day in range(7)]
        )
        with freeze_time(msk(26, 11, 5)):
            self.team.hotrush_calendar_id = other
        self.assertEqual(ticket.hotrush_queued_until, msk(26, 13, 0))
        self.assertEqual(ticket.hotrush_deadline, msk(26, 14, 0))
        with freeze_time(msk(26, 11, 6)):
            self.team.hotrush_response_hours = 2.0
        self.assertEqual(ticket.hotrush_deadline, msk(26, 15, 0))
        self.assertEqual(len(self._moves(ticket)), 2)
        with freeze_time(msk(26, 11, 7)):
            self.team.hotrush_response_hours = 2.0  # the same again
        self.assertEqual(len(self._moves(ticket)), 2)

    def test_warning_given_again_for_a_later_deadline(self):
        ticket = self._request(msk(26, 11, 0), user_id=self.agent.id)
        self._run_cron(msk(26, 11, 46))
        self.assertTrue(ticket.hotrush_warned_at)
        with freeze_time(msk(26, 11, 50)):
            self.team.hotrush_response_hours = 2.0
        self.assertEqual(ticket.hotrush_deadline, msk(26, 13, 0))
        self.assertFalse(ticket.hotrush_warned_at, "warned again before 13:00")
        self.assertIn(msk(26, 12, 45), self._wake_ups(msk(26, 11, 50)))

    def test_calendar_attendances_replaced(self):
        ticket = self._request(msk(26, 11, 0))
        with freeze_time(msk(26, 11, 5)):
            self.calendar.attendance_ids = [Command.clear()] + [
                Command.create(
                    {
                        "name": f"Day {day}",
                        "dayofweek": str(day),
                        "hour_from": 12.0,
                        "hour_to": 18.0,
                        "day_period": "afternoon",
                    }
                )
                for day in range(7)
            ]
        self.assertEqual(ticket.hotrush_deadline, msk(26, 13, 0))
        self.assertEqual(len(self._moves(ticket)), 1)
