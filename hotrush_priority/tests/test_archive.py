# Copyright 2026 hotrush_priority contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""HR-88: urgency ends with its ticket, archived by hand or merged into another.

test_ending.py checks the end itself (action, reason, audit event, unarchiving, a
closed ticket keeping its record); here: several tickets at once, who may archive, the
activities a ticket leaves behind on another, the rate, and a merge through OCA
``helpdesk_mgmt_merge``'s wizard (installed next to the addon by ``scripts/test``).
"""

import unittest

from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from odoo.addons.account.tests.common import AccountTestInvoicingCommon

from ..const import CHAT_ACTIVITY, RESPONSE_ACTIVITY
from .common import HotrushCase, HotrushFixture, local_to_utc

MSK = "Europe/Moscow"
REQUESTED = local_to_utc(MSK, 2026, 11, 26, 11, 0)
LATER = local_to_utc(MSK, 2026, 11, 26, 11, 20)
CHAT_AT = local_to_utc(MSK, 2026, 11, 26, 11, 50)  # by the 12:00 deadline


@tagged("post_install", "-at_install")
class TestArchive(HotrushCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.stage_done = cls.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_done")
        cls.response_type = cls.env.ref(RESPONSE_ACTIVITY)
        cls.chat_type = cls.env.ref(CHAT_ACTIVITY)
        # the merge wizard moves messages between tickets, which only administrators
        # may do
        cls.admin = new_test_user(
            cls.env,
            login="hr_admin",
            name="Ada Admin",
            groups="base.group_system,helpdesk_mgmt.group_helpdesk_manager",
        )

    def _hotrush_ticket(self, **vals):
        """A running HotRush ticket whose team has its 'Respond by' activity."""
        with freeze_time(REQUESTED):
            ticket = self._create_ticket(hotrush=True, priority="1", **vals)
        self._run_cron(REQUESTED)
        self.assertEqual(ticket.hotrush_sla_status, "running")
        self.assertEqual(ticket.activity_ids.activity_type_id, self.response_type)
        return ticket

    def _request_chat(self, ticket):
        with freeze_time(LATER):
            ticket.with_user(self.portal).action_hotrush_request_chat(
                self.env.ref("hotrush_priority.chat_tool_zoom").id,
                "rita@rushmore.example.com",
                CHAT_AT,
            )
        return ticket.activity_ids.filtered(
            lambda a: a.activity_type_id == self.chat_type
        )

    def _activities(self, ticket):
        """The open activities on ``ticket``, as stored (a move is a write on the
        activity, which the ticket's cached list does not see)."""
        return self.env["mail.activity"].search(
            [("res_model", "=", ticket._name), ("res_id", "=", ticket.id)]
        )

    def _state(self, ticket):
        """What urgency a ticket has: all that a merge must leave alone."""
        ticket.invalidate_recordset()
        return ticket.read(
            [
                "active",
                "hotrush",
                "hotrush_sla_status",
                "hotrush_requested_at",
                "hotrush_deadline",
                "hotrush_queue_deadline",
                "hotrush_first_response_at",
                "hotrush_end_action",
                "hotrush_end_reason",
                "priority",
                "hotrush_event_ids",
            ]
        )[0]

    def assertArchivedEnded(self, ticket, user, status="cancelled"):
        """Urgency ended by the archiving, audited, the ticket at its former priority."""
        self.assertFalse(ticket.active)
        self.assertRecordValues(
            ticket,
            [
                {
                    "hotrush": False,
                    "hotrush_sla_status": status,
                    "hotrush_end_action": "auto_remove",
                    "hotrush_end_reason": "archived",
                    "hotrush_queue_deadline": False,
                    "priority": "1",
                }
            ],
        )
        self.assertRecordValues(
            ticket.hotrush_event_ids.sorted("id"),
            [
                {
                    "kind": "start",
                    "action": "request",
                    "reason": False,
                    "user_id": ticket.hotrush_requested_by_id.id,
                },
                {
                    "kind": "end",
                    "action": "auto_remove",
                    "reason": "archived",
                    "user_id": user.id,
                },
            ],
        )

    # Archiving by hand

    def test_archiving_a_batch_ends_each_running_urgency_once(self):
        first = self._hotrush_ticket(user_id=self.agent.id)
        second = self._hotrush_ticket()
        plain = self._create_ticket()
        closed = self._hotrush_ticket(user_id=self.agent.id)
        closed.stage_id = self.stage_done
        tickets = first | second | plain | closed
        tickets.with_user(self.agent).write({"active": False})
        self.flush_tracking()
        self.assertArchivedEnded(first, self.agent)
        self.assertArchivedEnded(second, self.agent)
        self.assertFalse(plain.hotrush_event_ids, "an ordinary ticket has no urgency")
        self.assertTrue(closed.hotrush, "a closed ticket keeps its record")
        # archived tickets are out of the SLA action's reach: nothing more is sent
        messages = tickets.with_context(active_test=False).message_ids
        self._run_cron(local_to_utc(MSK, 2026, 11, 26, 13, 0))
        self.assertEqual(tickets.with_context(active_test=False).message_ids, messages)
        self.assertEqual(first.hotrush_sla_status, "cancelled", "never breached")

    def test_unarchived_ticket_stays_ended_and_can_be_requested_again(self):
        ticket = self._hotrush_ticket(user_id=self.agent.id)
        ticket.with_user(self.agent).write({"active": False})
        ticket.with_user(self.agent).write({"active": True})
        self._run_cron(local_to_utc(MSK, 2026, 11, 26, 13, 0))
        self.assertFalse(ticket.hotrush)
        self.assertEqual(ticket.hotrush_sla_status, "cancelled")
        self.assertFalse(ticket.activity_ids, "no 'Respond by' for an ended request")
        # urgency comes back only as a new request, with a clock of its own
        again = local_to_utc(MSK, 2026, 11, 26, 14, 0)
        with freeze_time(again):
            ticket.with_user(self.portal).action_hotrush_request()
        self.assertTrue(ticket.hotrush)
        self.assertEqual(ticket.hotrush_requested_at, again)
        self.assertEqual(ticket.hotrush_sla_status, "running")
        self.assertEqual(
            ticket.hotrush_event_ids.sorted("id").mapped("reason"),
            [False, "archived", False],
        )

    def test_customer_cannot_archive(self):
        ticket = self._hotrush_ticket()
        for user in (self.portal, self.other_portal):
            with self.refused(AccessError):
                ticket.with_user(user).write({"active": False})
        self.assertTrue(ticket.active)
        self.assertTrue(ticket.hotrush)
        self.assertEqual(len(ticket.hotrush_event_ids), 1)

    # Activities left behind on another ticket

    def test_archiving_cancels_hotrush_activities_moved_to_another_ticket(self):
        ticket = self._hotrush_ticket()
        chat = self._request_chat(ticket)
        other = self._hotrush_ticket()
        own = other.activity_ids
        todo = ticket.activity_schedule(
            "mail.mail_activity_data_todo", summary="Call back", user_id=self.agent.id
        )
        moved = ticket.activity_ids
        self.assertEqual(
            moved.activity_type_id,
            self.response_type | self.chat_type | todo.activity_type_id,
        )
        moved.with_user(self.leader).write({"res_id": other.id})
        self.assertEqual(self._activities(other), own | moved)
        # moved, not yet cancelled: the ticket's request still runs
        self.assertTrue(ticket.hotrush)
        ticket.with_user(self.leader).write({"active": False})
        self.assertArchivedEnded(ticket, self.leader)
        self.assertFalse(chat.exists())
        self.assertEqual(self._activities(other), own | todo, "HotRush's own left")
        self.assertTrue(other.hotrush)
        self.assertEqual(other.hotrush_sla_status, "running")

    def test_activity_moved_back_is_its_tickets_own_again(self):
        ticket = self._hotrush_ticket()
        other = self._create_ticket()
        activity = ticket.activity_ids
        activity.write({"res_id": other.id})
        activity.write({"res_id": ticket.id})
        ticket.write({"active": True})  # not an archiving: nothing happens
        other.write({"active": False})
        self.assertEqual(self._activities(ticket), activity, "the request's own")
        self.assertTrue(ticket.hotrush)

    # Merging through OCA helpdesk_mgmt_merge (no dependency: the rule is on archiving)

    def _merge(self, tickets, destination):
        if "helpdesk.ticket.merge" not in self.env:
            raise unittest.SkipTest("helpdesk_mgmt_merge is not installed")
        wizard = (
            self.env["helpdesk.ticket.merge"]
            .with_user(self.admin)
            .with_context(active_ids=tickets.ids)
            .create({"dst_ticket_id": destination.id})
        )
        with freeze_time(LATER):
            wizard.merge_tickets()
        self.flush_tracking()

    def test_merge_ends_the_merged_urgency_and_leaves_the_destination_alone(self):
        source = self._hotrush_ticket(user_id=self.agent.id)
        self._request_chat(source)
        self.assertEqual(
            source.activity_ids.activity_type_id, self.response_type | self.chat_type
        )
        # the destination is HotRush too: answered, with a live chat of its own
        destination = self._hotrush_ticket(user_id=self.agent.id)
        with freeze_time(LATER):
            destination.with_user(self.agent).message_post(
                body="We are on it.",
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
        self.assertEqual(destination.hotrush_sla_status, "met")
        own = self._request_chat(destination)
        self.assertEqual(self._activities(destination), own)
        plain = self._create_ticket(user_id=self.agent.id)
        before = self._state(destination)
        self._merge(source | plain | destination, destination)
        # the wizard's public notice "merged to" is the source customer's first
        # public message from support (HR-14), then the archiving ends urgency
        self.assertArchivedEnded(source, self.admin, status="met")
        self.assertFalse(self._activities(source))
        self.assertFalse(plain.active)
        self.assertFalse(plain.hotrush_event_ids)
        self.assertEqual(self._activities(destination), own, "its own live chat only")
        self.assertEqual(self._state(destination), before)
        self.assertIn(source.number, str(destination.message_ids.mapped("body")))

    def test_merge_into_an_ordinary_ticket_leaves_it_ordinary(self):
        source = self._hotrush_ticket(user_id=self.agent.id)
        self._request_chat(source)
        destination = self._create_ticket(priority="0")
        before = self._state(destination)
        self._merge(source | destination, destination)
        self.assertArchivedEnded(source, self.admin, status="met")
        self.assertFalse(self._activities(destination))
        self.assertEqual(self._state(destination), before)
        self.assertFalse(
            self.env["mail.activity"].search(
                [("activity_type_id", "in", (self.response_type | self.chat_type).ids)]
            ),
            "no HotRush activity left anywhere",
        )


@tagged("post_install", "-at_install")
class TestArchiveBilling(HotrushFixture, AccountTestInvoicingCommon):
    """An archived request is billed at the normal rate; a closed one keeps its
    charge."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.user.group_ids |= cls.env.ref("helpdesk_mgmt.group_helpdesk_manager")
        cls._setup_hotrush()
        cls.team.hotrush_support_product_id = cls._create_product(
            name="Support hour", type="service", lst_price=80.0, taxes_id=False
        )
        cls.company.hotrush_prepaid_product_id = cls._create_product(
            name="Prepaid support",
            type="service",
            lst_price=100.0,
            taxes_id=False,
            hotrush_prepaid_support=True,
        )
        cls.stage_done = cls.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_done")

    def _hotrush_ticket(self):
        with freeze_time(REQUESTED):
            return self._create_ticket(
                hotrush=True, user_id=self.agent.id, hotrush_billable_hours=1.5
            )

    def _close(self, ticket):
        ticket.with_user(self.agent).write({"stage_id": self.stage_done.id})

    def test_archived_request_is_billed_at_the_normal_rate(self):
        ticket = self._hotrush_ticket()
        ticket.with_user(self.agent).write({"active": False})
        ticket.with_user(self.agent).write({"active": True})
        self._close(ticket)
        self.assertRecordValues(
            ticket.hotrush_charge_ids,
            [{"kind": "charge", "hours": 1.5, "multiplier": 1.0, "amount": 120.0}],
        )

    def test_closed_ticket_archived_keeps_its_hotrush_charge(self):
        ticket = self._hotrush_ticket()
        self._close(ticket)
        charge = ticket.hotrush_charge_ids
        self.assertRecordValues(charge, [{"multiplier": 2.0, "amount": 240.0}])
        ticket.with_user(self.agent).write({"active": False})
        self.assertTrue(ticket.hotrush)
        self.assertEqual(ticket.hotrush_charge_ids, charge, "no surcharge refund")
        self.assertEqual(
            ticket.hotrush_event_ids.mapped("kind"), ["start"], "not ended"
        )
