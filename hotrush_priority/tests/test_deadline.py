# Copyright 2026 hotrush_priority contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from unittest.mock import patch

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from odoo.addons.hotrush_priority.models.resource_calendar import ResourceCalendar

from .common import HotrushCase, local_to_utc, make_calendar

MSK = "Europe/Moscow"


@tagged("post_install", "-at_install")
class TestDeadline(HotrushCase):
    def _request_at(self, tz, *local):
        """Create a HotRush ticket at a wall-clock time of ``tz``."""
        with freeze_time(local_to_utc(tz, *local)):
            return self._create_ticket(hotrush=True)

    def assertLocal(self, value, tz, *local):
        self.assertEqual(value, local_to_utc(tz, *local))
        self.assertEqual(value.microsecond, 0)

    # Worked examples of the specification (Europe/Moscow, target 1 h)

    def test_inside_working_hours(self):
        ticket = self._request_at(MSK, 2026, 11, 26, 11, 0)
        self.assertLocal(ticket.hotrush_deadline, MSK, 2026, 11, 26, 12, 0)
        self.assertFalse(ticket.hotrush_queued_until)
        self.assertEqual(ticket.hotrush_sla_status, "running")

    def test_before_opening(self):
        ticket = self._request_at(MSK, 2026, 11, 26, 6, 0)
        self.assertLocal(ticket.hotrush_deadline, MSK, 2026, 11, 26, 10, 0)
        self.assertLocal(ticket.hotrush_queued_until, MSK, 2026, 11, 26, 9, 0)
        self.assertEqual(ticket.hotrush_sla_status, "queued")

    def test_crossing_midnight_end_into_weekend(self):
        ticket = self._request_at(MSK, 2026, 11, 27, 23, 30)
        self.assertLocal(ticket.hotrush_deadline, MSK, 2026, 11, 28, 10, 30)
        self.assertFalse(ticket.hotrush_queued_until)

    def test_sunday_evening_to_monday(self):
        ticket = self._request_at(MSK, 2026, 11, 29, 19, 0)
        self.assertLocal(ticket.hotrush_deadline, MSK, 2026, 11, 30, 10, 0)
        self.assertLocal(ticket.hotrush_queued_until, MSK, 2026, 11, 30, 9, 0)

    def test_dst_start_2010(self):
        ticket = self._request_at(MSK, 2010, 3, 27, 17, 30)
        # Sun 2010-03-28 10:30 at +04: 06:30 UTC
        self.assertLocal(ticket.hotrush_deadline, MSK, 2010, 3, 28, 10, 30)
        self.assertEqual(str(ticket.hotrush_deadline), "2010-03-28 06:30:00")

    # Beyond the table

    def test_public_holiday_is_skipped(self):
        self.env["resource.calendar.leaves"].create(
            {
                "name": "Holiday",
                "calendar_id": self.calendar.id,
                "date_from": local_to_utc(MSK, 2026, 11, 30, 0, 0),
                "date_to": local_to_utc(MSK, 2026, 12, 1, 0, 0),
            }
        )
        ticket = self._request_at(MSK, 2026, 11, 29, 19, 0)
        self.assertLocal(ticket.hotrush_queued_until, MSK, 2026, 12, 1, 9, 0)
        self.assertLocal(ticket.hotrush_deadline, MSK, 2026, 12, 1, 10, 0)

    def test_team_calendar_and_target_override(self):
        london = make_calendar(
            self.env,
            "London office",
            "Europe/London",
            [(day, 8.0, 16.0) for day in range(5)],
        )
        self.team.write({"hotrush_calendar_id": london.id, "hotrush_response_hours": 2})
        ticket = self._request_at("Europe/London", 2026, 11, 26, 15, 30)
        # 30 min on Thursday, 90 min from Friday 08:00
        self.assertLocal(ticket.hotrush_deadline, "Europe/London", 2026, 11, 27, 9, 30)

    def test_flag_set_hours_after_creation(self):
        with freeze_time(local_to_utc(MSK, 2026, 11, 26, 10, 0)):
            ticket = self._create_ticket()
        self.assertFalse(ticket.hotrush_deadline)
        with freeze_time(local_to_utc(MSK, 2026, 11, 26, 14, 0)):
            ticket.write({"hotrush": True})
        self.assertLocal(ticket.hotrush_requested_at, MSK, 2026, 11, 26, 14, 0)
        self.assertLocal(ticket.hotrush_deadline, MSK, 2026, 11, 26, 15, 0)

    def test_outside_hours_shows_opening(self):
        ticket = self._request_at(MSK, 2026, 11, 28, 20, 0)  # Saturday evening
        self.assertLocal(ticket.hotrush_queued_until, MSK, 2026, 11, 29, 10, 0)
        self.assertEqual(ticket.hotrush_sla_status, "queued")
        start = ticket.hotrush_event_ids
        self.assertEqual(start.kind, "start")
        # the request's note comes with the team's notice, from the SLA action
        self._run_cron(local_to_utc(MSK, 2026, 11, 28, 20, 1))
        message = ticket.message_ids.filtered(lambda m: "Queued until" in str(m.body))
        self.assertEqual(len(message), 1)
        opening = ticket._hotrush_format(ticket.hotrush_queued_until)
        self.assertIn(opening, str(message.body))
        self.assertIn("(Europe/Moscow)", opening)

    def test_target_ending_exactly_at_midnight(self):
        ticket = self._request_at(MSK, 2026, 11, 26, 23, 0)
        self.assertLocal(ticket.hotrush_deadline, MSK, 2026, 11, 27, 0, 0)

    def test_calendar_without_hours_refuses(self):
        empty = make_calendar(self.env, "Never", "UTC", [])
        self.team.hotrush_calendar_id = empty
        with self.assertRaisesRegex(ValidationError, "no working hours"):
            self._create_ticket(hotrush=True)

    def test_batch_plans_once_per_calendar(self):
        other = make_calendar(self.env, "Other", "America/New_York", [(0, 9, 17)])
        team_b = self.team.copy({"name": "Support US", "hotrush_calendar_id": other.id})
        calls = []
        original = ResourceCalendar._hotrush_timeline

        def counting(calendar, start, stop):
            calls.append(calendar.id)
            return original(calendar, start, stop)

        vals = [self._ticket_vals(hotrush=True) for _ in range(30)]
        vals += [self._ticket_vals(hotrush=True, team_id=team_b.id) for _ in range(30)]
        with (
            freeze_time(local_to_utc(MSK, 2026, 11, 26, 11, 0)),
            patch.object(ResourceCalendar, "_hotrush_timeline", counting),
        ):
            tickets = self.env["helpdesk.ticket"].create(vals)
        self.assertEqual(sorted(calls), sorted([self.calendar.id, other.id]))
        self.assertTrue(all(tickets.mapped("hotrush_deadline")))
        # Monday 2026-11-30 09:00 New York + 1 h
        self.assertLocal(
            tickets[-1].hotrush_deadline, "America/New_York", 2026, 11, 30, 10, 0
        )

    # Cached working time: reused without queries, renewed on every change

    def _plan(self, calendar, *local, tz=MSK):
        start = local_to_utc(tz, *local)
        return calendar._hotrush_plan([(start, 1.0)])[0]

    def test_working_time_read_once_per_calendar(self):
        self._plan(self.calendar, 2026, 11, 26, 11, 0)
        self.env.invalidate_all()
        with self.assertQueryCount(0):
            _opening, deadline = self._plan(self.calendar, 2026, 11, 27, 11, 0)
        self.assertLocal(deadline, MSK, 2026, 11, 27, 12, 0)

    def test_cached_working_time_follows_changes(self):
        calendar = make_calendar(self.env, "Changing", MSK, [(3, 9.0, 18.0)])
        thursday_11 = (2026, 11, 26, 11, 0)
        self.assertLocal(
            self._plan(calendar, *thursday_11)[1], MSK, 2026, 11, 26, 12, 0
        )
        # attendance changed: Thursday opens at 14:00
        calendar.attendance_ids.write({"hour_from": 14.0})
        _opening, deadline = self._plan(calendar, *thursday_11)
        self.assertLocal(deadline, MSK, 2026, 11, 26, 15, 0)
        # a public holiday that day (no calendar: every calendar): next Thursday
        holiday = self.env["resource.calendar.leaves"].create(
            {
                "name": "Holiday",
                "calendar_id": False,
                "date_from": local_to_utc(MSK, 2026, 11, 26, 0, 0),
                "date_to": local_to_utc(MSK, 2026, 11, 27, 0, 0),
            }
        )
        _opening, deadline = self._plan(calendar, *thursday_11)
        self.assertLocal(deadline, MSK, 2026, 12, 3, 15, 0)
        # moved by a day: that Thursday works again
        holiday.write(
            {
                "date_from": local_to_utc(MSK, 2026, 11, 25, 0, 0),
                "date_to": local_to_utc(MSK, 2026, 11, 26, 0, 0),
            }
        )
        self.assertLocal(
            self._plan(calendar, *thursday_11)[1], MSK, 2026, 11, 26, 15, 0
        )
        holiday.write({"date_to": local_to_utc(MSK, 2026, 11, 27, 0, 0)})
        holiday.unlink()
        self.assertLocal(
            self._plan(calendar, *thursday_11)[1], MSK, 2026, 11, 26, 15, 0
        )
        # another attendance added, then removed
        calendar.write(
            {
                "attendance_ids": [
                    Command.create(
                        {
                            "name": "Wed",
                            "dayofweek": "2",
                            "hour_from": 9.0,
                            "hour_to": 18.0,
                        }
                    )
                ]
            }
        )
        wednesday_20 = (2026, 11, 25, 20, 0)
        self.assertLocal(
            self._plan(calendar, *wednesday_20)[1], MSK, 2026, 11, 26, 15, 0
        )
        calendar.attendance_ids.filtered(lambda a: a.dayofweek == "3").unlink()
        self.assertLocal(
            self._plan(calendar, *wednesday_20)[1], MSK, 2026, 12, 2, 10, 0
        )
        # another time zone: the same wall-clock hours, other instants
        calendar.tz = "Europe/Berlin"
        _opening, deadline = self._plan(calendar, *wednesday_20, tz="Europe/Berlin")
        self.assertLocal(deadline, "Europe/Berlin", 2026, 12, 2, 10, 0)

    def test_time_off_of_a_resource_is_not_a_holiday(self):
        self._plan(self.calendar, 2026, 11, 26, 11, 0)
        resource = self.env["resource.resource"].create(
            {"name": "Someone", "calendar_id": self.calendar.id}
        )
        self.env["resource.calendar.leaves"].create(
            {
                "name": "Someone's day off",
                "calendar_id": self.calendar.id,
                "resource_id": resource.id,
                "date_from": local_to_utc(MSK, 2026, 11, 26, 0, 0),
                "date_to": local_to_utc(MSK, 2026, 11, 27, 0, 0),
            }
        )
        with self.assertQueryCount(0):
            _opening, deadline = self._plan(self.calendar, 2026, 11, 26, 11, 0)
        self.assertLocal(deadline, MSK, 2026, 11, 26, 12, 0)

    def assertRefused(self, record, vals, pattern):
        with self.assertRaisesRegex(ValidationError, pattern), self.env.cr.savepoint():
            record.write(vals)
        record.invalidate_recordset()

    def test_flexible_calendar_refused_in_settings(self):
        flexible = self.env["resource.calendar"].create(
            {"name": "Flexible", "flexible_hours": True, "attendance_ids": []}
        )
        self.assertRefused(self.team, {"hotrush_calendar_id": flexible.id}, "flexible")
        self.assertRefused(
            self.company, {"hotrush_calendar_id": flexible.id}, "flexible"
        )

    def test_bad_targets_refused(self):
        self.assertRefused(self.company, {"hotrush_response_hours": 0}, "more than 0")
        self.assertRefused(self.company, {"hotrush_grace_minutes": -5}, "negative")
        self.assertRefused(self.team, {"hotrush_response_hours": -1}, "negative")
        self.assertEqual(self.company.hotrush_response_hours, 1.0)
