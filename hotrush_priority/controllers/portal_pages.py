# Copyright 2026 hotrush_priority contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The customer's pages of HotRush: the tickets list with its HotRush filters and
deadline sort, the support balance on the portal home and its movements."""

from collections import OrderedDict
from operator import itemgetter

from odoo import http
from odoo.fields import Domain
from odoo.http import request
from odoo.tools import groupby as groupbyelem

from odoo.addons.portal.controllers.portal import pager as portal_pager

from .portal import HotrushCustomerPortal, customer_tz, presenter


class HotrushPortalPages(HotrushCustomerPortal):
    # ------------------------------------------------------------------
    # Tickets list: HotRush filters and sort by deadline (HR-62)
    # ------------------------------------------------------------------

    def _ticket_get_searchbar_sortings(self):
        sortings = super()._ticket_get_searchbar_sortings()
        sortings["hotrush"] = {
            "label": request.env._("HotRush deadline"),
            # awaiting an answer first, the closest deadline first; then the
            # other HotRush requests, the latest first; then the rest
            "order": "hotrush_queue_deadline, hotrush_deadline desc nulls last, "
            "create_date desc",
            "sequence": 5,
        }
        return sortings

    def _hotrush_ticket_searchbar_filters(self):
        """The HotRush entries of the list's filter menu: key -> label, domain."""
        return {
            "hotrush": {
                "label": request.env._("HotRush"),
                "domain": Domain("hotrush", "=", True),
            },
            "hotrush_waiting": {
                "label": request.env._("HotRush, waiting for an answer"),
                "domain": Domain("hotrush_queue_deadline", "!=", False),
            },
        }

    def _ticket_get_searchbar_filters(self):
        """helpdesk_mgmt's filters (all, one per stage) and HotRush's."""
        filters = {"all": {"label": request.env._("All"), "domain": []}}
        for stage in request.env["helpdesk.ticket.stage"].search([]):
            filters[str(stage.id)] = {
                "label": stage.name,
                "domain": [("stage_id", "=", stage.id)],
            }
        filters.update(self._hotrush_ticket_searchbar_filters())
        return filters

    # read-only pages: they change nothing, so GET only
    @http.route(
        ["/my/tickets", "/my/tickets/page/<int:page>"],
        type="http",
        auth="user",
        methods=["GET"],
        website=True,
        priority=100,
    )
    def portal_my_tickets(
        self,
        page=1,
        date_begin=None,
        date_end=None,
        sortby=None,
        filterby=None,
        search=None,
        search_in=None,
        groupby=None,
        **kw,
    ):
        """helpdesk_mgmt's list, with its filters from a method (its route builds
        them inline): the same steps, the customer's own tickets by the record
        rules of the portal."""
        Ticket = request.env["helpdesk.ticket"]
        if not Ticket.has_access("read"):
            return request.redirect("/my")
        values = self._prepare_portal_layout_values()
        searchbar_sortings = dict(
            sorted(
                self._ticket_get_searchbar_sortings().items(),
                key=lambda item: item[1]["sequence"],
            )
        )
        searchbar_filters = self._ticket_get_searchbar_filters()
        sortby = sortby if sortby in searchbar_sortings else "date"
        filterby = filterby if filterby in searchbar_filters else "all"
        groupby = groupby or "none"
        search_in = search_in or "all"
        domain = Domain(searchbar_filters[filterby]["domain"])
        if date_begin and date_end:
            domain &= Domain("create_date", ">", date_begin) & Domain(
                "create_date", "<=", date_end
            )
        if search:
            domain &= Domain(self._ticket_get_search_domain(search_in, search))
        domain &= Domain(request.env["ir.rule"]._compute_domain(Ticket._name, "read"))
        pager = portal_pager(
            url="/my/tickets",
            url_args={
                "date_begin": date_begin,
                "date_end": date_end,
                "sortby": sortby,
                "filterby": filterby,
                "groupby": groupby,
                "search": search,
                "search_in": search_in,
            },
            total=Ticket.search_count(domain),
            page=page,
            step=self._items_per_page,
        )
        order = self._ticket_get_order(searchbar_sortings[sortby]["order"], groupby)
        tickets = Ticket.search(
            domain, order=order, limit=self._items_per_page, offset=pager["offset"]
        )
        request.session["my_tickets_history"] = tickets.ids[:100]
        group = self._ticket_get_groupby_mapping().get(groupby)
        if group:
            grouped_tickets = [
                Ticket.concat(*g) for _k, g in groupbyelem(tickets, itemgetter(group))
            ]
        else:
            grouped_tickets = [tickets] if tickets else []
        values.update(
            {
                "date": date_begin,
                "date_end": date_end,
                "grouped_tickets": grouped_tickets,
                "page_name": "ticket",
                "default_url": "/my/tickets",
                "pager": pager,
                "searchbar_sortings": searchbar_sortings,
                "searchbar_groupby": self._ticket_get_searchbar_groupby(),
                "searchbar_inputs": self._ticket_get_searchbar_inputs(),
                "search_in": search_in,
                "search": search,
                "sortby": sortby,
                "groupby": groupby,
                "searchbar_filters": OrderedDict(searchbar_filters.items()),
                "filterby": filterby,
                "hotrush_tz": customer_tz(),
                "hotrush_presenter": presenter(),
            }
        )
        return request.render("helpdesk_mgmt.portal_my_tickets", values)

    # ------------------------------------------------------------------
    # Support balance: the portal home's entry and its movements (HR-30, HR-62)
    # ------------------------------------------------------------------

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if not counters:  # the home page itself, not the badge counters
            balance = values.get("hotrush_balance")
            if balance is None:
                balance = self._hotrush_customer_balance()
            values.update(
                {
                    # sudo: whether the customer's own balance (found with their
                    # rights) ever had a movement: never, and they are told how to
                    # get one
                    "hotrush_balance_started": bool(balance.sudo().line_ids),
                    "hotrush_prepaid_offer": self._hotrush_prepaid_offer(),
                }
            )
        return values

    def _hotrush_customer_balance(self):
        """The customer's balance in this company, read with their own rights (the
        portal's record rule limits them to their commercial partner's)."""
        partner = request.env.user.partner_id.commercial_partner_id
        return request.env["hotrush.support.balance"].search(
            [
                ("partner_id", "=", partner.id),
                ("company_id", "=", request.env.company.id),
            ],
            limit=1,
        )

    def _hotrush_prepaid_offer(self):
        """How a customer gets a balance (the prepaid product's price, validity and
        whom to contact), or False."""
        return request.env["hotrush.support.balance"]._hotrush_prepaid_offer_text(
            request.env.company
        )

    @http.route(
        "/my/support-balance",
        type="http",
        auth="user",
        methods=["GET"],
        website=True,
    )
    def portal_my_support_balance(self, **kw):
        """The movements of the customer's own support balance."""
        balance = self._hotrush_customer_balance()
        # sudo: the movements of the balance found above with the customer's own
        # rights; the page shows their date, kind, reference, amount and validity
        lines = balance.sudo().line_ids
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "hotrush_balance",
                "hotrush_balance": balance,
                "hotrush_lines": lines,
                "hotrush_balance_started": bool(lines),
                "hotrush_prepaid_offer": self._hotrush_prepaid_offer(),
            }
        )
        return request.render("hotrush_priority.portal_my_support_balance", values)
