# Copyright 2026 hotrush_priority contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The HotRush rules through JSON-RPC, as a portal customer and as an agent."""

import json

from odoo.tests import HttpCase, tagged

from .common import HotrushFixture


class RpcError(Exception):
    def __init__(self, name, message):
        super().__init__(f"{name}: {message}")
        self.name = name
        self.message = message


class RpcMixin:
    """JSON-RPC calls of a logged-in user, as the web client makes them."""

    def _call(self, model, method, ids, *args, **kwargs):
        """call_kw as the web client does; ``ids`` None for model methods."""
        payload = {
            "jsonrpc": "2.0",
            "method": "call",
            "params": {
                "model": model,
                "method": method,
                "args": list(args) if ids is None else [ids, *args],
                "kwargs": kwargs,
            },
        }
        # json.dumps writes NaN and Infinity as JavaScript does: an attacker can too
        response = self.opener.post(
            f"{self.base_url()}/web/dataset/call_kw/{model}/{method}",
            data=json.dumps(payload),
            headers={"Content-Type": "application/json"},
            timeout=30,
        )
        response.raise_for_status()
        payload = response.json()
        if "error" in payload:
            data = payload["error"]["data"]
            raise RpcError(data["name"], data["message"])
        return payload["result"]

    def assertRpcRefused(self, name, pattern, *call, **kwargs):
        # the server logs refused calls as warnings: expected here
        with (
            self.assertRaises(RpcError) as caught,
            self.assertLogs("odoo.http", "WARNING"),
        ):
            self._call(*call, **kwargs)
        self.assertEqual(caught.exception.name, name)
        if pattern:
            self.assertRegex(caught.exception.message, pattern)


@tagged("post_install", "-at_install")
class TestRpc(RpcMixin, HotrushFixture, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_hotrush()
        for user, password in (cls.portal, "hr_portal_pw"), (cls.agent, "hr_agent_pw"):
            user.password = password

    def test_portal_customer(self):
        self.authenticate("hr_portal", "hr_portal_pw")
        own = self._create_ticket()
        dev = self._create_ticket(team_id=self.dev_team.id)
        sales = self._create_ticket(category_id=self.category_sales.id)
        foreign = self._create_ticket(partner_id=self.other_portal.partner_id.id)
        tickets = "helpdesk.ticket"
        self.assertRpcRefused(
            "odoo.exceptions.ValidationError",
            "only available for requests to",
            tickets,
            "action_hotrush_request",
            dev.ids,
        )
        self.assertRpcRefused(
            "odoo.exceptions.ValidationError",
            "not available for",
            tickets,
            "action_hotrush_request",
            sales.ids,
        )
        self.assertRpcRefused(
            "odoo.exceptions.AccessError",
            "",
            tickets,
            "action_hotrush_request",
            foreign.ids,
        )
        for field, value in [
            ("hotrush_deadline", "2030-01-01 00:00:00"),
            ("hotrush_sla_status", "met"),
            ("hotrush_first_response_at", "2030-01-01 00:00:00"),
        ]:
            self.assertRpcRefused(
                "odoo.exceptions.AccessError",
                "",
                tickets,
                "write",
                own.ids,
                {field: value},
            )
        self.assertRpcRefused(
            "odoo.exceptions.AccessError",
            "Use 'Request HotRush'",
            tickets,
            "write",
            own.ids,
            {"hotrush": True},
        )
        self.assertFalse(any((own | dev | sales | foreign).mapped("hotrush")))

        # the allowed paths
        self._call(tickets, "action_hotrush_request", own.ids)
        self.assertTrue(own.hotrush)
        self.assertEqual(own.hotrush_requested_by_id, self.portal)
        self._call(tickets, "action_hotrush_uncheck", own.ids)
        self.assertFalse(own.hotrush)
        self._call(tickets, "action_hotrush_request", own.ids)
        own.user_id = self.agent
        self.assertRpcRefused(
            "odoo.exceptions.ValidationError",
            "Withdraw HotRush",
            tickets,
            "action_hotrush_uncheck",
            own.ids,
        )
        self._call(tickets, "action_hotrush_withdraw", own.ids, note="Solved it")
        self.assertEqual(own.hotrush_end_action, "withdraw")
        self.assertEqual(own.hotrush_event_ids[:1].note, "Solved it")
        # removal is for support staff only
        self.assertRpcRefused(
            "odoo.exceptions.AccessError",
            "",
            "hotrush.remove.wizard",
            "create",
            None,
            {"ticket_ids": own.ids, "reason": "bug"},
        )

    def test_agent_without_manager_rights(self):
        self.authenticate("hr_agent", "hr_agent_pw")
        ticket = self._create_ticket(user_id=self.agent.id)
        dev = self._create_ticket(team_id=self.dev_team.id, user_id=self.agent.id)
        tickets = "helpdesk.ticket"
        self.assertRpcRefused(
            "odoo.exceptions.ValidationError",
            "only available",
            tickets,
            "write",
            dev.ids,
            {"hotrush": True},
        )
        self._call(tickets, "write", ticket.ids, {"hotrush": True})
        self.assertTrue(ticket.hotrush)
        self.assertRpcRefused(
            "odoo.exceptions.AccessError",
            "set by the HotRush rules",
            tickets,
            "write",
            ticket.ids,
            {"hotrush_deadline": "2030-01-01 00:00:00"},
        )
        self.assertRpcRefused(
            "odoo.exceptions.ValidationError",
            "Withdraw HotRush",
            tickets,
            "write",
            ticket.ids,
            {"hotrush": False},
        )
        self.assertRpcRefused(
            "odoo.exceptions.ValidationError",
            "needs a note",
            "hotrush.remove.wizard",
            "action_remove",
            self._call(
                "hotrush.remove.wizard",
                "create",
                None,
                {"ticket_ids": ticket.ids, "reason": "other"},
            ),
        )
        wizard = self._call(
            "hotrush.remove.wizard",
            "create",
            None,
            {"ticket_ids": ticket.ids, "reason": "bug", "note": "Core bug"},
        )
        self._call("hotrush.remove.wizard", "action_remove", wizard)
        self.assertEqual(ticket.hotrush_end_action, "remove")
        self.assertEqual(ticket.hotrush_event_ids[:1].user_id, self.agent)
