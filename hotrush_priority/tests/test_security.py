# Copyright 2026 hotrush_priority contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Attacks on the routes and model methods reachable with the addon installed (HR-80).

Each test is written as the attack: another customer's ticket, GET instead of POST,
no CSRF token, a forged context, numbers that are not numbers, a double click. Each
asserts that nothing changed, not only the answer.
"""

import re
import xmlrpc.client

import psycopg2
from freezegun import freeze_time

from odoo import fields
from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from ..const import FORM_KEY_INDEX, MAX_BILLABLE_HOURS
from .test_portal import PortalMixin
from .test_rpc import RpcMixin


class SecurityMixin(RpcMixin, PortalMixin):
    @classmethod
    def _setup_security(cls):
        cls._setup_portal()
        cls._setup_support_products()
        cls.stage_done = cls.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_done")
        cls.stage_rejected = cls.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_rejected")
        cls.portal.password = "hr_portal_pw"
        cls.other_portal.password = "hr_other_pw"
        cls.agent.password = "hr_agent_pw"

    def _hotrush_ticket(self, partner=None, **vals):
        partner = partner or self.portal.partner_id
        vals = {"user_id": self.agent.id, "hotrush_billable_hours": 2.0, **vals}
        return self._create_ticket(hotrush=True, partner_id=partner.id, **vals)

    def _charges(self, ticket):
        return self.env["hotrush.charge"].search([("ticket_id", "=", ticket.id)])

    def _csrf(self, url="/my"):
        page = self.url_open(url).text
        return re.search(r'name="csrf_token"\s+value="([^"]+)"', page).group(1)

    def _post(self, url, data, csrf=True):
        if csrf:
            data = dict(data, csrf_token=self._csrf())
        return self.url_open(url, data=data)

    def assertXmlrpcRefused(self, pattern, method, *args, **kwargs):
        """The agent's call of ``helpdesk.ticket.<method>`` over XML-RPC is refused."""
        with self.assertRaises(xmlrpc.client.Fault) as caught:
            self._xmlrpc(
                "hr_agent", "hr_agent_pw", "helpdesk.ticket", method, *args, **kwargs
            )
        self.assertIn(pattern, caught.exception.faultString)

    def _xmlrpc(self, login, password, model, method, *args, **kwargs):
        """execute_kw through XML-RPC (Odoo 19 logs that the endpoint is deprecated)."""
        with self.assertLogs("odoo", "WARNING"):
            uid = self.xmlrpc_common.authenticate(
                self.env.cr.dbname, login, password, {}
            )
        with self.assertLogs("odoo", "WARNING"):
            return self.xmlrpc_object.execute_kw(
                self.env.cr.dbname, uid, password, model, method, list(args), kwargs
            )


class SecurityCase(SecurityMixin, HttpCase):
    """Each test starts logged in as ``login`` (login, password), if given."""

    login = None

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_security()

    def setUp(self):
        super().setUp()
        if self.login:
            self.authenticate(*self.login)


