# Copyright 2026 hotrush_priority contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Deadlines that follow their calendar (HR-86).

When a calendar's working hours, time zone or public holidays change, or a team's
calendar or response target, the open (queued or running) HotRush tickets planned on it
are planned again, in one batch per calendar, from their request time: the working time
already elapsed counts as the new calendar says. Met, breached and ended tickets keep
their verdict. ``_hotrush_deadline_moved`` is the hook the audit trail and the SLA
action extend for each ticket whose deadline moved.
"""

from odoo import fields, models
from odoo.fields import Domain

from ..const import OPEN_STATUSES

# the stored values a re-planning may change, and what the audit compares
PLANNED_FIELDS = ("hotrush_queued_until", "hotrush_deadline")


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"

    def _hotrush_replan_where(self, why, calendars=None, companies=None, teams=None):
        """Plan again the open HotRush tickets of these companies or teams whose
        calendar is one of ``calendars`` (any calendar when not given).

        :param why: what changed, in words, for the audit and the customer
        :return: the tickets whose deadline moved
        """
        # sudo: a change of working hours moves every customer's open deadlines on
        # them, whoever makes it; the tickets' own rules do the rest
        Ticket = self.sudo()
        domain = Domain("hotrush", "=", True) & Domain(
            "hotrush_sla_status", "in", OPEN_STATUSES
        )
        if companies is not None:
            domain &= Domain("company_id", "in", companies.ids)
        if teams is not None:
            domain &= Domain("team_id", "in", teams.ids)
        tickets = Ticket.search_fetch(
            domain, ["team_id", "company_id", *PLANNED_FIELDS]
        )
        if calendars is not None:
            planned_on = {}  # (team, company) -> calendar, read once each
            for ticket in tickets:
                key = (ticket.team_id, ticket.company_id)
                if key not in planned_on:
                    planned_on[key] = ticket._get_hotrush_calendar()
            tickets = tickets.filtered(
                lambda t: planned_on[t.team_id, t.company_id] in calendars
            )
        return tickets._hotrush_replan(why)

    def _hotrush_replan(self, why):
        """Plan the deadlines of these open HotRush tickets again, as a new request at
        their request time would be planned now.

        :return: the tickets whose deadline moved
        """
        tickets = self.filtered(
            lambda t: t.hotrush and t.hotrush_sla_status in OPEN_STATUSES
        )
        if not tickets:
            return tickets
        before = {t.id: tuple(t[name] for name in PLANNED_FIELDS) for t in tickets}
        # one planning per calendar (see _compute_hotrush_deadline), batched writes
        self.env.add_to_compute(tickets._fields["hotrush_deadline"], tickets)
        self.env.add_to_compute(tickets._fields["hotrush_queued_until"], tickets)
        tickets._recompute_recordset(PLANNED_FIELDS)
        for ticket in tickets.filtered(lambda t: not t.hotrush_deadline):
            # no working time in reach any more (e.g. hours being replaced): the
            # ticket keeps its plan until the calendar has hours again
            ticket.write(dict(zip(PLANNED_FIELDS, before[ticket.id], strict=True)))
        tickets.modified(["hotrush_deadline"])  # the queue order follows
        moved = tickets.filtered(
            lambda t: tuple(t[name] for name in PLANNED_FIELDS) != before[t.id]
        )
        if moved:
            moved._hotrush_update_sla_status(fields.Datetime.now())
            moved._hotrush_deadline_moved(before, why)
        return moved

    def _hotrush_deadline_moved(self, before, why):
        """These tickets' deadlines moved: satellites tell and act.

        :param before: ticket id -> ``(queued_until, deadline)`` before the move
        :param why: what changed, in words
        """
        return True
