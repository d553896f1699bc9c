# Copyright 2026 hotrush_priority contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class HelpdeskTicketCategory(models.Model):
    _inherit = "helpdesk.ticket.category"

    hotrush_not_eligible = fields.Boolean(
        string="Not Eligible for HotRush",
        help="Tickets of this category cannot be HotRush, e.g. general questions "
        "about the company, helpdesk accounts and forums, sales and licensing.",
    )
