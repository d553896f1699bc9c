# Copyright 2026 hotrush_priority contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""A HotRush request: one per time a ticket is requested HotRush.

It holds the promise (the team, calendar and target it was planned on, its opening and
deadline), the verdict (status, first response), how it ended, the markers of the SLA
action and of the customer's notices, and the booked live chat. A ticket links to its
current request (``hotrush_request_id``); a ticket requested again after an uncheck
has a new request, the first one keeps its history.

The promise is planned when the request is made and changes afterwards only by a
re-planning of its calendar (HR-86), never by a change of the ticket: a transfer to
another team keeps the team it was planned on.
"""

from collections import defaultdict
from datetime import datetime, timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError
from odoo.tools import SQL

from ..const import END_ACTIONS, OPEN_STATUSES, REASONS, REMOVAL_REASONS, SLA_STATUSES


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


def request_field(field_type, name, string, **kwargs):
    """The ticket's view of its current request's field ``name``, of ``field_type``.

    Read-only: a request's fields are written by its rules, through the ticket's
    write (see ``helpdesk.ticket._hotrush_write_request``)."""
    return field_type(
        related=f"hotrush_request_id.{name}", string=string, readonly=True, **kwargs
    )


def _marker(string, help_text=None, index=False):
    """When something was done once for this request; empty until then."""
    return fields.Datetime(
        string=string, index=index, copy=False, readonly=True, help=help_text
    )


class HotrushRequest(models.Model):
    _name = "hotrush.request"
    _description = "HotRush Request"
    _order = "requested_at desc, id desc"
    _rec_name = "ticket_id"
    _check_company_auto = True

    ticket_id = fields.Many2one(
        comodel_name="helpdesk.ticket",
        required=True,
        index=True,
        ondelete="cascade",
        readonly=True,
    )
    # the request of an archived ticket is archived with it: out of the SLA action's
    # searches, as its ticket is out of the agents'
    active = fields.Boolean(related="ticket_id.active", store=True, precompute=True)
    company_id = fields.Many2one(
        related="ticket_id.company_id", store=True, index=True, precompute=True
    )
    partner_id = fields.Many2one(
        comodel_name="res.partner",
        string="Customer",
        related="ticket_id.commercial_partner_id",
        store=True,
        precompute=True,
    )
    team_id = fields.Many2one(
        comodel_name="helpdesk.ticket.team",
        string="Planned On",
        readonly=True,
        index="btree_not_null",
        ondelete="set null",
        help="The team whose calendar and response target planned the deadline. A "
        "transfer to another HotRush team keeps it: the receiving team inherits "
        "the deadline the customer was told.",
    )
    calendar_id = fields.Many2one(
        comodel_name="resource.calendar",
        compute="_compute_plan",
        store=True,
        precompute=True,
        readonly=True,
        ondelete="set null",
    )
    response_hours = fields.Float(
        string="Response Target (hours)",
        compute="_compute_plan",
        store=True,
        precompute=True,
        readonly=True,
    )
    requested_at = fields.Datetime(
        string="Requested On",
        required=True,
        readonly=True,
        help="When HotRush was requested: the SLA clock starts here.",
    )
    requested_by_id = fields.Many2one(comodel_name="res.users", readonly=True)
    opening_at = fields.Datetime(
        string="Queued Until",
        compute="_compute_plan",
        store=True,
        precompute=True,
        index="btree_not_null",
        readonly=True,
        help="Requested outside working hours: the SLA clock starts at this opening.",
    )
    deadline = fields.Datetime(
        string="Response Deadline",
        compute="_compute_plan",
        store=True,
        precompute=True,
        index="btree_not_null",
        readonly=True,
        help="An agent must answer publicly by then (working time of the team's "
        "support calendar from the request).",
    )
    # computed once, with the plan, when the request is made without one (an import
    # gives it); its transitions write it afterwards (it depends on nothing, so
    # nothing else recomputes it). Not readonly, else Odoo drops a given status to
    # compute it; no user writes a request anyway (access rights).
    status = fields.Selection(
        selection=SLA_STATUSES,
        string="SLA Status",
        compute="_compute_status",
        store=True,
        precompute=True,
        readonly=False,
        index=True,
    )
    first_response_at = fields.Datetime(
        string="First Response On", index="btree_not_null", readonly=True
    )
    queue_deadline = fields.Datetime(
        compute="_compute_queue_deadline",
        store=True,
        precompute=True,
        index="btree_not_null",
        readonly=True,
        help="The deadline while the request awaits its first response: the order "
        "of the agents' queue.",
    )
    first_response_user_id = fields.Many2one(
        comodel_name="res.users", string="First Response By", readonly=True
    )
    first_response_message_id = fields.Many2one(
        comodel_name="mail.message",
        string="First Response",
        readonly=True,
        ondelete="set null",
    )
    response_working_minutes = fields.Float(
        string="First Response Time (working minutes)",
        compute="_compute_response_working_minutes",
        store=True,
        precompute=True,
        readonly=True,
        aggregator="avg",
        help="Working time of the support calendar from the HotRush request to the "
        "first response, in minutes (time while queued before the opening and "
        "public holidays do not count).",
    )
    priority_before = fields.Char(readonly=True)
    end_action = fields.Selection(
        selection=END_ACTIONS, string="Ended By", readonly=True
    )
    ended_at = fields.Datetime(string="Ended On", readonly=True)
    end_reason = fields.Selection(selection=REASONS, readonly=True)
    end_note = fields.Text(readonly=True)

    team_notified_at = _marker(
        "Team Notified On",
        "When the assignee (or the team leader) got the 'Respond by' activity.",
        index="btree_not_null",
    )
    warned_at = _marker(
        "Warned On",
        "When the assignee (or the team leader) was warned that the response "
        "deadline approaches.",
        index="btree_not_null",
    )
    escalated_at = _marker(
        "Escalated On",
        "When the breach was escalated to the team leader.",
        index="btree_not_null",
    )
    opening_notified_at = _marker(
        "Opening Notice On",
        "When the team was told that this request, queued outside working hours, is "
        "running.",
        index="btree_not_null",
    )
    told_request_at = _marker("Request Told On")
    told_opening_at = _marker("Opening Told On")
    told_answer_at = _marker("Answer Told On")
    told_breach_at = _marker("Breach Told On")
    told_end_at = _marker("End Told On")

    chat_tool_id = fields.Many2one(
        comodel_name="hotrush.chat.tool",
        string="Live Chat Tool",
        readonly=True,
        context={"active_test": False},
    )
    chat_contact = fields.Char(string="Customer's Chat ID", readonly=True)
    chat_at = fields.Datetime(string="Live Chat At", readonly=True)
    chat_held_at = fields.Datetime(
        string="Live Chat Held On",
        readonly=True,
        help="Start of the booked live chat an agent recorded as held: the first "
        "response when the request was not answered before.",
    )

    event_ids = fields.One2many(
        comodel_name="hotrush.event", inverse_name="request_id", string="History"
    )
    charge_ids = fields.One2many(
        comodel_name="hotrush.charge", inverse_name="request_id", string="Charges"
    )

    # ------------------------------------------------------------------
    # The promise
    # ------------------------------------------------------------------

    @api.depends("requested_at", "team_id")
    def _compute_plan(self):
        """Plan all requests of the batch with one planning per calendar (calendar
        and target read once per team and company)."""
        per_calendar, setups = defaultdict(list), {}
        for request in self:
            key = (request._plan_team(), request.company_id)
            if key not in setups:
                setups[key] = (
                    self._calendar_of(*key),
                    self._response_hours_of(*key),
                )
            calendar, hours = setups[key]
            request.calendar_id = calendar
            request.response_hours = hours
            if calendar and request.requested_at:
                per_calendar[calendar].append(request)
            else:
                request.opening_at = request.deadline = False
        for calendar, requests in per_calendar.items():
            planned = calendar._hotrush_plan(
                [(r.requested_at, r.response_hours) for r in requests]
            )
            for request, (opening, deadline) in zip(requests, planned, strict=True):
                request.opening_at = opening
                request.deadline = deadline

    @api.depends()
    def _compute_status(self):
        """The status of a new request: queued or running (breached when made after
        its deadline, as an import of an old request may be)."""
        now = fields.Datetime.now()
        for request in self:
            request.status = request.deadline and request._status_at(now)

    @api.depends("deadline", "first_response_at", "ended_at")
    def _compute_queue_deadline(self):
        for request in self:
            waiting = not request.first_response_at and not request.ended_at
            request.queue_deadline = waiting and request.deadline

    @api.depends("requested_at", "first_response_at", "calendar_id")
    def _compute_response_working_minutes(self):
        """Working minutes to the first response, one planning per calendar."""
        per_calendar = defaultdict(list)
        for request in self:
            if request.first_response_at and request.calendar_id:
                # sudo: the working hours of the calendar it was planned on, which
                # users without access to calendars have answered by too
                per_calendar[request.calendar_id.sudo()].append(request)
            else:
                request.response_working_minutes = False
        for calendar, requests in per_calendar.items():
            seconds = calendar._hotrush_working_seconds(
                [(r.requested_at, r.first_response_at) for r in requests]
            )
            for request, worked in zip(requests, seconds, strict=True):
                request.response_working_minutes = round(worked / 60, 2)

    def _plan_team(self):
        """The team the request is planned on; the ticket's for a request whose team
        was deleted."""
        self.ensure_one()
        return self.team_id or self.ticket_id.team_id

    @api.model
    def _calendar_of(self, team, company):
        """The support calendar of ``team`` (of ``company`` without a team), readable
        by whoever asks: working hours and public holidays are what the support tells
        every customer, and planning needs them even for users without access to
        calendars."""
        # sudo: calendars only, see the docstring
        if team:
            return team.sudo()._get_hotrush_calendar().sudo()
        return (company or self.env.company).sudo()._get_hotrush_calendar().sudo()

    @api.model
    def _response_hours_of(self, team, company):
        if team:
            return team._get_hotrush_response_hours()
        return (company or self.env.company).hotrush_response_hours

    # ------------------------------------------------------------------
    # The verdict
    # ------------------------------------------------------------------

    def _breach_time(self):
        """Deadline plus grace: a first response after this instant breaches."""
        self.ensure_one()
        grace = (self.company_id or self.env.company).hotrush_grace_minutes
        return self.deadline + timedelta(minutes=grace)

    def _status_at(self, now):
        """The status time gives this undecided request at ``now``."""
        self.ensure_one()
        if self.opening_at and now < self.opening_at:
            return "queued"
        if now > self._breach_time():
            return "breached"
        return "running"

    def _breached_at(self, now):
        """The verdict at ``now``, whether or not the SLA action has run: breached
        when answered after the deadline plus grace, or unanswered past it."""
        self.ensure_one()
        if self.status == "breached":
            return True
        if not self.deadline:
            return False
        return (self.first_response_at or now) > self._breach_time()

    def _warning_time(self):
        """When the assignee is warned: the warning lead before the deadline, or
        ``False`` when the company wants no warnings."""
        self.ensure_one()
        lead = (self.company_id or self.env.company).hotrush_warning_minutes
        return lead and self.deadline - timedelta(minutes=lead)

    def _due_moments(self):
        """The moments the SLA action has something to do for these undecided
        requests: the opening of a queued one, its warning, its breach (the first
        instant after the deadline plus grace).

        Requests planned alike have the same moments, and a re-planning moves
        thousands of deadlines to a few hundred distinct ones: the distinct plans
        are read in one query."""
        if not self:
            return set()
        self.flush_recordset(["status", "company_id", "opening_at", "deadline"])
        rows = self.env.execute_query(
            SQL(
                """SELECT DISTINCT company_id, opening_at, deadline
                     FROM hotrush_request
                    WHERE id = ANY(%s::int[]) AND status IN %s
                      AND deadline IS NOT NULL""",
                pg_array(self.ids),
                OPEN_STATUSES,
            )
        )
        Company = self.env["res.company"]
        moments = set()
        for company_id, opening, deadline in rows:
            company = Company.browse(company_id) or self.env.company
            moments.add(opening or False)
            lead = company.hotrush_warning_minutes
            moments.add(lead and deadline - timedelta(minutes=lead))
            grace = timedelta(minutes=company.hotrush_grace_minutes, seconds=1)
            moments.add(deadline + grace)
        moments.discard(False)
        return moments

    # ------------------------------------------------------------------
    # Transitions: each checks, writes the request's new state, and returns
    # ------------------------------------------------------------------

    def _write_tracked(self, vals):
        """Write ``vals`` on these requests; their tickets' chatter tracks what their
        views of them show (status, deadline, first response, end)."""
        tickets = self.ticket_id
        context = self.env.context
        if not context.get("tracking_disable") and not context.get("mail_notrack"):
            tickets._track_prepare(tickets._track_get_fields())
        # sudo: a request's state is written by its transitions only, whoever
        # triggered them (the caller's right to was checked by the ticket's action)
        self.sudo().write(vals)

    @api.model
    def _make_for(self, tickets, request_vals):
        """The request transition: a new current request for each of ``tickets``,
        planned on the ticket's team, in one batch.

        :param request_vals: the values of the requests: one dict for all, or a list
            of dicts in the order of ``tickets``
        """
        if not tickets:
            return self
        if isinstance(request_vals, dict):
            request_vals = [request_vals] * len(tickets)
        now = fields.Datetime.now()
        # sudo: a request is made by the HotRush rules, whoever asked for it (the
        # customer's or the agent's right to was checked by the action)
        return self.sudo().create(
            [
                {
                    "ticket_id": ticket.id,
                    "team_id": ticket.team_id.id,
                    "requested_at": now,
                    **vals,
                }
                for ticket, vals in zip(tickets, request_vals, strict=True)
            ]
        )

    def _started(self):
        """These requests started their tickets' urgency (status and priority set).
        Satellites act: the audit event."""
        return True

    def _transfer(self, previous_teams):
        """The tickets of these requests moved to another HotRush team: the deadline
        the customer was told stands, the receiving team inherits it (the plan keeps
        the team it was made on). Satellites act: the audit event.

        :param previous_teams: ticket id -> its team before the move
        """
        return True

    def _deadline_moved(self, before, why):
        """These requests were planned again (HR-86), ``why`` says why; ``before``:
        ticket id -> (queued until, deadline). Satellites act: the audit event."""
        return True

    def _update_status(self, now):
        """Time passes: undecided requests move between queued, running and
        breached.

        :return: the requests whose status changed
        """
        per_status = defaultdict(lambda: self.browse())
        for request in self:
            if request.status not in (False, *OPEN_STATUSES) or request.ended_at:
                continue
            status = request._status_at(now)
            if status != request.status:
                per_status[status] |= request
        for status, requests in per_status.items():
            requests._write_tracked({"status": status})
        return self.browse().union(*per_status.values())

    def _answer(self, at, user, message):
        """The first response, given at ``at`` by ``user`` with ``message``: the
        verdict, once. A breach that time decided while nobody answered is decided
        again by the answer's time: the same for a reply, earlier for a booked chat
        recorded late."""
        self.ensure_one()
        vals = {
            "first_response_at": at,
            "first_response_user_id": user.id,
            "first_response_message_id": message.id,
        }
        if self.status in (*OPEN_STATUSES, "breached"):
            vals["status"] = "breached" if at > self._breach_time() else "met"
        self._write_tracked(vals)

    def _response_time(self, message):
        """When ``message`` answered the customer: the server's time, as a message's
        date is the poster's to choose. Satellites give the time of answers recorded
        after they were given (a held live chat: its start)."""
        return fields.Datetime.now()

    def _answered_by(self, message):
        """Whether ``message``, a public reply of support, answers this request: one
        written after it was made."""
        self.ensure_one()
        return bool(message.date and message.date >= self.requested_at)

    def _check_end(self, action, reason, note):
        """The rules of the end actions (HR-20 … HR-22), whatever the route."""
        if not self:
            return
        tickets = self.ticket_id
        if action == "uncheck":
            tickets.filtered("closed")._hotrush_refuse(
                self.env._(
                    "HotRush cannot be unchecked on %(ticket)s: the ticket is closed. "
                    "Use 'Withdraw HotRush' instead."
                )
            )
            tickets.filtered("user_id")._hotrush_refuse(
                self.env._(
                    "HotRush cannot be unchecked on %(ticket)s: an agent is already "
                    "assigned. Use 'Withdraw HotRush' instead (billed at the normal "
                    "rate from then on); support staff use 'Remove HotRush' with a "
                    "reason."
                )
            )
        elif action == "withdraw":
            # after closing, withdrawing is the only way out, assigned or not
            tickets.filtered(lambda t: not t.user_id and not t.closed)._hotrush_refuse(
                self.env._(
                    "No agent is assigned to %(ticket)s yet: use 'Uncheck HotRush' "
                    "instead."
                )
            )
        elif action == "remove":
            if not self.env.user.has_group("helpdesk_mgmt.group_helpdesk_user_own"):
                raise AccessError(
                    self.env._("Only support staff can remove HotRush from a ticket.")
                )
            if reason not in REMOVAL_REASONS:
                raise ValidationError(
                    self.env._("Removing HotRush needs a reason from the list.")
                )
            if reason == "other" and not note:
                raise ValidationError(
                    self.env._("Removing HotRush for another reason needs a note.")
                )

    def _end(self, action, reason, note, now):
        """The request ends by ``action``: an undecided one is cancelled, a decided
        one keeps its verdict."""
        vals = {
            "end_action": action,
            "end_reason": reason or False,
            "end_note": note or False,
            "ended_at": now,
        }
        undecided = self.filtered(lambda r: r.status in OPEN_STATUSES)
        undecided._write_tracked(dict(vals, status="cancelled"))
        (self - undecided)._write_tracked(vals)