@tagged("post_install", "-at_install")
class TestPortalClose(SecurityCase):
    """Finding 1: helpdesk_mgmt's /ticket/close closed and billed any ticket."""

    login = ("hr_portal_other", "hr_other_pw")

    def _close(self, ticket, stage=None, **kwargs):
        stage = stage or self.stage_done
        # confirmed, as the second POST of a closing that bills: the whole attack
        data = {"ticket_id": str(ticket.id), "stage_id": str(stage.id), "confirm": "1"}
        return self._post("/ticket/close", data, **kwargs)

    def assertOpenUncharged(self, ticket):
        self.env.invalidate_all()
        self.assertFalse(ticket.closed, "the ticket must stay open")
        self.assertFalse(self._charges(ticket), "nobody may be billed")

    def test_get_closes_nothing(self):
        victim = self._hotrush_ticket()
        url = f"/ticket/close?ticket_id={victim.id}&stage_id={self.stage_done.id}"
        response = self.url_open(url, allow_redirects=False)
        self.assertEqual(response.status_code, 405)
        self.assertOpenUncharged(victim)
        # the ticket's own customer cannot be made to close it by a link either
        self.authenticate("hr_portal", "hr_portal_pw")
        response = self.url_open(url, allow_redirects=False)
        self.assertEqual(response.status_code, 405)
        self.assertOpenUncharged(victim)

    def test_post_on_another_customers_ticket_refused(self):
        victim = self._hotrush_ticket()
        response = self._close(victim)
        self.assertTrue(response.url.endswith("/my"), response.url)
        self.assertOpenUncharged(victim)

    def test_follower_of_another_customer_refused(self):
        """The portal rule lets followers read a ticket; closing is the owner's."""
        victim = self._hotrush_ticket()
        victim.message_subscribe(partner_ids=self.other_portal.partner_id.ids)
        self.assertIn(self.other_portal.partner_id, victim.message_partner_ids)
        page = self.url_open(f"/my/ticket/{victim.id}").text
        self.assertNotIn('action="/ticket/close"', page, "no close button offered")
        response = self._close(victim)
        self.assertTrue(response.url.endswith("/my"), response.url)
        self.assertOpenUncharged(victim)

    def test_missing_csrf_refused(self):
        self.authenticate("hr_portal", "hr_portal_pw")
        ticket = self._hotrush_ticket()
        response = self._close(ticket, csrf=False)
        self.assertEqual(response.status_code, 400)
        self.assertOpenUncharged(ticket)

    def test_anonymous_visitor_closes_nothing(self):
        self.authenticate(None, None)
        victim = self._hotrush_ticket()
        url = f"/ticket/close?ticket_id={victim.id}&stage_id={self.stage_done.id}"
        self.assertEqual(self.url_open(url, allow_redirects=False).status_code, 405)
        response = self.url_open(
            "/ticket/close",
            data={"ticket_id": str(victim.id), "stage_id": str(self.stage_done.id)},
            allow_redirects=False,
        )
        self.assertIn(response.status_code, (303, 400))
        self.assertOpenUncharged(victim)

    def test_bad_ids_answered_with_400(self):
        self.authenticate("hr_portal", "hr_portal_pw")
        ticket = self._hotrush_ticket()
        for data in (
            {},
            {"ticket_id": str(ticket.id)},
            {"ticket_id": "abc", "stage_id": str(self.stage_done.id)},
            {"ticket_id": str(ticket.id), "stage_id": "1e3"},
            {"ticket_id": "-1", "stage_id": str(self.stage_done.id)},
            {"ticket_id": "99999999999", "stage_id": str(self.stage_done.id)},
        ):
            with self.subTest(data=data):
                response = self._post("/ticket/close", data)
                self.assertEqual(response.status_code, 400)
                self.assertNotIn("Traceback", response.text)
        self.assertOpenUncharged(ticket)

    def test_owner_closes_with_the_page_button_once(self):
        self.authenticate("hr_portal", "hr_portal_pw")
        ticket = self._hotrush_ticket()
        page = self.url_open(f"/my/ticket/{ticket.id}").text
        form = re.search(
            r'<form[^>]*action="/ticket/close"[^>]*>(.*?)</form>', page, re.DOTALL
        )
        self.assertTrue(form, "the page offers the close buttons")
        self.assertRegex(form.group(0), r'method="POST"')
        self.assertIn('name="csrf_token"', form.group(1))
        # a stage the portal does not offer is refused
        response = self._close(ticket, self.stage_rejected)
        self.assertIn("cannot be closed into that stage", response.text)
        self.assertOpenUncharged(ticket)
        data = {"ticket_id": str(ticket.id), "stage_id": str(self.stage_done.id)}
        # closing bills the ticket: the amount is confirmed first
        response = self._post("/ticket/close", data)
        self.assertIn('id="hotrush_confirm"', response.text)
        self.assertIn("Closing bills", response.text)
        self.assertOpenUncharged(ticket)
        data["confirm"] = "1"
        response = self._post("/ticket/close", data)
        self.assertTrue(response.url.endswith(f"/my/ticket/{ticket.id}"))
        self.env.invalidate_all()
        self.assertEqual(ticket.stage_id, self.stage_done)
        self.assertEqual(len(self._charges(ticket)), 1)
        # a second click, confirmed or not: already closed, still one charge
        for confirm in ("1", ""):
            response = self._post("/ticket/close", dict(data, confirm=confirm))
            self.assertIn("already closed", response.text)
            self.assertNotIn('id="hotrush_confirm"', response.text)
            self.env.invalidate_all()
            self.assertEqual(len(self._charges(ticket)), 1)

    def test_close_over_json_rpc(self):
        victim = self._hotrush_ticket()
        own = self._hotrush_ticket(partner=self.other_portal.partner_id)
        self.assertRpcRefused(
            "odoo.exceptions.AccessError",
            "",
            "helpdesk.ticket",
            "action_close_from_portal",
            victim.ids,
            self.stage_done.id,
        )
        self.assertRpcRefused(
            "odoo.exceptions.AccessError",
            "",
            "helpdesk.ticket",
            "write",
            victim.ids,
            {"stage_id": self.stage_done.id},
        )
        self.assertRpcRefused(
            "odoo.exceptions.ValidationError",
            "cannot be closed into that stage",
            "helpdesk.ticket",
            "action_close_from_portal",
            own.ids,
            self.stage_rejected.id,
        )
        self.assertOpenUncharged(victim)
        self._call(
            "helpdesk.ticket", "action_close_from_portal", own.ids, self.stage_done.id
        )
        self.env.invalidate_all()
        self.assertTrue(own.closed)
        self.assertEqual(len(self._charges(own)), 1)

    def test_close_over_xml_rpc(self):
        victim = self._hotrush_ticket()
        with self.assertRaises(xmlrpc.client.Fault) as caught:
            self._xmlrpc(
                "hr_portal_other",
                "hr_other_pw",
                "helpdesk.ticket",
                "action_close_from_portal",
                victim.ids,
                self.stage_done.id,
            )
        self.assertIn("doesn't have 'read' access", caught.exception.faultString)
        self.assertOpenUncharged(victim)


