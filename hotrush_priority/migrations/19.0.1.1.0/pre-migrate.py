# Copyright 2026 hotrush_priority contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""19.0.1.1.0: charges per closing.

Before 19.0.1.1.0 a ticket had one charge and at most one surcharge refund, whatever
reopened it. Now every closing bills what was not billed yet: each charge says which
closing it bills, each surcharge refund which charge it refunds, and each ticket how
often it was closed. The existing records are the first closing; the old one-per-ticket
constraint gives way to the one per closing, which the update creates.
"""

from odoo.tools import SQL
from odoo.tools.sql import column_exists, create_column


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        "ALTER TABLE hotrush_charge DROP CONSTRAINT IF EXISTS "
        "hotrush_charge_ticket_kind_uniq"
    )
    if not column_exists(cr, "hotrush_charge", "closing"):
        create_column(cr, "hotrush_charge", "closing", "int4")
        cr.execute("UPDATE hotrush_charge SET closing = 1")
    if not column_exists(cr, "hotrush_charge", "origin_id"):
        create_column(cr, "hotrush_charge", "origin_id", "int4")
        # the refund of a ticket's surcharge refunded its one charge
        cr.execute(
            SQL(
                """
                UPDATE hotrush_charge refund
                   SET origin_id = charge.id
                  FROM hotrush_charge charge
                 WHERE refund.kind = 'surcharge_refund'
                   AND charge.kind = 'charge'
                   AND charge.ticket_id = refund.ticket_id
                """
            )
        )
    if not column_exists(cr, "helpdesk_ticket", "hotrush_closing_count"):
        create_column(cr, "helpdesk_ticket", "hotrush_closing_count", "int4")
        # a ticket charged, or closed now, was closed once; the next closing is the
        # second
        cr.execute(
            SQL(
                """
                UPDATE helpdesk_ticket ticket
                   SET hotrush_closing_count = 1
                  FROM helpdesk_ticket_stage stage
                 WHERE stage.id = ticket.stage_id
                   AND (stage.closed OR EXISTS (
                        SELECT 1 FROM hotrush_charge charge
                         WHERE charge.ticket_id = ticket.id))
                """
            )
        )
