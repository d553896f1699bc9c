# Copyright 2026 hotrush_priority contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The deadline planner against a deliberately naive minute-by-minute reference.

The reference knows nothing of intervals: it walks forward one minute at a time, asks
whether the wall-clock time of that minute (in the calendar's zone, via zoneinfo) lies in
an attendance of its weekday and outside every holiday, and counts working seconds until
the target is used up. Attendances start and end on quarter hours and holidays on whole
minutes, and every zone used has offsets in whole minutes, so a minute is either wholly
working or wholly not.

The arithmetic itself is checked on many more examples, without a database, by the
project's tests/test_working_time.py; here the planner runs on calendars, attendances
and leaves stored through the ORM, so what the calendar reads is checked too.
"""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from odoo.tests import tagged

from .common import HotrushCase, make_calendar

UTC = ZoneInfo("UTC")
ZONES = [
    "Europe/Moscow",
    "America/New_York",
    "Australia/Lord_Howe",
    "Asia/Kathmandu",
    "UTC",
]
# Dates around DST changes of these zones (and ordinary ones), to stress transitions.
PIVOTS = [
    date(2010, 3, 28),
    date(2010, 10, 31),
    date(2010, 3, 14),
    date(2010, 11, 7),
    date(2010, 4, 4),
    date(2010, 10, 3),
    date(2026, 3, 8),
    date(2026, 11, 1),
    date(2026, 4, 5),
    date(2026, 10, 4),
    date(2026, 3, 29),
    date(2026, 10, 25),
    date(2026, 11, 26),
    date(2011, 3, 27),
]
HORIZON = timedelta(days=60)


def quarter_hours(low, high):
    return st.integers(low * 4, high * 4).map(lambda q: q / 4)


@st.composite
def day_spans(draw):
    """0 to 2 disjoint attendances of one day, ends up to 24:00."""
    count = draw(st.integers(0, 2))
    cuts = sorted(
        draw(
            st.lists(
                quarter_hours(0, 24),
                min_size=2 * count,
                max_size=2 * count,
                unique=True,
            )
        )
    )
    return [(cuts[i], cuts[i + 1]) for i in range(0, len(cuts), 2)]


@st.composite
def scenarios(draw):
    tz = draw(st.sampled_from(ZONES))
    week = [draw(day_spans()) for _day in range(7)]
    if draw(st.booleans()):  # often a long day ending at 24:00
        day = draw(st.integers(0, 6))
        week[day] = [(draw(quarter_hours(0, 23)), 24.0)]
        week[(day + 1) % 7] = [(0.0, draw(quarter_hours(1, 24)))]
    pivot = draw(st.sampled_from(PIVOTS))
    start = datetime.combine(pivot, datetime.min.time()) + timedelta(
        days=draw(st.integers(-3, 3)),
        minutes=draw(st.integers(0, 24 * 60 - 1)),
        seconds=draw(st.integers(0, 59)),
    )
    holidays = []
    for _n in range(draw(st.integers(0, 2))):
        begin = start + timedelta(minutes=draw(st.integers(-2 * 1440, 6 * 1440)))
        begin = begin.replace(second=0)
        holidays.append(
            (begin, begin + timedelta(minutes=draw(st.integers(1, 3 * 1440))))
        )
    hours = draw(quarter_hours(0, 10))
    return tz, week, holidays, start, hours


def reference_deadline(tz, week, holidays, start, hours):
    """(opening, deadline) by walking minutes; (None, None) when beyond the horizon."""
    zone = ZoneInfo(tz)

    def working(minute):
        if any(a <= minute < b for a, b in holidays):
            return False
        wall = minute.replace(tzinfo=UTC).astimezone(zone)
        clock = wall.hour + wall.minute / 60
        return any(a <= clock < b for a, b in week[wall.weekday()])

    remaining = round(hours * 3600)
    minute = start.replace(second=0)
    offset = start.second  # seconds of the first minute already gone
    opening = None
    started = False
    while minute < start + HORIZON:
        if working(minute):
            if not started:
                started = True
                if minute + timedelta(seconds=offset) > start:
                    opening = minute
            available = 60 - offset
            if remaining <= available:
                return opening, minute + timedelta(seconds=offset + remaining)
            remaining -= available
        minute += timedelta(minutes=1)
        offset = 0
    return None, None


@tagged("post_install", "-at_install")
class TestDeadlineProperty(HotrushCase):
    @settings(
        max_examples=300,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(scenarios())
    def test_planner_matches_minute_reference(self, scenario):
        tz, week, holidays, start, hours = scenario
        hours_list = [(day, a, b) for day, spans in enumerate(week) for a, b in spans]
        calendar = make_calendar(self.env, "Random", tz, hours_list)
        if holidays:
            self.env["resource.calendar.leaves"].create(
                [
                    {
                        "name": "Holiday",
                        "calendar_id": calendar.id,
                        "date_from": a,
                        "date_to": b,
                    }
                    for a, b in holidays
                ]
            )
        expected_opening, expected_deadline = reference_deadline(
            tz, week, holidays, start, hours
        )
        [(opening, deadline)] = calendar._hotrush_plan([(start, hours)])
        if expected_deadline is None:
            # nothing within the reference's horizon: the planner must not invent time
            self.assertTrue(deadline is False or deadline >= start + HORIZON)
            return
        self.assertEqual(deadline, expected_deadline, scenario)
        self.assertEqual(opening or None, expected_opening, scenario)
