# Copyright 2026 hotrush_priority contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Portal routes of HotRush: thin, access-checked, model actions do the work."""

from datetime import datetime
from zoneinfo import ZoneInfo

from odoo import fields, http
from odoo.exceptions import AccessError, MissingError, UserError, ValidationError
from odoo.http import request

from odoo.addons.helpdesk_mgmt.controllers.main import HelpdeskTicketController
from odoo.addons.helpdesk_mgmt.controllers.myaccount import CustomerPortalHelpdesk

USER_ERRORS = (AccessError, UserError, ValidationError)
FORM_MAX_LENGTH = 2000


def parse_local_datetime(value, tz):
    """'YYYY-MM-DDTHH:MM' in the customer's zone -> naive UTC, or None."""
    try:
        local = datetime.strptime((value or "").strip()[:16], "%Y-%m-%dT%H:%M")
    except ValueError:
        return None
    utc = local.replace(tzinfo=ZoneInfo(tz or "UTC")).astimezone(ZoneInfo("UTC"))
    return utc.replace(tzinfo=None)


def customer_tz():
    return request.env.user.tz or "UTC"


class HotrushTicketController(HelpdeskTicketController):
    # ------------------------------------------------------------------
    # New ticket form (HR-62)
    # ------------------------------------------------------------------

    def _get_create_new_ticket_values(self, **kw):
        values = super()._get_create_new_ticket_values(**kw)
        values.update(self._hotrush_form_values(values))
        return values

    def _hotrush_form_values(self, values):
        """What the urgent checkbox needs: availability, reason, offer text."""
        Ticket = request.env["helpdesk.ticket"]
        company = request.env.company
        team = request.env["helpdesk.ticket.team"]._hotrush_default_team(company)
        probe = Ticket.new(
            {
                "partner_id": request.env.user.partner_id.id,
                "company_id": company.id,
                "team_id": team.id,
                "hotrush": True,
            }
        )
        refusal = (
            probe._hotrush_balance_refusal()
            if team
            else request.env._("HotRush is not offered at the moment.")
        )
        tz = customer_tz()
        offer = {}
        if team:
            calendar = team._get_hotrush_calendar()
            offer = {
                "multiplier": company.hotrush_rate_multiplier,
                "hours": team._get_hotrush_response_hours(),
                "grace": company.hotrush_grace_minutes,
                "working_hours": calendar._hotrush_working_hours_text(
                    tz, fields.Datetime.now()
                ),
            }
        return {
            "hotrush_team": team,
            "hotrush_refusal": refusal,
            "hotrush_offer": offer,
            "hotrush_tz": tz,
            "hotrush_chat_tools": request.env["hotrush.chat.tool"].search([]),
        }

    def _prepare_submit_ticket_vals(self, **kw):
        vals = super()._prepare_submit_ticket_vals(**kw)
        if not kw.get("hotrush"):
            return vals
        vals["hotrush"] = True
        if not vals.get("team_id"):
            company = request.env["res.company"].browse(vals["company_id"])
            team = request.env["helpdesk.ticket.team"]._hotrush_default_team(company)
            vals["team_id"] = team.id
            vals["stage_id"] = team._get_applicable_stages()[:1].id
        if kw.get("chat_tool"):
            probe = request.env["helpdesk.ticket"].new(vals)
            vals.update(
                probe._hotrush_validate_chat(
                    kw.get("chat_tool"),
                    kw.get("chat_contact"),
                    parse_local_datetime(kw.get("chat_time"), customer_tz()),
                )
            )
        return vals

    @http.route("/submitted/ticket", type="http", auth="user", website=True, csrf=True)
    def submit_ticket(self, **kw):
        for name in ("subject", "description", "chat_contact"):
            if len(kw.get(name) or "") > FORM_MAX_LENGTH * 10:
                return self._hotrush_form_error(
                    kw, request.env._("The text you entered is too long.")
                )
        try:
            with request.env.cr.savepoint():
                return super().submit_ticket(**kw)
        except USER_ERRORS as error:
            return self._hotrush_form_error(kw, error.args[0])

    def _hotrush_form_error(self, kw, message):
        """The form again, with the customer's input and what to fix."""
        values = self._get_create_new_ticket_values(**kw)
        values.update({"hotrush_error": message, "hotrush_input": kw})
        return request.render("helpdesk_mgmt.portal_create_ticket", values)


