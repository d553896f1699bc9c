# Copyright 2026 hotrush_priority contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""What a ticket costs: billable hours, the support balance gate of HotRush (HR-4), the
rate multiplier, and the charge on close and the surcharge refund on an end of urgency,
which ``hotrush.charge`` books (HR-31 … HR-34); the figures of a price the customer
confirms on the portal before an action or a closing that bills."""

import math

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL, float_compare

from ..const import MAX_BILLABLE_HOURS

SUPPORT_STAFF = "helpdesk_mgmt.group_helpdesk_user_own"


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"

    hotrush_billable_hours = fields.Float(
        string="Billable Hours",
        tracking=True,
        copy=False,
        help="Support hours charged when the ticket is closed, at the team's support "
        "product price (times the HotRush multiplier for HotRush tickets).",
    )

    hotrush_charge_ids = fields.One2many(
        comodel_name="hotrush.charge",
        inverse_name="ticket_id",
        string="Charges",
        readonly=True,
    )
    hotrush_closing_count = fields.Integer(
        string="Closings",
        readonly=True,
        copy=False,
        help="How many times the ticket was closed: each closing bills the hours not "
        "billed yet, once.",
    )

    # the customer's credit is for support staff: a follower of the ticket from
    # another company must not read it
    hotrush_balance_amount = fields.Monetary(
        "Customer's Support Credit",
        "hotrush_currency_id",
        compute="_compute_hotrush_balance",
        groups=SUPPORT_STAFF,
    )
    hotrush_balance_active = fields.Boolean(
        "Support Balance Active",
        compute="_compute_hotrush_balance",
        groups=SUPPORT_STAFF,
    )

    hotrush_currency_id = fields.Many2one(related="company_id.currency_id")

    # ------------------------------------------------------------------
    # Compute
    # ------------------------------------------------------------------

    @api.depends("commercial_partner_id", "company_id")
    @api.depends_context("date")
    def _compute_hotrush_balance(self):
        # sudo: the ticket shows its customer's credit to whoever reads the ticket
        Balance = self.env["hotrush.support.balance"].sudo()
        for ticket in self:
            balance = Balance._get_for(
                ticket.commercial_partner_id, ticket.company_id, create=False
            )
            ticket.hotrush_balance_amount = balance.amount
            ticket.hotrush_balance_active = balance.is_active

    # ------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------

    @api.constrains("hotrush")
    def _check_hotrush_balance(self):
        for ticket in self.filtered("hotrush"):
            refusal = ticket._hotrush_balance_refusal()
            if refusal:
                raise ValidationError(refusal)

    def _hotrush_balance_refusal(self):
        """Why this ticket's customer may not request HotRush now, or ``False`` (HR-4)."""
        self.ensure_one()
        partner = self.commercial_partner_id
        if not partner:
            return self.env._(
                "HotRush needs the customer of the ticket: set the contact first."
            )
        Balance = self.env["hotrush.support.balance"]
        if Balance._has_active_balance(partner, self.company_id):
            return False
        # sudo: why the customer's balance is not active, told to whoever requests
        # HotRush for that customer (the customer, or an agent on their behalf)
        balance = Balance.sudo()._get_for(partner, self.company_id, create=False)
        if not balance.line_ids:  # never had one: how to get it
            offer = Balance._hotrush_prepaid_offer_text(
                self.company_id or self.env.company
            )
            return self.env._(
                "HotRush needs prepaid support, which you do not have yet. "
                "%(offer)s You can also submit the ticket without HotRush.",
                offer=offer or self.env._("Contact us to buy prepaid support."),
            )
        if balance.expiry_date and balance.expiry_date < balance._hotrush_today():
            return self.env._(
                "HotRush is available while your support balance is active, and it "
                "expired on %(date)s. Top up your prepaid support to use HotRush, or "
                "submit the ticket without HotRush.",
                date=fields.Date.to_string(balance.expiry_date),
            )
        return self.env._(
            "HotRush is available while your support balance is active, and it has "
            "no credit left. Top up your prepaid support to use HotRush, or submit "
            "the ticket without HotRush."
        )

    @api.constrains("hotrush_billable_hours")
    def _check_hotrush_billable_hours(self):
        for ticket in self:
            hours = ticket.hotrush_billable_hours
            if not math.isfinite(hours) or not 0 <= hours <= MAX_BILLABLE_HOURS:
                raise ValidationError(
                    self.env._(
                        "Billable hours must be a number from 0 to %(max)s.",
                        max=int(MAX_BILLABLE_HOURS),
                    )
                )

    # ------------------------------------------------------------------
    # Hooks of the core
    # ------------------------------------------------------------------

    def write(self, vals):
        if "company_id" in vals:
            self._hotrush_check_company_move(vals["company_id"])
        billed = {}
        if "hotrush_billable_hours" in vals:
            billed = {t.id: t.hotrush_billable_hours for t in self if t.closed}
        was_open = self.filtered(lambda t: not t.closed) if "stage_id" in vals else ()
        res = super().write(vals)
        if billed:
            self.browse(billed)._hotrush_check_billed_hours(billed)
        if was_open:
            closing = was_open.filtered("closed")
            # the status as time says at the closing instant, before it is billed
            closing._hotrush_update_sla_status()
            closing._hotrush_count_closing()
            closing._hotrush_charge_closed()
        return res

    def _hotrush_end(self, action, reason=False, note=False):
        res = super()._hotrush_end(action, reason=reason, note=note)
        self._hotrush_refund_surcharge()
        return res

    def _hotrush_system_fields(self):
        return super()._hotrush_system_fields() | {
            "hotrush_charge_ids",
            "hotrush_closing_count",
        }

    def _hotrush_check_billed_hours(self, billed):
        """A closed ticket's hours are billed: they change with a reopen (which the
        next closing bills or corrects), not while it stays closed.

        :param billed: ticket id -> its hours before the write, for tickets closed then
        """
        changed = self.filtered(
            lambda t: (
                t.closed
                and float_compare(
                    t.hotrush_billable_hours, billed[t.id], precision_digits=2
                )
            )
        )
        if changed:
            raise ValidationError(
                self.env._(
                    "%(ticket)s is closed and its hours are billed. Reopen it to "
                    "change its billable hours: closing it again bills the difference.",
                    ticket=changed[0].display_name,
                )
            )

    @api.constrains("hotrush", "team_id", "company_id")
    def _check_hotrush_team_company(self):
        """A HotRush ticket's team is of its company: the team's support product,
        calendar and leader serve that company's customers (a transfer to another
        company's team is refused, whatever the route)."""
        for ticket in self.filtered("hotrush"):
            team_company = ticket.team_id.company_id
            if team_company and team_company != ticket.company_id:
                raise ValidationError(
                    self.env._(
                        "%(ticket)s is a HotRush ticket of %(company)s: it cannot go "
                        "to team %(team)s of %(team_company)s. Remove HotRush first.",
                        ticket=ticket.display_name,
                        company=ticket.company_id.display_name,
                        team=ticket.team_id.display_name,
                        team_company=team_company.display_name,
                    )
                )

    def _hotrush_check_company_move(self, company_id):
        """A HotRush ticket stays in its company: its deadline, team and the
        customer's support balance belong there."""
        moving = self.filtered(lambda t: t.hotrush and t.company_id.id != company_id)
        if moving:
            raise ValidationError(
                self.env._(
                    "%(ticket)s is a HotRush ticket and cannot move to another "
                    "company: the customer's support balance and the deadline belong "
                    "to its company. Remove HotRush first.",
                    ticket=moving[0].display_name,
                )
            )

    # ------------------------------------------------------------------
    # Billing (HR-31 … HR-34)
    # ------------------------------------------------------------------

    def _hotrush_count_closing(self):
        """These tickets were just closed: count the closing, in the database (two
        workers closing at once meet on the ticket's row)."""
        if not self:
            return
        self.env.cr.execute(
            SQL(
                "UPDATE helpdesk_ticket SET hotrush_closing_count = "
                "COALESCE(hotrush_closing_count, 0) + 1 WHERE id IN %s",
                tuple(self.ids),
            )
        )
        self.invalidate_recordset(["hotrush_closing_count"])

    def _hotrush_charge_closed(self):
        """Bill the closed tickets of this batch: the hours not billed yet."""
        for ticket in self.filtered(lambda t: t.closed and t._hotrush_is_billable()):
            ticket._hotrush_charge()

    def _hotrush_is_billable(self):
        """Hours to bill, or hours billed before that a reopen may correct."""
        self.ensure_one()
        # sudo: whether this ticket was billed before, read for the billing rules;
        # its charges are not returned
        return bool(
            (self.hotrush_billable_hours > 0 or self.sudo().hotrush_charge_ids)
            and self.team_id.hotrush_support_product_id
            and self.commercial_partner_id
        )

    def _hotrush_charge(self):
        """Bill this closing once (see ``hotrush.charge._charge_ticket``)."""
        self.ensure_one()
        # sudo: charges, balances and support invoices are written by the billing
        # rules for this ticket's own customer and company, whoever closes it (a
        # customer closing from the portal may not even read charges)
        return self.env["hotrush.charge"].sudo()._charge_ticket(self)

    def _hotrush_rate_multiplier(self):
        """Double rate for tickets still HotRush when closed (HR-31, HR-34)."""
        self.ensure_one()
        company = self.company_id
        if not self.hotrush:
            return 1.0
        # the verdict at the closing instant: a deadline passed before the SLA
        # action ran is a breach all the same
        if company.hotrush_waive_breached and self._hotrush_breached_at(
            fields.Datetime.now()
        ):
            return 1.0
        return company.hotrush_rate_multiplier

    def _hotrush_unit_price(self, product):
        """Price of one support hour at the normal rate, in company currency."""
        self.ensure_one()
        return product.with_company(self.company_id).lst_price

    def _hotrush_refund_surcharge(self):
        """Urgency ended after the ticket was charged at the HotRush rate (HR-33)."""
        # sudo: the billing rules refund this ticket's own charge, whoever ends
        # urgency (a customer may not read charges)
        charges = self.sudo().hotrush_charge_ids
        refunded = charges.filtered(lambda c: c.kind == "surcharge_refund").origin_id
        return (charges - refunded)._refund_surcharge()

    # ------------------------------------------------------------------
    # Figures of a price the customer confirms
    # ------------------------------------------------------------------

    def _hotrush_check_priced_action(self, action):
        """Refuse ``action`` (request, uncheck, withdraw) before its price is
        confirmed, as running it would: the customer's own tickets only, and an end
        of urgency the rules allow."""
        self.ensure_one()
        self._hotrush_check_own_tickets()
        if action != "request":
            self.filtered("hotrush")._hotrush_request()._check_end(action, False, False)

    def _hotrush_close_bill(self, stage_id):
        """What closing this ticket into ``stage_id`` from the portal bills, as the
        charge books it, or None when it bills nothing. Their own open ticket and a
        portal closing stage only.

        :return: dict with ``hours``, ``rate`` (of an hour, the HotRush multiplier
            applied), ``multiplier``, ``amount``, the customer's ``balance``,
            its ``available`` amount, the part ``covered`` by it, and the
            ``currency``
        """
        self.ensure_one()
        self._check_close_from_portal(stage_id)
        # sudo: the billing figures of the customer's own ticket (checked above)
        ticket = self.sudo()
        if not ticket._hotrush_is_billable():
            return None
        Charge = self.env["hotrush.charge"].sudo()
        hours = Charge._hours_to_bill(ticket)
        if hours <= 0:
            return None
        # the figures the charge books, rounded as it rounds them
        unit_price, multiplier, amount = Charge._price_of(ticket, hours)
        balance = self._hotrush_portal_balance()
        return {
            "hours": hours,
            "rate": unit_price * multiplier,
            "multiplier": multiplier,
            "amount": amount,
            "balance": balance,
            "available": balance._available_amount() if balance else 0.0,
            "covered": Charge._covered_by(balance, amount),
            "currency": self.company_id.currency_id,
        }

    def _hotrush_hour_prices(self):
        """The normal and the HotRush price of a support hour on this ticket's team,
        or (None, None) when the team bills no support product."""
        self.ensure_one()
        # sudo: the price of the team's support product, shown to its customer
        product = self.sudo().team_id.hotrush_support_product_id
        if not product:
            return None, None
        normal = self._hotrush_unit_price(product)
        return normal, normal * self.company_id.hotrush_rate_multiplier

    def _hotrush_portal_balance(self):
        """The customer's own support balance (empty when they have none)."""
        self.ensure_one()
        # sudo: the balance of the ticket's own customer, after the ownership check
        return (
            self.env["hotrush.support.balance"]
            .sudo()
            ._get_for(self.commercial_partner_id, self.company_id, create=False)
        )

    def _hotrush_portal_surcharge_refund(self):
        """What a withdrawal now gives back of the HotRush surcharge already
        charged, and how much of it returns to the balance: as
        ``hotrush.charge._create_surcharge_refund`` books it (a draft invoice is
        re-rated, the balance gets back what it paid beyond the normal rate; an
        issued invoice gets a credit note).

        :return: (surcharge, returned to the balance)
        """
        self.ensure_one()
        # sudo: the ticket's own charges, after the ownership check
        charges = self.sudo().hotrush_charge_ids
        refunded = charges.filtered(lambda c: c.kind == "surcharge_refund").origin_id
        surcharge = returned = 0.0
        for charge in charges - refunded:
            if charge.kind != "charge" or charge.multiplier <= 1:
                continue
            currency = charge.currency_id
            hours = charge._net_hours()
            extra = currency.round(
                hours * currency.round(charge.unit_price * (charge.multiplier - 1))
            )
            surcharge += extra
            if charge.move_id.state == "draft":
                normal = currency.round(hours * charge.unit_price)
                covered = charge._covered_left()
                back = currency.round(covered - min(covered, normal))
                returned += min(back, extra)
        return surcharge, returned
