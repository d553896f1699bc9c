# Copyright 2026 hotrush_priority contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from freezegun import freeze_time
from lxml import etree

from odoo.tests import tagged
from odoo.tools.safe_eval import safe_eval

from ..const import QUEUE_ORDER
from .common import HotrushCase, local_to_utc

MSK = "Europe/Moscow"


@tagged("post_install", "-at_install")
class TestAgentQueue(HotrushCase):
    """The 'My HotRush Queue' menu: which tickets, in which order."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.action = cls.env.ref(
            "hotrush_priority.helpdesk_ticket_action_my_hotrush_queue"
        )
        closed_stage = cls.env["helpdesk.ticket.stage"].search(
            [("closed", "=", True)], limit=1
        )
        with freeze_time(local_to_utc(MSK, 2026, 11, 26, 11, 0)):
            cls.mine = cls._create_ticket(
                name="mine", hotrush=True, user_id=cls.agent.id
            )
            cls.answered = cls._create_ticket(
                name="answered", hotrush=True, user_id=cls.agent.id
            )
            cls.colleague = cls._create_ticket(
                name="colleague's", hotrush=True, user_id=cls.leader.id
            )
            cls.normal = cls._create_ticket(name="normal", user_id=cls.agent.id)
            cls.closed = cls._create_ticket(
                name="closed", hotrush=True, user_id=cls.agent.id
            )
        with freeze_time(local_to_utc(MSK, 2026, 11, 26, 10, 30)):
            cls.unassigned = cls._create_ticket(name="unassigned", hotrush=True)
        with freeze_time(local_to_utc(MSK, 2026, 11, 26, 11, 10)):
            cls.answered.with_user(cls.agent).message_post(
                body="On it.", message_type="comment", subtype_xmlid="mail.mt_comment"
            )
            cls.closed.stage_id = closed_stage

    def _queue(self, user, awaiting_response=True):
        """The tickets the action shows to ``user``, in the list view's order."""
        Ticket = self.env["helpdesk.ticket"].with_user(user)
        domain = safe_eval(self.action.domain, {"uid": user.id})
        context = safe_eval(self.action.context)
        search_arch = etree.fromstring(Ticket.get_view(view_type="search")["arch"])
        if awaiting_response:
            self.assertTrue(context.get("search_default_hotrush_awaiting_response"))
            [awaiting] = search_arch.xpath(
                "//filter[@name='hotrush_awaiting_response']"
            )
            domain += safe_eval(awaiting.get("domain"))
        list_arch = etree.fromstring(
            Ticket.get_view(self.action.view_id.id, "list")["arch"]
        )
        return Ticket.search(domain, order=list_arch.get("default_order"))

    def test_awaiting_response_closest_deadline_first(self):
        self.assertEqual(self._queue(self.agent).mapped("name"), ["unassigned", "mine"])

    def test_answered_tickets_follow(self):
        self.assertEqual(
            self._queue(self.agent, awaiting_response=False).mapped("name"),
            ["unassigned", "mine", "answered"],
        )

    def test_colleague_sees_only_own_and_unassigned(self):
        self.assertEqual(
            self._queue(self.leader).mapped("name"), ["unassigned", "colleague's"]
        )

    def test_queue_order_is_the_views_not_the_models(self):
        """HR-5: agents' lists and kanban sort HotRush first by deadline; other
        searches (RPC, reports, other modules) keep helpdesk_mgmt's order."""
        Ticket = self.env["helpdesk.ticket"]
        for view_type in ("list", "kanban"):
            arch = etree.fromstring(Ticket.get_view(view_type=view_type)["arch"])
            self.assertEqual(arch.get("default_order"), QUEUE_ORDER, view_type)
        self.assertEqual(Ticket._order, "priority desc, sequence, number desc, id desc")
        mine = [self.mine.id, self.normal.id, self.unassigned.id]
        self.assertEqual(
            Ticket.search([("id", "in", mine)], order=QUEUE_ORDER).ids,
            [self.unassigned.id, self.mine.id, self.normal.id],
        )

    def test_menu_under_tickets(self):
        menu = self.env.ref("hotrush_priority.helpdesk_ticket_my_hotrush_queue_menu")
        self.assertEqual(
            menu.parent_id, self.env.ref("helpdesk_mgmt.helpdesk_ticket_menu")
        )
        self.assertEqual(menu.action, self.action)
