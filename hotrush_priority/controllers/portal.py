# Copyright 2026 hotrush_priority contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Portal routes of HotRush: thin, access-checked, model actions do the work, the
presenter (``hotrush_priority.portal``) says what the customer reads."""

import re
import uuid
from contextlib import contextmanager
from datetime import datetime
from zoneinfo import ZoneInfo

import psycopg2
from werkzeug.exceptions import BadRequest

from odoo import fields, http
from odoo.exceptions import (
    AccessError,
    ConcurrencyError,
    MissingError,
    UserError,
    ValidationError,
)
from odoo.http import request
from odoo.tools import SQL

from odoo.addons.helpdesk_mgmt.controllers.main import HelpdeskTicketController
from odoo.addons.helpdesk_mgmt.controllers.myaccount import CustomerPortalHelpdesk

from ..const import PRICED_ACTIONS
from ..portal import Presenter

USER_ERRORS = (AccessError, UserError, ValidationError)
FORM_MAX_LENGTH = 2000
FORM_KEY_PATTERN = re.compile(r"[0-9a-f]{32}")
# every route that changes something: a logged-in user's POST with its CSRF token
STATE_CHANGING = {
    "type": "http",
    "auth": "user",
    "methods": ["POST"],
    "website": True,
    "csrf": True,
}


def parse_id(value):
    """A positive database id from a form or query value, or None."""
    if not isinstance(value, str) or not value.isascii() or not value.isdigit():
        return None
    value = int(value)
    return value if 0 < value < 2**31 else None


def form_key(kw):
    """The new-ticket form's one-time key from the submitted fields, or None."""
    key = kw.get("hotrush_form_key")
    return key if isinstance(key, str) and FORM_KEY_PATTERN.fullmatch(key) else None


def parse_local_datetime(value, tz):
    """'YYYY-MM-DDTHH:MM' in the customer's zone -> naive UTC, or None."""
    try:
        local = datetime.strptime((value or "").strip()[:16], "%Y-%m-%dT%H:%M")
    except ValueError:
        return None
    utc = local.replace(tzinfo=ZoneInfo(tz or "UTC")).astimezone(ZoneInfo("UTC"))
    return utc.replace(tzinfo=None)


@contextmanager
def rerun_on_concurrent_insert():
    """Run the request again when a row it inserts was inserted by another
    transaction since it began: the same form submitted twice at once, a follower
    that an agent's assignment subscribed while the customer's action did too.
    Odoo rolls back and runs the request again, which then sees that row; without
    this, the unique index's error would reach the customer as a refusal.
    """
    try:
        yield
    except psycopg2.errors.UniqueViolation as error:
        raise ConcurrencyError(
            f"Inserted concurrently: {error.diag.constraint_name}"
        ) from error


def customer_tz():
    return request.env.user.tz or "UTC"


def presenter():
    """The words of HotRush for the customer of this request: their language and
    zone."""
    return Presenter(request.env, customer_tz())


def tell_on_ticket_page(ticket_id, kind, text, chat_input=None):
    """What the ticket's page says once, after the redirect that follows an action:
    kept in the session with the ticket's id, so that no other page shows it (nor
    what was typed in its chat form)."""
    request.session["hotrush_message"] = {
        "ticket": ticket_id,
        "kind": kind,
        "text": text,
        "chat_input": chat_input or {},
    }


def told_on_ticket_page(ticket_id):
    """What an action told this ticket's page, once: ``(kind, text)`` or None, and
    the chat form's input to show again."""
    told = request.session.pop("hotrush_message", None)
    if not isinstance(told, dict) or told.get("ticket") != ticket_id:
        return None, {}
    return (told["kind"], told["text"]), told.get("chat_input") or {}


def text_fields(kw, names):
    """The form's text fields ``names``; a file sent in place of one is no text."""
    return {
        name: value if isinstance(value, str) else None
        for name, value in ((name, kw.get(name)) for name in names)
    }


