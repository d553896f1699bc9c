# Copyright 2026 hotrush_priority contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Working-time planning for HotRush deadlines.

Many (start, hours) requests are planned on one calendar with a single set of working
intervals: attendances expanded once over the window that covers every request, minus the
calendar's global leaves (public holidays), then a cumulative sum of working seconds so
each request is answered with two binary searches.

Attendances are wall-clock times in the calendar's time zone. An instant is working time
when its wall-clock time lies inside an attendance of its local day, so on DST days the
working intervals follow the clock: a skipped hour does not exist, a repeated hour is
worked twice. Everything is computed in whole POSIX seconds, which also keeps an
attendance ending at 24:00 free of sub-second artefacts.
"""

import bisect
import itertools
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from odoo import api, models, tools
from odoo.exceptions import ValidationError
from odoo.tools.intervals import Intervals

EPOCH = datetime(1970, 1, 1)
DAY = 86400
# UTC offsets lie within [-12h, +14h]: the instants whose wall time falls on a local date
# are found within this margin around it.
OFFSET_MARGIN_BEFORE = 15 * 3600
OFFSET_MARGIN_AFTER = 13 * 3600
# First planning window, grown by doubling until every request is planned.
FIRST_HORIZON_DAYS = 21
MAX_HORIZON_DAYS = 800


def to_ts(dt):
    """Naive UTC datetime -> integer POSIX seconds (sub-seconds dropped)."""
    return int((dt - EPOCH).total_seconds())


def from_ts(ts):
    return EPOCH + timedelta(seconds=ts)


class WallClock:
    """UTC offsets of one time zone, with the transition instants found on demand."""

    def __init__(self, tz_name):
        self.tz = ZoneInfo(tz_name or "UTC")
        self._cache = {}

    def offset(self, ts):
        return int(datetime.fromtimestamp(ts, self.tz).utcoffset().total_seconds())

    def segments(self, lo, hi):
        """Constant-offset pieces [(start, stop, offset)] covering [lo, hi).

        A window of about two days holds at most one transition in every real zone.
        """
        key = (lo, hi)
        if key not in self._cache:
            o_lo, o_hi = self.offset(lo), self.offset(hi - 1)
            if o_lo == o_hi:
                self._cache[key] = [(lo, hi, o_lo)]
            else:
                a, b = lo, hi - 1  # offset(a) == o_lo, offset(b) == o_hi
                while b - a > 1:
                    mid = (a + b) // 2
                    if self.offset(mid) == o_lo:
                        a = mid
                    else:
                        b = mid
                self._cache[key] = [(lo, b, o_lo), (b, hi, o_hi)]
        return self._cache[key]


class ResourceCalendar(models.Model):
    _inherit = "resource.calendar"

    # fields whose change changes a calendar's HotRush working time
    _HOTRUSH_DATA_FIELDS = frozenset(
        {"tz", "two_weeks_calendar", "company_id", "attendance_ids", "leave_ids"}
    )

    def write(self, vals):
        res = super().write(vals)
        if self._HOTRUSH_DATA_FIELDS.intersection(vals):
            self._hotrush_clear_data_cache()
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
        if not requests:
            return []
        starts = [to_ts(start) for start, _hours in requests]
        amounts = [max(round(hours * 3600), 0) for _start, hours in requests]
        results = [None] * len(requests)
        pending = list(range(len(requests)))
        horizon = FIRST_HORIZON_DAYS
        while pending and horizon <= MAX_HORIZON_DAYS:
            window_start = min(starts[i] for i in pending) - DAY
            window_stop = max(starts[i] + amounts[i] for i in pending) + horizon * DAY
            timeline = self._hotrush_timeline(window_start, window_stop)
            still = []
            for i in pending:
                planned = timeline.plan(starts[i], amounts[i])
                if planned is None:
                    still.append(i)
                else:
                    results[i] = planned
            pending = still
            horizon *= 2
        return [
            (from_ts(res[0]) if res[0] is not None else False, from_ts(res[1]))
            if res
            else (False, False)
            for res in results
        ]

    def _hotrush_working_seconds(self, spans):
        """Working time of this calendar inside many spans at once.

        :param spans: list of ``(start, stop)`` naive UTC datetimes
        :return: list, in the same order, of whole working seconds in ``[start, stop)``
            (0 when ``stop`` is not after ``start``), public holidays excluded
        """
        self.ensure_one()
        if not spans:
            return []
        bounds = [(to_ts(start), to_ts(stop)) for start, stop in spans]
        window_start = min(start for start, _stop in bounds) - DAY
        window_stop = max(stop for _start, stop in bounds) + DAY
        timeline = self._hotrush_timeline(window_start, window_stop)
        return [
            max(timeline.position(stop) - timeline.position(start), 0)
            for start, stop in bounds
        ]

    def _hotrush_timeline(self, window_start, window_stop):
        """Working time of this calendar in [window_start, window_stop) (POSIX seconds)."""
        self.ensure_one()
        data = self._hotrush_data()
        work = self._hotrush_attendance_intervals(window_start, window_stop, data)
        leaves = self._hotrush_leave_intervals(window_start, window_stop, data)
        return Timeline([(a, b) for a, b, _items in (work - leaves)])

    # ------------------------------------------------------------------
    # Calendar data, cached per worker
    # ------------------------------------------------------------------

    def _hotrush_data(self):
        """Time zone, working attendances and public holidays of this calendar.

        A stored calendar's are read once per worker and kept until the calendar,
        its attendances or the global leaves change (every worker is told); an unsaved
        calendar's (a form being edited) are read each time. Do not modify the result.

        :return: dict with ``tz`` (name), ``per_day`` (see
            ``_hotrush_attendances_per_day``) and ``holidays`` (sorted
            ``(start, stop)`` UTC seconds of the global leaves)
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
        return {
            "tz": self.tz or "UTC",
            "per_day": self._hotrush_attendances_per_day(),
            "holidays": self._hotrush_holidays(),
        }

    @api.model
    def _hotrush_clear_data_cache(self):
        self.env.registry.clear_cache()

    def _hotrush_zone(self):
        """The calendar's time zone name (cached with its working time)."""
        return self._hotrush_data()["tz"]

    def _hotrush_attendance_intervals(self, window_start, window_stop, data):
        """Attendances expanded to UTC seconds over the window, as merged ``Intervals``."""
        clock = WallClock(data["tz"])
        per_day = data["per_day"]
        first = (from_ts(window_start) - timedelta(days=1)).date()
        last = (from_ts(window_stop) + timedelta(days=1)).date()
        items = []
        empty = frozenset()
        for n in range((last - first).days + 1):
            day = first + timedelta(days=n)
            week_type = self.env["resource.calendar.attendance"].get_week_type(day)
            hours = per_day.get((day.weekday(), week_type))
            if not hours:
                continue
            midnight = (day - date(1970, 1, 1)).days * DAY  # wall seconds of 00:00
            lo = midnight - OFFSET_MARGIN_BEFORE
            hi = midnight + DAY + OFFSET_MARGIN_AFTER
            for seg_start, seg_stop, offset in clock.segments(lo, hi):
                for hour_from, hour_to in hours:
                    start = max(seg_start, midnight + hour_from - offset, window_start)
                    stop = min(seg_stop, midnight + hour_to - offset, window_stop)
                    if start < stop:
                        items.append((start, stop, empty))
        return Intervals(items)

    def _hotrush_attendances_per_day(self):
        """{(weekday, week_type): [(from, to) in seconds]} of the working attendances."""
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
        per_day = {}
        week_types = (0, 1)
        for attendance in attendances:
            span = (
                round(attendance.hour_from * 3600),
                round(attendance.hour_to * 3600),
            )
            if self.two_weeks_calendar:
                keys = [(int(attendance.dayofweek), int(attendance.week_type))]
            else:
                keys = [(int(attendance.dayofweek), w) for w in week_types]
            for key in keys:
                per_day.setdefault(key, []).append(span)
        return per_day

    def _hotrush_holidays(self):
        """Global leaves (public holidays) of this calendar: sorted ``(start, stop)``
        UTC seconds. The leaves Odoo's ``_leave_intervals_batch`` subtracts for a
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
        return tuple(
            sorted((to_ts(leave.date_from), to_ts(leave.date_to)) for leave in leaves)
        )

    def _hotrush_leave_intervals(self, window_start, window_stop, data):
        """The holidays that meet [window_start, window_stop], as ``Intervals``."""
        empty = frozenset()
        return Intervals(
            (max(start, window_start), min(stop, window_stop), empty)
            for start, stop in data["holidays"]
            if start <= window_stop and stop >= window_start
        )

    def _hotrush_working_hours_text(self, tz, start, days=7):
        """The working hours of the coming ``days``, per weekday, in ``tz``.

        e.g. "Mon-Fri 07:00-22:00, Sat-Sun 08:00-16:00" for a Moscow calendar shown
        in Berlin; holidays of that week leave their day out.
        """
        self.ensure_one()
        zone = ZoneInfo(tz or "UTC")
        # whole local days from today, so each weekday shows its full hours once
        local_start = start.replace(tzinfo=UTC).astimezone(zone)
        midnight = local_start.replace(hour=0, minute=0, second=0, microsecond=0)
        begin = int(midnight.timestamp())
        timeline = self._hotrush_timeline(begin, begin + days * DAY)
        per_day = {}
        for a, b in zip(timeline.starts, timeline.stops, strict=True):
            local_a = datetime.fromtimestamp(a, zone)
            local_b = datetime.fromtimestamp(b, zone)
            end = (
                "24:00"
                if local_b.date() > local_a.date()
                and not (local_b.hour or local_b.minute)
                else local_b.strftime("%H:%M")
            )
            span = f"{local_a.strftime('%H:%M')}-{end}"
            per_day.setdefault(local_a.weekday(), [])
            if span not in per_day[local_a.weekday()]:
                per_day[local_a.weekday()].append(span)
        names = self._hotrush_weekday_names()
        groups = []  # consecutive weekdays with the same hours
        for day in sorted(per_day):
            spans = ", ".join(per_day[day])
            if groups and groups[-1][2] == spans and groups[-1][1] == day - 1:
                groups[-1][1] = day
            else:
                groups.append([day, day, spans])
        parts = []
        for first, last, spans in groups:
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


class Timeline:
    """Sorted disjoint working intervals with cumulative working seconds."""

    def __init__(self, intervals):
        self.starts = [a for a, _b in intervals]
        self.stops = [b for _a, b in intervals]
        lengths = [b - a for a, b in intervals]
        self.cum_end = list(itertools.accumulate(lengths))

    def position(self, instant):
        """Working seconds of the timeline before ``instant`` (POSIX seconds)."""
        i = bisect.bisect_right(self.stops, instant)  # first interval ending after it
        if i >= len(self.starts):
            return self.cum_end[-1] if self.cum_end else 0
        return self.cum_end[i] - (self.stops[i] - max(self.starts[i], instant))

    def plan(self, start, seconds):
        """(opening or None, deadline) in POSIX seconds, or None if beyond the window."""
        i = bisect.bisect_right(self.stops, start)  # first interval ending after start
        if i >= len(self.starts):
            return None
        if self.starts[i] <= start:
            opening = None
            position = self.cum_end[i] - (self.stops[i] - start)
        else:
            opening = self.starts[i]
            position = self.cum_end[i] - (self.stops[i] - self.starts[i])
        if not seconds:
            return opening, opening if opening is not None else start
        target = position + seconds
        k = bisect.bisect_left(self.cum_end, target)
        if k >= len(self.starts):
            return None  # beyond the window: planned again with a larger one
        deadline = self.stops[k] - (self.cum_end[k] - target)
        return opening, deadline
