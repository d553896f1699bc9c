# Copyright 2026 hotrush_priority contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models

from ..const import EVENT_ACTIONS, REASONS, SLA_STATUSES


class HotrushEvent(models.Model):
    """Audit trail: one record for every start and end of urgency on a ticket."""

    _name = "hotrush.event"
    _description = "HotRush Urgency Event"
    _order = "date desc, id desc"

    ticket_id = fields.Many2one(
        comodel_name="helpdesk.ticket",
        required=True,
        index=True,
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
    kind = fields.Selection(
        selection=[
            ("start", "Urgency started"),
            ("end", "Urgency ended"),
            ("move", "Deadline moved"),
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

    @api.depends("ticket_id", "kind", "action")
    def _compute_display_name(self):
        actions = dict(self._fields["action"]._description_selection(self.env))
        for event in self:
            event.display_name = (
                f"{event.ticket_id.number}: {actions.get(event.action)}"
            )

    def _chatter_message(self):
        """The event in words, as the ticket's chatter says it."""
        self.ensure_one()
        event, ticket = self, self.ticket_id
        if event.kind == "move":
            return self.env._(
                "HotRush deadline moved from %(before)s to %(after)s: %(why)s",
                before=ticket._hotrush_format(event.previous_deadline),
                after=ticket._hotrush_format(event.deadline),
                why=event.note,
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