class HotrushCustomerPortal(CustomerPortalHelpdesk):
    # ------------------------------------------------------------------
    # Portal home: the support balance (HR-62)
    # ------------------------------------------------------------------

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if not counters:  # the home page itself, not the badge counters
            partner = request.env.user.partner_id.commercial_partner_id
            # the customer's own balance: record rules limit them to it
            values["hotrush_balance"] = request.env["hotrush.support.balance"].search(
                [
                    ("partner_id", "=", partner.id),
                    ("company_id", "=", request.env.company.id),
                ],
                limit=1,
            )
        return values

    # ------------------------------------------------------------------
    # Ticket page (HR-62)
    # ------------------------------------------------------------------

    def _ticket_get_page_view_values(self, ticket, access_token, **kwargs):
        values = super()._ticket_get_page_view_values(ticket, access_token, **kwargs)
        values.update(
            {
                "hotrush_message": request.session.pop("hotrush_message", None),
                "hotrush_tz": customer_tz(),
                "hotrush_chat_tools": request.env["hotrush.chat.tool"].search([]),
                "hotrush_is_owner": ticket.commercial_partner_id
                == request.env.user.partner_id.commercial_partner_id,
            }
        )
        return values

    @http.route(
        "/my/ticket/<int:ticket_id>/hotrush/<string:action>",
        type="http",
        auth="user",
        methods=["POST"],
        website=True,
    )
    def portal_ticket_hotrush(self, ticket_id, action, **kw):
        handler = self._hotrush_portal_actions().get(action)
        if not handler:
            raise request.not_found()
        try:
            self._document_check_access("helpdesk.ticket", ticket_id)
        except (AccessError, MissingError):
            return request.redirect("/my")
        # act with the customer's own rights: the model checks ownership again
        ticket = request.env["helpdesk.ticket"].browse(ticket_id)
        try:
            with request.env.cr.savepoint():
                message = handler(ticket, **kw)
            request.session["hotrush_message"] = ["success", message]
        except USER_ERRORS as error:
            request.session["hotrush_message"] = ["danger", error.args[0]]
        return request.redirect(f"/my/ticket/{ticket_id}")

    def _hotrush_portal_actions(self):
        return {
            "request": self._hotrush_action_request,
            "uncheck": self._hotrush_action_uncheck,
            "withdraw": self._hotrush_action_withdraw,
            "chat": self._hotrush_action_chat,
        }

    def _hotrush_action_request(self, ticket, **kw):
        ticket.action_hotrush_request()
        return request.env._(
            "HotRush requested: respond by %(deadline)s.",
            deadline=ticket._hotrush_format(ticket.hotrush_deadline, tz=customer_tz()),
        )

    def _hotrush_action_uncheck(self, ticket, **kw):
        ticket.action_hotrush_uncheck()
        return request.env._("HotRush unchecked: no surcharge applies.")

    def _hotrush_action_withdraw(self, ticket, note=None, **kw):
        ticket.action_hotrush_withdraw(note=note or False)
        return request.env._("HotRush withdrawn: the normal rate applies from now on.")

    def _hotrush_action_chat(
        self, ticket, chat_tool=None, chat_contact=None, chat_time=None, **kw
    ):
        when = parse_local_datetime(chat_time, customer_tz())
        ticket.action_hotrush_request_chat(chat_tool, chat_contact, when)
        return request.env._("Your live chat request is confirmed.")