class HotrushTicketController(HelpdeskTicketController):
    # ------------------------------------------------------------------
    # New ticket form (HR-62)
    # ------------------------------------------------------------------

    def _get_create_new_ticket_values(self, **kw):
        values = super()._get_create_new_ticket_values(**kw)
        values.update(self._hotrush_form_values(values))
        return values

    def _hotrush_form_values(self, values):
        """What the urgent checkbox needs: availability, reason, and the promise of
        each team the form offers (and of the default team, for no choice), rendered
        into the page: the form shows the chosen team's without asking the server."""
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
        words = presenter()
        now = fields.Datetime.now()
        no_category = request.env["helpdesk.ticket.category"]
        # the teams the form lists, read with the customer's rights: no other
        teams = values.get("teams") or request.env["helpdesk.ticket.team"]
        offering = teams.filtered("hotrush_offered")
        promises = []
        if team:
            promises.append(("", words.promise(team, no_category, now)))
        promises += [
            (str(choice.id), words.promise(choice, no_category, now, offering))
            for choice in teams
        ]
        # helpdesk_mgmt's form selects the team when it offers only one
        chosen = str(teams.id) if len(teams) == 1 else ""
        return {
            "hotrush_form_key": uuid.uuid4().hex,
            "hotrush_team": team,
            "hotrush_refusal": refusal,
            "hotrush_promises": promises,
            "hotrush_promise_key": chosen,
            "hotrush_category_refusals": {
                category.id: words.category_refusal(category)
                for category in values.get("categories") or no_category
            },
            "hotrush_tz": words.tz,
            "hotrush_chat_tools": request.env["hotrush.chat.tool"].search([]),
        }

    def _prepare_submit_ticket_vals(self, **kw):
        vals = super()._prepare_submit_ticket_vals(**kw)
        key = form_key(kw)
        if key:
            vals["hotrush_form_key"] = key
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

    @http.route("/submitted/ticket", **STATE_CHANGING)
    def submit_ticket(self, **kw):
        # a file sent in place of a text field (a forged multipart form)
        texts = text_fields(
            kw,
            ("subject", "description", "team", "category")
            + ("chat_tool", "chat_contact", "chat_time"),
        )
        if any(texts[name] is None and kw.get(name) is not None for name in texts):
            return self._hotrush_form_error(
                dict(kw, **texts),
                request.env._(
                    "The form was not sent as expected: please send it again."
                ),
            )
        for name in ("subject", "description", "chat_contact"):
            if len(kw.get(name) or "") > FORM_MAX_LENGTH * 10:
                return self._hotrush_form_error(
                    kw, request.env._("The text you entered is too long.")
                )
        refusal = self._hotrush_form_choice_refusal(kw)
        if refusal:
            return self._hotrush_form_error(kw, refusal)
        key = form_key(kw)
        self._hotrush_claim_form_key(key)
        submitted = self._hotrush_submitted_ticket(key)
        if submitted:  # the same form again (a double click, the back button)
            return request.redirect(f"/my/ticket/{submitted.id}")
        try:
            # the same form, submitted in parallel, may get there first between
            # this request's start and its claim: the request runs again, finds it
            with rerun_on_concurrent_insert(), request.env.cr.savepoint():
                return super().submit_ticket(**kw)
        except USER_ERRORS as error:
            return self._hotrush_form_error(kw, error.args[0])

    def _hotrush_claim_form_key(self, key):
        """Hold the form's key until this request commits. The same form sent again
        while the first is being processed (a double click, two workers) waits: Odoo
        runs that request again a moment later, and it then finds the first's ticket.
        """
        if not key:
            return
        cr = request.env.cr
        cr.execute(
            SQL(
                "SELECT pg_try_advisory_xact_lock(%s, hashtext(%s))",
                request.env.user.partner_id.id,
                key,
            )
        )
        if not cr.fetchone()[0]:
            raise ConcurrencyError("The new-ticket form is being submitted already")

    def _hotrush_form_choice_refusal(self, kw):
        """Why the team or category of the form cannot be used, or None.

        Only what the form offers is accepted: an id the customer typed into the
        request gets the same message as a choice the form does not show.
        """
        company = request.env.company
        if company.helpdesk_mgmt_portal_select_category:
            categories = self._get_categories(**kw)
        else:  # not on the form, yet helpdesk_mgmt files the ticket under it
            categories = request.env["helpdesk.ticket.category"].search(
                [
                    ("show_in_portal", "=", True),
                    ("company_id", "in", [False, company.id]),
                ]
            )
        choices = [("category", categories)]
        if company.helpdesk_mgmt_portal_select_team:
            choices.append(("team", self._get_teams()))
        for name, offered in choices:
            value = kw.get(name)
            if value in (None, ""):
                continue
            if not offered or parse_id(value) not in offered.ids:
                if name == "team":
                    return request.env._("Please choose one of the offered teams.")
                return request.env._("Please choose one of the offered categories.")
        return None

    def _hotrush_submitted_ticket(self, key):
        """The customer's ticket already created by this form, if any."""
        if not key:
            return request.env["helpdesk.ticket"]
        # sudo: the customer's own ticket (their partner and the form's random key)
        return (
            request.env["helpdesk.ticket"]
            .sudo()
            .search(
                [
                    ("partner_id", "=", request.env.user.partner_id.id),
                    ("hotrush_form_key", "=", key),
                ],
                limit=1,
            )
        )

    def _hotrush_form_error(self, kw, message):
        """The form again, with the customer's input and what to fix."""
        values = self._get_create_new_ticket_values(**kw)
        values.update({"hotrush_error": message, "hotrush_input": kw})
        # the promise shown is the chosen team's, when the form offers it
        if kw.get("team") in {key for key, _promise in values["hotrush_promises"]}:
            values["hotrush_promise_key"] = kw["team"]
        return request.render("helpdesk_mgmt.portal_create_ticket", values)

    # ------------------------------------------------------------------
    # Closing from the portal (helpdesk_mgmt's route, made safe: HR-80)
    # ------------------------------------------------------------------

    @http.route("/ticket/close", **STATE_CHANGING)
    def support_ticket_close(self, ticket_id=None, stage_id=None, **kw):
        """Close a ticket from its portal page: its own customer only, by POST with
        a CSRF token (helpdesk_mgmt's route closed any ticket, by GET too)."""
        ticket_id, stage_id = parse_id(ticket_id), parse_id(stage_id)
        if not ticket_id or not stage_id:
            raise BadRequest(request.env._("The ticket and the stage are required."))
        ticket = request.env["helpdesk.ticket"].browse(ticket_id)
        if kw.get("confirm") != "1":  # closing bills: the amount is confirmed first
            page = self._hotrush_close_confirmation_page(ticket, stage_id)
            if page:
                return page
        try:
            with rerun_on_concurrent_insert(), request.env.cr.savepoint():
                ticket.action_close_from_portal(stage_id)
        except (AccessError, MissingError):
            return request.redirect("/my", code=302)
        except USER_ERRORS as error:
            tell_on_ticket_page(ticket_id, "danger", error.args[0])
        # 302 as helpdesk_mgmt's route answered (its tests and clients expect it)
        return request.redirect(f"/my/ticket/{ticket_id}", code=302)

    def _hotrush_close_confirmation_page(self, ticket, stage_id):
        """The ticket page asking to confirm a closing that bills the ticket, with
        the amount; None when it bills nothing, or when the closing is refused (the
        action says why)."""
        portal = HotrushCustomerPortal()
        try:
            ticket_sudo = portal._document_check_access("helpdesk.ticket", ticket.id)
            confirm = presenter().close_confirmation(ticket, stage_id)
        except (AccessError, MissingError, *USER_ERRORS):
            return None
        if not confirm:
            return None
        return portal._hotrush_render_confirmation(
            ticket_sudo,
            dict(
                confirm,
                url="/ticket/close",
                form={"ticket_id": ticket.id, "stage_id": stage_id},
            ),
        )


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
        message, chat_input = told_on_ticket_page(ticket.id)
        values.update(
            {
                "hotrush_message": message,
                "hotrush_chat_input": chat_input,
                "hotrush_tz": customer_tz(),
                "hotrush_presenter": presenter(),
                "hotrush_chat_tools": request.env["hotrush.chat.tool"].search([]),
                "hotrush_is_owner": ticket.commercial_partner_id
                == request.env.user.partner_id.commercial_partner_id,
            }
        )
        values.update(self._hotrush_ticket_card_values(ticket))
        return values

    def _hotrush_ticket_card_values(self, ticket):
        """The HotRush card of the ticket page and its history (HR-82): the
        ticket's access was checked by the page's route."""
        words = presenter()
        actions = ticket._hotrush_portal_actions()
        chat_hint = "chat" in actions and words.ticket_chat_hint(ticket)
        return {
            "hotrush_card": words.card(ticket),
            "hotrush_offer": "request" in actions and words.offer(ticket),
            # offered: nothing refused (the actions asked it already)
            "hotrush_request_refusal": "request" not in actions
            and words.request_refusal(ticket),
            "hotrush_history": words.history(ticket),
            "hotrush_actions": actions,
            "hotrush_confirm": None,
            # the chat form of the new-ticket form: the hours this ticket allows,
            # and what the customer typed before a refusal
            "hotrush_chat_promises": [("", {"chat_hint": chat_hint})],
            "hotrush_promise_key": "",
        }

    @http.route("/my/ticket/<int:ticket_id>/hotrush/<string:action>", **STATE_CHANGING)
    def portal_ticket_hotrush(self, ticket_id, action, **kw):
        handler, names = self._hotrush_portal_actions().get(action, (None, ()))
        if not handler:
            raise request.not_found()
        # what else the request carries is not the action's business
        form = text_fields(kw, names)
        try:
            ticket_sudo = self._document_check_access("helpdesk.ticket", ticket_id)
        except (AccessError, MissingError):
            return request.redirect("/my")
        # act with the customer's own rights: the model checks ownership again
        ticket = request.env["helpdesk.ticket"].browse(ticket_id)
        if action in PRICED_ACTIONS and kw.get("confirm") != "1":
            return self._hotrush_confirmation_page(ticket_sudo, ticket, action, form)
        try:
            with rerun_on_concurrent_insert(), request.env.cr.savepoint():
                message = handler(ticket, **form)
            tell_on_ticket_page(ticket_id, "success", message)
        except USER_ERRORS as error:
            # the chat form shows what was typed again, to be corrected
            chat_input = action == "chat" and {
                name: (value or "")[:FORM_MAX_LENGTH] for name, value in form.items()
            }
            tell_on_ticket_page(ticket_id, "danger", error.args[0], chat_input)
        return request.redirect(f"/my/ticket/{ticket_id}")

    def _hotrush_confirmation_page(self, ticket_sudo, ticket, action, form):
        """The ticket page asking to confirm an action that changes the price, with
        the amounts in money: nothing changes until the customer confirms (a POST
        with ``confirm=1``)."""
        try:
            confirm = presenter().confirmation(ticket, action)
        except USER_ERRORS as error:
            tell_on_ticket_page(ticket.id, "danger", error.args[0])
            return request.redirect(f"/my/ticket/{ticket.id}")
        return self._hotrush_render_confirmation(
            ticket_sudo, dict(confirm, action=action, form=form)
        )

    def _hotrush_render_confirmation(self, ticket_sudo, confirm):
        """The ticket page with ``confirm`` (title, lines, button, and the form to
        send again with ``confirm=1``) in its HotRush card."""
        values = self._ticket_get_page_view_values(ticket_sudo, None)
        values["hotrush_confirm"] = confirm
        return request.render("helpdesk_mgmt.portal_helpdesk_ticket_page", values)

    def _hotrush_portal_actions(self):
        """Each action of the ticket page: its handler and the form fields it reads."""
        return {
            "request": (self._hotrush_action_request, ()),
            "uncheck": (self._hotrush_action_uncheck, ()),
            "withdraw": (self._hotrush_action_withdraw, ("note",)),
            "chat": (
                self._hotrush_action_chat,
                ("chat_tool", "chat_contact", "chat_time"),
            ),
        }

    def _hotrush_action_request(self, ticket, **kw):
        ticket.action_hotrush_request()
        return presenter().requested(ticket)

    def _hotrush_action_uncheck(self, ticket, **kw):
        chat = presenter().chat_cancelled(ticket)  # the end clears it
        ticket.action_hotrush_uncheck()
        message = request.env._("HotRush unchecked: no surcharge applies.")
        return f"{message} {chat}" if chat else message

    def _hotrush_action_withdraw(self, ticket, note=None, **kw):
        chat = presenter().chat_cancelled(ticket)  # the end clears it
        ticket.action_hotrush_withdraw(note=note or False)
        message = request.env._(
            "HotRush withdrawn: the normal rate applies from now on."
        )
        return f"{message} {chat}" if chat else message

    def _hotrush_action_chat(
        self, ticket, chat_tool=None, chat_contact=None, chat_time=None, **kw
    ):
        when = parse_local_datetime(chat_time, customer_tz())
        ticket.action_hotrush_request_chat(chat_tool, chat_contact, when)
        return presenter().chat_recorded(ticket)
