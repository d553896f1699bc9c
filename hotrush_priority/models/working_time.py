# Copyright 2026 hotrush_priority contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Working-time arithmetic of HotRush deadlines, on plain data and without the ORM.

Many (start, hours) requests are planned on one calendar with a single set of working
intervals: attendances expanded once over the window that covers every request, minus the
calendar's global leaves (public holidays), then a cumulative sum of working seconds so
each request is answered with two binary searches.

Attendances are wall-clock times in the calendar's time zone. An instant is working time
when its wall-clock time lies inside an attendance of its local day, so on DST days the
working intervals follow the clock: a skipped hour does not exist, a repeated hour is
worked twice. Everything is computed in whole POSIX seconds, which also keeps an
attendance ending at 24:00 free of sub-second artefacts.

The calendar model reads and caches the data (``Schedule``); everything here can be
checked without a database against a naive reference.
"""

import bisect
import itertools
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

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


def week_type(day):
    """Parity of ``day``'s week, as ``resource.calendar.attendance.get_week_type``
    counts it, so a two-week calendar alternates on the same weeks as in Odoo."""
    return (day.toordinal() - 1) // 7 % 2


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


# ----------------------------------------------------------------------
# Intervals: sorted (start, stop) pairs of POSIX seconds
# ----------------------------------------------------------------------


def merge(intervals):
    """Sorted disjoint union, empty pieces dropped and touching ones joined, so a day
    worked until 24:00 and the next from 00:00 read as one stretch."""
    merged = []
    for start, stop in sorted(i for i in intervals if i[0] < i[1]):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], stop))
        else:
            merged.append((start, stop))
    return merged


def subtract(work, leaves):
    """``work`` minus ``leaves``, both as ``merge`` returns them: one pass over the two,
    as holidays are few and sorted."""
    result = []
    j = 0
    for start, stop in work:
        while j < len(leaves) and leaves[j][1] <= start:
            j += 1
        cursor, k = start, j
        while k < len(leaves) and leaves[k][0] < stop:
            if leaves[k][0] > cursor:
                result.append((cursor, leaves[k][0]))
            cursor = max(cursor, leaves[k][1])
            k += 1
        if cursor < stop:
            result.append((cursor, stop))
    return result


def attendances_per_day(attendances, two_weeks=False):
    """{(weekday, week_type): [(from, to) seconds after local midnight]}.

    A one-week calendar gets the same hours under both week types, so the expansion looks
    every day up the same way; whole seconds keep 24:00 exactly on the next midnight.

    :param attendances: ``(weekday, hour_from, hour_to, week_type)``, hours as floats,
        weekday 0 for Monday; ``week_type`` (0 or 1) counts only when ``two_weeks``
    """
    per_day = {}
    for weekday, hour_from, hour_to, week in attendances:
        span = (round(hour_from * 3600), round(hour_to * 3600))
        for key in [(weekday, week)] if two_weeks else [(weekday, 0), (weekday, 1)]:
            per_day.setdefault(key, []).append(span)
    return per_day


def attendance_intervals(tz, per_day, window_start, window_stop):
    """Attendances of the local days around the window, in UTC seconds within it.

    Each local day is placed with the offsets in force on it (found per constant-offset
    piece), which is what makes DST days follow the wall clock.
    """
    clock = WallClock(tz)
    first = (from_ts(window_start) - timedelta(days=1)).date()
    last = (from_ts(window_stop) + timedelta(days=1)).date()
    items = []
    for n in range((last - first).days + 1):
        day = first + timedelta(days=n)
        hours = per_day.get((day.weekday(), week_type(day)))
        if not hours:
            continue
        midnight = (day - date(1970, 1, 1)).days * DAY  # wall seconds of 00:00
        lo = midnight - OFFSET_MARGIN_BEFORE
        hi = midnight + DAY + OFFSET_MARGIN_AFTER
        for seg_start, seg_stop, offset in clock.segments(lo, hi):
            for hour_from, hour_to in hours:
                start = max(seg_start, midnight + hour_from - offset, window_start)
                stop = min(seg_stop, midnight + hour_to - offset, window_stop)
                items.append((start, stop))
    return merge(items)


def holiday_intervals(holidays, window_start, window_stop):
    """The holidays that meet the window, clipped to it: the rest cannot matter."""
    return merge(
        (max(start, window_start), min(stop, window_stop))
        for start, stop in holidays
        if start <= window_stop and stop >= window_start
    )


class Timeline:
    """Sorted disjoint working intervals with cumulative working seconds."""

    def __init__(self, intervals):
        self.starts = [a for a, _b in intervals]
        self.stops = [b for _a, b in intervals]
        lengths = [b - a for a, b in intervals]
        self.cum_end = list(itertools.accumulate(lengths))

    def __iter__(self):
        return zip(self.starts, self.stops, strict=True)

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


class Schedule:
    """One calendar's working time as plain data: built once from what the calendar
    stores, kept between plannings, read by any number of them. Do not modify it.

    :param tz: time zone name of the attendances (UTC when empty)
    :param attendances: see ``attendances_per_day``
    :param holidays: ``(start, stop)`` naive UTC datetimes of the public holidays
    :param two_weeks: whether the attendances alternate by ``week_type``
    """

    __slots__ = ("holidays", "per_day", "tz")

    def __init__(self, tz, attendances, holidays=(), two_weeks=False):
        self.tz = tz or "UTC"
        self.per_day = attendances_per_day(attendances, two_weeks)
        self.holidays = tuple(sorted((to_ts(a), to_ts(b)) for a, b in holidays))

    def timeline(self, window_start, window_stop):
        """Working time in [window_start, window_stop) (POSIX seconds)."""
        work = attendance_intervals(self.tz, self.per_day, window_start, window_stop)
        leaves = holiday_intervals(self.holidays, window_start, window_stop)
        return Timeline(subtract(work, leaves))


# ----------------------------------------------------------------------
# Batch API: many requests, one expansion of the working time
# ----------------------------------------------------------------------


def plan(requests, timeline_of):
    """Plan many ``(start, hours)`` requests on one calendar at once.

    The working time is expanded once over the window covering every request; only the
    requests it cannot serve (a long holiday, sparse hours) are planned again over a
    window twice as long, up to ``MAX_HORIZON_DAYS``. ``timeline_of(window_start,
    window_stop)`` gives that working time (e.g. ``Schedule.timeline``), so the caller
    decides where the calendar's data comes from.

    :param requests: list of ``(start, hours)``, ``start`` a naive UTC datetime
    :return: list, in the same order, of ``(opening, deadline)`` naive UTC datetimes
        with whole seconds; ``opening`` is the start of the working time when
        ``start`` is outside it (the request is queued until then), else ``False``;
        both are ``False`` when there is no working time in reach.
    """
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
        timeline = timeline_of(window_start, window_stop)
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


def working_seconds(spans, timeline_of):
    """Working seconds inside many ``(start, stop)`` spans, from one expansion.

    :param spans: list of ``(start, stop)`` naive UTC datetimes
    :param timeline_of: as for ``plan``
    :return: list, in the same order, of whole working seconds in ``[start, stop)``
        (0 when ``stop`` is not after ``start``)
    """
    if not spans:
        return []
    bounds = [(to_ts(start), to_ts(stop)) for start, stop in spans]
    window_start = min(start for start, _stop in bounds) - DAY
    window_stop = max(stop for _start, stop in bounds) + DAY
    timeline = timeline_of(window_start, window_stop)
    return [
        max(timeline.position(stop) - timeline.position(start), 0)
        for start, stop in bounds
    ]


# ----------------------------------------------------------------------
# Display
# ----------------------------------------------------------------------


def local_midnight(instant, tz):
    """POSIX seconds of 00:00 of the local day of ``instant`` (naive UTC) in ``tz``:
    a week shown from there lists each weekday's full hours once."""
    local = instant.replace(tzinfo=UTC).astimezone(ZoneInfo(tz or "UTC"))
    return int(local.replace(hour=0, minute=0, second=0, microsecond=0).timestamp())


