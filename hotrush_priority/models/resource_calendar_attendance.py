# Copyright 2026 hotrush_priority contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, models


class ResourceCalendarAttendance(models.Model):
    _inherit = "resource.calendar.attendance"

    @api.model_create_multi
    def create(self, vals_list):
        attendances = super().create(vals_list)
        self.env["resource.calendar"]._hotrush_clear_data_cache()
        return attendances

    def write(self, vals):
        res = super().write(vals)
        self.env["resource.calendar"]._hotrush_clear_data_cache()
        return res

    def unlink(self):
        res = super().unlink()
        self.env["resource.calendar"]._hotrush_clear_data_cache()
        return res
