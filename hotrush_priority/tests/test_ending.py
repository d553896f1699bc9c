# Copyright 2026 hotrush_priority contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, tagged

from .common import HotrushCase, local_to_utc

MSK = "Europe/Moscow"
REQUESTED = local_to_utc(MSK, 2026, 11, 26, 11, 0)
LATER = local_to_utc(MSK, 2026, 11, 26, 11, 20)


@tagged("post_install", "-at_install")
class TestEnding(HotrushCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.hotrush_development_team_id = cls.dev_team
        cls.stage_done = cls.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_done")

    def _hotrush_ticket(self, **vals):
        with freeze_time(REQUESTED):
            ticket = self._create_ticket(hotrush=True, priority="1", **vals)
        self._run_cron(REQUESTED)
        self.assertTrue(ticket.activity_ids, "the 'Respond by' activity")
        return ticket

    def assertEnded(self, ticket, action, reason, status="cancelled", note=False):
        self.assertFalse(ticket.hotrush)
        self.assertEqual(ticket.hotrush_end_action, action)
        self.assertEqual(ticket.hotrush_sla_status, status)
        self.assertEqual(ticket.priority, "1", "priority back to its value before")
        self.assertFalse(ticket.activity_ids, "no response activity left")
        end = ticket.hotrush_event_ids.filtered(lambda e: e.kind == "end")
        self.assertEqual(len(end), 1)
        self.assertRecordValues(
            end, [{"action": action, "reason": reason, "note": note}]
        )
        body = str(ticket.message_ids[:1].body)
        self.assertIn("HotRush ended", body)
        if note:
            self.assertIn(note, body)
        return end

    # HR-20 uncheck before assignment

    def test_portal_unchecks_before_assignment(self):
        ticket = self._hotrush_ticket()
        with freeze_time(LATER):
            ticket.with_user(self.portal).action_hotrush_uncheck()
        end = self.assertEnded(ticket, "uncheck", "customer")
        self.assertEqual(end.user_id, self.portal)
        self.assertEqual(end.date, LATER)
        self.assertEqual(ticket.hotrush_ended_at, LATER)

    def test_rerequest_after_uncheck(self):
        ticket = self._hotrush_ticket()
        ticket.with_user(self.portal).action_hotrush_uncheck()
        later = local_to_utc(MSK, 2026, 11, 26, 14, 0)
        with freeze_time(later):
            ticket.with_user(self.portal).action_hotrush_request()
        self.assertTrue(ticket.hotrush)
        self.assertEqual(ticket.hotrush_requested_at, later)
        self.assertEqual(ticket.hotrush_sla_status, "running")
        self.assertFalse(ticket.hotrush_end_action)
        self.assertEqual(ticket.priority, "3")
        self.assertEqual(
            ticket.hotrush_event_ids.sorted("id").mapped("action"),
            ["request", "uncheck", "request"],
        )

    def test_uncheck_after_assignment_refused(self):
        ticket = self._hotrush_ticket(user_id=self.agent.id)
        with self.refused(ValidationError, "Withdraw HotRush"):
            ticket.with_user(self.portal).action_hotrush_uncheck()
        # a direct write of the flag is the same uncheck, refused the same way
        with self.refused(ValidationError, "Withdraw HotRush"):
            ticket.with_user(self.agent).write({"hotrush": False})
        # a customer's direct write is refused with the action to use
        with self.refused(AccessError, "Use 'Withdraw HotRush'"):
            ticket.with_user(self.portal).write({"hotrush": False})
        self.assertTrue(ticket.hotrush)
        self.assertEqual(len(ticket.hotrush_event_ids), 1)

    # HR-21 withdraw

    def test_portal_withdraws_in_progress_with_note(self):
        ticket = self._hotrush_ticket(user_id=self.agent.id)
        ticket.with_user(self.portal).action_hotrush_withdraw(
            note="  Found the cause ourselves.  "
        )
        self.assertEnded(
            ticket, "withdraw", "customer", note="Found the cause ourselves."
        )

    def test_withdraw_after_closing_keeps_decided_status(self):
        ticket = self._hotrush_ticket(user_id=self.agent.id)
        with freeze_time(LATER):
            ticket.with_user(self.agent).message_post(
                body="Fixed", message_type="comment", subtype_xmlid="mail.mt_comment"
            )
        ticket.stage_id = self.stage_done
        self.assertTrue(ticket.closed)
        ticket.with_user(self.portal).action_hotrush_withdraw()
        self.assertEnded(ticket, "withdraw", "customer", status="met")

    def test_withdraw_before_assignment_refused(self):
        ticket = self._hotrush_ticket()
        with self.refused(ValidationError, "Uncheck HotRush"):
            ticket.with_user(self.portal).action_hotrush_withdraw()
        self.assertTrue(ticket.hotrush)

    def test_agent_withdraws_on_behalf(self):
        ticket = self._hotrush_ticket(user_id=self.agent.id)
        ticket.with_user(self.agent).action_hotrush_withdraw()
        end = self.assertEnded(ticket, "withdraw", "customer")
        self.assertEqual(end.user_id, self.agent)

    def test_foreign_ticket_always_refused(self):
        ticket = self._hotrush_ticket(partner_id=self.other_portal.partner_id.id)
        with self.refused(AccessError):
            ticket.with_user(self.portal).action_hotrush_uncheck()
        ticket.user_id = self.agent
        with self.refused(AccessError):
            ticket.with_user(self.portal).action_hotrush_withdraw()
        self.assertTrue(ticket.hotrush)

    # HR-22 removal by support

    def _remove(self, ticket, user, reason, note=False):
        """The wizard as RPC would drive it (the form view adds its own checks)."""
        wizard = (
            self.env["hotrush.remove.wizard"]
            .with_user(user)
            .create({"ticket_ids": ticket.ids, "reason": reason, "note": note})
        )
        return wizard.action_remove()

    def test_removal_through_the_form(self):
        ticket = self._hotrush_ticket(user_id=self.agent.id)
        wizard = Form(
            self.env["hotrush.remove.wizard"]
            .with_user(self.agent)
            .with_context(default_ticket_ids=ticket.ids)
        )
        wizard.reason = "customization"
        self.assertEqual(wizard.development_team_id, self.dev_team)
        wizard.save().action_remove()
        self.assertEnded(ticket, "remove", "customization")

    def test_agent_removes_bug_with_reason(self):
        ticket = self._hotrush_ticket(user_id=self.agent.id)
        self._remove(ticket, self.agent, "bug", note="Needs a core fix.")
        end = self.assertEnded(ticket, "remove", "bug", note="Needs a core fix.")
        self.assertEqual(end.user_id, self.agent)
        self.assertEqual(ticket.team_id, self.team)

    def test_customization_moves_to_development(self):
        ticket = self._hotrush_ticket(user_id=self.agent.id)
        self._remove(ticket, self.agent, "customization")
        self.assertEnded(ticket, "remove", "customization")
        self.assertEqual(ticket.team_id, self.dev_team)

    def test_general_question_removed(self):
        ticket = self._hotrush_ticket()
        self._remove(ticket, self.leader, "general")
        self.assertEnded(ticket, "remove", "general")

    def test_removal_without_reason_refused(self):
        ticket = self._hotrush_ticket(user_id=self.agent.id)
        wizard = Form(
            self.env["hotrush.remove.wizard"]
            .with_user(self.agent)
            .with_context(default_ticket_ids=ticket.ids)
        )
        with self.assertRaises(AssertionError):  # required field left empty
            wizard.save()
        with self.refused(ValidationError, "needs a reason"):
            ticket.with_user(self.agent).action_hotrush_remove(False)
        # a context that names a removal is not a removal: refused, nothing ends
        end = {"action": "remove", "reason": False}
        with self.refused(ValidationError, "Uncheck, Withdraw or Remove"):
            ticket.with_user(self.agent).with_context(hotrush_end=end).write(
                {"hotrush": False}
            )
        with self.refused(ValidationError, "needs a note"):
            self._remove(ticket, self.agent, "other")
        self.assertTrue(ticket.hotrush)

    def test_customers_cannot_remove(self):
        ticket = self._hotrush_ticket(user_id=self.agent.id)
        with self.refused(AccessError):
            self.env["hotrush.remove.wizard"].with_user(self.portal).create(
                {"ticket_ids": ticket.ids, "reason": "bug"}
            )
        # a forged context does not turn a customer's action into a removal
        forged = {"action": "remove", "reason": "bug"}
        with self.refused(ValidationError, "Withdraw HotRush"):
            ticket.with_user(self.portal).with_context(
                hotrush_end=forged
            ).action_hotrush_uncheck()
        self.assertTrue(ticket.hotrush)

    def test_forged_automatic_removal_refused(self):
        ticket = self._hotrush_ticket(user_id=self.agent.id)
        forged = {"action": "auto_remove", "reason": "transfer"}
        with self.refused(ValidationError, "Uncheck, Withdraw or Remove"):
            ticket.with_user(self.agent).with_context(hotrush_end=forged).write(
                {"hotrush": False}
            )
        self.assertTrue(ticket.hotrush)

    def test_end_only_through_its_actions(self):
        """How urgency ends is the actions' arguments, stored with the ticket; a
        write that clears the flag without them is refused, even as superuser, and
        the end's own fields are not writable by users."""
        ticket = self._hotrush_ticket(user_id=self.agent.id)
        with self.refused(ValidationError, "Remove HotRush"):
            ticket.write({"hotrush": False})
        with self.refused(AccessError, "set by the HotRush rules"):
            ticket.with_user(self.agent).write(
                {"hotrush": False, "hotrush_end_action": "remove"}
            )
        self.assertTrue(ticket.hotrush)
        self._remove(ticket, self.agent, "other", note="  Asked twice  ")
        self.assertRecordValues(
            ticket,
            [
                {
                    "hotrush": False,
                    "hotrush_end_action": "remove",
                    "hotrush_end_reason": "other",
                    "hotrush_end_note": "Asked twice",
                }
            ],
        )
        # a new request forgets the last end
        ticket.with_user(self.agent).action_hotrush_request()
        self.assertFalse(ticket.hotrush_end_reason or ticket.hotrush_end_note)

    def test_customization_without_team_refused(self):
        self.company.hotrush_development_team_id = False
        ticket = self._hotrush_ticket(user_id=self.agent.id)
        with self.refused(UserError, "Customization team"):
            self._remove(ticket, self.agent, "customization")
        self.assertTrue(ticket.hotrush)

    # HR-23 automatic removal

    def test_move_to_development_removes_urgency(self):
        ticket = self._hotrush_ticket(user_id=self.agent.id)
        ticket.with_user(self.agent).write({"team_id": self.dev_team.id})
        end = self.assertEnded(ticket, "auto_remove", "transfer")
        self.assertEqual(end.user_id, self.agent)
        self.assertEqual(ticket.team_id, self.dev_team)

    def test_not_eligible_category_removes_urgency(self):
        ticket = self._hotrush_ticket()
        other = self._hotrush_ticket()
        (ticket | other).write({"category_id": self.category_sales.id})
        self.assertEnded(ticket, "auto_remove", "not_eligible")
        self.assertEnded(other, "auto_remove", "not_eligible")

    # HR-88 archiving

    def test_archiving_ends_urgency_unarchiving_does_not_restart_it(self):
        ticket = self._hotrush_ticket(user_id=self.agent.id)
        ticket.with_user(self.agent).write({"active": False})
        end = self.assertEnded(ticket, "auto_remove", "archived")
        self.assertEqual(end.user_id, self.agent)
        self.assertFalse(ticket.hotrush_queue_deadline, "out of the queue")
        ticket.with_user(self.agent).write({"active": True})
        self.assertFalse(ticket.hotrush)
        self.assertEqual(len(ticket.hotrush_event_ids), 2, "request and end only")
        # a closed HotRush ticket keeps its record when archived: its bill is made
        closed = self._hotrush_ticket(user_id=self.agent.id)
        closed.stage_id = self.stage_done
        closed.with_user(self.agent).write({"active": False})
        self.assertTrue(closed.hotrush)
        self.assertEqual(len(closed.hotrush_event_ids), 1)

    def test_move_between_offering_teams_keeps_urgency(self):
        second = self.team.copy({"name": "Support 2"})
        ticket = self._hotrush_ticket()
        ticket.team_id = second
        self.assertTrue(ticket.hotrush)
        self.assertEqual(
            ticket.hotrush_event_ids.mapped("kind"),
            ["transfer", "start"],
            "the request and its transfer (test_transfer.py)",
        )

    # HR-24 audit trail is queryable

    def test_audit_trail_query(self):
        first = self._hotrush_ticket(user_id=self.agent.id)
        second = self._hotrush_ticket()
        first.with_user(self.portal).action_hotrush_withdraw(note="No longer urgent")
        second.write({"team_id": self.dev_team.id})
        events = self.env["hotrush.event"].with_user(self.leader)
        ended = events.search(
            [("partner_id", "=", self.customer_company.id), ("kind", "=", "end")]
        )
        self.assertEqual(ended.mapped("action"), ["auto_remove", "withdraw"])
        groups = events._read_group([], ["action"], ["__count"])
        counts = dict(groups)
        self.assertEqual(counts["request"], 2)
        with self.refused(AccessError):
            events.browse(ended.ids).write({"note": "changed"})
        with self.refused(AccessError):
            self.env["hotrush.event"].with_user(self.portal).search([])
