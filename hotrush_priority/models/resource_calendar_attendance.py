# Copyright 2026 hotrush_priority contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, models


class ResourceCalendarAttendance(models.Model):
    _inherit = "resource.calendar.attendance"

    @api.model_create_multi
    def create(self, vals_list):
        attendances = super().create(vals_list)
        self.env["resource.calendar"]._hotrush_clear_data_cache()
        attendances.calendar_id._hotrush_changed()
        return attendances

    def write(self, vals):
        calendars = self.calendar_id
        res = super().write(vals)
        self.env["resource.calendar"]._hotrush_clear_data_cache()
        (calendars | self.calendar_id)._hotrush_changed()
        return res

    def unlink(self):
        calendars = self.calendar_id
        res = super().unlink()
        self.env["resource.calendar"]._hotrush_clear_data_cache()
        calendars.exists()._hotrush_changed()
        return res
