# Copyright 2026 hotrush_priority contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""19.0.1.1.0: what earlier versions left unsaid or lost.

- The reason and the note of an ended urgency are now kept on the ticket: they come
  from the ticket's last audit event of an end.
- A support invoice reversed by a credit note, or cancelled, gave back nothing of what
  it deducted from the customer's balance before 19.0.1.1.0 (HR-87): such invoices
  are settled now, once (settling books only the difference, so a balance already
  right is left as it is).
"""

from odoo import SUPERUSER_ID, api
from odoo.tools import SQL
from odoo.tools.sql import column_exists, create_column


def migrate(cr, version):
    if not version:
        return
    # upgraded straight to a version that keeps them on the request (19.0.1.3.0):
    # kept here until its migration moves them there
    for column, column_type in (
        ("hotrush_end_reason", "varchar"),
        ("hotrush_end_note", "text"),
    ):
        if not column_exists(cr, "helpdesk_ticket", column):
            create_column(cr, "helpdesk_ticket", column, column_type)
    cr.execute(
        SQL(
            """
            UPDATE helpdesk_ticket ticket
               SET hotrush_end_reason = event.reason,
                   hotrush_end_note = event.note
              FROM (
                    SELECT DISTINCT ON (ticket_id) ticket_id, reason, note
                      FROM hotrush_event
                     WHERE kind = 'end'
                  ORDER BY ticket_id, date DESC, id DESC
                   ) event
             WHERE event.ticket_id = ticket.id
               AND ticket.hotrush_end_action IS NOT NULL
               AND ticket.hotrush_end_reason IS NULL
               AND ticket.hotrush_end_note IS NULL
            """
        )
    )
    env = api.Environment(cr, SUPERUSER_ID, {})
    invoices = env["account.move"].search(
        [
            ("hotrush_support_invoice", "=", True),
            "|",
            ("state", "=", "cancel"),
            ("reversal_move_ids.state", "=", "posted"),
        ]
    )
    invoices._hotrush_settle_deductions()