@tagged("post_install", "-at_install")
class TestNewTicketForm(SecurityCase):
    """Findings 2 and 8 on /submitted/ticket, and the double click."""

    login = ("hr_portal", "hr_portal_pw")

    def _count(self):
        return self.env["helpdesk.ticket"].search_count([])

    def test_get_creates_no_ticket(self):
        before = self._count()
        query = "&".join(f"{k}={v}" for k, v in self._form().items())
        response = self.url_open(f"/submitted/ticket?{query}", allow_redirects=False)
        self.assertEqual(response.status_code, 405)
        response = self._post("/submitted/ticket", self._form(), csrf=False)
        self.assertEqual(response.status_code, 400)
        self.assertEqual(self._count(), before)

    def test_bad_team_and_category_answered_with_a_message(self):
        before = self._count()
        other_company = self.env["res.company"].create({"name": "Elsewhere Ltd"})
        foreign_category = self.env["helpdesk.ticket.category"].create(
            {"name": "Elsewhere", "company_id": other_company.id}
        )
        hidden_team = self.env["helpdesk.ticket.team"].create(
            {"name": "Internal", "show_in_portal": False, "hotrush_offered": True}
        )
        for values, message in [
            ({"category": "abc"}, "offered categories"),
            ({"category": "99999999"}, "offered categories"),
            ({"category": "1.5"}, "offered categories"),
            ({"category": str(foreign_category.id)}, "offered categories"),
            ({"team": "x"}, "offered teams"),
            ({"team": "99999999"}, "offered teams"),
            ({"team": str(hidden_team.id)}, "offered teams"),
        ]:
            with self.subTest(values=values):
                response = self._post("/submitted/ticket", self._form(**values))
                self.assertEqual(response.status_code, 200)
                self.assertIn(message, response.text)
                self.assertIn('id="hotrush_form_error"', response.text)
                self.assertNotIn("helpdesk.ticket.category", response.text)
                self.assertNotIn("uid", self._alert(response.text))
        self.assertEqual(self._count(), before)

    def test_double_click_makes_one_ticket(self):
        page = self.url_open("/new/ticket").text
        key = re.search(r'name="hotrush_form_key"\s+value="([0-9a-f]{32})"', page)
        self.assertTrue(key, "the form carries a one-time key")
        data = self._form(hotrush_form_key=key.group(1))
        first = self._post("/submitted/ticket", data)
        second = self._post("/submitted/ticket", data)
        tickets = self.env["helpdesk.ticket"].search(
            [("hotrush_form_key", "=", key.group(1))]
        )
        self.assertEqual(len(tickets), 1)
        self.assertTrue(first.url.endswith(f"/my/ticket/{tickets.id}"))
        self.assertTrue(second.url.endswith(f"/my/ticket/{tickets.id}"))
        # a new page is a new form: a second ticket on purpose is possible
        other = re.search(
            r'name="hotrush_form_key"\s+value="([0-9a-f]{32})"',
            self.url_open("/new/ticket").text,
        )
        self.assertNotEqual(other.group(1), key.group(1))

    def test_same_key_twice_is_refused_by_the_database(self):
        """Two workers that both passed the look-up: the unique index decides."""
        vals = self._ticket_vals(hotrush_form_key="a" * 32)
        self.env["helpdesk.ticket"].create(vals)
        with (
            self.assertRaises(psycopg2.errors.UniqueViolation) as caught,
            mute_logger("odoo.sql_db"),
            self.env.cr.savepoint(),
        ):
            self.env["helpdesk.ticket"].create(vals)
        self.assertEqual(caught.exception.diag.constraint_name, FORM_KEY_INDEX)
        # another customer's form may carry any key: it is theirs
        self.env["helpdesk.ticket"].create(
            dict(vals, partner_id=self.other_portal.partner_id.id)
        )

    def test_form_key_is_not_writable(self):
        ticket = self._create_ticket()
        self.assertRpcRefused(
            "odoo.exceptions.AccessError",
            "",
            "helpdesk.ticket",
            "write",
            ticket.ids,
            {"hotrush_form_key": "b" * 32},
        )


