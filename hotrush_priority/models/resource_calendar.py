# Copyright 2026 hotrush_priority contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Working time of a calendar for HotRush deadlines.

The calendar reads its time zone, working attendances and public holidays once per
worker, keeps them as a ``working_time.Schedule`` until they change, and hands them to
the arithmetic of ``working_time`` (no ORM there), which plans a whole batch of requests
with one expansion of the working time.
"""

from odoo import api, models, tools
from odoo.exceptions import ValidationError

from . import working_time


class ResourceCalendar(models.Model):
    _inherit = "resource.calendar"

    # fields whose change changes a calendar's HotRush working time, whichever form
    # writes them: the hours (a two-week calendar's week tabs too), the time off
    # (the form's global time off too), the zone
    _HOTRUSH_DATA_FIELDS = frozenset(
        {
            "tz",
            "two_weeks_calendar",
            "company_id",
            "attendance_ids",
            "attendance_ids_1st_week",
            "attendance_ids_2nd_week",
            "leave_ids",
            "global_leave_ids",
        }
    )

    def write(self, vals):
        # the attendances and holidays written here re-plan once, at the end
        res = super(
            ResourceCalendar, self.with_context(hotrush_replan_later=True)
        ).write(vals)
        if self._HOTRUSH_DATA_FIELDS.intersection(vals):
            self._hotrush_clear_data_cache()
            self._hotrush_changed()
        return res

    def unlink(self):
        res = super().unlink()
        self._hotrush_clear_data_cache()
        return res

    # ------------------------------------------------------------------
    # Constraints helpers
    # ------------------------------------------------------------------

    def _hotrush_check_usable(self):
        """HotRush deadlines need fixed working hours."""
        for calendar in self:
            if calendar.flexible_hours:
                raise ValidationError(
                    self.env._(
                        "The calendar %(name)s has flexible hours: HotRush deadlines "
                        "need fixed working hours.",
                        name=calendar.name,
                    )
                )

    # ------------------------------------------------------------------
    # Computation API
    # ------------------------------------------------------------------

    def _hotrush_plan(self, requests):
        """Plan working time for many requests on this calendar at once.

        :param requests: list of ``(start, hours)``, ``start`` a naive UTC datetime
        :return: list, in the same order, of ``(opening, deadline)`` naive UTC datetimes
            with whole seconds; ``opening`` is the start of the working time when
            ``start`` is outside it (the request is queued until then), else ``False``;
            both are ``False`` when the calendar has no working time in reach.
        """
        self.ensure_one()
        return working_time.plan(requests, self._hotrush_timeline)

    def _hotrush_working_seconds(self, spans):
        """Working time of this calendar inside many spans at once.

        :param spans: list of ``(start, stop)`` naive UTC datetimes
        :return: list, in the same order, of whole working seconds in ``[start, stop)``
            (0 when ``stop`` is not after ``start``), public holidays excluded
        """
        self.ensure_one()
        return working_time.working_seconds(spans, self._hotrush_timeline)

    def _hotrush_timeline(self, window_start, window_stop):
        """Working time of this calendar in [window_start, window_stop) (POSIX seconds)."""
        self.ensure_one()
        return self._hotrush_data().timeline(window_start, window_stop)

    def _hotrush_working_hours_text(self, tz, start, days=7):
        """The working hours of the coming ``days``, per weekday, in ``tz``.

        e.g. "Mon-Fri 07:00-22:00, Sat-Sun 08:00-16:00" for a Moscow calendar shown
        in Berlin; holidays of that week leave their day out.
        """
        self.ensure_one()
        begin = working_time.local_midnight(start, tz)
        timeline = self._hotrush_timeline(begin, begin + days * working_time.DAY)
        names = self._hotrush_weekday_names()
        parts = []
        for first, last, spans in working_time.weekly_hours(timeline, tz):
            days_text = (
                names[first] if first == last else f"{names[first]}-{names[last]}"
            )
            parts.append(f"{days_text} {spans}")
        return "; ".join(parts) or self.env._("none in the coming week")

    def _hotrush_weekday_names(self):
        return [
            self.env._("Mon"),
            self.env._("Tue"),
            self.env._("Wed"),
            self.env._("Thu"),
            self.env._("Fri"),
            self.env._("Sat"),
            self.env._("Sun"),
        ]

    # ------------------------------------------------------------------
    # Calendar data, cached per worker
    # ------------------------------------------------------------------

    def _hotrush_data(self):
        """Time zone, working attendances and public holidays of this calendar.

        A stored calendar's are read once per worker and kept until the calendar,
        its attendances or the global leaves change (every worker is told); an unsaved
        calendar's (a form being edited) are read each time. Do not modify the result.

        :return: ``working_time.Schedule``
        """
        self.ensure_one()
        if isinstance(self.id, int):
            return self._hotrush_data_cached(self.id)
        return self._hotrush_read_data()

    @api.model
    @tools.ormcache("calendar_id")
    def _hotrush_data_cached(self, calendar_id):
        # sudo: the working time of a calendar is the same for every user planning on
        # it (a customer's request, the scheduled action); only times are kept.
        return self.sudo().browse(calendar_id)._hotrush_read_data()

    def _hotrush_read_data(self):
        self.ensure_one()
        return working_time.Schedule(
            self.tz,
            self._hotrush_attendances(),
            self._hotrush_holidays(),
            two_weeks=self.two_weeks_calendar,
        )

    @api.model
    def _hotrush_clear_data_cache(self):
        self.env.registry.clear_cache()

    def _hotrush_changed(self):
        """The working time of these calendars changed: open HotRush deadlines on
        them follow (HR-86)."""
        if not self or self.env.context.get("hotrush_replan_later"):
            return
        # sudo: the calendars' names only, for the words of the audit and the notice
        why = self.env._(
            "the working hours of %(calendars)s changed",
            calendars=", ".join(self.sudo().mapped("name")),
        )
        self.env["hotrush.request"]._replan_where(why, calendars=self)

    def _hotrush_zone(self):
        """The calendar's time zone name (cached with its working time)."""
        return self._hotrush_data().tz

    def _hotrush_attendances(self):
        """``(weekday, hour_from, hour_to, week_type)`` of the working attendances."""
        if isinstance(self.id, int):
            # a stored calendar: its working attendances in one query
            attendances = self.env["resource.calendar.attendance"].search_fetch(
                [
                    ("calendar_id", "=", self.id),
                    ("display_type", "=", False),
                    ("day_period", "!=", "lunch"),
                ],
                ["dayofweek", "hour_from", "hour_to", "week_type"],
            )
        else:
            attendances = self.attendance_ids.filtered(
                lambda a: not a.display_type and a.day_period != "lunch"
            )
        return [
            (int(a.dayofweek), a.hour_from, a.hour_to, int(a.week_type or 0))
            for a in attendances
        ]

    def _hotrush_holidays(self):
        """Global leaves (public holidays) of this calendar: ``(start, stop)`` naive UTC
        datetimes. The leaves Odoo's ``_leave_intervals_batch`` subtracts for a
        calendar without resource: of this calendar or of none, of its company or of
        none, of type leave."""
        self.ensure_one()
        calendars = [False] + ([self.id] if isinstance(self.id, int) else [])
        leaves = self.env["resource.calendar.leaves"].search_fetch(
            [
                ("time_type", "=", "leave"),
                ("calendar_id", "in", calendars),
                ("resource_id", "=", False),
                ("company_id", "in", [False, self.company_id.id]),
            ],
            ["date_from", "date_to"],
        )
        return [(leave.date_from, leave.date_to) for leave in leaves]
