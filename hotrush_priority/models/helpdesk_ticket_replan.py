# Copyright 2026 hotrush_priority contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Deadlines that follow their calendar (HR-86).

When a calendar's working hours, time zone or public holidays change, or a team's
calendar or response target, the open (queued or running) HotRush tickets planned on it
are planned again, from their request time: the working time already elapsed counts as
the new calendar says. Met, breached and ended tickets keep their verdict.
``_hotrush_deadline_moved`` is the hook the audit trail and the SLA action extend for
each ticket whose deadline moved.

One calendar save may move the deadlines of thousands of tickets, within the user's
request: the tickets are read in one query, planned once per calendar and distinct
request, and the moved plans written in one statement.
"""

from collections import defaultdict
from datetime import datetime

from odoo import fields, models
from odoo.fields import Domain
from odoo.tools import SQL

from ..const import OPEN_STATUSES

# the stored values a re-planning may change, and what the audit compares
PLANNED_FIELDS = ("hotrush_queued_until", "hotrush_deadline")
# what the re-planning reads of each ticket, in this order
REPLAN_COLUMNS = (
    "id",
    "hotrush_plan_team_id",
    "company_id",
    "hotrush_requested_at",
    *PLANNED_FIELDS,
    "hotrush_sla_status",
)


def pg_array(values):
    """A PostgreSQL array literal of ids or naive datetimes (``None`` or ``False``
    for NULL), for ``%s::int[]`` or ``%s::timestamp[]``: thousands of values pass
    as one text parameter rather than as many values adapted one by one."""
    items = ",".join(
        "NULL"
        if value is None or value is False
        else value.isoformat()
        if isinstance(value, datetime)
        else str(value)
        for value in values
    )
    return f"{{{items}}}"


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"

    def _hotrush_replan_where(self, why, calendars=None, companies=None, teams=None):
        """Plan again the open HotRush tickets of these companies or teams whose
        calendar is one of ``calendars`` (any calendar when not given).

        :param why: what changed, in words, for the audit and the customer
        :return: the tickets whose deadline moved
        """
        domain = Domain.TRUE
        if companies is not None:
            domain &= Domain("company_id", "in", companies.ids)
        if teams is not None:
            # a request with no planned team (its team deleted) is planned on the
            # ticket's, see _hotrush_plan_team
            domain &= Domain("hotrush_plan_team_id", "in", teams.ids) | (
                Domain("hotrush_plan_team_id", "=", False)
                & Domain("team_id", "in", teams.ids)
            )
        return self._hotrush_replan_domain(domain, why, calendars)

    def _hotrush_replan(self, why):
        """Plan the deadlines of these open HotRush tickets again, as a new request at
        their request time would be planned now.

        :return: the tickets whose deadline moved
        """
        return self._hotrush_replan_domain(Domain("id", "in", self.ids), why)

    def _hotrush_replan_domain(self, domain, why, calendars=None):
        # sudo: a change of working hours moves every customer's open deadlines on
        # them, whoever makes it; the tickets' own rules do the rest
        Ticket = self.sudo()
        rows = Ticket._hotrush_replan_rows(domain)
        plans = Ticket._hotrush_plan_rows(rows, calendars)
        before, after = {}, {}
        alike = defaultdict(list)  # (company, new plan, status) -> ticket ids
        for ticket_id, _team, company_id, _start, opening, deadline, status in rows:
            old, new = (opening or False, deadline or False), plans.get(ticket_id)
            # no working time in reach any more (e.g. hours being replaced): the
            # ticket keeps its plan until the calendar has hours again
            if new and new[1] and new != old:
                before[ticket_id], after[ticket_id] = old, new
                alike[(company_id, *new, status)].append(ticket_id)
        moved = Ticket.browse(sorted(after))
        if moved:
            moved._hotrush_store_plans(after)
            Ticket._hotrush_update_moved_statuses(alike, fields.Datetime.now())
            moved._hotrush_deadline_moved(before, why)
        return self.browse(moved.ids)

    def _hotrush_deadline_moved(self, before, why):
        """These tickets' deadlines moved: satellites tell and act.

        :param before: ticket id -> ``(queued_until, deadline)`` before the move
        :param why: what changed, in words
        """
        return True

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------

    def _hotrush_replan_rows(self, domain):
        """``REPLAN_COLUMNS`` of the open HotRush tickets of ``domain``, as tuples
        read in one query: the re-planning needs no more of each ticket."""
        domain &= Domain("hotrush", "=", True) & Domain(
            "hotrush_sla_status", "in", OPEN_STATUSES
        )
        self.flush_model([*REPLAN_COLUMNS[1:], "team_id"])
        query = self._search(domain, order="id")
        columns = [SQL.identifier(self._table, name) for name in REPLAN_COLUMNS]
        # the team the request is planned on, as _hotrush_plan_team says
        columns[REPLAN_COLUMNS.index("hotrush_plan_team_id")] = SQL(
            "COALESCE(%s, %s)",
            SQL.identifier(self._table, "hotrush_plan_team_id"),
            SQL.identifier(self._table, "team_id"),
        )
        return self.env.execute_query(query.select(*columns))

    def _hotrush_plan_rows(self, rows, calendars=None):
        """The plan of each row as a new request at its request time would get it
        (see ``_compute_hotrush_deadline``): calendar and target read once per team
        and company, one planning per calendar of its distinct requests.

        :param rows: as ``_hotrush_replan_rows`` returns them
        :param calendars: plan only the tickets on these calendars (all when None)
        :return: ticket id -> ``(opening, deadline)``, for the tickets planned
        """
        # one ticket of each team and company, its calendar and target read once
        samples = {}
        for ticket_id, team_id, company_id, *_rest in rows:
            samples.setdefault((team_id, company_id), ticket_id)
        tickets = self.browse(list(samples.values()))
        tickets.fetch(["hotrush_plan_team_id", "team_id", "company_id"])
        setups = {}  # (team id, company id) -> (calendar, response hours)
        for key, ticket in zip(samples, tickets, strict=True):
            setups[key] = (
                ticket._get_hotrush_calendar(),
                ticket._get_hotrush_response_hours(),
            )
        per_calendar = defaultdict(lambda: defaultdict(list))  # request -> ticket ids
        for ticket_id, team_id, company_id, start, *_rest in rows:
            calendar, hours = setups[team_id, company_id]
            if calendar and (calendars is None or calendar in calendars):
                per_calendar[calendar][start, hours].append(ticket_id)
        plans = {}
        for calendar, requests in per_calendar.items():
            planned = calendar._hotrush_plan(list(requests))
            for ticket_ids, plan in zip(requests.values(), planned, strict=True):
                plans.update(dict.fromkeys(ticket_ids, plan))
        return plans

    def _hotrush_update_moved_statuses(self, alike, now):
        """The statuses of moved tickets as time says, written where they change.

        Tickets of one company with the same new plan and the same status are in
        the same state: the status of one of them is asked for all.

        :param alike: ``(company id, opening, deadline, status)`` -> ticket ids
        """
        changed = [
            ticket_id
            for (*_plan, status), ticket_ids in alike.items()
            if self.browse(ticket_ids[0])._hotrush_status_at(now) != status
            for ticket_id in ticket_ids
        ]
        return self.browse(changed)._hotrush_update_sla_status(now)

    def _hotrush_store_plans(self, plans):
        """Store the new plans of these tickets, and the queue deadline that follows
        the deadline, in one statement.

        The ORM would write them 100 rows per statement and track each deadline in
        the chatter; the 'move' event and the customer's message say it instead.

        :param plans: ticket id -> ``(opening, deadline)``
        """
        ids = self.ids
        self.env.cr.execute(
            SQL(
                """UPDATE %(table)s AS t
                      SET hotrush_queued_until = plan.opening,
                          hotrush_deadline = plan.deadline,
                          hotrush_queue_deadline = CASE
                              WHEN t.hotrush AND t.hotrush_first_response_at IS NULL
                              THEN plan.deadline END,
                          write_uid = %(uid)s,
                          write_date = %(now)s
                     FROM unnest(%(ids)s::int[], %(openings)s::timestamp[],
                                 %(deadlines)s::timestamp[])
                          AS plan(id, opening, deadline)
                    WHERE t.id = plan.id""",
                table=SQL.identifier(self._table),
                uid=self.env.uid,
                now=self.env.cr.now(),
                ids=pg_array(ids),
                openings=pg_array(plans[ticket_id][0] for ticket_id in ids),
                deadlines=pg_array(plans[ticket_id][1] for ticket_id in ids),
            )
        )
        written = [*PLANNED_FIELDS, "hotrush_queue_deadline", "write_uid", "write_date"]
        self.invalidate_recordset(written)
        # what the status and the satellites' hooks read next, in one query
        system = [
            name
            for name in self._hotrush_system_fields()
            if self._fields[name].store and self._fields[name].column_type
        ]
        self.fetch(["hotrush", "team_id", "company_id", *system])
