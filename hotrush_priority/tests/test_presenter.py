# Copyright 2026 hotrush_priority contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The portal's presenter on its own: facts the pages may hand it incomplete (no
deadline yet, a status it does not know, text with markup in it) and times in a zone
that changes its clock (HR-62, HR-82)."""

from datetime import datetime, timedelta
from types import SimpleNamespace

from freezegun import freeze_time

from odoo.tests import tagged
from odoo.tools import format_amount, format_date

from ..portal import Presenter
from .common import HotrushCase, local_to_utc, make_calendar

BERLIN = "Europe/Berlin"
# Sun 2026-03-29: Berlin's clocks go from 02:00 (CET) to 03:00 (CEST)
DST_DAY = datetime(2026, 3, 29, 12, 0)


def facts(**values):
    """A ticket's facts as the presenter reads them, HotRush running by default."""
    return SimpleNamespace(
        **{
            "hotrush": True,
            "hotrush_end_action": False,
            "hotrush_sla_status": "running",
            "hotrush_deadline": False,
            "hotrush_queued_until": False,
            "hotrush_first_response_at": False,
            **values,
        }
    )


@tagged("post_install", "-at_install")
class TestPresenter(HotrushCase):
    def setUp(self):
        super().setUp()
        self.words = Presenter(self.env, BERLIN)

    # Missing facts

    def test_missing_deadline(self):
        self.assertEqual(self.words.time(False), "")
        self.assertEqual(self.words.time(None), "")
        status = self.words.status(facts())
        self.assertEqual(status["kind"], "waiting")
        self.assertEqual(status["text"], "Waiting for an engineer – answer by ")
        self.assertEqual(status["colour"], "text-bg-warning")
        # no deadline to keep: no hours for a live chat
        self.assertFalse(self.words.chat_hint(False, "Mon-Fri 09:00-18:00"))
        ticket = self._create_ticket()
        self.assertFalse(ticket.hotrush_deadline)
        self.assertFalse(self.words.ticket_chat_hint(ticket))
        self.assertEqual(self.words.notice_time(ticket, False), "")
        # a calendar without working hours: nothing can be promised
        self.assertEqual(
            self.words.when_text(self.calendar, DST_DAY, False, False),
            "Support has no working hours planned in the coming weeks: a request "
            "sent now cannot be answered in time.",
        )

    def test_never_requested(self):
        ticket = self._create_ticket()
        self.assertIsNone(self.words.status(ticket))
        self.assertIsNone(self.words.card(ticket))
        self.assertEqual(self.words.history(ticket), [])
        self.assertIsNone(self.words.status(facts(hotrush=False)))

    def test_unknown_status(self):
        """A status the presenter does not know reads as waiting, in the grey of
        no known kind; an unknown removal reason as support's removal."""
        status = self.words.status(facts(hotrush_sla_status="bogus"))
        self.assertEqual(status["kind"], "waiting")
        self.assertEqual(self.words.status_colour("bogus"), "text-bg-secondary")
        self.assertEqual(self.words.status_colour(None), "text-bg-secondary")
        ticket = self._create_ticket()
        self.assertEqual(
            self.words.reason_text(ticket, "bogus"),
            "Our support team removed the HotRush priority from your ticket.",
        )
        self.assertEqual(
            self.words.reason_text(ticket, False),
            "Our support team removed the HotRush priority from your ticket.",
        )
        self.assertEqual(self.words.details(ticket, "bogus"), [])

    def test_each_kind_has_its_colour(self):
        late = self.words.status(
            facts(hotrush_sla_status="breached", hotrush_deadline=DST_DAY)
        )
        self.assertEqual((late["kind"], late["colour"]), ("late", "text-bg-danger"))
        ended = self.words.status(facts(hotrush=False, hotrush_end_action="uncheck"))
        self.assertEqual(
            (ended["kind"], ended["colour"]), ("ended", "text-bg-secondary")
        )
        with freeze_time(DST_DAY):
            met = self.words.status(
                facts(hotrush_sla_status="met", hotrush_first_response_at=DST_DAY)
            )
        self.assertEqual((met["kind"], met["colour"]), ("answered", "text-bg-success"))

    # A zone with daylight saving time

    def test_time_across_the_clock_change(self):
        before = local_to_utc(BERLIN, 2026, 3, 29, 1, 30)  # CET, 00:30 UTC
        after = local_to_utc(BERLIN, 2026, 3, 29, 3, 30)  # CEST, 01:30 UTC
        self.assertEqual(after - before, timedelta(hours=1))
        with freeze_time(DST_DAY):
            # on the reader's today: the time alone, on the wall clock
            self.assertRegex(self.words.time(before), r"^1:30\sAM$")
            self.assertRegex(self.words.time(after), r"^3:30\sAM$")
        with freeze_time(datetime(2026, 3, 30, 12, 0)):
            # another day: the date too
            self.assertRegex(self.words.time(after), r"^3/29/26, 3:30\sAM$")
        # the same moment in Moscow (no daylight saving time)
        with freeze_time(DST_DAY):
            self.assertRegex(
                Presenter(self.env, "Europe/Moscow").time(after), r"^4:30\sAM$"
            )

    def test_whole_day_closure_on_the_short_day(self):
        """A holiday from midnight to midnight in Berlin lasts 23 hours on the day
        the clocks change: it is still told as that one day."""
        start = local_to_utc(BERLIN, 2026, 3, 29, 0, 0)
        stop = local_to_utc(BERLIN, 2026, 3, 30, 0, 0)
        self.assertEqual((stop - start).total_seconds(), 23 * 3600)
        day = format_date(self.env, datetime(2026, 3, 29).date())
        self.assertEqual(
            self.words.closure_text("Holiday", start, stop), f"Holiday on {day}"
        )
        # the same moments in Moscow are not whole days there
        self.assertIn(
            " to ", Presenter(self.env, "Europe/Moscow").closure_text("H", start, stop)
        )

    def test_working_hours_in_the_reader_zone(self):
        calendar = make_calendar(
            self.env, "Berlin hours", BERLIN, [(day, 9.0, 17.0) for day in range(5)]
        )
        # the week after the clock change: Berlin at +2, Moscow at +3
        now = datetime(2026, 3, 30, 6, 0)
        self.assertEqual(
            calendar._hotrush_working_hours_text("Europe/Moscow", now),
            "Mon-Fri 10:00-18:00",
        )
        html = str(self.words.unbroken("Mon-Fri 09:00-17:00; Sat <b>10:00</b>"))
        self.assertEqual(
            html,
            '<span class="text-nowrap">Mon-Fri 09:00-17:00</span>; '
            '<span class="text-nowrap">Sat &lt;b&gt;10:00&lt;/b&gt;</span>',
        )

    # Money and the rate

    def test_money_whole_and_cents(self):
        currency = self.env.company.currency_id
        self.assertEqual(
            self.words.money(160.0, currency),
            format_amount(self.env, 160.0, currency, trailing_zeroes=False),
        )
        self.assertEqual(
            self.words.money(80.5, currency),
            format_amount(self.env, 80.5, currency, trailing_zeroes=True),
        )
        # a price of a team without support product: the multiplier alone
        ticket = self._create_ticket()
        self.company.hotrush_rate_multiplier = 1.5
        self.assertEqual(self.words.rates(ticket), (None, None))
        self.assertEqual(
            self.words.notice_price(ticket), "1.50 times the normal support rate"
        )
