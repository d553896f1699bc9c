# Copyright 2026 hotrush_priority contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""19.0.1.2.0: a request keeps the team it was planned on.

Before 19.0.1.2.0 a deadline followed the ticket's team. Every request was planned on
its ticket's team of the moment, so that team is the one it was planned on: the new
column is filled with it here, before the registry loads. Odoo then finds the column
and computes nothing, so no deadline, status or response time of an existing ticket is
planned again by the upgrade.
"""

from odoo.tools import SQL
from odoo.tools.sql import column_exists, create_column


def migrate(cr, version):
    if not version:
        return
    if not column_exists(cr, "helpdesk_ticket", "hotrush_plan_team_id"):
        create_column(cr, "helpdesk_ticket", "hotrush_plan_team_id", "int4")
    # also on a second try of an interrupted upgrade: only what is still empty
    cr.execute(
        SQL(
            """
            UPDATE helpdesk_ticket
               SET hotrush_plan_team_id = team_id
             WHERE hotrush_requested_at IS NOT NULL
               AND hotrush_plan_team_id IS NULL
            """
        )
    )
