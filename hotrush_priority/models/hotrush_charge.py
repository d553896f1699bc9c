# Copyright 2026 hotrush_priority contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import logging

import psycopg2

from odoo import Command, api, fields, models
from odoo.exceptions import UserError

from ..const import CHARGE_CONSTRAINT

_logger = logging.getLogger(__name__)


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

    # ------------------------------------------------------------------
    # Charging a closed ticket (HR-31, HR-32)
    # ------------------------------------------------------------------

    @api.model
    def _charge_ticket(self, ticket):
        """Charge a closed ticket once: a database constraint settles races.

        Runs in the caller's environment; billing calls it as superuser (charges,
        balances and support invoices are the billing rules', whoever closes).

        :return: the new charge, or an empty recordset when it was charged already
        """
        ticket.ensure_one()
        if self.search_count([("ticket_id", "=", ticket.id), ("kind", "=", "charge")]):
            return self.browse()
        try:
            with self.env.cr.savepoint():
                return self._create_for_ticket(ticket)
        except psycopg2.errors.UniqueViolation as error:
            if error.diag.constraint_name != CHARGE_CONSTRAINT:
                raise  # not the charge itself: let the request be retried
            # another transaction charged it first (reopen/close race, two workers)
            _logger.info("Ticket %s was already charged", ticket.number)
            return self.browse()

    @api.model
    def _create_for_ticket(self, ticket):
        """The charge of ``ticket``: its line on the customer's draft support invoice,
        the part its support balance pays deducted there and booked on the balance."""
        company = ticket.company_id
        currency = company.currency_id
        partner = ticket.commercial_partner_id
        product = ticket.team_id.hotrush_support_product_id
        hours = ticket.hotrush_billable_hours
        unit_price = ticket._hotrush_unit_price(product)
        multiplier = ticket._hotrush_rate_multiplier()
        amount = currency.round(hours * currency.round(unit_price * multiplier))
        # no balance is created here: a customer without one in this company pays
        # the whole amount on the invoice
        balance = self.env["hotrush.support.balance"]._get_for(
            partner, company, create=False
        )
        covered = 0.0
        if balance:
            balance._lock()
            balance.invalidate_recordset(["amount", "expiry_date"])
            covered = min(max(balance._available_amount(), 0.0), amount)
        invoice = self.env["account.move"]._hotrush_get_support_invoice(
            partner, company
        )
        line_vals = [
            self._prepare_line_vals(ticket, product, hours, unit_price, multiplier)
        ]
        if not currency.is_zero(covered):
            line_vals.append(self._prepare_deduction_line_vals(ticket, covered))
        before = invoice.invoice_line_ids
        invoice.write({"invoice_line_ids": [Command.create(v) for v in line_vals]})
        lines = invoice.invoice_line_ids - before
        charge = self.create(
            {
                "ticket_id": ticket.id,
                "kind": "charge",
                "company_id": company.id,
                "partner_id": partner.id,
                "product_id": product.id,
                "hours": hours,
                "unit_price": unit_price,
                "multiplier": multiplier,
                "amount": amount,
                "covered_amount": covered,
                "move_id": invoice.id,
                "move_line_ids": [Command.set(lines.ids)],
            }
        )
        if not currency.is_zero(covered):
            balance._book(
                "charge",
                -covered,
                ticket=ticket,
                move=invoice,
                note=ticket.display_name,
            )
        return charge

    @api.model
    def _rate_label(self, multiplier):
        if multiplier > 1:
            return self.env._("HotRush rate (x%(multiplier)s)", multiplier=multiplier)
        return self.env._("normal rate")

    @api.model
    def _line_name(self, ticket, multiplier):
        return self.env._(
            "Support ticket %(ticket)s, %(rate)s",
            ticket=ticket.display_name,
            rate=self._rate_label(multiplier),
        )

    @api.model
    def _prepare_line_vals(self, ticket, product, hours, unit_price, multiplier):
        currency = ticket.company_id.currency_id
        return {
            "product_id": product.id,
            "quantity": hours,
            "price_unit": currency.round(unit_price * multiplier),
            "name": self._line_name(ticket, multiplier),
            "hotrush_ticket_id": ticket.id,
        }

    @api.model
    def _prepare_deduction_line_vals(self, ticket, amount):
        """A negative prepaid-support line, like a down payment deduction (HR-32)."""
        product = ticket.company_id._get_hotrush_prepaid_product()
        if not product:
            raise UserError(
                self.env._(
                    "Set the prepaid support product in Settings > Helpdesk > "
                    "HotRush to deduct charges from support balances."
                )
            )
        return {
            "product_id": product.id,
            "quantity": 1.0,
            "price_unit": -amount,
            "name": self.env._(
                "Paid from the prepaid support balance: %(ticket)s",
                ticket=ticket.display_name,
            ),
            "hotrush_deduction": True,
            "hotrush_ticket_id": ticket.id,
        }

    # ------------------------------------------------------------------
    # Refunding the HotRush surcharge (HR-33)
    # ------------------------------------------------------------------

    def _refund_surcharge(self):
        """Refund the surcharge of these HotRush-rate charges, once each.

        :return: the refunds made
        """
        refunds = self.browse()
        for charge in self.filtered(lambda c: c.kind == "charge" and c.multiplier > 1):
            try:
                with self.env.cr.savepoint():
                    refunds |= charge._create_surcharge_refund()
            except psycopg2.errors.UniqueViolation as error:
                if error.diag.constraint_name != CHARGE_CONSTRAINT:
                    raise
                _logger.info(
                    "Surcharge of %s was already refunded", charge.ticket_id.number
                )
        return refunds

    def _create_surcharge_refund(self):
        """Not invoiced yet: re-rate the draft; invoiced: a credit note."""
        self.ensure_one()
        currency = self.currency_id
        normal_amount = currency.round(self.hours * self.unit_price)
        surcharge = currency.round(self.amount - normal_amount)
        if self.move_id.state == "draft":
            move = self.move_id
            self._rerate_draft(normal_amount)
        else:
            move = self._create_surcharge_credit_note()
        return self.create(
            {
                "ticket_id": self.ticket_id.id,
                "kind": "surcharge_refund",
                "company_id": self.company_id.id,
                "partner_id": self.partner_id.id,
                "product_id": self.product_id.id,
                "hours": self.hours,
                "unit_price": self.unit_price,
                "multiplier": self.multiplier - 1,
                "amount": -surcharge,
                "move_id": move.id,
            }
        )

    def _rerate_draft(self, normal_amount):
        """Bill the normal rate on the draft invoice; extra credit back to the
        balance."""
        self.ensure_one()
        currency = self.currency_id
        ticket = self.ticket_id
        lines = self.move_line_ids
        lines.filtered(lambda line: not line.hotrush_deduction).write(
            {
                "price_unit": currency.round(self.unit_price),
                "name": self._line_name(ticket, 1.0),
            }
        )
        covered = min(self.covered_amount, normal_amount)
        returned = currency.round(self.covered_amount - covered)
        if currency.is_zero(returned):
            return
        deduction = lines.filtered("hotrush_deduction")
        if currency.is_zero(covered):
            deduction.unlink()
        else:
            deduction.write({"price_unit": -covered})
        balance = self.env["hotrush.support.balance"]._get_for(
            self.partner_id, self.company_id, create=False
        )
        balance._book(
            "refund",
            returned,
            ticket=ticket,
            move=self.move_id,
            note=self.env._(
                "HotRush surcharge of %(ticket)s not due", ticket=ticket.display_name
            ),
        )

    def _create_surcharge_credit_note(self):
        """A credit note for the surcharge, against the posted invoice."""
        self.ensure_one()
        ticket = self.ticket_id
        return (
            self.env["account.move"]
            .with_company(self.company_id)
            .create(
                {
                    "move_type": "out_refund",
                    "partner_id": self.partner_id.id,
                    "company_id": self.company_id.id,
                    "reversed_entry_id": self.move_id.id,
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "product_id": self.product_id.id,
                                "quantity": self.hours,
                                "price_unit": self.currency_id.round(
                                    self.unit_price * (self.multiplier - 1)
                                ),
                                "name": self.env._(
                                    "Refund of the HotRush surcharge: %(ticket)s",
                                    ticket=ticket.display_name,
                                ),
                                "hotrush_ticket_id": ticket.id,
                            }
                        )
                    ],
                }
            )
        )
