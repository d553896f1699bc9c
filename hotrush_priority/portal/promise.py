# Copyright 2026 hotrush_priority contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""What the portal's new-ticket form promises for a team and a category (HR-62): the
team's working hours in the customer's zone, its response target, when a request sent
now is answered (or why it waits), the closures ahead and the price in money; or why
HotRush is not offered there and which teams offer it."""

from datetime import time, timedelta

import pytz
from markupsafe import escape

from odoo.tools import format_date, format_datetime

# the closures (public holidays) the form names: those of the coming two weeks
PROMISE_CLOSURE_DAYS = 14
# the example of the price: a ticket of this many billable hours
PROMISE_EXAMPLE_HOURS = 2


class PromiseWords:
    """Part of ``Presenter``: ``self.env``, ``self.tz``, ``self.time``,
    ``self.money``, ``self.unbroken``."""

    def promise(self, team, category, now, offering=None):
        """The HotRush promise of ``team`` for a request sent ``now``.

        :param category: the chosen ``helpdesk.ticket.category`` (may be empty)
        :param now: naive UTC datetime of the request
        :param offering: the teams the customer may choose that offer HotRush, named
            when this team does not (default: none named)
        :return: dict; ``offered`` False with the ``reason``, or ``offered`` True with
            the texts ``target``, ``working_hours``, ``when``, ``closures``, ``price``,
            ``chat_hint``, the markup ``working_hours_html`` (each day's range
            unbroken across lines) and the figures ``hours``, ``opening``, ``deadline``,
            ``unit_price``, ``hotrush_price``, ``multiplier``
        """
        reason = self.team_refusal(team, category, offering)
        if reason:
            return {"offered": False, "reason": reason}
        plan = team._hotrush_portal_plan(now)
        calendar = plan["calendar"]
        working_hours = calendar._hotrush_working_hours_text(self.tz, now)
        opening, deadline = plan["opening"], plan["deadline"]
        promise = {
            "offered": True,
            "reason": False,
            "tz": self.tz,
            "hours": plan["hours"],
            "opening": opening,
            "deadline": deadline,
            "target": self.target_text(plan["hours"], plan["grace_minutes"]),
            "working_hours": working_hours,
            "working_hours_html": self.unbroken(working_hours),
            "when": self.when_text(calendar, now, opening, deadline),
            "closures": self.closures_text(calendar, now),
            "chat_hint": self.chat_hint(deadline, working_hours),
        }
        promise.update(self.team_price(plan))
        return promise

    # ------------------------------------------------------------------
    # Refusals
    # ------------------------------------------------------------------

    def team_refusal(self, team, category, offering=None):
        """Why a request to ``team`` in ``category`` cannot be HotRush, or False."""
        if not team.hotrush_offered:
            others = (offering or team.browse()) - team
            if others:
                return self.env._(
                    "HotRush (urgent support) is not offered by %(team)s. It is "
                    "offered by %(teams)s: choose one of them for an urgent request, "
                    "or send this one without HotRush.",
                    team=team.display_name,
                    teams=", ".join(others.mapped("display_name")),
                )
            return self.env._(
                "HotRush (urgent support) is not offered by %(team)s.",
                team=team.display_name,
            )
        return self.category_refusal(category)

    def category_refusal(self, category):
        """Why a request in ``category`` cannot be HotRush, or False."""
        if category and category.hotrush_not_eligible:
            return self.env._(
                "HotRush is not available for %(category)s questions. Please send "
                "the ticket without HotRush; it is answered at the normal rate.",
                category=category.display_name,
            )
        return False

    # ------------------------------------------------------------------
    # The promise's sentences
    # ------------------------------------------------------------------

    def target_text(self, hours, grace_minutes=0):
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
        if grace_minutes:
            text += " " + self.env._(
                "An answer sent in time may take up to %(grace)s more minutes to "
                "reach you by e-mail.",
                grace=grace_minutes,
            )
        return text

    def when_text(self, calendar, now, opening, deadline):
        """When a request sent now is answered; when it waits, why."""
        if not deadline:
            return self.env._(
                "Support has no working hours planned in the coming weeks: a request "
                "sent now cannot be answered in time."
            )
        if not opening:
            return self.env._(
                "Support is open now: sent now, your request is answered by "
                "%(deadline)s.",
                deadline=self.time(deadline),
            )
        closure = self.env["helpdesk.ticket.team"]._hotrush_portal_closures(
            calendar, now, now
        )
        why = (
            self.env._("closed for %(closure)s", closure=closure[0][0])
            if closure
            else self.env._("outside its working hours")
        )
        return self.env._(
            "Support is closed now (%(why)s): a request sent now waits until it opens "
            "at %(opening)s and is answered by %(deadline)s.",
            why=why,
            opening=self.time(opening),
            deadline=self.time(deadline),
        )

    def closures_text(self, calendar, now):
        closures = self.env["helpdesk.ticket.team"]._hotrush_portal_closures(
            calendar, now, now + timedelta(days=PROMISE_CLOSURE_DAYS)
        )
        if not closures:
            return False
        parts = [
            self.closure_text(name, max(start, now), stop)
            for name, start, stop in closures
        ]
        return self.env._("Closed: %(closures)s.", closures="; ".join(parts))

    def closure_text(self, name, start, stop):
        """A closure in the reader's zone: its days when it covers whole days, else
        its times."""
        env, tz = self.env, self.tz
        zone = pytz.timezone(tz)
        first = pytz.utc.localize(start).astimezone(zone)
        end = pytz.utc.localize(stop).astimezone(zone)
        if first.time() == end.time() == time.min:
            last = (end - timedelta(days=1)).date()
            if last == first.date():
                return self.env._(
                    "%(name)s on %(day)s", name=name, day=format_date(env, first.date())
                )
            return self.env._(
                "%(name)s, %(first)s to %(last)s",
                name=name,
                first=format_date(env, first.date()),
                last=format_date(env, last),
            )
        return self.env._(
            "%(name)s, %(start)s to %(stop)s",
            name=name,
            start=format_datetime(env, start, tz=tz, dt_format="short"),
            stop=format_datetime(env, stop, tz=tz, dt_format="short"),
        )

    def chat_hint(self, deadline, working_hours):
        """The times a live chat may start: in the working hours, no later than the
        answer deadline (HR-84, checked by ``_hotrush_validate_chat``); markup whose
        ranges and times are not broken across lines."""
        if not deadline:
            return False
        return escape(
            self.env._(
                "Choose a time in the working hours (%(hours)s) and no later than "
                "the answer deadline, %(deadline)s."
            )
        ) % {
            "hours": self.unbroken(working_hours),
            "deadline": self.unbroken(self.time(deadline)),
        }

    def team_price(self, plan):
        """The rate in money: the support hour at the normal and the HotRush rate,
        from the figures of ``_hotrush_portal_plan``."""
        multiplier = plan["multiplier"]
        unit_price = plan["unit_price"]
        values = {
            "multiplier": multiplier,
            "unit_price": False,
            "hotrush_price": False,
            "price": self.env._(
                "HotRush tickets are billed at %(multiplier)s times the normal rate.",
                multiplier=f"{multiplier:g}",
            ),
        }
        if unit_price is False:
            return values
        currency = plan["currency"]
        values.update(
            unit_price=unit_price,
            hotrush_price=currency.round(unit_price * multiplier),
            price=self.env._(
                "HotRush costs %(hotrush_rate)s/h instead of %(rate)s/h: e.g. "
                "%(example_hours)s hours of work cost %(hotrush_example)s instead of "
                "%(example)s.",
                hotrush_rate=self.money(unit_price * multiplier, currency),
                rate=self.money(unit_price, currency),
                example_hours=PROMISE_EXAMPLE_HOURS,
                hotrush_example=self.money(
                    unit_price * multiplier * PROMISE_EXAMPLE_HOURS, currency
                ),
                example=self.money(unit_price * PROMISE_EXAMPLE_HOURS, currency),
            ),
        )
        return values
