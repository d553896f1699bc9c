# Copyright 2026 hotrush_priority contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Two real transactions close the same ticket at once: one charge (HR-33).

This test commits its own data with separate cursors (a transaction-bound test cannot
show concurrency) and deletes it afterwards.
"""

# pylint: disable=invalid-commit
# (committing separate cursors is the point of this test: it shows real concurrency)
from psycopg2.errors import SerializationFailure

from odoo import SUPERUSER_ID, api
from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger

from .common import RaceMixin


@tagged("post_install", "-at_install")
class TestConcurrentCharge(RaceMixin, TransactionCase):
    def _env(self, cr):
        return api.Environment(cr, SUPERUSER_ID, {})

    def _setup_committed(self):
        with self.registry.cursor() as cr:
            env = self._env(cr)
            partner = env["res.partner"].create(
                {"name": "Concurrent Customer", "is_company": True}
            )
            product = env["product.product"].create(
                {
                    "name": "Support hour (concurrency)",
                    "type": "service",
                    "lst_price": 80.0,
                    "taxes_id": False,
                }
            )
            prepaid = env["product.product"].create(
                {
                    "name": "Prepaid (concurrency)",
                    "type": "service",
                    "lst_price": 1.0,
                    "taxes_id": False,
                    "hotrush_prepaid_support": True,
                }
            )
            env.company.hotrush_prepaid_product_id = prepaid
            team = env["helpdesk.ticket.team"].create(
                {
                    "name": "Concurrency desk",
                    "hotrush_offered": True,
                    "hotrush_support_product_id": product.id,
                }
            )
            balance = env["hotrush.support.balance"]._get_for(partner, env.company)
            balance.line_ids.create(
                {
                    "balance_id": balance.id,
                    "amount": 1000.0,
                    "note": "Test credit",
                    "expiry_date": "2099-12-31",
                }
            )
            ticket = env["helpdesk.ticket"].create(
                {
                    "name": "Race",
                    "description": "<p>Race</p>",
                    "team_id": team.id,
                    "partner_id": partner.id,
                    "hotrush": True,
                    "hotrush_billable_hours": 1.5,
                }
            )
            cr.commit()
            return {
                "partner": partner.id,
                "product": product.id,
                "prepaid": prepaid.id,
                "team": team.id,
                "balance": balance.id,
                "ticket": ticket.id,
            }

    def _cleanup(self, ids):
        with self.registry.cursor() as cr:
            env = self._env(cr)
            ticket = env["helpdesk.ticket"].browse(ids["ticket"])
            moves = ticket.hotrush_charge_ids.move_id
            env["hotrush.support.balance.line"].search(
                [("balance_id", "=", ids["balance"])]
            ).unlink()
            ticket.hotrush_charge_ids.unlink()
            moves.filtered(lambda m: m.state == "draft").unlink()
            ticket.with_context(active_test=False).unlink()
            env["hotrush.support.balance"].browse(ids["balance"]).unlink()
            env["helpdesk.ticket.team"].browse(ids["team"]).unlink()
            env.company.hotrush_prepaid_product_id = False
            env["product.product"].browse([ids["product"], ids["prepaid"]]).unlink()
            env["res.partner"].browse(ids["partner"]).unlink()
            cr.commit()

    def _race_close(self, ids):
        """Two transactions close the ticket at once; one retries."""
        done_stage = self.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_done").id

        def ticket(env):
            return env["helpdesk.ticket"].browse(ids["ticket"])

        def close(env):
            ticket(env).write({"stage_id": done_stage})

        # both snapshots are taken before either commits
        self._race([close, close], lambda env: ticket(env).read(["stage_id"]))

    def test_two_transactions_close_the_same_ticket(self):
        ids = self._setup_committed()
        self.addCleanup(self._cleanup, ids)
        self._race_close(ids)
        with self.registry.cursor() as cr:
            env = self._env(cr)
            ticket = env["helpdesk.ticket"].browse(ids["ticket"])
            charges = ticket.hotrush_charge_ids
            self.assertEqual(len(charges), 1)
            self.assertEqual(charges.amount, 240.0)
            self.assertEqual(
                env["hotrush.support.balance"].browse(ids["balance"]).amount, 760.0
            )
            lines = charges.move_id.invoice_line_ids.filtered(
                lambda line: line.hotrush_ticket_id == ticket
            )
            self.assertEqual(len(lines), 2, "one charge line and one deduction")
            # reopened with an hour more
            ticket.write(
                {
                    "stage_id": self.env.ref(
                        "helpdesk_mgmt.helpdesk_ticket_stage_new"
                    ).id,
                    "hotrush_billable_hours": 2.5,
                }
            )
            cr.commit()
        # closed again by two transactions at once: one charge for this closing
        self._race_close(ids)
        with self.registry.cursor() as cr:
            env = self._env(cr)
            ticket = env["helpdesk.ticket"].browse(ids["ticket"])
            self.assertEqual(ticket.hotrush_closing_count, 2)
            self.assertEqual(
                sorted(
                    ticket.hotrush_charge_ids.mapped(lambda c: (c.closing, c.amount))
                ),
                [(1, 240.0), (2, 160.0)],
            )
            self.assertEqual(
                env["hotrush.support.balance"].browse(ids["balance"]).amount, 600.0
            )


@tagged("post_install", "-at_install")
class TestConcurrentSupportInvoice(RaceMixin, TransactionCase):
    """Two closings of one customer without a support balance, in two real
    transactions at once: one draft support invoice by construction, not by a
    lucky retry."""

    def _env(self, cr):
        return api.Environment(cr, SUPERUSER_ID, {})

    def _setup_committed(self):
        with self.registry.cursor() as cr:
            env = self._env(cr)
            partner = env["res.partner"].create(
                {"name": "No Balance Ltd", "is_company": True}
            )
            product = env["product.product"].create(
                {
                    "name": "Support hour (invoice race)",
                    "type": "service",
                    "lst_price": 80.0,
                    "taxes_id": False,
                }
            )
            team = env["helpdesk.ticket.team"].create(
                {"name": "Invoice race desk", "hotrush_support_product_id": product.id}
            )
            tickets = env["helpdesk.ticket"].create(
                [
                    {
                        "name": f"Plain {n}",
                        "description": "<p>Plain</p>",
                        "team_id": team.id,
                        "partner_id": partner.id,
                        "hotrush_billable_hours": 1.0,
                    }
                    for n in range(2)
                ]
            )
            cr.commit()
            return {
                "partner": partner.id,
                "product": product.id,
                "team": team.id,
                "tickets": tickets.ids,
            }

    def _cleanup(self, ids):
        with self.registry.cursor() as cr:
            env = self._env(cr)
            tickets = env["helpdesk.ticket"].browse(ids["tickets"])
            moves = tickets.hotrush_charge_ids.move_id | env["account.move"].search(
                [("partner_id", "=", ids["partner"])]
            )
            tickets.hotrush_charge_ids.unlink()
            moves.filtered(lambda m: m.state == "draft").unlink()
            tickets.with_context(active_test=False).unlink()
            env["helpdesk.ticket.team"].browse(ids["team"]).unlink()
            env["product.product"].browse(ids["product"]).unlink()
            env["res.partner"].browse(ids["partner"]).unlink()
            cr.commit()

    def test_a_closing_that_missed_anothers_invoice_runs_again(self):
        """By construction, not by luck: a closing whose snapshot was taken before
        another closing of the same customer committed its new invoice cannot go
        on to make a second one; it fails to serialize (and Odoo runs it again)."""
        ids = self._setup_committed()
        self.addCleanup(self._cleanup, ids)
        with self.registry.cursor() as cr1, self.registry.cursor() as cr2:
            first, second = self._env(cr1), self._env(cr2)
            # the second transaction's snapshot: no invoice yet
            self.assertFalse(
                second["account.move"].search_count(
                    [("partner_id", "=", ids["partner"])]
                )
            )
            partner = first["res.partner"].browse(ids["partner"])
            first["account.move"]._hotrush_get_support_invoice(partner, first.company)
            cr1.commit()
            with (
                self.assertRaises(SerializationFailure),
                mute_logger("odoo.sql_db"),
            ):
                second["account.move"]._hotrush_get_support_invoice(
                    second["res.partner"].browse(ids["partner"]), second.company
                )
            cr2.rollback()

    def test_two_closings_of_one_customer_make_one_invoice(self):
        ids = self._setup_committed()
        self.addCleanup(self._cleanup, ids)
        done_stage = self.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_done").id

        def snapshot(env):
            # both snapshots are taken, and neither sees an invoice, before either
            # commits
            env["account.move"].search_count([("partner_id", "=", ids["partner"])])
            env["helpdesk.ticket"].browse(ids["tickets"]).read(["stage_id"])

        def closing(ticket_id):
            def close(env):
                env["helpdesk.ticket"].browse(ticket_id).write({"stage_id": done_stage})

            return close

        self._race(
            [closing(ticket_id) for ticket_id in ids["tickets"]],
            snapshot,
            "the two closings really collided",
        )
        with self.registry.cursor() as cr:
            env = self._env(cr)
            tickets = env["helpdesk.ticket"].browse(ids["tickets"])
            self.assertEqual(len(tickets.hotrush_charge_ids), 2)
            invoices = env["account.move"].search(
                [
                    ("partner_id", "=", ids["partner"]),
                    ("hotrush_support_invoice", "=", True),
                ]
            )
            self.assertEqual(len(invoices), 1, "one draft support invoice")
            self.assertEqual(tickets.hotrush_charge_ids.move_id, invoices)
