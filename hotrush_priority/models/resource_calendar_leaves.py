# Copyright 2026 hotrush_priority contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, models


class ResourceCalendarLeaves(models.Model):
    _inherit = "resource.calendar.leaves"

    # Public holidays (leaves without resource) are part of the HotRush working time
    # cached per calendar; a resource's own time off is not.

    @api.model_create_multi
    def create(self, vals_list):
        leaves = super().create(vals_list)
        if leaves._hotrush_any_global():
            self.env["resource.calendar"]._hotrush_clear_data_cache()
        return leaves

    def write(self, vals):
        was_global = self._hotrush_any_global()
        res = super().write(vals)
        if was_global or self._hotrush_any_global():
            self.env["resource.calendar"]._hotrush_clear_data_cache()
        return res

    def unlink(self):
        was_global = self._hotrush_any_global()
        res = super().unlink()
        if was_global:
            self.env["resource.calendar"]._hotrush_clear_data_cache()
        return res

    def _hotrush_any_global(self):
        # sudo: only whether a leave has a resource, whoever changes it
        return any(not leave.resource_id for leave in self.sudo())
