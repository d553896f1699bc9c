# Copyright 2026 hotrush_priority contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Notices on the minute and deadlines that follow their calendar (HR-85, HR-86)."""

from datetime import timedelta

from freezegun import freeze_time

from odoo import Command, fields
from odoo.exceptions import AccessError
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

    def _told(self, ticket):
        """The customer's messages of moved deadlines, oldest first."""
        self.env.invalidate_all()
        return ticket.message_ids.filtered(
            lambda m: "deadline moved" in str(m.subject or m.body)
        ).sorted("id")

    def _woken_now(self, now):
        """Whether the SLA action is woken at ``now`` (not at a due minute)."""
        return bool(
            self.Trigger.search([("cron_id", "=", self.cron.id), ("call_at", "=", now)])
        )

    def _add_holiday(self, at, day, name="Day off"):
        """A holiday of the support calendar on 2026-11-<day>, added at ``at``."""
        with freeze_time(at):
            return self.env["resource.calendar.leaves"].create(
                {
                    "name": name,
                    "calendar_id": self.calendar.id,
                    "date_from": msk(day, 0, 0),
                    "date_to": msk(day + 1, 0, 0),
                    "time_type": "leave",
                }
            )

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

    def test_holiday_on_the_calendar_forms_global_time_off_moves_deadlines(self):
        """A public holiday typed in the calendar form's global time off (its
        ``global_leave_ids``) re-plans as one added in the time off list."""
        queued = self._request(msk(26, 23, 50) + timedelta(minutes=20))
        self.assertEqual(queued.hotrush_deadline, msk(27, 10, 0))
        with freeze_time(msk(27, 0, 30)):
            self.calendar.write(
                {
                    "global_leave_ids": [
                        Command.create(
                            {
                                "name": "Friday off",
                                "date_from": msk(27, 0, 0),
                                "date_to": msk(28, 0, 0),
                            }
                        )
                    ]
                }
            )
        self.assertEqual(queued.hotrush_queued_until, msk(28, 10, 0))
        self.assertEqual(queued.hotrush_deadline, msk(28, 11, 0))
        [move] = self._moves(queued)
        self.assertEqual(move.previous_deadline, msk(27, 10, 0))

    def test_week_tab_of_a_two_week_calendar_moves_deadlines(self):
        """An edit of a two-week calendar's week tab (``attendance_ids_1st_week`` or
        ``_2nd_week``) re-plans: Friday's hours of that week removed."""
        self.calendar.switch_calendar_type()
        self.assertTrue(self.calendar.two_weeks_calendar)
        queued = self._request(msk(26, 23, 50) + timedelta(minutes=20))
        self.assertEqual(queued.hotrush_deadline, msk(27, 10, 0))
        Attendance = self.env["resource.calendar.attendance"]
        week = Attendance.get_week_type(msk(27, 12, 0).date())
        tab = "attendance_ids_1st_week" if week == 0 else "attendance_ids_2nd_week"
        fridays = self.calendar[tab].filtered(
            lambda a: a.dayofweek == "4" and a.display_type is False
        )
        self.assertTrue(fridays)
        with freeze_time(msk(27, 0, 30)):
            self.calendar.write({tab: [Command.unlink(a.id) for a in fridays]})
        self.assertEqual(queued.hotrush_queued_until, msk(28, 10, 0))
        self.assertEqual(queued.hotrush_deadline, msk(28, 11, 0))
        self.assertEqual(len(self._moves(queued)), 1)

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
        holiday = self._add_holiday(msk(27, 0, 30), 27, "Friday off")
        self.flush_tracking()
        # Saturday opens at 10:00
        self.assertEqual(queued.hotrush_queued_until, msk(28, 10, 0))
        self.assertEqual(queued.hotrush_deadline, msk(28, 11, 0))
        self.assertEqual(queued.hotrush_queue_deadline, msk(28, 11, 0))
        self.assertEqual(queued.hotrush_sla_status, "queued")
        # audited at once, with what the ORM would record
        [move] = self._moves(queued)
        self.assertEqual(move.previous_deadline, msk(27, 10, 0))
        self.assertEqual(move.deadline, msk(28, 11, 0))
        self.assertEqual(move.date, msk(27, 0, 30))
        self.assertEqual(move.user_id, self.env.user)
        self.assertEqual(move.team_id, queued.team_id)
        self.assertEqual(move.company_id, queued.company_id)
        self.assertEqual(move.partner_id, self.customer_company)
        self.assertEqual(move.sla_status, "queued")
        self.assertEqual(move.display_name, f"{queued.number}: Re-planned")
        self.assertIn("changed", move.note)
        # the customer's message is queued for the SLA action, woken at once; the
        # deadline's own tracking does not say it a second time
        self.assertTrue(move.notice_pending)
        self.assertFalse(self._told(queued))
        self.assertTrue(self._woken_now(msk(27, 0, 30)))
        self.assertNotIn(
            "hotrush_deadline",
            queued.message_ids.tracking_value_ids.field_id.mapped("name"),
        )
        self._run_cron(msk(27, 0, 31))
        told = self._told(queued)
        self.assertEqual(len(told), 1)
        self.assertFalse(told.is_internal, "the customer reads it on the portal")
        self.assertEqual(told.subtype_id, self.env.ref("mail.mt_comment"))
        self.assertEqual(told.author_id, queued.company_id.partner_id)
        self.assertEqual(told.partner_ids, queued.partner_id)
        self.assertIn(queued._hotrush_notice_time(msk(28, 11, 0)), told.body)
        self.assertIn(move.note, told.body)
        self.assertFalse(move.notice_pending)
        # decided tickets keep their verdict and deadline
        self.assertEqual(met.hotrush_deadline, met_deadline)
        self.assertFalse(self._moves(met))
        # the new moments wake the action
        self.assertIn(msk(28, 10, 0), self._wake_ups(msk(27, 0, 30)))
        # nothing changed: nothing moves again, nobody is told again
        with freeze_time(msk(27, 0, 40)):
            holiday.write({"name": "Friday off (bridge day)"})
        self._run_cron(msk(27, 0, 41))
        self.assertEqual(len(self._moves(queued)), 1)
        self.assertEqual(len(self._told(queued)), 1)

    def test_one_message_per_move_once_the_action_ran(self):
        """Two moves before the action runs: two messages, in order, each once."""
        ticket = self._request(msk(26, 23, 50) + timedelta(minutes=20))
        self._add_holiday(msk(27, 0, 30), 27)
        self._add_holiday(msk(27, 0, 35), 28)
        # Friday and Saturday off: Sunday opens at 10:00
        self.assertEqual(ticket.hotrush_deadline, msk(29, 11, 0))
        first, second = self._moves(ticket).sorted("id")
        self.assertEqual(
            (first.previous_deadline, first.deadline), (msk(27, 10, 0), msk(28, 11, 0))
        )
        self.assertEqual(second.previous_deadline, msk(28, 11, 0))
        self.assertTrue(first.notice_pending and second.notice_pending)
        self._run_cron(msk(27, 0, 40))
        told = self._told(ticket)
        self.assertEqual(len(told), 2)
        for message, move in zip(told, (first, second), strict=True):
            self.assertIn(
                ticket._hotrush_notice_time(move.previous_deadline), message.body
            )
            self.assertIn(ticket._hotrush_notice_time(move.deadline), message.body)
        self.assertFalse((first | second).filtered("notice_pending"))
        self._run_cron(msk(27, 0, 45))
        self.assertEqual(len(self._told(ticket)), 2, "each move is told once")

    def test_message_in_the_customers_language(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.portal.partner_id.lang = "fr_FR"
        ticket = self._request(msk(26, 23, 50) + timedelta(minutes=20))
        self._add_holiday(msk(27, 0, 30), 27)
        self._run_cron(msk(27, 0, 31))
        french = ticket.with_context(lang="fr_FR")
        # in the customer's language and zone
        self.assertEqual(ticket.partner_id.tz, "Europe/Berlin")
        told = self._told(ticket).body
        self.assertIn(french._hotrush_notice_time(msk(28, 11, 0)), told)
        self.assertIn("(Europe/Berlin)", told)
        self.assertNotEqual(
            french._hotrush_notice_time(msk(28, 11, 0)),
            ticket.with_context(lang="en_US")._hotrush_notice_time(msk(28, 11, 0)),
        )

    def test_moved_notice_goes_to_the_customer_by_e_mail_only(self):
        ticket = self._request(msk(26, 23, 50) + timedelta(minutes=20))
        # another customer follows the ticket: the notice is not theirs
        ticket.message_subscribe(partner_ids=self.other_portal.partner_id.ids)
        self._add_holiday(msk(27, 0, 30), 27)
        self._run_cron(msk(27, 0, 31))
        told = self._told(ticket)
        self.assertEqual(len(told), 1)
        self.assertEqual(told.message_type, "auto_comment")
        self.assertIn(ticket.display_name, told.subject)
        mails = self.env["mail.mail"].search([("mail_message_id", "=", told.id)])
        self.assertEqual(mails.recipient_ids, ticket.partner_id)
        self.assertEqual(
            told.notification_ids.res_partner_id, ticket.partner_id, "nobody else"
        )

    def test_moved_notice_turned_off_or_without_e_mail(self):
        self.company.hotrush_notice_moved = False
        ticket = self._request(msk(26, 23, 50) + timedelta(minutes=20))
        self._add_holiday(msk(27, 0, 30), 27)
        self._run_cron(msk(27, 0, 31))
        [move] = self._moves(ticket)
        self.assertFalse(self._told(ticket), "turned off: nothing is said")
        self.assertFalse(move.notice_pending, "and it is not tried again")
        self.company.hotrush_notice_moved = True
        ticket.partner_id.email = False
        self._add_holiday(msk(27, 0, 40), 28)
        self._run_cron(msk(27, 0, 41))
        self.assertEqual(len(self._moves(ticket)), 2)
        self.assertFalse(self._told(ticket), "no e-mail address: nothing is said")
        self.assertFalse(self._moves(ticket).filtered("notice_pending"))

    def test_moved_told_plainly_when_its_template_is_deleted(self):
        self.env.ref("hotrush_priority.mail_template_hotrush_moved").unlink()
        ticket = self._request(msk(26, 23, 50) + timedelta(minutes=20))
        self._add_holiday(msk(27, 0, 30), 27)
        self._run_cron(msk(27, 0, 31))
        told = self._told(ticket)
        self.assertEqual(len(told), 1)
        self.assertFalse(told.is_internal)
        self.assertIn(ticket._hotrush_format(msk(28, 11, 0)), told.body)

    def test_told_at_once_without_the_scheduled_action(self):
        self.cron.active = False
        ticket = self._request(msk(26, 23, 50) + timedelta(minutes=20))
        self._add_holiday(msk(27, 0, 30), 27)
        self.assertEqual(len(self._told(ticket)), 1)
        self.assertFalse(self._moves(ticket).notice_pending)

    def test_agents_read_moves_but_cannot_change_them(self):
        ticket = self._request(msk(26, 23, 50) + timedelta(minutes=20))
        self._add_holiday(msk(27, 0, 30), 27)
        move = self._moves(ticket).with_user(self.agent)
        self.assertTrue(move.notice_pending)
        with self.assertRaises(AccessError):
            move.write({"notice_pending": False})
        with self.assertRaises(AccessError):
            self._moves(ticket).with_user(self.portal).read(["notice_pending"])
        # a ticket without HotRush is not planned, nor audited
        plain = self._create_ticket()
        self.assertFalse(plain.hotrush_request_id._replan("no reason"))
        self.assertFalse(plain.hotrush_event_ids)

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
