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
            leaves._hotrush_holidays_changed(leaves._hotrush_reach())
        return leaves

    def write(self, vals):
        was_global = self._hotrush_any_global()
        reach = self._hotrush_reach()
        res = super().write(vals)
        if was_global or self._hotrush_any_global():
            self.env["resource.calendar"]._hotrush_clear_data_cache()
            self._hotrush_holidays_changed(reach + self._hotrush_reach())
        return res

    def unlink(self):
        was_global = self._hotrush_any_global()
        reach = self._hotrush_reach()
        res = super().unlink()
        if was_global:
            self.env["resource.calendar"]._hotrush_clear_data_cache()
            self._hotrush_holidays_changed(reach)
        return res

    def _hotrush_reach(self):
        """``(calendar, company)`` of each public holiday: a holiday of no calendar
        is every calendar's (of its company, or of all companies)."""
        # sudo: only where a holiday applies, whoever changes it
        return [
            (leave.calendar_id, leave.company_id)
            for leave in self.sudo()
            if not leave.resource_id
        ]

    @api.model
    def _hotrush_holidays_changed(self, reach):
        """Open HotRush deadlines on the calendars these holidays apply to follow."""
        calendars = self.env["resource.calendar"].union(
            *(calendar for calendar, _company in reach)
        )
        calendars._hotrush_changed()
        everywhere = [company for calendar, company in reach if not calendar]
        if everywhere:
            companies = (
                self.env["res.company"].union(*everywhere) if all(everywhere) else None
            )
            self.env["hotrush.request"]._replan_where(
                self.env._("the public holidays changed"), companies=companies
            )

    def _hotrush_any_global(self):
        # sudo: only whether a leave has a resource, whoever changes it
        return any(not leave.resource_id for leave in self.sudo())