def weekly_hours(intervals, tz):
    """Working intervals as wall-clock hours in ``tz``, grouped for reading.

    A stretch ending at midnight shows 24:00 so its day reads whole; consecutive weekdays
    with the same hours form one group, as people write opening hours.

    :param intervals: ``(start, stop)`` POSIX seconds, e.g. a ``Timeline``
    :return: ``[(first_weekday, last_weekday, "07:00-12:00, 13:00-22:00")]``
    """
    zone = ZoneInfo(tz or "UTC")
    per_day = {}
    for a, b in intervals:
        local_a = datetime.fromtimestamp(a, zone)
        local_b = datetime.fromtimestamp(b, zone)
        end = (
            "24:00"
            if local_b.date() > local_a.date() and not (local_b.hour or local_b.minute)
            else local_b.strftime("%H:%M")
        )
        span = f"{local_a.strftime('%H:%M')}-{end}"
        spans = per_day.setdefault(local_a.weekday(), [])
        if span not in spans:
            spans.append(span)
    groups = []
    for day in sorted(per_day):
        spans = ", ".join(per_day[day])
        if groups and groups[-1][2] == spans and groups[-1][1] == day - 1:
            groups[-1][1] = day
        else:
            groups.append([day, day, spans])
    return [tuple(group) for group in groups]