@tagged("post_install", "-at_install")
class TestTicketState(SecurityCase):
    """Findings 3 and 7: HotRush on closed tickets, a second live chat."""

    def _closed_ticket(self):
        ticket = self._create_ticket(user_id=self.agent.id)
        ticket.stage_id = self.stage_done
        return ticket

    def test_request_on_a_closed_ticket_refused_everywhere(self):
        ticket = self._closed_ticket()
        self.authenticate("hr_portal", "hr_portal_pw")
        response = self._post(
            f"/my/ticket/{ticket.id}/hotrush/request", {"confirm": "1"}
        )
        self.assertIn("the ticket is closed", response.text)
        refused = ("odoo.exceptions.ValidationError", "the ticket is closed")
        request = ("helpdesk.ticket", "action_hotrush_request", ticket.ids)
        self.assertRpcRefused(*refused, *request)
        self.authenticate("hr_agent", "hr_agent_pw")
        self.assertRpcRefused(*refused, *request)
        self.assertRpcRefused(
            *refused, "helpdesk.ticket", "write", ticket.ids, {"hotrush": True}
        )
        self.assertXmlrpcRefused(
            "the ticket is closed", "write", ticket.ids, {"hotrush": True}
        )
        # nor created closed with HotRush by an agent
        self.assertRpcRefused(
            "odoo.exceptions.ValidationError",
            "the ticket is closed",
            "helpdesk.ticket",
            "create",
            None,
            self._ticket_vals(hotrush=True, stage_id=self.stage_done.id),
        )
        self.env.invalidate_all()
        self.assertFalse(ticket.hotrush)
        self.assertFalse(ticket.hotrush_requested_at)
        self.assertFalse(ticket.hotrush_event_ids)

    def test_uncheck_on_closed_refused_withdraw_allowed(self):
        ticket = self._hotrush_ticket(user_id=False)
        ticket.stage_id = self.stage_done
        self.authenticate("hr_portal", "hr_portal_pw")
        response = self._post(f"/my/ticket/{ticket.id}/hotrush/uncheck", {})
        self.assertIn("Use &#39;Withdraw HotRush&#39; instead", response.text)
        self.assertTrue(ticket.hotrush)
        response = self._post(
            f"/my/ticket/{ticket.id}/hotrush/withdraw", {"confirm": "1"}
        )
        self.assertIn("HotRush withdrawn", response.text)
        self.env.invalidate_all()
        self.assertFalse(ticket.hotrush)
        self.assertEqual(ticket.hotrush_end_action, "withdraw")

    def test_second_chat_refused_first_kept(self):
        ticket = self._hotrush_ticket()
        local, utc = self._chat_slot()
        later, _utc = self._tomorrow_noon()
        self.authenticate("hr_portal", "hr_portal_pw")
        chat = {
            "chat_tool": str(self.zoom.id),
            "chat_contact": "rita@example.com",
            "chat_time": local,
        }
        self._post(f"/my/ticket/{ticket.id}/hotrush/chat", chat)
        self.assertEqual(ticket.hotrush_chat_at, utc)
        response = self._post(
            f"/my/ticket/{ticket.id}/hotrush/chat", dict(chat, chat_time=later)
        )
        self.assertIn("already planned", response.text)
        self.assertRpcRefused(
            "odoo.exceptions.ValidationError",
            "already planned",
            "helpdesk.ticket",
            "action_hotrush_request_chat",
            ticket.ids,
            self.zoom.id,
            "rita@example.com",
            "2099-01-01 10:00:00",
        )
        self.env.invalidate_all()
        self.assertEqual(ticket.hotrush_chat_at, utc)
        chat_type = self.env.ref("hotrush_priority.mail_activity_type_hotrush_chat")
        activities = ticket.activity_ids.filtered(
            lambda a: a.activity_type_id == chat_type
        )
        self.assertEqual(len(activities), 1)

    def test_extra_form_fields_are_ignored(self):
        ticket = self._hotrush_ticket()
        self.authenticate("hr_portal", "hr_portal_pw")
        for action, data in [
            (
                "withdraw",
                {"ticket": "1", "note": "Done", "reason": "bug", "confirm": "1"},
            ),
            ("request", {"ticket": "1", "action": "remove", "confirm": "1"}),
            ("uncheck", {"ticket": str(ticket.id), "reason": "bug", "confirm": "1"}),
            ("chat", {"ticket": "1", "chat_tool": "abc", "when": "now"}),
        ]:
            with self.subTest(action=action):
                response = self._post(f"/my/ticket/{ticket.id}/hotrush/{action}", data)
                self.assertEqual(response.status_code, 200)
                self.assertIn('id="hotrush_message"', response.text)
        self.env.invalidate_all()
        events = ticket.hotrush_event_ids.sorted("id")
        self.assertEqual(events.mapped("action"), ["request", "withdraw", "request"])
        self.assertEqual(events[1].reason, "customer")
        self.assertEqual(events[1].note, "Done")
        self.assertFalse(ticket.hotrush_chat_at)


