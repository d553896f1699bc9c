# Copyright 2026 hotrush_priority contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""An archived ticket takes its HotRush activities with it (HR-88).

The core ends the urgency of an archived ticket (reason "archived"). What it may leave
behind is its HotRush activities moved to another ticket first, as OCA
``helpdesk_mgmt_merge`` does when it merges a ticket into another: a "Respond by" of a
request that no longer runs, on a ticket whose own urgency it is not. They are
cancelled with the archiving, whichever module moved them (see ``mail_activity.py``).
"""

from odoo import models


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    def write(self, vals):
        res = super().write(vals)
        if "active" in vals and not vals["active"]:
            self._hotrush_cancel_moved_activities()
        return res

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------

    def _hotrush_cancel_moved_activities(self):
        """Cancel the HotRush activities of these tickets' requests that were moved
        to other records."""
        # sudo: the activities made for these tickets, wherever they were moved and
        # whoever is assigned to them; the archiving user may write these tickets
        activities = (
            self.env["mail.activity"]
            .sudo()
            .search([("hotrush_moved_from_id", "in", self.ids)])
        )
        activities.unlink()
        return activities
