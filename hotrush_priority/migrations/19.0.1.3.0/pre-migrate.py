# Copyright 2026 hotrush_priority contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""19.0.1.3.0: a HotRush request is a record of its own (``hotrush.request``).

The ticket's link to its current request is created here, empty, before the registry
loads: Odoo then finds the column and computes nothing on the existing tickets. The
post-migration makes each ticket's request from its former columns and fills it.
"""

from odoo.tools.sql import column_exists, create_column


def migrate(cr, version):
    if not version:
        return
    if not column_exists(cr, "helpdesk_ticket", "hotrush_request_id"):
        create_column(cr, "helpdesk_ticket", "hotrush_request_id", "int4")
