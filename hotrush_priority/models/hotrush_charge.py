# Copyright 2026 hotrush_priority contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import logging

import psycopg2

from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_is_zero, float_round

from ..const import CHARGE_CONSTRAINT

# hours are billed to the hundredth (36 seconds)
HOURS_DIGITS = 2

_logger = logging.getLogger(__name__)


class HotrushCharge(models.Model):
    """What a ticket was billed, closing by closing (HR-31 … HR-33).

    Each closing bills the hours not billed yet (a ``charge``) or gives back the hours
    billed too many (a ``correction`` per charge it reduces); each HotRush-rate charge
    has at most one ``surcharge_refund``. The database guarantees it, whatever reopens,
    retries or concurrent workers do.
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
    request_id = fields.Many2one(
        comodel_name="hotrush.request",
        string="HotRush Request",
        index="btree_not_null",
        ondelete="restrict",
        readonly=True,
        help="The ticket's HotRush request when it was closed, if it had one.",
    )
    kind = fields.Selection(
        selection=[
            ("charge", "Charge"),
            ("correction", "Correction"),
            ("surcharge_refund", "Surcharge refund"),
        ],
        required=True,
        default="charge",
        readonly=True,
    )
    closing = fields.Integer(
        readonly=True,
        default=1,
        help="The closing of the ticket this bills: 1 for the first, 2 after the "
        "first reopen, and so on.",
    )
    origin_id = fields.Many2one(
        comodel_name="hotrush.charge",
        string="Corrects",
        readonly=True,
        index="btree_not_null",
        ondelete="restrict",
        help="The charge a correction or a surcharge refund gives back part of.",
    )
    given_back_ids = fields.One2many(
        comodel_name="hotrush.charge",
        inverse_name="origin_id",
        readonly=True,
        help="The corrections and the surcharge refund of this charge.",
    )
    company_id = fields.Many2one(
        comodel_name="res.company", required=True, index=True, readonly=True
    )
    partner_id = fields.Many2one(
        comodel_name="res.partner", string="Customer", required=True, readonly=True
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    product_id = fields.Many2one(comodel_name="product.product", readonly=True)
    hours = fields.Float(
        readonly=True, help="Hours billed; for a correction, the hours given back."
    )
    unit_price = fields.Monetary(
        string="Normal Rate", readonly=True, help="Price of one hour at normal rate."
    )
    multiplier = fields.Float(string="Rate Multiplier", readonly=True)
    amount = fields.Monetary(readonly=True)
    covered_amount = fields.Monetary(
        string="Paid from Balance",
        readonly=True,
        help="Deducted from the balance; for a correction or a refund, given back to "
        "it.",
    )
    move_id = fields.Many2one(
        comodel_name="account.move", string="Invoice", readonly=True, index=True
    )
    move_line_ids = fields.Many2many(
        comodel_name="account.move.line", string="Invoice Lines", readonly=True
    )

    _ticket_closing_uniq = models.UniqueIndex(
        "(ticket_id, kind, closing, COALESCE(origin_id, 0))",
        "A ticket is billed once per closing, and each surcharge refunded once at "
        "most.",
    )

    # ------------------------------------------------------------------
    # Billing a closed ticket (HR-31, HR-32)
    # ------------------------------------------------------------------

    @api.model
    def _charge_ticket(self, ticket):
        """Bill a closed ticket's current closing once: the hours not billed yet, at
        the rate that applies now, or a correction of the hours billed too many. A
        database constraint settles races.

        Runs in the caller's environment; billing calls it as superuser (charges,
        balances and support invoices are the billing rules', whoever closes).

        :return: the new charge or corrections, or an empty recordset
        """
        ticket.ensure_one()
        closing = max(ticket.hotrush_closing_count, 1)
        billed = self.search([("ticket_id", "=", ticket.id)])
        if billed.filtered(
            lambda c: c.closing == closing and c.kind in ("charge", "correction")
        ):
            return self.browse()
        charges = billed.filtered(lambda c: c.kind == "charge")
        hours = self._hours_to_bill(ticket, charges)
        if float_is_zero(hours, precision_digits=HOURS_DIGITS):
            return self.browse()
        try:
            with self.env.cr.savepoint():
                if hours > 0:
                    return self._create_for_ticket(ticket, hours, closing)
                return charges._correct(-hours, closing)
        except psycopg2.errors.UniqueViolation as error:
            if error.diag.constraint_name != CHARGE_CONSTRAINT:
                raise  # not the charge itself: let the request be retried
            # another transaction billed this closing first (two workers)
            _logger.info("Ticket %s was already billed", ticket.number)
            return self.browse()

    @api.model
    def _hours_to_bill(self, ticket, charges=None):
        """The hours a closing of ``ticket`` bills: its billable hours less those
        its ``charges`` (default: all of them) billed before; negative when too many
        were billed (a correction)."""
        if charges is None:
            charges = self.search(
                [("ticket_id", "=", ticket.id), ("kind", "=", "charge")]
            )
        return float_round(
            ticket.hotrush_billable_hours
            - sum(charge._net_hours() for charge in charges),
            precision_digits=HOURS_DIGITS,
        )

    @api.model
    def _price_of(self, ticket, hours):
        """What ``hours`` of ``ticket`` cost if billed now: ``(unit price,
        multiplier, amount)``, the amount rounded as its invoice line is."""
        currency = ticket.company_id.currency_id
        unit_price = ticket._hotrush_unit_price(
            ticket.team_id.hotrush_support_product_id
        )
        multiplier = ticket._hotrush_rate_multiplier()
        amount = currency.round(hours * currency.round(unit_price * multiplier))
        return unit_price, multiplier, amount

    @api.model
    def _covered_by(self, balance, amount):
        """The part of ``amount`` the support ``balance`` (one or none) pays."""
        if not balance:
            return 0.0
        return min(max(balance._available_amount(), 0.0), amount)

    @api.model
    def _create_for_ticket(self, ticket, hours, closing=1):
        """The charge of ``hours`` of ``ticket``: its line on the customer's draft
        support invoice, the part its support balance pays deducted there and booked
        on the balance."""
        company = ticket.company_id
        currency = company.currency_id
        partner = ticket.commercial_partner_id
        product = ticket.team_id.hotrush_support_product_id
        unit_price, multiplier, amount = self._price_of(ticket, hours)
        # no balance is created here: a customer without one in this company pays
        # the whole amount on the invoice
        balance = self.env["hotrush.support.balance"]._get_for(
            partner, company, create=False
        )
        covered = 0.0
        if balance:
            balance._lock()
            balance.invalidate_recordset(["amount", "expiry_date"])
            covered = self._covered_by(balance, amount)
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
                "request_id": ticket.hotrush_request_id.id,
                "kind": "charge",
                "closing": closing,
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

    # ------------------------------------------------------------------
    # What a charge still bills
    # ------------------------------------------------------------------

    def _given_back(self):
        """The corrections and the surcharge refund of this charge."""
        self.ensure_one()
        return self.given_back_ids

    def _net_hours(self):
        """Hours this charge still bills, after the corrections of later closings."""
        self.ensure_one()
        corrections = self._given_back().filtered(lambda c: c.kind == "correction")
        return self.hours - sum(corrections.mapped("hours"))

    def _hourly_rate(self):
        """What one hour of this charge costs now: its rate, or the normal rate once
        its surcharge was refunded."""
        self.ensure_one()
        currency = self.currency_id
        if self._given_back().filtered(lambda c: c.kind == "surcharge_refund"):
            return currency.round(self.unit_price)
        return currency.round(self.unit_price * self.multiplier)

    def _covered_left(self):
        """What the balance paid of this charge and was not given back yet."""
        self.ensure_one()
        return self.covered_amount - sum(self._given_back().mapped("covered_amount"))

    # ------------------------------------------------------------------
    # Fewer hours after a reopen: corrections
    # ------------------------------------------------------------------

    def _correct(self, hours, closing):
        """Give back ``hours`` billed by these charges, the latest charges first, at
        the rate each billed them: one correction per charge reduced.

        :return: the corrections
        """
        corrections = self.browse()
        for charge in self.sorted(lambda c: (c.closing, c.id), reverse=True):
            if float_is_zero(hours, precision_digits=HOURS_DIGITS):
                break
            taken = min(charge._net_hours(), hours)
            if float_is_zero(taken, precision_digits=HOURS_DIGITS):
                continue
            corrections |= charge._create_correction(taken, closing)
            hours = float_round(hours - taken, precision_digits=HOURS_DIGITS)
        return corrections

    def _create_correction(self, hours, closing):
        """Give back ``hours`` of this charge: the balance first gets back what it
        paid, the rest is credited. On a draft invoice both happen on it; on a posted
        one, a credit note does it when it is posted (HR-87 settles the balance)."""
        self.ensure_one()
        currency = self.currency_id
        ticket = self.ticket_id
        rate = self._hourly_rate()
        amount = currency.round(hours * rate)
        covered = min(max(self._covered_left(), 0.0), amount)
        line_vals = {
            "product_id": self.product_id.id,
            "quantity": -hours,
            "price_unit": rate,
            "name": self.env._(
                "Correction of %(ticket)s: %(hours)s hours billed too many",
                ticket=ticket.display_name,
                hours=hours,
            ),
            "hotrush_ticket_id": ticket.id,
        }
        if self.move_id.state == "draft":
            move = self.move_id
            lines = self._return_on_draft(line_vals, covered)
        else:
            line_vals["quantity"] = hours
            deduction = False
            if not currency.is_zero(covered):
                deduction = self._prepare_deduction_line_vals(ticket, covered)
            move = self._create_credit_note(line_vals, deduction)
            lines = move.invoice_line_ids
        vals = self._prepare_given_back_vals(
            "correction", closing, hours, self.multiplier, amount, covered, move
        )
        vals["move_line_ids"] = [Command.set(lines.ids)]
        return self.create(vals)

    def _prepare_given_back_vals(
        self, kind, closing, hours, multiplier, amount, covered, move
    ):
        """A correction or a surcharge refund of this charge, giving back
        ``amount``, of which ``covered`` to the balance."""
        self.ensure_one()
        return {
            "ticket_id": self.ticket_id.id,
            "request_id": self.request_id.id,
            "kind": kind,
            "closing": closing,
            "origin_id": self.id,
            "company_id": self.company_id.id,
            "partner_id": self.partner_id.id,
            "product_id": self.product_id.id,
            "hours": hours,
            "unit_price": self.unit_price,
            "multiplier": multiplier,
            "amount": -amount,
            "covered_amount": covered,
            "move_id": move.id,
        }

    def _return_on_draft(self, line_vals, covered):
        """A correction on this charge's draft invoice: a negative line, and the
        deduction of the charge reduced by what goes back to the balance."""
        self.ensure_one()
        invoice = self.move_id
        before = invoice.invoice_line_ids
        invoice.write({"invoice_line_ids": [Command.create(line_vals)]})
        if not self.currency_id.is_zero(covered):
            self._give_back_to_balance(
                covered,
                self.env._(
                    "Hours of %(ticket)s billed too many",
                    ticket=self.ticket_id.display_name,
                ),
            )
        return invoice.invoice_line_ids - before

    def _give_back_to_balance(self, amount, note):
        """Lower this charge's deduction on its draft invoice by ``amount`` and book
        it back on the balance."""
        self.ensure_one()
        deduction = self.move_line_ids.filtered("hotrush_deduction")
        left = self.currency_id.round(-deduction.price_unit - amount)
        if self.currency_id.is_zero(left):
            deduction.unlink()
        else:
            deduction.write({"price_unit": -left})
        balance = self.env["hotrush.support.balance"]._get_for(
            self.partner_id, self.company_id, create=False
        )
        balance._book(
            "refund", amount, ticket=self.ticket_id, move=self.move_id, note=note
        )

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
        """Not invoiced yet: re-rate the draft; invoiced: a credit note. On the
        hours this charge still bills (corrections gave the others back)."""
        self.ensure_one()
        currency = self.currency_id
        hours = self._net_hours()
        surcharge = currency.round(
            hours * currency.round(self.unit_price * (self.multiplier - 1))
        )
        returned = 0.0
        if self.move_id.state == "draft":
            move = self.move_id
            returned = self._rerate_draft(surcharge)
        else:
            move = self._create_credit_note(
                {
                    "product_id": self.product_id.id,
                    "quantity": hours,
                    "price_unit": currency.round(
                        self.unit_price * (self.multiplier - 1)
                    ),
                    "name": self.env._(
                        "Refund of the HotRush surcharge: %(ticket)s",
                        ticket=self.ticket_id.display_name,
                    ),
                    "hotrush_ticket_id": self.ticket_id.id,
                }
            )
        return self.create(
            self._prepare_given_back_vals(
                "surcharge_refund",
                self.closing,
                hours,
                self.multiplier - 1,
                surcharge,
                returned,
                move,
            )
        )

    def _rerate_draft(self, surcharge):
        """Bill the normal rate on the draft invoice (the charge's lines and its
        corrections'); what the balance paid beyond it goes back to the balance.

        :return: the amount given back to the balance
        """
        self.ensure_one()
        currency = self.currency_id
        ticket = self.ticket_id
        corrections = self._given_back().filtered(
            lambda c: c.kind == "correction" and c.move_id == self.move_id
        )
        (self.move_line_ids | corrections.move_line_ids).filtered(
            lambda line: not line.hotrush_deduction
        ).write({"price_unit": currency.round(self.unit_price)})
        self.move_line_ids.filtered(lambda line: not line.hotrush_deduction).write(
            {"name": self._line_name(ticket, 1.0)}
        )
        normal_amount = currency.round(self._net_hours() * self.unit_price)
        covered = self._covered_left()
        returned = currency.round(covered - min(covered, normal_amount))
        returned = min(returned, surcharge)
        if currency.is_zero(returned):
            return 0.0
        self._give_back_to_balance(
            returned,
            self.env._(
                "HotRush surcharge of %(ticket)s not due", ticket=ticket.display_name
            ),
        )
        return returned

    def _create_credit_note(self, line_vals, deduction_vals=False):
        """A draft credit note against this charge's posted invoice."""
        self.ensure_one()
        lines = [Command.create(line_vals)]
        if deduction_vals:
            lines.append(Command.create(deduction_vals))
        return (
            self.env["account.move"]
            .with_company(self.company_id)
            .create(
                {
                    "move_type": "out_refund",
                    "partner_id": self.partner_id.id,
                    "company_id": self.company_id.id,
                    "reversed_entry_id": self.move_id.id,
                    "invoice_line_ids": lines,
                }
            )
        )
