# Copyright 2026 hotrush_priority contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ProductTemplate(models.Model):
    _inherit = "product.template"

    hotrush_prepaid_support = fields.Boolean(
        string="Prepaid Support",
        help="Posting a customer invoice for this product tops up the customer's "
        "support balance; a credit note for it reduces the balance.",
    )
    hotrush_validity_days = fields.Integer(
        string="Support Credit Validity (days)",
        default=365,
        help="How long the support credit bought with this product stays usable, "
        "from the invoice date.",
    )

    @api.constrains("hotrush_prepaid_support", "hotrush_validity_days")
    def _check_hotrush_validity_days(self):
        for product in self.filtered("hotrush_prepaid_support"):
            if product.hotrush_validity_days <= 0:
                raise ValidationError(
                    self.env._(
                        "The validity of prepaid support must be at least a day."
                    )
                )
