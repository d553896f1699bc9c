# Copyright 2026 hotrush_priority contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import psycopg2
from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.account.tests.common import AccountTestInvoicingCommon

from ..const import CHARGE_CONSTRAINT
from .common import HotrushFixture, local_to_utc

MSK = "Europe/Moscow"
REQUESTED = local_to_utc(MSK, 2026, 11, 26, 11, 0)


@tagged("post_install", "-at_install")
class TestBilling(HotrushFixture, AccountTestInvoicingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # the accounting test user also manages the helpdesk here
        cls.env.user.group_ids |= cls.env.ref("helpdesk_mgmt.group_helpdesk_manager")
        cls._setup_hotrush()
        cls.balances.line_ids.sudo().unlink()  # each test sets the credit it needs
        cls.support_product = cls._create_product(
            name="Support hour", type="service", lst_price=80.0, taxes_id=False
        )
        cls.prepaid_product = cls._create_product(
            name="Prepaid support",
            type="service",
            lst_price=100.0,
            taxes_id=False,
            hotrush_prepaid_support=True,
            hotrush_validity_days=30,
        )
        cls.company.hotrush_prepaid_product_id = cls.prepaid_product
        cls.team.hotrush_support_product_id = cls.support_product
        cls.dev_team.hotrush_support_product_id = cls.support_product
        cls.stage_done = cls.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_done")
        cls.stage_new = cls.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_new")
        cls.balance = cls.env["hotrush.support.balance"]._get_for(
            cls.customer_company, cls.company
        )

    def _prepaid_move(self, move_type, amount, date):
        move = self.env["account.move"].create(
            {
                "move_type": move_type,
                "partner_id": self.customer_company.id,
                "invoice_date": date,
                "invoice_line_ids": [
                    Command.create(
                        {"product_id": self.prepaid_product.id, "price_unit": amount}
                    )
                ],
            }
        )
        move.action_post()
        return move

    def _hotrush_ticket(self, hours=1.5, **vals):
        with freeze_time(REQUESTED):
            return self._create_ticket(
                hotrush=True,
                user_id=self.agent.id,
                hotrush_billable_hours=hours,
                **vals,
            )

    def _close(self, ticket):
        ticket.with_user(self.agent).write({"stage_id": self.stage_done.id})

    def _support_lines(self, invoice, ticket):
        lines = invoice.invoice_line_ids.filtered(
            lambda l: l.hotrush_ticket_id == ticket
        )
        return lines.filtered(lambda l: not l.hotrush_deduction), lines.filtered(
            "hotrush_deduction"
        )

    # HR-30 balance

    def test_topup_reversal_and_expiry(self):
        with freeze_time("2026-11-25"):
            self.assertFalse(self.balance.is_active)
            invoice = self._prepaid_move("out_invoice", 500.0, "2026-11-20")
            self.assertEqual(self.balance.amount, 500.0)
            self.assertEqual(str(self.balance.expiry_date), "2026-12-20")
            self.assertTrue(self.balance.is_active)
            self.assertEqual(self.balance.line_ids.kind, "topup")
            # a credit note for part of it reduces the balance
            refund = self._prepaid_move("out_refund", 200.0, "2026-11-25")
            self.assertEqual(self.balance.amount, 300.0)
            self.assertIn("topup_reversal", self.balance.line_ids.mapped("kind"))
            refund.button_draft()
            self.assertEqual(self.balance.amount, 500.0)
            invoice.button_draft()
            self.assertEqual(self.balance.amount, 0.0)
            self.assertFalse(self.balance.is_active)
            invoice.action_post()
            self.assertEqual(self.balance.amount, 500.0)
        with freeze_time("2026-12-21"):
            self.balance.invalidate_recordset(["is_active"])
            self.assertFalse(self.balance.is_active, "expired after 30 days")
            self.assertEqual(
                self.env["hotrush.support.balance"].search(
                    [("id", "=", self.balance.id), ("is_active", "=", False)]
                ),
                self.balance,
            )

    def test_manager_adjustment_needs_reason(self):
        lines = self.env["hotrush.support.balance.line"].with_user(self.leader)
        with self.refused(ValidationError, "needs a reason"):
            lines.create({"balance_id": self.balance.id, "amount": 50.0})
        lines.create(
            {"balance_id": self.balance.id, "amount": 50.0, "note": "Goodwill"}
        )
        self.assertEqual(self.balance.amount, 50.0)
        with self.refused(AccessError, "Only helpdesk managers"):
            self.env["hotrush.support.balance.line"].with_user(self.agent).create(
                {"balance_id": self.balance.id, "amount": 50.0, "note": "Gift"}
            )
        with self.refused(AccessError, "come from invoices"):
            lines.create(
                {
                    "balance_id": self.balance.id,
                    "amount": 50.0,
                    "kind": "topup",
                    "note": "x",
                }
            )
        with self.refused(AccessError, "cannot be changed"):
            self.balance.line_ids.with_user(self.leader).write({"amount": 5000.0})

    # HR-4 refusals

    def test_hotrush_refused_with_empty_or_expired_balance(self):
        # never had one: told how to get it (the prepaid product's offer)
        with self.refused(ValidationError, "do not have yet.*costs .* days"):
            self._hotrush_ticket()
        self._give_balance(self.customer_company, 100.0, expiry="2026-11-01")
        with (
            freeze_time(REQUESTED),
            self.refused(ValidationError, "expired on 2026-11-01"),
        ):
            self._create_ticket(hotrush=True)
        ticket = self._create_ticket()
        with freeze_time(REQUESTED), self.refused(ValidationError, "expired"):
            ticket.with_user(self.portal).action_hotrush_request()
        self.assertFalse(ticket.hotrush)

    def test_hotrush_refused_with_a_used_up_balance(self):
        self._give_balance(self.customer_company, 50.0)
        self._give_balance(self.customer_company, -50.0)
        with self.refused(ValidationError, "no credit left. Top up"):
            self._hotrush_ticket()

    # HR-31, HR-32 charges and deduction

    def test_hotrush_double_rate_balance_covers_all(self):
        self._give_balance(self.customer_company, 1000.0)
        ticket = self._hotrush_ticket()
        self._close(ticket)
        charge = ticket.hotrush_charge_ids
        self.assertRecordValues(
            charge,
            [
                {
                    "kind": "charge",
                    "hours": 1.5,
                    "unit_price": 80.0,
                    "multiplier": 2.0,
                    "amount": 240.0,
                    "covered_amount": 240.0,
                }
            ],
        )
        invoice = charge.move_id
        line, deduction = self._support_lines(invoice, ticket)
        self.assertRecordValues(
            line, [{"quantity": 1.5, "price_unit": 160.0, "price_subtotal": 240.0}]
        )
        self.assertIn(ticket.number, line.name)
        self.assertIn("HotRush rate", line.name)
        self.assertRecordValues(
            deduction,
            [{"product_id": self.prepaid_product.id, "price_subtotal": -240.0}],
        )
        self.assertEqual(invoice.amount_total, 0.0)
        self.assertTrue(invoice.hotrush_support_invoice)
        self.assertEqual(self.balance.amount, 760.0)

    def test_balance_covers_part(self):
        self._give_balance(self.customer_company, 100.0)
        ticket = self._hotrush_ticket()
        self._close(ticket)
        invoice = ticket.hotrush_charge_ids.move_id
        line, deduction = self._support_lines(invoice, ticket)
        self.assertEqual(line.price_subtotal, 240.0)
        self.assertEqual(deduction.price_subtotal, -100.0)
        self.assertEqual(invoice.amount_total, 140.0)
        self.assertEqual(self.balance.amount, 0.0)
        self.assertFalse(self.balance.is_active)

    def test_balance_covers_none_normal_rate_after_withdrawal(self):
        self._give_balance(self.customer_company, 10.0, expiry="2026-12-01")
        ticket = self._hotrush_ticket()
        ticket.with_user(self.portal).action_hotrush_withdraw()
        with freeze_time("2026-12-05"):  # the balance expired meanwhile
            self._close(ticket)
        charge = ticket.hotrush_charge_ids
        self.assertEqual(charge.multiplier, 1.0)
        line, deduction = self._support_lines(charge.move_id, ticket)
        self.assertRecordValues(line, [{"price_unit": 80.0, "price_subtotal": 120.0}])
        self.assertIn("normal rate", line.name)
        self.assertFalse(deduction)
        self.assertEqual(charge.move_id.amount_total, 120.0)

    def test_waive_surcharge_when_breached(self):
        self.company.hotrush_waive_breached = True
        self._give_balance(self.customer_company, 1000.0)
        ticket = self._hotrush_ticket()
        ticket._hotrush_update_sla_status(local_to_utc(MSK, 2026, 11, 26, 13, 0))
        self.assertEqual(ticket.hotrush_sla_status, "breached")
        self._close(ticket)
        self.assertEqual(ticket.hotrush_charge_ids.multiplier, 1.0)

    def test_closed_past_the_deadline_before_the_sla_action_ran(self):
        """The rate is the verdict at the closing instant: unanswered past deadline
        plus grace is a breach, whether or not the SLA action has run."""
        self.company.hotrush_grace_minutes = 10
        self._give_balance(self.customer_company, 1000.0)
        for waive, multiplier in ((True, 1.0), (False, 2.0)):
            with self.subTest(waive=waive):
                self.company.hotrush_waive_breached = waive
                ticket = self._hotrush_ticket()
                self.assertEqual(ticket.hotrush_sla_status, "running")
                with freeze_time(local_to_utc(MSK, 2026, 11, 26, 12, 11)):
                    self._close(ticket)
                self.assertEqual(ticket.hotrush_sla_status, "breached")
                self.assertEqual(ticket.hotrush_charge_ids.multiplier, multiplier)

    def test_closed_within_the_grace_is_no_breach(self):
        self.company.write(
            {"hotrush_grace_minutes": 10, "hotrush_waive_breached": True}
        )
        self._give_balance(self.customer_company, 1000.0)
        ticket = self._hotrush_ticket()
        with freeze_time(local_to_utc(MSK, 2026, 11, 26, 12, 10)):
            self._close(ticket)
        self.assertEqual(ticket.hotrush_sla_status, "running")
        self.assertEqual(ticket.hotrush_charge_ids.multiplier, 2.0)

    def test_answered_in_time_and_closed_late_is_no_breach(self):
        self.company.hotrush_waive_breached = True
        self._give_balance(self.customer_company, 1000.0)
        ticket = self._hotrush_ticket()
        with freeze_time(local_to_utc(MSK, 2026, 11, 26, 11, 30)):
            ticket.with_user(self.agent).message_post(
                body="Fixed.", message_type="comment", subtype_xmlid="mail.mt_comment"
            )
        with freeze_time(local_to_utc(MSK, 2026, 11, 27, 15, 0)):
            self._close(ticket)
        self.assertEqual(ticket.hotrush_sla_status, "met")
        self.assertEqual(ticket.hotrush_charge_ids.multiplier, 2.0)

    def test_charges_share_the_draft_support_invoice(self):
        self._give_balance(self.customer_company, 1000.0)
        first = self._hotrush_ticket(hours=1.0)
        second = self._hotrush_ticket(hours=2.0)
        self._close(first | second)
        self.assertEqual(
            first.hotrush_charge_ids.move_id, second.hotrush_charge_ids.move_id
        )
        self.assertEqual(self.balance.amount, 1000.0 - 160.0 - 320.0)

    # HR-33 once

    def _reopen(self, ticket, hours):
        ticket.with_user(self.agent).write({"stage_id": self.stage_new.id})
        ticket.with_user(self.agent).write({"hotrush_billable_hours": hours})

    def _billed_hours(self, ticket):
        charges = ticket.sudo().hotrush_charge_ids
        corrections = charges.filtered(lambda c: c.kind == "correction")
        return sum(
            charges.filtered(lambda c: c.kind == "charge").mapped("hours")
        ) - sum(corrections.mapped("hours"))

    def test_reopen_bills_the_added_hours_once(self):
        self._give_balance(self.customer_company, 1000.0)
        ticket = self._hotrush_ticket()
        self._close(ticket)
        self._reopen(ticket, 2.5)
        self._close(ticket)
        charges = ticket.hotrush_charge_ids.sorted("closing")
        self.assertRecordValues(
            charges,
            [
                {"kind": "charge", "closing": 1, "hours": 1.5, "amount": 240.0},
                {"kind": "charge", "closing": 2, "hours": 1.0, "amount": 160.0},
            ],
        )
        self.assertEqual(ticket.hotrush_closing_count, 2)
        self.assertEqual(self.balance.amount, 600.0)
        # moved between closed stages, or reopened and closed with the same hours:
        # nothing more
        cancelled = self.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_cancelled")
        ticket.with_user(self.agent).write({"stage_id": cancelled.id})
        self._reopen(ticket, 2.5)
        self._close(ticket)
        self.assertEqual(len(ticket.hotrush_charge_ids), 2)
        self.assertEqual(self.balance.amount, 600.0)
        self.assertEqual(self._billed_hours(ticket), 2.5)
        # the database refuses a second charge of a closing whatever the code path
        with (
            self.assertRaises(psycopg2.errors.UniqueViolation) as caught,
            self.env.cr.savepoint(),
            mute_logger("odoo.sql_db"),
        ):
            charges[1].sudo().copy()
        self.assertEqual(caught.exception.diag.constraint_name, CHARGE_CONSTRAINT)

    def test_reopen_bills_at_the_rate_that_applies_then(self):
        self._give_balance(self.customer_company, 1000.0)
        ticket = self._hotrush_ticket()
        self._close(ticket)
        ticket.with_user(self.portal).action_hotrush_withdraw()
        self._reopen(ticket, 2.5)
        self._close(ticket)
        added = ticket.hotrush_charge_ids.filtered(lambda c: c.closing == 2)
        self.assertRecordValues(
            added, [{"kind": "charge", "hours": 1.0, "multiplier": 1.0, "amount": 80.0}]
        )
        # 1.5 h at the normal rate after the surcharge refund, and 1 h more
        self.assertEqual(self.balance.amount, 1000.0 - 120.0 - 80.0)

    def test_hours_of_a_closed_ticket_change_with_a_reopen_only(self):
        self._give_balance(self.customer_company, 1000.0)
        ticket = self._hotrush_ticket()
        self._close(ticket)
        cancelled = self.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_cancelled")
        # an agent whose view is stale, or an import, sets other hours on it
        for vals in (
            {"hotrush_billable_hours": 3.0},
            {"hotrush_billable_hours": 3.0, "stage_id": cancelled.id},
            {"hotrush_billable_hours": False},
        ):
            with self.subTest(vals=vals), self.assertRaises(ValidationError):
                ticket.with_user(self.agent).write(vals)
        # the same hours, or a reopen with other hours in the same write, are fine
        ticket.with_user(self.agent).write({"hotrush_billable_hours": 1.5})
        ticket.with_user(self.agent).write(
            {"stage_id": self.stage_new.id, "hotrush_billable_hours": 3.0}
        )
        self._close(ticket)
        self.assertEqual(self._billed_hours(ticket), 3.0)

    def test_fewer_hours_on_a_draft_invoice_give_a_correction(self):
        self._give_balance(self.customer_company, 1000.0)
        ticket = self._hotrush_ticket()
        self._close(ticket)
        charge = ticket.hotrush_charge_ids
        invoice = charge.move_id
        self._reopen(ticket, 0.5)
        self._close(ticket)
        correction = ticket.hotrush_charge_ids.filtered(
            lambda c: c.kind == "correction"
        )
        self.assertRecordValues(
            correction,
            [
                {
                    "closing": 2,
                    "hours": 1.0,
                    "amount": -160.0,
                    "covered_amount": 160.0,
                    "move_id": invoice.id,
                    "origin_id": charge.id,
                }
            ],
        )
        self.assertEqual(self.balance.amount, 1000.0 - 80.0)
        self.assertEqual(invoice.amount_total, 0.0, "never a negative invoice")
        self.assertEqual(self._billed_hours(ticket), 0.5)
        # urgency withdrawn later: the surcharge of the half hour left comes back
        ticket.with_user(self.portal).action_hotrush_withdraw()
        refund = ticket.hotrush_charge_ids.filtered(
            lambda c: c.kind == "surcharge_refund"
        )
        self.assertRecordValues(refund, [{"hours": 0.5, "amount": -40.0}])
        self.assertEqual(self.balance.amount, 1000.0 - 40.0)
        self.assertEqual(invoice.amount_total, 0.0)
        lines, _deductions = self._support_lines(invoice, ticket)
        self.assertEqual(sum(lines.mapped("price_subtotal")), 40.0)
        self.assertEqual(
            self.balance.amount, sum(self.balance.line_ids.mapped("amount"))
        )

    def test_fewer_hours_after_the_invoice_was_posted_give_a_credit_note(self):
        ticket, invoice = self._charged_and_posted(credit=100.0)
        self.assertEqual(invoice.amount_total, 140.0)
        self._reopen(ticket, 0.5)
        self._close(ticket)
        correction = ticket.hotrush_charge_ids.filtered(
            lambda c: c.kind == "correction"
        )
        credit_note = correction.move_id
        self.assertRecordValues(
            credit_note,
            [
                {
                    "move_type": "out_refund",
                    "reversed_entry_id": invoice.id,
                    "amount_total": 60.0,
                    "state": "draft",
                }
            ],
        )
        self.assertEqual(self.balance.amount, 0.0, "a draft credit note moves nothing")
        credit_note.action_post()
        # the balance gets back what it paid; the rest is credited: 0.5 h billed
        self.assertEqual(self.balance.amount, 100.0)
        self.assertEqual(invoice.amount_total - credit_note.amount_total, 80.0)
        # closing again with the same hours books nothing more
        self._reopen(ticket, 0.5)
        self._close(ticket)
        self.assertEqual(len(ticket.hotrush_charge_ids), 2)
        self.assertEqual(self.balance.amount, 100.0)

    def test_no_hours_left_after_a_reopen(self):
        self._give_balance(self.customer_company, 1000.0)
        first = self._hotrush_ticket(hours=1.0)
        self._close(first)
        second = self._hotrush_ticket(hours=1.0)
        self._close(second)
        self._reopen(first, 0.0)
        self._close(first)
        self.assertEqual(self._billed_hours(first), 0.0)
        self.assertEqual(self.balance.amount, 1000.0 - 160.0)
        invoice = second.hotrush_charge_ids.move_id
        self.assertEqual(first.hotrush_charge_ids.move_id, invoice)
        self.assertEqual(invoice.amount_total, 0.0)

    def test_withdrawal_after_posted_invoice_refunds_surcharge_once(self):
        self._give_balance(self.customer_company, 100.0)
        ticket = self._hotrush_ticket()
        self._close(ticket)
        invoice = ticket.hotrush_charge_ids.move_id
        invoice.action_post()
        ticket.with_user(self.portal).action_hotrush_withdraw(
            note="Not urgent after all"
        )
        refund = ticket.hotrush_charge_ids.filtered(
            lambda c: c.kind == "surcharge_refund"
        )
        self.assertEqual(len(refund), 1)
        self.assertEqual(refund.amount, -120.0)
        credit_note = refund.move_id
        self.assertRecordValues(
            credit_note,
            [
                {
                    "move_type": "out_refund",
                    "reversed_entry_id": invoice.id,
                    "amount_total": 120.0,
                }
            ],
        )
        # reopened, requested and withdrawn again: nothing more is refunded
        self._give_balance(self.customer_company, 500.0)
        ticket.write({"stage_id": self.stage_new.id, "hotrush": True})
        ticket.with_user(self.portal).action_hotrush_withdraw()
        self.assertEqual(
            len(
                ticket.hotrush_charge_ids.filtered(
                    lambda c: c.kind == "surcharge_refund"
                )
            ),
            1,
        )
        self.assertEqual(
            self.env["account.move"].search_count(
                [("reversed_entry_id", "=", invoice.id)]
            ),
            1,
        )

    # HR-87: reversing a posted support invoice gives its deduction back, once

    def _charged_and_posted(self, credit=100.0):
        self._give_balance(self.customer_company, credit)
        ticket = self._hotrush_ticket()
        self._close(ticket)
        invoice = ticket.hotrush_charge_ids.move_id
        invoice.action_post()
        self.assertEqual(self.balance.amount, 0.0, "the balance paid its part")
        return ticket, invoice

    def _given_back(self, invoice):
        return self.balance.line_ids.filtered(
            lambda l: l.move_id == invoice and l.kind == "charge_reversal"
        )

    def test_credit_note_gives_the_deduction_back_once(self):
        ticket, invoice = self._charged_and_posted()
        reversal = invoice._reverse_moves([{"ref": "Wrong customer"}])
        self.assertEqual(self.balance.amount, 0.0, "a draft credit note moves nothing")
        reversal.action_post()
        self.assertEqual(self.balance.amount, 100.0)
        self.assertEqual(self._given_back(invoice).ticket_id, ticket)
        # a second credit note for the same invoice gives nothing more
        second = invoice._reverse_moves([{"ref": "Again"}])
        second.action_post()
        self.assertEqual(self.balance.amount, 100.0)
        self.assertEqual(len(self._given_back(invoice)), 1)
        # the credit note reset to draft: the deduction stands again
        (reversal | second).button_draft()
        self.assertEqual(self.balance.amount, 0.0)
        self.assertEqual(
            self.balance.amount, sum(self.balance.line_ids.mapped("amount"))
        )

    def test_reset_cancel_and_repost_settle_once(self):
        _ticket, invoice = self._charged_and_posted()
        invoice.button_draft()
        self.assertEqual(self.balance.amount, 0.0, "still to be invoiced")
        invoice.button_cancel()
        self.assertEqual(self.balance.amount, 100.0, "cancelled: deduction back")
        invoice._hotrush_settle_deductions()  # settling again books nothing more
        self.assertEqual(self.balance.amount, 100.0, "once")
        # invoiced again: deducted again, once
        invoice.button_draft()
        invoice.action_post()
        self.assertEqual(self.balance.amount, 0.0)
        invoice.button_draft()
        invoice.action_post()
        self.assertEqual(self.balance.amount, 0.0)
        movements = self.balance.line_ids.filtered(lambda l: l.move_id == invoice)
        self.assertEqual(
            movements.sorted("id").mapped("kind"),
            ["charge", "charge_reversal", "charge"],
        )

    def test_reverse_and_reinvoice_deducts_again_once(self):
        ticket, invoice = self._charged_and_posted()
        wizard = (
            self.env["account.move.reversal"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({"reason": "Wrong date", "journal_id": invoice.journal_id.id})
        )
        new_invoice = self.env["account.move"].browse(wizard.modify_moves()["res_id"])
        self.assertEqual(invoice.payment_state, "reversed")
        self.assertEqual(self.balance.amount, 100.0, "reversed: the deduction is back")
        _line, deduction = self._support_lines(new_invoice, ticket)
        self.assertEqual(deduction.price_subtotal, -100.0)
        new_invoice.action_post()
        self.assertEqual(self.balance.amount, 0.0, "invoiced again: deducted again")
        new_invoice._hotrush_settle_deductions()
        self.assertEqual(self.balance.amount, 0.0, "once")
        new_invoice.button_draft()
        new_invoice.button_cancel()
        self.assertEqual(self.balance.amount, 100.0)
        self.assertEqual(
            self.balance.amount, sum(self.balance.line_ids.mapped("amount"))
        )

    def test_withdrawal_before_invoice_posted_rerates_draft(self):
        self._give_balance(self.customer_company, 1000.0)
        ticket = self._hotrush_ticket()
        self._close(ticket)
        invoice = ticket.hotrush_charge_ids.move_id
        ticket.with_user(self.portal).action_hotrush_withdraw()
        line, deduction = self._support_lines(invoice, ticket)
        self.assertEqual(line.price_subtotal, 120.0)
        self.assertEqual(deduction.price_subtotal, -120.0)
        self.assertEqual(invoice.amount_total, 0.0)
        self.assertEqual(self.balance.amount, 880.0)

    # HR-71 access, HR-70 multi-company

    def test_portal_cannot_read_other_balances_or_write_money(self):
        self._give_balance(self.customer_company, 300.0)
        other = self.env["hotrush.support.balance"]._get_for(
            self.other_portal.partner_id, self.company
        )
        self._give_balance(self.other_portal.partner_id, 50.0)
        Balance = self.env["hotrush.support.balance"].with_user(self.portal)
        self.assertEqual(Balance.search([]), self.balance)
        self.assertEqual(Balance.browse(self.balance.id).amount, 300.0)
        with self.refused(AccessError):
            Balance.browse(other.id).read(["amount"])
        with self.refused(AccessError):
            Balance.browse(self.balance.id).write({"amount": 9999.0})
        with self.refused(AccessError):
            self.env["hotrush.support.balance.line"].with_user(self.portal).create(
                {"balance_id": self.balance.id, "amount": 9999.0, "note": "free"}
            )
        ticket = self._hotrush_ticket()
        self._close(ticket)
        with self.refused(AccessError):
            ticket.hotrush_charge_ids.with_user(self.portal).read(["amount"])
        with self.refused(AccessError):
            ticket.with_user(self.portal).write({"hotrush_billable_hours": 0.0})
        with self.refused(AccessError):
            ticket.with_user(self.portal).write(
                {"hotrush_charge_ids": [Command.clear()]}
            )

    def test_companies_never_cross(self):
        self._give_balance(self.customer_company, 1000.0)
        other_company = self.setup_other_company()["company"]
        self.leader.company_ids |= other_company
        other_product = self._create_product(
            name="Support hour B",
            type="service",
            lst_price=50.0,
            taxes_id=False,
            company_id=other_company.id,
        )
        other_prepaid = self._create_product(
            name="Prepaid B",
            type="service",
            lst_price=10.0,
            taxes_id=False,
            hotrush_prepaid_support=True,
            company_id=other_company.id,
        )
        team_b = self.env["helpdesk.ticket.team"].create(
            {
                "name": "Support B",
                "company_id": other_company.id,
                "hotrush_offered": True,
                "hotrush_support_product_id": other_product.id,
            }
        )
        other_company.hotrush_prepaid_product_id = other_prepaid
        with freeze_time(REQUESTED), self.refused(ValidationError, "do not have yet"):
            self._create_ticket(
                hotrush=True, team_id=team_b.id, company_id=other_company.id
            )
        balance_b = self._give_balance(
            self.customer_company, 40.0, company=other_company
        )
        ticket = self._hotrush_ticket(
            hours=1.0, team_id=team_b.id, company_id=other_company.id
        )
        ticket.write({"stage_id": self.stage_done.id})
        charge = ticket.hotrush_charge_ids
        self.assertEqual(charge.move_id.company_id, other_company)
        self.assertEqual(charge.covered_amount, 40.0)
        self.assertEqual(balance_b.amount, 0.0)
        self.assertEqual(
            self.balance.amount, 1000.0, "the first company's credit is untouched"
        )
        line, deduction = self._support_lines(charge.move_id, ticket)
        self.assertEqual(deduction.product_id, other_prepaid)
        self.assertEqual(line.price_unit, 100.0)

    def test_contact_smart_button(self):
        self._give_balance(self.customer_company, 250.0)
        partner = self.portal.partner_id.with_user(self.agent)
        self.assertEqual(partner.hotrush_balance_amount, 250.0)
        self.assertTrue(partner.hotrush_balance_active)
        action = partner.action_view_hotrush_balance()
        self.assertEqual(action["res_model"], "hotrush.support.balance.line")
        self.assertEqual(action["domain"], [("balance_id", "=", self.balance.id)])
