# Copyright 2026 hotrush_priority contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.exceptions import AccessError, MissingError, ValidationError


class HelpdeskTicketTeam(models.Model):
    _inherit = "helpdesk.ticket.team"

    hotrush_offered = fields.Boolean(
        string="Offers HotRush",
        help="Customers may mark tickets of this team as urgent (HotRush): answered "
        "within the response target of working time, billed at the HotRush rate.",
    )
    hotrush_calendar_id = fields.Many2one(
        comodel_name="resource.calendar",
        string="HotRush Calendar",
        domain="[('company_id', 'in', [False, company_id])]",
        help="Working hours of this team for HotRush deadlines. Empty: the company's "
        "HotRush support calendar.",
    )
    hotrush_response_hours = fields.Float(
        string="HotRush Response Target (hours)",
        help="Working hours to answer a HotRush ticket of this team. 0: the company's "
        "response target.",
    )

    hotrush_support_product_id = fields.Many2one(
        comodel_name="product.product",
        string="Support Product",
        check_company=True,
        domain=[("type", "=", "service")],
        help="Closed tickets of this team are invoiced with this product: billable "
        "hours at its price (times the HotRush multiplier for HotRush tickets).",
    )

    def write(self, vals):
        res = super().write(vals)
        if {"hotrush_calendar_id", "hotrush_response_hours"}.intersection(vals):
            # open HotRush deadlines of these teams follow (HR-86)
            self.env["hotrush.request"]._replan_where(
                self.env._("the team's working hours or response target changed"),
                teams=self,
            )
        return res

    @api.constrains("hotrush_response_hours")
    def _check_hotrush_response_hours(self):
        if any(team.hotrush_response_hours < 0 for team in self):
            raise ValidationError(
                self.env._("The HotRush response target cannot be negative.")
            )

    @api.constrains("hotrush_calendar_id")
    def _check_hotrush_calendar(self):
        self.hotrush_calendar_id._hotrush_check_usable()

    @api.constrains("company_id", "hotrush_calendar_id", "hotrush_support_product_id")
    def _check_hotrush_company(self):
        """The team's HotRush calendar and support product are of its company or
        shared: a product of another company would make every billable closing of
        the team fail, at that moment rather than here (forms, RPC and imports
        alike)."""
        for team in self:
            team.company_id._hotrush_check_own_records(
                team,
                [team.hotrush_calendar_id, team.hotrush_support_product_id],
            )

    @api.model
    def _hotrush_default_team(self, company):
        """The team urgent portal requests go to when the customer picks none.

        Returned as superuser: customers may not read every team, and only this
        team's id, calendar and response target are used from it.
        """
        # sudo: one team of the customer's company or of none, no customer data
        return self.sudo().search(
            [("hotrush_offered", "=", True), ("company_id", "in", [False, company.id])],
            limit=1,
        )

    def _get_hotrush_calendar(self):
        """The calendar HotRush deadlines of this team are planned on."""
        self.ensure_one()
        company = self.company_id or self.env.company
        return self.hotrush_calendar_id or company._get_hotrush_calendar()

    def _get_hotrush_response_hours(self):
        self.ensure_one()
        company = self.company_id or self.env.company
        return self.hotrush_response_hours or company.hotrush_response_hours

    @api.model
    def _hotrush_refusal_message(self, company):
        """Why a ticket of ``company`` cannot be HotRush with its team: which teams
        offer it."""
        # sudo: name the offering teams of this ticket's company even to a customer
        # who cannot read them; nothing but their names is shown.
        offering = (
            self.env["helpdesk.ticket.team"]
            .sudo()
            .search(
                [
                    ("hotrush_offered", "=", True),
                    ("company_id", "in", [False, company.id]),
                ]
            )
        )
        if offering:
            return self.env._(
                "HotRush (urgent support) is only available for requests to "
                "%(teams)s. Please choose that team, or submit the ticket without "
                "HotRush.",
                teams=", ".join(offering.mapped("display_name")),
            )
        return self.env._("HotRush (urgent support) is not offered by this team.")

    @api.model
    def _hotrush_move_target(self, team_id, tickets):
        """The team support moves ``tickets`` to when removing HotRush: one the user
        may read, active, and of the tickets' company (or of none)."""
        refusal = ValidationError(
            self.env._("Choose an active team of the ticket's company to move to.")
        )
        if not isinstance(team_id, int) or isinstance(team_id, bool):
            raise refusal
        team = self.browse(team_id)
        try:
            team.check_access("read")
            if not team.active:
                raise refusal
        except (AccessError, MissingError):
            raise refusal from None
        if team.company_id and tickets.company_id - team.company_id:
            raise refusal
        return team
