# Copyright 2026 hotrush_priority contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The words the customer's notices (HR-81) take from the ticket: times, working
hours and the price, in the customer's language and zone (``Presenter.for_notice``).
The mail templates reach them through the ticket's ``_hotrush_notice_*`` methods,
which the templates of installed databases call by name."""

from odoo import fields
from odoo.tools import formatLang


class NoticeWords:
    """Part of ``Presenter``: ``self.env``, ``self.tz``, ``self.rates``."""

    def notice_time(self, ticket, value):
        """``value`` (UTC) as the notice tells it: the date, the time and the zone."""
        if not value:
            return ""
        return ticket._hotrush_format(value, tz=self.tz)

    def notice_hours(self, ticket):
        """Support's working hours of the coming week in the reader's zone."""
        calendar = ticket._get_hotrush_calendar()
        if not calendar:
            return ""
        return calendar._hotrush_working_hours_text(self.tz, fields.Datetime.now())

    def notice_price(self, ticket):
        """The HotRush price in money when the team bills a support hour, e.g.
        "$ 160/h instead of $ 80/h (2 times the normal support rate)", else the
        multiplier alone: "2 times the normal support rate"."""
        times = self.env._(
            "%(rate)s times the normal support rate", rate=self.notice_rate(ticket)
        )
        normal, rush = self.rates(ticket)
        if not normal:
            return times
        return self.env._(
            "%(rush)s/h instead of %(normal)s/h (%(times)s)",
            rush=rush,
            normal=normal,
            times=times,
        )

    def notice_rate(self, ticket):
        """The HotRush rate multiplier as a number in the reader's language, e.g.
        "2" or "1.50"."""
        rate = (ticket.company_id or self.env.company).hotrush_rate_multiplier
        digits = 0 if rate == int(rate) else 2
        return formatLang(self.env, rate, digits=digits)
