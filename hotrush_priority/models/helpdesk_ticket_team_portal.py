# Copyright 2026 hotrush_priority contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The facts of a team's HotRush promise (HR-62), which the portal's presenter
(``hotrush_priority.portal``) tells on the new-ticket form and the ticket page: the
calendar and the response target, when a request sent now opens and is answered, the
closures (public holidays) of a span, and the price of a support hour."""

from odoo import api, models


class HelpdeskTicketTeam(models.Model):
    _inherit = "helpdesk.ticket.team"

    def _hotrush_portal_plan(self, now):
        """The HotRush promise of this team for a request sent ``now``, in figures.

        :param now: naive UTC datetime of the request
        :return: dict with the ``calendar``, the response ``hours``, the request's
            ``opening`` (False when support is open) and ``deadline`` (naive UTC),
            the company's ``grace_minutes``, ``multiplier`` and ``currency``, and the
            ``unit_price`` of a support hour (False without a support product)
        """
        self.ensure_one()
        # sudo: the team's calendar, target and support product price are what the
        # support tells every customer; nothing else of the team is read
        team = self.sudo()
        company = team.company_id or self.env.company
        calendar = team._get_hotrush_calendar()
        hours = team._get_hotrush_response_hours()
        [(opening, deadline)] = calendar._hotrush_plan([(now, hours)])
        product = team.hotrush_support_product_id
        return {
            "calendar": calendar,
            "hours": hours,
            "opening": opening,
            "deadline": deadline,
            "grace_minutes": company.hotrush_grace_minutes,
            "multiplier": company.hotrush_rate_multiplier,
            "currency": company.currency_id,
            "unit_price": product.with_company(company).lst_price if product else False,
        }

    @api.model
    def _hotrush_portal_closures(self, calendar, start, stop):
        """The public holidays of ``calendar`` overlapping ``[start, stop]``:
        ``(name, date_from, date_to)``, the leaves its planner leaves out."""
        calendar_ids = [False, calendar.id] if isinstance(calendar.id, int) else [False]
        # sudo: public holidays are what the support tells every customer
        leaves = (
            self.env["resource.calendar.leaves"]
            .sudo()
            .search_fetch(
                [
                    ("time_type", "=", "leave"),
                    ("calendar_id", "in", calendar_ids),
                    ("resource_id", "=", False),
                    ("company_id", "in", [False, calendar.company_id.id]),
                    ("date_from", "<=", stop),
                    ("date_to", ">", start),
                ],
                ["name", "date_from", "date_to"],
                order="date_from",
            )
        )
        return [(leave.name, leave.date_from, leave.date_to) for leave in leaves]
