# Copyright 2026 hotrush_priority contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from functools import partial

from odoo import api, fields, models

from ..const import EVENT_ACTIONS, REASONS, SLA_STATUSES


class HotrushEvent(models.Model):
    """Audit trail: one record for every start and end of urgency on a ticket and
    every move of its deadline."""

    _name = "hotrush.event"
    _description = "HotRush Urgency Event"
    _order = "date desc, id desc"
    # Who and when are the event's own user and date: no creation and update columns
    # (an event is never updated), nor their two foreign keys to check on each of
    # the thousands of events one re-planning may write.
    _log_access = False

    ticket_id = fields.Many2one(
        comodel_name="helpdesk.ticket",
        required=True,
        index=True,
        ondelete="cascade",
        readonly=True,
    )
    request_id = fields.Many2one(
        comodel_name="hotrush.request",
        string="HotRush Request",
        index="btree_not_null",
        ondelete="cascade",
        readonly=True,
    )
    # precomputed: written with the event, not by a second UPDATE
    company_id = fields.Many2one(
        related="ticket_id.company_id",
        store=True,
        index=True,
        readonly=True,
        precompute=True,
    )
    partner_id = fields.Many2one(
        comodel_name="res.partner",
        string="Customer",
        related="ticket_id.commercial_partner_id",
        store=True,
        readonly=True,
        precompute=True,
    )
    team_id = fields.Many2one(comodel_name="helpdesk.ticket.team", readonly=True)
    previous_team_id = fields.Many2one(
        comodel_name="helpdesk.ticket.team",
        string="Team before",
        readonly=True,
        help="Of a transfer to another HotRush team.",
    )
    kind = fields.Selection(
        selection=[
            ("start", "Urgency started"),
            ("end", "Urgency ended"),
            ("move", "Deadline moved"),
            ("transfer", "Team changed"),
        ],
        required=True,
        readonly=True,
    )
    action = fields.Selection(
        selection=EVENT_ACTIONS,
        required=True,
        readonly=True,
    )
    reason = fields.Selection(selection=REASONS, readonly=True)
    note = fields.Text(readonly=True)
    user_id = fields.Many2one(
        comodel_name="res.users",
        string="By",
        required=True,
        readonly=True,
        default=lambda self: self.env.user,
    )
    date = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now)
    deadline = fields.Datetime(string="Deadline at the time", readonly=True)
    previous_deadline = fields.Datetime(
        string="Deadline before", readonly=True, help="Of a moved deadline."
    )
    sla_status = fields.Selection(
        selection=SLA_STATUSES,
        string="SLA Status at the time",
        readonly=True,
    )
    notice_pending = fields.Boolean(
        string="Customer Not Told Yet",
        readonly=True,
        help="A moved deadline whose message to the customer the SLA scheduled "
        "action is still to post.",
    )

    note_pending = fields.Boolean(
        string="Not in the Chatter Yet",
        readonly=True,
        help="A request whose internal note the SLA scheduled action is still to log "
        "in the ticket's chatter, with the team's notice.",
    )

    # the SLA action looks for the pending notices: few rows, whatever the history
    _notice_pending_idx = models.Index("(ticket_id) WHERE notice_pending")
    _note_pending_idx = models.Index("(ticket_id) WHERE note_pending")

    @api.depends("ticket_id", "kind", "action")
    def _compute_display_name(self):
        actions = dict(self._fields["action"]._description_selection(self.env))
        for event in self:
            event.display_name = (
                f"{event.ticket_id.number}: {actions.get(event.action)}"
            )

    def _rounds(self):
        """These events in rounds of at most one event per ticket, in their order:
        what one batch of messages (one per ticket) can say at once.

        :return: list of recordsets
        """
        rounds = []  # [{ticket id: event id}]
        for event in self:
            free = next((r for r in rounds if event.ticket_id.id not in r), None)
            if free is None:
                rounds.append(free := {})
            free[event.ticket_id.id] = event.id
        return [self.browse(ids.values()) for ids in rounds]

    def _chatter_message(self):
        """The event in words, as the ticket's chatter says it."""
        self.ensure_one()
        event, ticket = self, self.ticket_id
        if event.kind == "move":
            return event._move_message(ticket._hotrush_format)
        if event.kind == "transfer":
            return self.env._(
                "HotRush request transferred from %(before)s to %(after)s by "
                "%(user)s; the deadline stays %(deadline)s, as the customer was told.",
                before=event.previous_team_id.name,
                after=event.team_id.name,
                user=event.user_id.name,
                deadline=ticket._hotrush_format(event.deadline),
            )
        if event.kind == "start":
            if ticket.hotrush_queued_until:
                return self.env._(
                    "HotRush requested by %(user)s. Queued until the support opens at "
                    "%(opening)s; respond by %(deadline)s.",
                    user=event.user_id.name,
                    opening=ticket._hotrush_format(ticket.hotrush_queued_until),
                    deadline=ticket._hotrush_format(ticket.hotrush_deadline),
                )
            return self.env._(
                "HotRush requested by %(user)s; respond by %(deadline)s.",
                user=event.user_id.name,
                deadline=ticket._hotrush_format(ticket.hotrush_deadline),
            )
        reason = dict(event._fields["reason"]._description_selection(self.env)).get(
            event.reason
        )
        action = dict(event._fields["action"]._description_selection(self.env))[
            event.action
        ]
        message = self.env._(
            "HotRush ended (%(action)s) by %(user)s.",
            action=action,
            user=event.user_id.name,
        )
        if reason:
            message += " " + self.env._("Reason: %(reason)s.", reason=reason)
        if event.note:
            message += " " + self.env._("Note: %(note)s", note=event.note)
        return message

    def _move_message(self, format_date):
        """A moved deadline in words; ``format_date(value)`` gives a date as text."""
        self.ensure_one()
        return self.env._(
            "HotRush deadline moved from %(before)s to %(after)s: %(why)s",
            before=format_date(self.previous_deadline),
            after=format_date(self.deadline),
            why=self.note,
        )

    def _move_messages(self):
        """The words of these 'move' events for their customers: each in the
        customer's language (else its author's), each date in the ticket's calendar
        time zone, formatted once per language, zone and value, as thousands of
        events may say the same few dates.

        :return: {event id: text}
        """
        zones, dates, texts = {}, {}, {}

        def local_date(ticket, value, tz):
            key = (value, tz, ticket.env.lang)
            if key not in dates:
                dates[key] = ticket._hotrush_format(value, tz=tz)
            return dates[key]

        for event in self:
            key = (event.ticket_id._hotrush_plan_team(), event.ticket_id.company_id)
            if key not in zones:
                calendar = event.ticket_id._get_hotrush_calendar()
                zones[key] = (calendar and calendar._hotrush_zone()) or "UTC"
            lang = (
                event.ticket_id.partner_id.lang or event.user_id.lang or self.env.lang
            )
            ticket = event.ticket_id.with_context(lang=lang)
            texts[event.id] = event.with_context(lang=lang)._move_message(
                partial(local_date, ticket, tz=zones[key])
            )
        return texts
