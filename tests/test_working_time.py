"""The working-time arithmetic of hotrush_priority, without Odoo and without a database.

``hotrush_priority/models/working_time.py`` is loaded from its file, outside the addon
package, so nothing of Odoo is imported on its behalf: the planner and the working-seconds
count are checked on plain data against a naive reference that walks one minute at a time
and asks the wall clock (zoneinfo) whether that minute is worked.

Attendances start and end on whole minutes, holidays too, and every zone used has offsets
in whole minutes, so a minute is either wholly working or wholly not. The zones include
DST of one hour and of half an hour, offsets of 45 and 30 minutes, and the requests start
around each zone's own DST changes.
"""

import ast
import importlib.util
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

MODULE_PATH = (
    Path(__file__).resolve().parent.parent / "hotrush_priority/models/working_time.py"
)


def load_working_time():
    """The module as its own top-level module, not as part of the Odoo addon."""
    spec = importlib.util.spec_from_file_location("hotrush_working_time", MODULE_PATH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


wt = load_working_time()

ZONES = [
    "Europe/Moscow",  # DST until 2011
    "America/New_York",
    "Australia/Lord_Howe",  # DST of 30 minutes
    "Asia/Kathmandu",  # +05:45
    "Pacific/Chatham",  # +12:45 / +13:45
    "America/St_Johns",  # -03:30 with DST
    "UTC",
]
YEARS = (2010, 2011, 2026)
EXAMPLES = 2000
# The reference gives up after this long; the planner reaches further.
HORIZON = timedelta(days=60)


def offset_changes(tz, year):
    """The UTC days of ``year`` on which ``tz`` changes its offset."""
    zone = ZoneInfo(tz)
    day = datetime(year, 1, 1, tzinfo=UTC)
    days = []
    while day.year == year:
        following = day + timedelta(days=1)
        if day.astimezone(zone).utcoffset() != following.astimezone(zone).utcoffset():
            days.append(day.date())
        day = following
    return days


PIVOTS = {
    tz: [date(year, 11, 26) for year in YEARS]  # an ordinary day in every zone
    + [day for year in YEARS for day in offset_changes(tz, year)]
    for tz in ZONES
}


def week_parity(day):
    """Odoo's week type of ``day``: parity of whole weeks since 0001-01-01."""
    return (day.toordinal() - 1) // 7 % 2


class MinuteReference:
    """Working time as a person with a wall clock would count it, minute by minute."""

    def __init__(self, tz, attendances, holidays, two_weeks):
        self.zone = ZoneInfo(tz)
        self.attendances = attendances  # (weekday, from, to, week type), minutes
        self.holidays = holidays
        self.two_weeks = two_weeks
        self.known = {}

    def working(self, minute):
        """Whether the minute starting at ``minute`` (naive UTC) is worked."""
        if minute not in self.known:
            wall = minute.replace(tzinfo=UTC).astimezone(self.zone)
            now = wall.hour * 60 + wall.minute
            self.known[minute] = not any(
                a <= minute < b for a, b in self.holidays
            ) and any(
                weekday == wall.weekday()
                and (not self.two_weeks or week == week_parity(wall.date()))
                and begin <= now < end
                for weekday, begin, end, week in self.attendances
            )
        return self.known[minute]

    def walk(self, start, stop):
        """Every minute met from ``start`` to ``stop``, with its worked seconds in
        [start, stop)."""
        minute = start.replace(second=0)
        while minute < stop:
            if self.working(minute):
                lo, hi = max(minute, start), min(minute + timedelta(minutes=1), stop)
                yield minute, max(int((hi - lo).total_seconds()), 0)
            else:
                yield minute, 0
            minute += timedelta(minutes=1)

    def plan(self, start, seconds):
        """(opening or None, deadline), or None when the horizon is reached first."""
        opening = False  # until the first worked minute tells
        for minute, worked in self.walk(start, start + HORIZON):
            if not worked:
                continue
            if opening is False:
                opening = minute if minute > start else None
            if seconds <= worked:
                return opening, max(minute, start) + timedelta(seconds=seconds)
            seconds -= worked
        return None

    def seconds(self, start, stop):
        """Worked seconds in [start, stop)."""
        return sum(worked for _minute, worked in self.walk(start, stop))


@st.composite
def attendance_days(draw, weekday, week):
    """0 to 2 disjoint attendances of one weekday, on whole minutes, up to 24:00."""
    count = draw(st.integers(0, 2))
    cuts = sorted(
        draw(
            st.lists(
                st.integers(0, 24 * 60),
                min_size=2 * count,
                max_size=2 * count,
                unique=True,
            )
        )
    )
    return [(weekday, cuts[i], cuts[i + 1], week) for i in range(0, len(cuts), 2)]


@st.composite
def calendars(draw):
    """(tz, attendances, holidays, two_weeks, pivot) of one calendar."""
    tz = draw(st.sampled_from(ZONES))
    two_weeks = draw(st.booleans())
    weeks = (0, 1) if two_weeks else (draw(st.integers(0, 1)),)
    days = {(weekday, week): [] for weekday in range(7) for week in weeks}
    for weekday, week in days:
        days[weekday, week] = draw(attendance_days(weekday, week))
    if draw(st.booleans()):  # a stretch over midnight: until 24:00, then from 00:00
        weekday, week = draw(st.sampled_from(sorted(days)))
        days[weekday, week] = [(weekday, draw(st.integers(0, 1439)), 1440, week)]
        after = ((weekday + 1) % 7, week)
        days[after] = [(after[0], 0, draw(st.integers(1, 1440)), week)]
    attendances = [attendance for spans in days.values() for attendance in spans]
    pivot = datetime.combine(draw(st.sampled_from(PIVOTS[tz])), datetime.min.time())
    holidays = []
    for _n in range(draw(st.integers(0, 3))):
        begin = pivot + timedelta(minutes=draw(st.integers(-3 * 1440, 8 * 1440)))
        length = timedelta(minutes=draw(st.integers(1, 4 * 1440)))
        holidays.append((begin, begin + length))
    return tz, attendances, holidays, two_weeks, pivot


@st.composite
def with_requests(draw, amounts):
    """A calendar and 1 to 4 ``(instant, amount)`` handled on it together, each
    instant a whole second within three days of the calendar's pivot."""
    calendar = draw(calendars())
    pivot = calendar[-1]
    instants = st.integers(-3 * 86400, 4 * 86400 - 1).map(
        lambda offset: pivot + timedelta(seconds=offset)
    )
    requests = draw(st.lists(st.tuples(instants, amounts), min_size=1, max_size=4))
    return calendar, requests


def schedule_of(tz, attendances, holidays, two_weeks):
    hours = [(day, a / 60, b / 60, week) for day, a, b, week in attendances]
    return wt.Schedule(tz, hours, holidays, two_weeks=two_weeks)


def examples(count=EXAMPLES):
    return settings(
        max_examples=count,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


@examples()
@given(with_requests(st.integers(0, 10 * 3600)))
def test_plan_matches_minute_reference(planning):
    (tz, attendances, holidays, two_weeks, _pivot), requests = planning
    schedule = schedule_of(tz, attendances, holidays, two_weeks)
    planned = wt.plan(
        [(start, seconds / 3600) for start, seconds in requests], schedule.timeline
    )
    reference = MinuteReference(tz, attendances, holidays, two_weeks)
    for (start, seconds), (opening, deadline) in zip(requests, planned, strict=True):
        expected = reference.plan(start, seconds)
        if expected is None:
            # nothing within the reference's horizon: the planner must not invent time
            assert deadline is False or deadline >= start + HORIZON, (start, seconds)
            continue
        assert (opening or None, deadline) == expected, (start, seconds)


@examples()
@given(with_requests(st.integers(-3600, 4 * 86400)))
def test_working_seconds_match_minute_reference(case):
    (tz, attendances, holidays, two_weeks, _pivot), spans = case
    schedule = schedule_of(tz, attendances, holidays, two_weeks)
    spans = [(start, start + timedelta(seconds=length)) for start, length in spans]
    reference = MinuteReference(tz, attendances, holidays, two_weeks)
    assert wt.working_seconds(spans, schedule.timeline) == [
        reference.seconds(start, stop) for start, stop in spans
    ]


def test_dst_days_follow_the_wall_clock():
    """01:00-03:00 on Sundays in New York: a repeated hour is worked twice, a skipped
    hour not at all."""
    schedule = wt.Schedule("America/New_York", [(6, 1.0, 3.0, 0)])
    sundays = [datetime(2026, 3, 8), datetime(2026, 11, 1), datetime(2026, 11, 8)]
    worked = wt.working_seconds(
        [(day, day + timedelta(days=2)) for day in sundays], schedule.timeline
    )
    assert worked == [3600, 3 * 3600, 2 * 3600]


def test_module_imports_no_odoo():
    """The module stays free of the ORM: it imports only the standard library."""
    tree = ast.parse(MODULE_PATH.read_text())
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, "relative import"
            imported.add(node.module.split(".")[0])
    assert imported <= sys.stdlib_module_names, imported - sys.stdlib_module_names
    assert not [
        name
        for name, value in vars(wt).items()
        if getattr(value, "__name__", "").split(".")[0] == "odoo"
        or getattr(value, "__module__", "").split(".")[0] == "odoo"
    ]


def test_module_loads_where_odoo_cannot_be_imported():
    """A fresh interpreter that refuses any ``odoo`` import still plans with it."""
    script = f"""
import importlib.abc, importlib.util, sys
from datetime import datetime

class NoOdoo(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] == "odoo":
            raise ImportError("odoo is not importable here")

sys.meta_path.insert(0, NoOdoo())
spec = importlib.util.spec_from_file_location("working_time", {str(MODULE_PATH)!r})
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
schedule = module.Schedule("Asia/Kathmandu", [(0, 9.0, 17.0, 0)])
[(opening, deadline)] = module.plan([(datetime(2026, 11, 27), 1.0)], schedule.timeline)
assert (opening, deadline) == (datetime(2026, 11, 30, 3, 15), datetime(2026, 11, 30, 4, 15))
assert not [name for name in sys.modules if name.split(".")[0] == "odoo"]
"""
    subprocess.run([sys.executable, "-c", script], check=True, timeout=60)
