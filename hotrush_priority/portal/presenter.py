# Copyright 2026 hotrush_priority contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""What the customer reads of HotRush (HR-62, HR-81, HR-82): the presenter turns the
facts the models give (times, amounts, statuses, reasons) and the customer's language
and time zone into the words, colours, confirmations and prices of the portal's pages
and of the notices.

Plain Python over records: it reads, it never writes. The controllers make one per
request and hand it (or what it says) to the templates; the notices' templates reach
it through the ticket's ``_hotrush_notice_*`` methods.

The words of each page live in their own module: ``ticket_page`` (the HotRush card,
its history, what an action tells), ``prices`` (the confirmation of an action that
changes the price, stated in money), ``promise`` (what the new-ticket form promises for
a team), ``notice`` (the notices' times and prices).
"""

from markupsafe import Markup

from odoo import fields
from odoo.tools import format_amount, format_datetime, format_time

from .notice import NoticeWords
from .prices import PriceWords
from .promise import PromiseWords
from .ticket_page import TicketPageWords

# the colour of each kind of status: amber while waiting, green when answered in
# time, red when late, grey once HotRush ended (their shades in hotrush_portal.scss
# keep a contrast of 4.5:1)
STATUS_COLOURS = {
    "waiting": "text-bg-warning",
    "answered": "text-bg-success",
    "late": "text-bg-danger",
    "ended": "text-bg-secondary",
}


class Presenter(TicketPageWords, PriceWords, PromiseWords, NoticeWords):
    """The words of HotRush for one reader: ``env`` carries their language (and the
    rights the records are read with), ``tz`` is the zone every time is told in."""

    def __init__(self, env, tz):
        self.env = env
        self.tz = tz or "UTC"

    @classmethod
    def for_notice(cls, ticket):
        """The words of ``ticket``'s notices: its customer's zone, else the support
        calendar's."""
        return cls(ticket.env, ticket._hotrush_notice_tz())

    # ------------------------------------------------------------------
    # Times, money, lines that do not break
    # ------------------------------------------------------------------

    def time(self, value):
        """A moment to the minute in the reader's zone: the time alone on their
        today, else the date and the time (the zone is named once on the page)."""
        if not value:
            return ""
        env, tz = self.env, self.tz
        day = format_datetime(env, value, tz=tz, dt_format="yyyy-MM-dd")
        today = format_datetime(
            env, fields.Datetime.now(), tz=tz, dt_format="yyyy-MM-dd"
        )
        if day == today:
            return format_time(env, value, tz=tz, time_format="short")
        return format_datetime(env, value, tz=tz, dt_format="short")

    def money(self, amount, currency):
        """An amount in ``currency`` as a customer reads it: "$ 160", "$ 80.50"."""
        amount = currency.round(amount)
        whole = currency.is_zero(amount - round(amount))
        return format_amount(self.env, amount, currency, trailing_zeroes=not whole)

    @staticmethod
    def unbroken(text):
        """``text`` as markup whose parts ("Mon-Fri 09:00-18:00" of a "; " list, or
        a time) each stay on one line, however narrow the screen."""
        return Markup("; ").join(
            Markup('<span class="text-nowrap">%s</span>') % part
            for part in (text or "").split("; ")
        )

    @staticmethod
    def status_colour(kind):
        """The Bootstrap classes of a status of ``kind`` (grey for a kind it does
        not know)."""
        return STATUS_COLOURS.get(kind, STATUS_COLOURS["ended"])
