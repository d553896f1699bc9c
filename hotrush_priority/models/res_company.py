# Copyright 2026 hotrush_priority contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    _inherit = "res.company"

    hotrush_calendar_id = fields.Many2one(
        comodel_name="resource.calendar",
        string="HotRush Support Calendar",
        help="Working hours of the support department. HotRush deadlines count only "
        "working time of this calendar, public holidays excluded. Empty: the "
        "company's working hours.",
    )
    hotrush_response_hours = fields.Float(
        string="HotRush Response Target (hours)",
        default=1.0,
        help="Working hours an agent has to answer a HotRush ticket publicly.",
    )
    hotrush_grace_minutes = fields.Integer(
        string="HotRush Grace (minutes)",
        default=0,
        help="Added to the deadline before a ticket counts as breached, e.g. for "
        "replication delays between mail servers.",
    )

    @api.constrains("hotrush_response_hours", "hotrush_grace_minutes")
    def _check_hotrush_targets(self):
        for company in self:
            if company.hotrush_response_hours <= 0:
                raise ValidationError(
                    self.env._("The HotRush response target must be more than 0 hours.")
                )
            if company.hotrush_grace_minutes < 0:
                raise ValidationError(
                    self.env._("The HotRush grace cannot be negative.")
                )

    @api.constrains("hotrush_calendar_id")
    def _check_hotrush_calendar(self):
        self.hotrush_calendar_id._hotrush_check_usable()

    def _get_hotrush_calendar(self):
        self.ensure_one()
        return self.hotrush_calendar_id or self.resource_calendar_id
