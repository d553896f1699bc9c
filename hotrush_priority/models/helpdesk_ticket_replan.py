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
        """``REPLAN_COLUMNS`` of the open HotRush tickets of ``domain`` and their
        requests, as tuples read in one query: the re-planning needs no more."""
        domain &= Domain("hotrush", "=", True) & Domain(
            "hotrush_sla_status", "in", OPEN_STATUSES
        )
        self.flush_model(["hotrush_request_id", "team_id", "company_id"])
        self.env["hotrush.request"].flush_model(
            ["team_id", "requested_at", "opening_at", "deadline", "status"]
        )
        query = self._search(domain)
        # the team the request is planned on, as _hotrush_plan_team says
        return self.env.execute_query(
            SQL(
                """SELECT t.id, COALESCE(r.team_id, t.team_id), t.company_id,
                          r.requested_at, r.opening_at, r.deadline, r.status
                     FROM helpdesk_ticket t
                     JOIN hotrush_request r ON r.id = t.hotrush_request_id
                    WHERE t.id IN %s
                 ORDER BY t.id""",
                query.subselect(),
            )
        )

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
        tickets.fetch(["hotrush_request_id", "team_id", "company_id"])
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
                """UPDATE hotrush_request AS r
                      SET opening_at = plan.opening,
                          deadline = plan.deadline,
                          write_uid = %(uid)s,
                          write_date = %(now)s
                     FROM unnest(%(ids)s::int[], %(openings)s::timestamp[],
                                 %(deadlines)s::timestamp[])
                          AS plan(id, opening, deadline),
                          helpdesk_ticket t
                    WHERE t.id = plan.id AND r.id = t.hotrush_request_id;
                   UPDATE helpdesk_ticket AS t
                      SET hotrush_queue_deadline = CASE
                              WHEN t.hotrush AND r.first_response_at IS NULL
                              THEN r.deadline END
                     FROM hotrush_request r
                    WHERE t.id = ANY(%(ids)s::int[]) AND r.id = t.hotrush_request_id""",
                uid=self.env.uid,
                now=self.env.cr.now(),
                ids=pg_array(ids),
                openings=pg_array(plans[ticket_id][0] for ticket_id in ids),
                deadlines=pg_array(plans[ticket_id][1] for ticket_id in ids),
            )
        )
        self.env["hotrush.request"].invalidate_model(
            ["opening_at", "deadline", "write_uid", "write_date"]
        )
        # the tickets' views of their requests too: they cache what they read
        self.invalidate_recordset(
            ["hotrush_queue_deadline", *self._hotrush_request_fields()]
        )
        # what the status and the satellites' hooks read next, in one query
        self.fetch(["hotrush", "team_id", "company_id", "hotrush_request_id"])
        self.hotrush_request_id.fetch(
            [
                name
                for name, field in self.env["hotrush.request"]._fields.items()
                if field.store and field.column_type
            ]
        )
