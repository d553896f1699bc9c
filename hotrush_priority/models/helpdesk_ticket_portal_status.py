# Copyright 2026 hotrush_priority contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The HotRush status of a ticket as its customer reads it on the portal: words a
customer uses and its kind (waiting, answered, late, ended; the portal's template
colours each), times to the minute in the customer's zone.
"""

from odoo import fields, models
from odoo.tools import format_datetime, format_time


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"

    def _hotrush_portal_status(self, tz):
        """What the customer reads of this ticket's HotRush request, or None when
        HotRush was never requested on it.

        :param tz: the customer's time zone, named once on the page
        :return: dict with ``kind`` (waiting, answered, late, ended: the template
            gives each its colour) and ``text``
        """
        self.ensure_one()
        if not self.hotrush and not self.hotrush_end_action:
            return None
        kind, text = self._hotrush_portal_status_text(tz)
        return {"kind": kind, "text": text}

    def _hotrush_portal_status_text(self, tz):
        self.ensure_one()
        if not self.hotrush:
            # whatever the verdict was, the ticket is at the normal priority now
            return "ended", self.env._("HotRush ended – normal priority")
        answered = self.hotrush_first_response_at
        if self.hotrush_sla_status == "met":
            return "answered", self.env._(
                "Answered at %(time)s", time=self._hotrush_portal_time(answered, tz)
            )
        if self.hotrush_sla_status == "breached":
            if answered:
                return "late", self.env._(
                    "Late – answered at %(time)s",
                    time=self._hotrush_portal_time(answered, tz),
                )
            return "late", self.env._("Not answered in time")
        deadline = self._hotrush_portal_time(self.hotrush_deadline, tz)
        if self.hotrush_sla_status == "queued":
            return "waiting", self.env._(
                "Waiting for support to open at %(opening)s – answer by %(deadline)s",
                opening=self._hotrush_portal_time(self.hotrush_queued_until, tz),
                deadline=deadline,
            )
        return "waiting", self.env._(
            "Waiting for an engineer – answer by %(deadline)s", deadline=deadline
        )

    def _hotrush_portal_time(self, value, tz):
        """A moment to the minute in ``tz``: the time alone on the customer's
        today, else the date and the time (the zone is named once on the page)."""
        if not value:
            return ""
        now = fields.Datetime.now()
        day = format_datetime(self.env, value, tz=tz, dt_format="yyyy-MM-dd")
        if day == format_datetime(self.env, now, tz=tz, dt_format="yyyy-MM-dd"):
            return format_time(self.env, value, tz=tz, time_format="short")
        return format_datetime(self.env, value, tz=tz, dt_format="short")
