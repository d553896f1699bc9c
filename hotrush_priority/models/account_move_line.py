# Copyright 2026 hotrush_priority contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    hotrush_deduction = fields.Boolean(
        string="Prepaid Balance Deduction",
        copy=True,  # a reversal of the deduction is not a top-up either
        help="A negative line paying support charges from the prepaid balance.",
    )
    hotrush_ticket_id = fields.Many2one(
        comodel_name="helpdesk.ticket",
        string="Support Ticket",
        index="btree_not_null",
        copy=True,
    )