@tagged("post_install", "-at_install")
class TestModelRules(SecurityCase):
    """Findings 4, 5 and 6 over the ORM, JSON-RPC and XML-RPC."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other_company = cls.env["res.company"].create({"name": "Other Co"})

    login = ("hr_agent", "hr_agent_pw")

    def test_billable_hours_must_be_sane(self):
        ticket = self._hotrush_ticket()
        for value in (
            "NaN",
            "Infinity",
            "-Infinity",
            1e308,
            -1,
            MAX_BILLABLE_HOURS + 1,
        ):
            with self.subTest(value=value):
                self.assertRpcRefused(
                    "odoo.exceptions.ValidationError",
                    "Billable hours must be a number from 0 to 1000",
                    "helpdesk.ticket",
                    "write",
                    ticket.ids,
                    {"hotrush_billable_hours": float(value)},
                )
        for value in (float("nan"), float("inf"), 1e308):
            with self.subTest(xmlrpc=value), self.assertRaises(xmlrpc.client.Fault):
                self._xmlrpc(
                    "hr_agent",
                    "hr_agent_pw",
                    "helpdesk.ticket",
                    "write",
                    ticket.ids,
                    {"hotrush_billable_hours": value},
                )
        self.env.invalidate_all()
        self.assertEqual(ticket.hotrush_billable_hours, 2.0)
        # the boundary is accepted, and closing bills it
        self._call(
            "helpdesk.ticket",
            "write",
            ticket.ids,
            {"hotrush_billable_hours": MAX_BILLABLE_HOURS},
        )
        self._call(
            "helpdesk.ticket", "write", ticket.ids, {"stage_id": self.stage_done.id}
        )
        self.env.invalidate_all()
        self.assertEqual(self._charges(ticket).hours, MAX_BILLABLE_HOURS)

    def test_hotrush_ticket_stays_in_its_company(self):
        ticket = self._hotrush_ticket()
        self.agent.company_ids |= self.other_company
        self.assertRpcRefused(
            "odoo.exceptions.ValidationError",
            "cannot move to another company",
            "helpdesk.ticket",
            "write",
            ticket.ids,
            {"company_id": self.other_company.id},
        )
        self.env.invalidate_all()
        self.assertEqual(ticket.company_id, self.company)
        self._call(
            "helpdesk.ticket", "write", ticket.ids, {"stage_id": self.stage_done.id}
        )
        Balance = self.env["hotrush.support.balance"]
        self.assertFalse(
            Balance.search([("company_id", "=", self.other_company.id)]),
            "no balance appears in a company the customer has none in",
        )
        self.assertEqual(self._charges(ticket).company_id, self.company)

    def test_charge_never_creates_a_balance(self):
        walk_in = self.env["res.partner"].create({"name": "Walk-in Customer"})
        ticket = self._create_ticket(
            partner_id=walk_in.id, user_id=self.agent.id, hotrush_billable_hours=1.0
        )
        self._call(
            "helpdesk.ticket", "write", ticket.ids, {"stage_id": self.stage_done.id}
        )
        charge = self._charges(ticket)
        self.assertEqual(charge.amount, 80.0)
        self.assertEqual(charge.covered_amount, 0.0)
        self.assertFalse(
            self.env["hotrush.support.balance"].search(
                [("partner_id", "=", walk_in.id)]
            )
        )

    def test_forged_end_context_and_plain_writes_refused(self):
        assigned = self._hotrush_ticket()
        unassigned = self._hotrush_ticket(user_id=False)
        forged = {"hotrush_end": {"action": "uncheck", "reason": "not_eligible"}}
        for ticket in (assigned, unassigned):
            for context in ({}, forged):
                with self.subTest(ticket=ticket.user_id.name, context=context):
                    self.assertRpcRefused(
                        "odoo.exceptions.ValidationError",
                        "Remove HotRush",
                        "helpdesk.ticket",
                        "write",
                        ticket.ids,
                        {"hotrush": False},
                        context=context,
                    )
        self.assertXmlrpcRefused(
            "Remove HotRush",
            "write",
            unassigned.ids,
            {"hotrush": False},
            context=forged,
        )
        self.env.invalidate_all()
        self.assertTrue(assigned.hotrush and unassigned.hotrush)
        # the actions decide the reason, whatever the context says
        self._call(
            "helpdesk.ticket", "action_hotrush_uncheck", unassigned.ids, context=forged
        )
        self._call(
            "helpdesk.ticket",
            "action_hotrush_withdraw",
            assigned.ids,
            note="Customer called",
            context=forged,
        )
        self.env.invalidate_all()
        for ticket, action in ((unassigned, "uncheck"), (assigned, "withdraw")):
            event = ticket.hotrush_event_ids.filtered(lambda e: e.kind == "end")
            self.assertEqual(event.action, action)
            self.assertEqual(event.reason, "customer")
            self.assertEqual(event.user_id, self.agent)

    def test_removal_moves_only_to_a_team_of_the_ticket(self):
        ticket = self._hotrush_ticket()
        foreign_team = self.env["helpdesk.ticket.team"].create(
            {"name": "Elsewhere desk", "company_id": self.other_company.id}
        )
        archived = self.env["helpdesk.ticket.team"].create(
            {"name": "Old desk", "active": False}
        )
        for team_id in (foreign_team.id, archived.id, 99999999, "1", 2**40):
            with self.subTest(team_id=team_id):
                self.assertRpcRefused(
                    "odoo.exceptions.ValidationError",
                    "active team of the ticket's company",
                    "helpdesk.ticket",
                    "action_hotrush_remove",
                    ticket.ids,
                    "bug",
                    team_id=team_id,
                )
        self.env.invalidate_all()
        self.assertTrue(ticket.hotrush)
        self.assertEqual(ticket.team_id, self.team)

    def test_first_response_at_the_servers_time(self):
        """A reply cannot be backdated into the deadline."""
        with freeze_time("2026-11-26 08:00:00"):  # Thursday 11:00 in Moscow
            ticket = self._hotrush_ticket()
        with freeze_time("2026-11-26 10:00:00"):  # an hour after the deadline
            self._call(
                "helpdesk.ticket",
                "message_post",
                ticket.ids,
                body="Answered long ago, honest",
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
                date="2026-11-26 08:10:00",
            )
        self.env.invalidate_all()
        self.assertEqual(
            ticket.hotrush_first_response_at,
            fields.Datetime.to_datetime("2026-11-26 10:00:00"),
        )
        self.assertEqual(ticket.hotrush_sla_status, "breached")

    def test_support_credit_is_for_support_staff(self):
        ticket = self._hotrush_ticket()
        ticket.message_subscribe(partner_ids=self.other_portal.partner_id.ids)
        self.authenticate("hr_portal_other", "hr_other_pw")
        self.assertRpcRefused(
            "odoo.exceptions.AccessError",
            "",
            "helpdesk.ticket",
            "read",
            ticket.ids,
            ["hotrush_balance_amount"],
        )
        self.authenticate("hr_agent", "hr_agent_pw")
        [values] = self._call(
            "helpdesk.ticket", "read", ticket.ids, ["hotrush_balance_amount"]
        )
        self.assertEqual(values["hotrush_balance_amount"], 1000.0)

    def test_removal_action_records_who_and_why(self):
        ticket = self._hotrush_ticket()
        self.assertRpcRefused(
            "odoo.exceptions.ValidationError",
            "needs a reason",
            "helpdesk.ticket",
            "action_hotrush_remove",
            ticket.ids,
            "not_eligible",
        )
        self._call(
            "helpdesk.ticket",
            "action_hotrush_remove",
            ticket.ids,
            "bug",
            note="Core bug",
            context={"hotrush_end": {"action": "withdraw"}},
        )
        self.env.invalidate_all()
        event = ticket.hotrush_event_ids.filtered(lambda e: e.kind == "end")
        self.assertEqual(
            (event.action, event.reason, event.note), ("remove", "bug", "Core bug")
        )
        self.assertEqual(event.user_id, self.agent)
        # customers cannot remove, over RPC either
        other = self._hotrush_ticket()
        self.authenticate("hr_portal", "hr_portal_pw")
        self.assertRpcRefused(
            "odoo.exceptions.AccessError",
            "",
            "helpdesk.ticket",
            "action_hotrush_remove",
            other.ids,
            "bug",
        )
        self.assertTrue(other.hotrush)


@tagged("post_install", "-at_install")
class TestRouteWalk(SecurityCase):
    """Every ticket route registered with the addon installed, helpdesk_mgmt's
    included: no state change on GET, CSRF required on POST, another customer's
    ticket refused, a malformed id answered with 4xx."""

    PREFIXES = ("/ticket", "/my/ticket", "/submitted/", "/new/ticket")
    ACTIONS = ("request", "uncheck", "withdraw", "chat", "close", "remove")
    CONVERTER = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")

    def setUp(self):
        super().setUp()
        # the victim: an unassigned HotRush ticket with billable hours, so that a
        # close would bill it and an uncheck, a chat or a withdrawal would go through
        self.victim = self._hotrush_ticket(user_id=False)
        self.own = self._hotrush_ticket(partner=self.other_portal.partner_id)

    def _routes(self):
        """(path pattern, methods) of the ticket routes, as the router has them."""
        IrHttp = self.env["ir.http"]
        modules = sorted(self.env.registry._init_modules)
        rules = IrHttp._generate_routing_rules(modules, IrHttp._get_converters())
        routes = {}
        for url, endpoint in rules:
            if url.startswith(self.PREFIXES):
                methods = endpoint.routing.get("methods") or ("GET", "POST")
                routes[url] = tuple(sorted(methods))
        return sorted(routes.items())

    def _urls(self, pattern, ticket_id):
        """Concrete URLs of a route pattern: ``ticket_id`` for the ids, every
        action name for a string converter."""
        urls = [pattern]
        for converter, name in self.CONVERTER.findall(pattern):
            token = f"<{converter}:{name}>" if converter else f"<{name}>"
            if converter == "int":
                values = [str(ticket_id) if "ticket" in name else "1"]
            elif name == "action":
                values = self.ACTIONS
            else:
                values = ["forged-token"]
            urls = [url.replace(token, value, 1) for url in urls for value in values]
        return urls

    def _post_urls(self):
        """Every concrete URL of the ticket routes that accept POST."""
        for pattern, methods in self._routes():
            if "POST" in methods:
                yield from self._urls(pattern, self.victim.id)

    def _params(self, ticket_id):
        """What a forged form carries: ids, a portal closing stage, HotRush fields."""
        local, _utc = self._chat_slot()
        return {
            "ticket_id": str(ticket_id),
            "stage_id": str(self.stage_done.id),
            "subject": "Walked",
            "description": "Walked",
            "category": str(self.category.id),
            "team": str(self.team.id),
            "hotrush": "on",
            "note": "walked",
            "chat_tool": str(self.zoom.id),
            "chat_contact": "walker@example.com",
            "chat_time": local,
            # confirmed, as the customer's second POST is: the attack goes all the way
            "confirm": "1",
        }

    def _state(self):
        """Everything a request could change about tickets and money."""
        self.env.invalidate_all()
        tickets = self.env["helpdesk.ticket"].with_context(active_test=False).search([])
        return (
            [
                (
                    t.id,
                    t.stage_id.id,
                    t.hotrush,
                    t.hotrush_sla_status,
                    t.hotrush_end_action,
                    t.hotrush_chat_at,
                    t.priority,
                    t.active,
                )
                for t in tickets
            ],
            self.env["hotrush.charge"].search_count([]),
            self.env["hotrush.support.balance.line"].search_count([]),
            self.env["hotrush.event"].search_count([]),
            self.env["mail.activity"].search_count([]),
        )

    def _victim_state(self):
        self.env.invalidate_all()
        victim = self.victim
        return (
            victim.read(
                [
                    "stage_id",
                    "hotrush",
                    "hotrush_sla_status",
                    "hotrush_chat_at",
                    "priority",
                    "user_id",
                ]
            ),
            self.env["hotrush.charge"].search_count([("ticket_id", "=", victim.id)]),
            self.env["hotrush.event"].search_count([("ticket_id", "=", victim.id)]),
            self.env["helpdesk.ticket"].search_count(
                [("partner_id", "=", victim.partner_id.id)]
            ),
        )

    def test_routes_found(self):
        paths = [path for path, _methods in self._routes()]
        for expected in (
            "/ticket/close",
            "/submitted/ticket",
            "/new/ticket",
            "/my/tickets",
            "/my/ticket/<int:ticket_id>",
            "/my/ticket/<int:ticket_id>/hotrush/<string:action>",
        ):
            self.assertIn(expected, paths)

    def _get_walk(self, ticket_id):
        for pattern, _methods in self._routes():
            for url in self._urls(pattern, ticket_id):
                with self.subTest(url=url, method="GET"):
                    before = self._state()
                    query = "&".join(
                        f"{k}={v}" for k, v in self._params(ticket_id).items()
                    )
                    response = self.url_open(f"{url}?{query}", allow_redirects=False)
                    self.assertLess(response.status_code, 500, response.text[:300])
                    self.assertEqual(self._state(), before, "a GET changed data")

    def test_get_changes_nothing_for_the_owner(self):
        self.authenticate("hr_portal", "hr_portal_pw")
        self._get_walk(self.victim.id)

    def test_get_changes_nothing_for_another_customer(self):
        self.authenticate("hr_portal_other", "hr_other_pw")
        self._get_walk(self.victim.id)

    def test_post_needs_csrf(self):
        self.authenticate("hr_portal", "hr_portal_pw")
        for url in self._post_urls():
            with self.subTest(url=url, method="POST"):
                before = self._state()
                response = self.url_open(
                    url, data=self._params(self.victim.id), allow_redirects=False
                )
                self.assertEqual(response.status_code, 400, url)
                self.assertEqual(self._state(), before, "a POST without CSRF")

    def test_post_on_another_customers_ticket_refused(self):
        self.authenticate("hr_portal_other", "hr_other_pw")
        data = dict(self._params(self.victim.id), csrf_token=self._csrf())
        for url in self._post_urls():
            with self.subTest(url=url, method="POST"):
                before = self._victim_state()
                response = self.url_open(url, data=data, allow_redirects=False)
                self.assertLess(response.status_code, 500, response.text[:300])
                self.assertEqual(self._victim_state(), before, url)

    def test_malformed_ids_answered_with_4xx(self):
        self.authenticate("hr_portal", "hr_portal_pw")
        csrf = self._csrf()
        for pattern, methods in self._routes():
            has_id = "<int:ticket_id>" in pattern or pattern == "/ticket/close"
            if not has_id:
                continue
            # (a negative id is an integer: the portal refuses it as unknown)
            for bad in ("abc", "1.5", "0x10", "1e3"):
                urls = (
                    [pattern.replace("<int:ticket_id>", bad)]
                    if "<int:ticket_id>" in pattern
                    else [pattern]
                )
                for url in urls:
                    url = url.replace("<string:action>", "request").replace(
                        "<access_token>", "x"
                    )
                    data = dict(self._params(bad), ticket_id=bad, csrf_token=csrf)
                    with self.subTest(url=url, bad=bad):
                        before = self._state()
                        method = "POST" if "POST" in methods else "GET"
                        response = self.url_open(
                            url,
                            data=data if method == "POST" else None,
                            allow_redirects=False,
                        )
                        self.assertGreaterEqual(response.status_code, 400, url)
                        self.assertLess(response.status_code, 500, url)
                        self.assertEqual(self._state(), before)
