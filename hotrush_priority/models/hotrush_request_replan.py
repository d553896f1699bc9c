# Copyright 2026 hotrush_priority contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The re-plan transition: promises that follow their calendar (HR-86).

When a calendar's working hours, time zone or public holidays change, or a team's
calendar or response target, the open (queued or running) requests planned on it are
planned again, from their request time: the working time already elapsed counts as
the new calendar says. Met, breached and ended requests keep their verdict. The
moved requests record it (``_deadline_moved``, which the audit trail extends) and
their tickets act (``helpdesk.ticket._hotrush_deadline_moved``, the SLA steps).

One calendar save may move the deadlines of thousands of requests, within the user's
request: the requests are read in one query, planned once per calendar and distinct
request, and the moved plans written in one statement.
"""

from collections import defaultdict

from odoo import api, fields, models
from odoo.fields import Domain
from odoo.tools import SQL

from ..const import OPEN_STATUSES
from .hotrush_request import pg_array


class HotrushRequest(models.Model):
    _inherit = "hotrush.request"

    @api.model
    def _replan_where(self, why, calendars=None, companies=None, teams=None):
        """Plan again the open requests of these companies or teams whose calendar
        is one of ``calendars`` (any calendar when not given).

        :param why: what changed, in words, for the audit and the customer
        :return: the tickets whose deadline moved
        """
        domain = Domain.TRUE
        if companies is not None:
            domain &= Domain("company_id", "in", companies.ids)
        if teams is not None:
            # a request whose team was deleted is planned on the ticket's
            domain &= Domain("team_id", "in", teams.ids) | (
                Domain("team_id", "=", False)
                & Domain("ticket_id.team_id", "in", teams.ids)
            )
        return self._replan_domain(domain, why, calendars)

    def _replan(self, why):
        """Plan these open requests again, as a new request at their request time
        would be planned now.

        :return: the tickets whose deadline moved
        """
        return self._replan_domain(Domain("id", "in", self.ids), why)

    @api.model
    def _replan_domain(self, domain, why, calendars=None):
        # sudo: a change of working hours moves every customer's open deadlines on
        # them, whoever makes it; the tickets' own rules do the rest
        Request = self.sudo()
        rows = Request._replan_rows(domain)
        plans = Request._plan_rows(rows, calendars)
        before, after = {}, {}  # ticket id -> (opening, deadline); request id -> plan
        alike = defaultdict(list)  # (company, new plan, status) -> request ids
        for (
            request_id,
            ticket_id,
            _team,
            company,
            _start,
            opening,
            deadline,
            status,
        ) in rows:
            old, new = (opening or False, deadline or False), plans.get(request_id)
            # no working time in reach any more (e.g. hours being replaced): the
            # request keeps its plan until the calendar has hours again
            if new and new[1] and new[:2] != old:
                before[ticket_id], after[request_id] = old, new
                alike[(company, *new[:2], status)].append(request_id)
        moved = Request.browse(sorted(after))
        if not moved:
            return self.env["helpdesk.ticket"]
        moved._store_plans(after)
        Request._update_moved_statuses(alike, fields.Datetime.now())
        moved._deadline_moved(before, why)
        tickets = moved.ticket_id
        tickets._hotrush_deadline_moved(before, why)
        return self.env["helpdesk.ticket"].browse(tickets.ids)

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------

    @api.model
    def _replan_rows(self, domain):
        """Of the open requests of ``domain``: (request, ticket, planned team,
        company, requested at, opening, deadline, status) tuples read in one query:
        the re-planning needs no more."""
        domain &= Domain("status", "in", OPEN_STATUSES) & Domain("ended_at", "=", False)
        self.env["helpdesk.ticket"].flush_model(["team_id", "company_id"])
        self.flush_model(
            ["team_id", "requested_at", "opening_at", "deadline", "status"]
        )
        return self.env.execute_query(
            SQL(
                """SELECT r.id, t.id, COALESCE(r.team_id, t.team_id), t.company_id,
                          r.requested_at, r.opening_at, r.deadline, r.status
                     FROM hotrush_request r
                     JOIN helpdesk_ticket t ON t.id = r.ticket_id
                    WHERE r.id IN %s
                 ORDER BY r.id""",
                self._search(domain).subselect(),
            )
        )

    @api.model
    def _plan_rows(self, rows, calendars=None):
        """The plan of each row as a new request at its request time would get it
        (see ``_compute_plan``): calendar and target read once per team and
        company, one planning per calendar of its distinct requests.

        :param rows: as ``_replan_rows`` returns them
        :param calendars: plan only the requests on these calendars (all when None)
        :return: request id -> ``(opening, deadline, calendar, hours)``
        """
        Team, Company = self.env["helpdesk.ticket.team"], self.env["res.company"]
        setups = {}  # (team id, company id) -> (calendar, response hours)
        per_calendar = defaultdict(lambda: defaultdict(list))  # start -> request ids
        for request_id, _ticket, team_id, company_id, start, *_rest in rows:
            if (team_id, company_id) not in setups:
                team, company = Team.browse(team_id), Company.browse(company_id)
                setups[team_id, company_id] = (
                    self._calendar_of(team, company),
                    self._response_hours_of(team, company),
                )
            calendar, hours = setups[team_id, company_id]
            if calendar and (calendars is None or calendar in calendars):
                per_calendar[calendar][start, hours].append(request_id)
        plans = {}
        for calendar, requests in per_calendar.items():
            planned = calendar._hotrush_plan(list(requests))
            for (_start, hours), request_ids, plan in zip(
                requests, requests.values(), planned, strict=True
            ):
                plans.update(dict.fromkeys(request_ids, (*plan, calendar.id, hours)))
        return plans

    @api.model
    def _update_moved_statuses(self, alike, now):
        """The statuses of moved requests as time says, written where they change.

        Requests of one company with the same new plan and the same status are in
        the same state: the status of one of them is asked for all.

        :param alike: ``(company id, opening, deadline, status)`` -> request ids
        """
        per_status = defaultdict(list)
        for (*_plan, status), request_ids in alike.items():
            new = self.browse(request_ids[0])._status_at(now)
            if new != status:
                per_status[new].extend(request_ids)
        for status, request_ids in per_status.items():
            self.browse(request_ids)._write_tracked({"status": status})

    def _store_plans(self, plans):
        """Store the new plans of these requests in one statement (open requests:
        the queue deadline is the deadline).

        The ORM would write them 100 rows per statement and track each deadline in
        the chatter; the 'move' event and the customer's message say it instead.

        :param plans: request id -> ``(opening, deadline, calendar id, hours)``
        """
        ids = self.ids
        self.env.cr.execute(
            SQL(
                """UPDATE hotrush_request AS r
                      SET opening_at = plan.opening,
                          deadline = plan.deadline,
                          queue_deadline = plan.deadline,
                          calendar_id = plan.calendar,
                          response_hours = plan.hours,
                          write_uid = %(uid)s,
                          write_date = %(now)s
                     FROM unnest(%(ids)s::int[], %(openings)s::timestamp[],
                                 %(deadlines)s::timestamp[], %(calendars)s::int[],
                                 %(hours)s::float8[])
                          AS plan(id, opening, deadline, calendar, hours)
                    WHERE r.id = plan.id""",
                uid=self.env.uid,
                now=self.env.cr.now(),
                ids=pg_array(ids),
                openings=pg_array(plans[request_id][0] for request_id in ids),
                deadlines=pg_array(plans[request_id][1] for request_id in ids),
                calendars=pg_array(plans[request_id][2] for request_id in ids),
                hours=pg_array(plans[request_id][3] for request_id in ids),
            )
        )
        written = [
            "opening_at",
            "deadline",
            "queue_deadline",
            "calendar_id",
            "response_hours",
        ]
        self.invalidate_recordset([*written, "write_uid", "write_date"])
        tickets = self.ticket_id
        # the tickets' views of their requests too: they cache what they read
        tickets.invalidate_recordset(list(tickets._hotrush_request_fields()))
        # what the status and the satellites' hooks read next, in one query each
        tickets.fetch(["hotrush", "team_id", "company_id", "hotrush_request_id"])
        self.fetch(
            [
                "ticket_id",
                "company_id",
                "status",
                "opening_at",
                "deadline",
                "first_response_at",
                "ended_at",
                "warned_at",
                "opening_notified_at",
            ]
        )
