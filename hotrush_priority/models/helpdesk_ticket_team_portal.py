# Copyright 2026 hotrush_priority contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""What the portal's new-ticket form promises for a team and a category (HR-62): the
team's working hours in the customer's zone, its response target, when a request sent
now is answered (or why it waits), the closures ahead and the price in money; or why
HotRush is not offered there and which teams offer it."""

from datetime import time, timedelta

import pytz
from markupsafe import Markup, escape

from odoo import api, models
from odoo.tools import format_amount, format_date, format_datetime

# the closures (public holidays) the form names: those of the coming two weeks
PROMISE_CLOSURE_DAYS = 14
# the example of the price: a ticket of this many billable hours
PROMISE_EXAMPLE_HOURS = 2


class HelpdeskTicketTeam(models.Model):
    _inherit = "helpdesk.ticket.team"

    def _hotrush_portal_promise(self, category, now, tz, offering=None):
        """The HotRush promise of this team for a request sent ``now``.

        :param category: the chosen ``helpdesk.ticket.category`` (may be empty)
        :param now: naive UTC datetime of the request
        :param tz: the customer's time zone, in which every time is told
        :param offering: the teams the customer may choose that offer HotRush, named
            when this team does not (default: none named)
        :return: dict; ``offered`` False with the ``reason``, or ``offered`` True with
            the texts ``target``, ``working_hours``, ``when``, ``closures``, ``price``,
            ``chat_hint``, the markup ``working_hours_html`` (each day's range
            unbroken across lines) and the figures ``hours``, ``opening``, ``deadline``,
            ``unit_price``, ``hotrush_price``, ``multiplier``
        """
        self.ensure_one()
        reason = self._hotrush_portal_refusal(category, offering)
        if reason:
            return {"offered": False, "reason": reason}
        # sudo: the team's calendar, target and support product price are what the
        # support tells every customer; nothing else of the team is read
        team = self.sudo()
        company = team.company_id or self.env.company
        calendar = team._get_hotrush_calendar()
        hours = team._get_hotrush_response_hours()
        [(opening, deadline)] = calendar._hotrush_plan([(now, hours)])
        working_hours = calendar._hotrush_working_hours_text(tz, now)
        promise = {
            "offered": True,
            "reason": False,
            "tz": tz,
            "hours": hours,
            "opening": opening,
            "deadline": deadline,
            "target": self._hotrush_portal_target_text(hours, company),
            "working_hours": working_hours,
            "working_hours_html": self._hotrush_portal_unbroken(working_hours),
            "when": self._hotrush_portal_when_text(
                calendar, now, opening, deadline, tz
            ),
            "closures": self._hotrush_portal_closures_text(calendar, now, tz),
            "chat_hint": self._hotrush_portal_chat_hint(deadline, tz, working_hours),
        }
        promise.update(team._hotrush_portal_price(company))
        return promise

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------

    def _hotrush_portal_refusal(self, category, offering=None):
        """Why a request to this team in ``category`` cannot be HotRush, or False."""
        self.ensure_one()
        if not self.hotrush_offered:
            others = (offering or self.browse()) - self
            if others:
                return self.env._(
                    "HotRush (urgent support) is not offered by %(team)s. It is "
                    "offered by %(teams)s: choose one of them for an urgent request, "
                    "or send this one without HotRush.",
                    team=self.display_name,
                    teams=", ".join(others.mapped("display_name")),
                )
            return self.env._(
                "HotRush (urgent support) is not offered by %(team)s.",
                team=self.display_name,
            )
        return self._hotrush_portal_category_refusal(category)

    @api.model
    def _hotrush_portal_category_refusal(self, category):
        """Why a request in ``category`` cannot be HotRush, or False."""
        if category and category.hotrush_not_eligible:
            return self.env._(
                "HotRush is not available for %(category)s questions. Please send "
                "the ticket without HotRush; it is answered at the normal rate.",
                category=category.display_name,
            )
        return False

    @api.model
    def _hotrush_portal_target_text(self, hours, company):
        minutes = round(hours * 60)
        if minutes % 60:
            target = self.env._("%(minutes)s minutes", minutes=minutes)
        elif minutes == 60:
            target = self.env._("1 hour")
        else:
            target = self.env._("%(hours)s hours", hours=minutes // 60)
        text = self.env._(
            "An engineer answers within %(target)s of support working time.",
            target=target,
        )
        if company.hotrush_grace_minutes:
            text += " " + self.env._(
                "An answer sent in time may take up to %(grace)s more minutes to "
                "reach you by e-mail.",
                grace=company.hotrush_grace_minutes,
            )
        return text

    @api.model
    def _hotrush_portal_when_text(self, calendar, now, opening, deadline, tz):
        """When a request sent now is answered; when it waits, why."""
        Ticket = self.env["helpdesk.ticket"]
        if not deadline:
            return self.env._(
                "Support has no working hours planned in the coming weeks: a request "
                "sent now cannot be answered in time."
            )
        if not opening:
            return self.env._(
                "Support is open now: sent now, your request is answered by "
                "%(deadline)s.",
                deadline=Ticket._hotrush_portal_time(deadline, tz),
            )
        closure = self._hotrush_portal_closures(calendar, now, now)
        why = (
            self.env._("closed for %(closure)s", closure=closure[0][0])
            if closure
            else self.env._("outside its working hours")
        )
        return self.env._(
            "Support is closed now (%(why)s): a request sent now waits until it opens "
            "at %(opening)s and is answered by %(deadline)s.",
            why=why,
            opening=Ticket._hotrush_portal_time(opening, tz),
            deadline=Ticket._hotrush_portal_time(deadline, tz),
        )

    @api.model
    def _hotrush_portal_closures(self, calendar, start, stop):
        """The public holidays of ``calendar`` overlapping ``[start, stop]``:
        ``(name, date_from, date_to)``, the leaves its planner leaves out."""
        calendar_ids = [False, calendar.id] if isinstance(calendar.id, int) else [False]
        # sudo: public holidays are what the support tells every customer
        leaves = (
            self.env["resource.calendar.leaves"]
            .sudo()
            .search_fetch(
                [
                    ("time_type", "=", "leave"),
                    ("calendar_id", "in", calendar_ids),
                    ("resource_id", "=", False),
                    ("company_id", "in", [False, calendar.company_id.id]),
                    ("date_from", "<=", stop),
                    ("date_to", ">", start),
                ],
                ["name", "date_from", "date_to"],
                order="date_from",
            )
        )
        return [(leave.name, leave.date_from, leave.date_to) for leave in leaves]

    @api.model
    def _hotrush_portal_closures_text(self, calendar, now, tz):
        closures = self._hotrush_portal_closures(
            calendar, now, now + timedelta(days=PROMISE_CLOSURE_DAYS)
        )
        if not closures:
            return False
        parts = [
            self._hotrush_portal_closure_text(name, max(start, now), stop, tz)
            for name, start, stop in closures
        ]
        return self.env._("Closed: %(closures)s.", closures="; ".join(parts))

    @api.model
    def _hotrush_portal_closure_text(self, name, start, stop, tz):
        """A closure in ``tz``: its days when it covers whole days, else its times."""
        zone = pytz.timezone(tz)
        first = pytz.utc.localize(start).astimezone(zone)
        end = pytz.utc.localize(stop).astimezone(zone)
        if first.time() == end.time() == time.min:
            last = (end - timedelta(days=1)).date()
            if last == first.date():
                return self.env._(
                    "%(name)s on %(day)s",
                    name=name,
                    day=format_date(self.env, first.date()),
                )
            return self.env._(
                "%(name)s, %(first)s to %(last)s",
                name=name,
                first=format_date(self.env, first.date()),
                last=format_date(self.env, last),
            )
        return self.env._(
            "%(name)s, %(start)s to %(stop)s",
            name=name,
            start=format_datetime(self.env, start, tz=tz, dt_format="short"),
            stop=format_datetime(self.env, stop, tz=tz, dt_format="short"),
        )

    @api.model
    def _hotrush_portal_chat_hint(self, deadline, tz, working_hours):
        """The times a live chat may start: in the working hours, no later than the
        answer deadline (HR-84, checked by ``_hotrush_validate_chat``); markup whose
        ranges and times are not broken across lines."""
        if not deadline:
            return False
        deadline_text = self.env["helpdesk.ticket"]._hotrush_portal_time(deadline, tz)
        return escape(
            self.env._(
                "Choose a time in the working hours (%(hours)s) and no later than "
                "the answer deadline, %(deadline)s."
            )
        ) % {
            "hours": self._hotrush_portal_unbroken(working_hours),
            "deadline": self._hotrush_portal_unbroken(deadline_text),
        }

    @api.model
    def _hotrush_portal_unbroken(self, text):
        """``text`` as markup whose parts ("Mon-Fri 09:00-18:00" of a "; " list, or
        a time) each stay on one line, however narrow the screen."""
        return Markup("; ").join(
            Markup('<span class="text-nowrap">%s</span>') % part
            for part in text.split("; ")
        )

    def _hotrush_portal_price(self, company):
        """The rate in money: the support hour at the normal and the HotRush rate."""
        self.ensure_one()
        multiplier = company.hotrush_rate_multiplier
        product = self.hotrush_support_product_id
        values = {
            "multiplier": multiplier,
            "unit_price": False,
            "hotrush_price": False,
            "price": self.env._(
                "HotRush tickets are billed at %(multiplier)s times the normal rate.",
                multiplier=f"{multiplier:g}",
            ),
        }
        if not product:
            return values
        unit_price = product.with_company(company).lst_price
        currency = company.currency_id
        values.update(
            unit_price=unit_price,
            hotrush_price=currency.round(unit_price * multiplier),
            price=self.env._(
                "HotRush costs %(hotrush_rate)s/h instead of %(rate)s/h: e.g. "
                "%(example_hours)s hours of work cost %(hotrush_example)s instead of "
                "%(example)s.",
                hotrush_rate=self._hotrush_portal_money(
                    unit_price * multiplier, currency
                ),
                rate=self._hotrush_portal_money(unit_price, currency),
                example_hours=PROMISE_EXAMPLE_HOURS,
                hotrush_example=self._hotrush_portal_money(
                    unit_price * multiplier * PROMISE_EXAMPLE_HOURS, currency
                ),
                example=self._hotrush_portal_money(
                    unit_price * PROMISE_EXAMPLE_HOURS, currency
                ),
            ),
        )
        return values

    @api.model
    def _hotrush_portal_money(self, amount, currency):
        """An amount in ``currency`` as a customer reads it: "$ 160", "$ 80.50"."""
        amount = currency.round(amount)
        whole = currency.is_zero(amount - round(amount))
        return format_amount(self.env, amount, currency, trailing_zeroes=not whole)
