# Copyright 2026 hotrush_priority contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class HotrushCharge(models.Model):
    """What a closed ticket was charged, once (HR-31 … HR-33).

    One ``charge`` and at most one ``surcharge_refund`` per ticket, guaranteed by
    the database, whatever reopens, retries or concurrent workers do.
    """

    _name = "hotrush.charge"
    _description = "Support Ticket Charge"
    _order = "id desc"

    ticket_id = fields.Many2one(
        comodel_name="helpdesk.ticket",
        required=True,
        index=True,
        ondelete="restrict",
        readonly=True,
    )
    kind = fields.Selection(
        selection=[("charge", "Charge"), ("surcharge_refund", "Surcharge refund")],
        required=True,
        default="charge",
        readonly=True,
    )
    company_id = fields.Many2one(
        comodel_name="res.company", required=True, index=True, readonly=True
    )
    partner_id = fields.Many2one(
        comodel_name="res.partner", string="Customer", required=True, readonly=True
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    product_id = fields.Many2one(comodel_name="product.product", readonly=True)
    hours = fields.Float(readonly=True)
    unit_price = fields.Monetary(
        string="Normal Rate", readonly=True, help="Price of one hour at normal rate."
    )
    multiplier = fields.Float(string="Rate Multiplier", readonly=True)
    amount = fields.Monetary(readonly=True)
    covered_amount = fields.Monetary(
        string="Paid from Balance", readonly=True, help="Deducted from the balance."
    )
    move_id = fields.Many2one(
        comodel_name="account.move", string="Invoice", readonly=True, index=True
    )
    move_line_ids = fields.Many2many(
        comodel_name="account.move.line", string="Invoice Lines", readonly=True
    )

    _ticket_kind_uniq = models.Constraint(
        "UNIQUE(ticket_id, kind)",
        "A ticket is charged once, and its HotRush surcharge refunded once at most.",
    )
