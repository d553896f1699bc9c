# Copyright 2026 hotrush_priority contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""A HotRush request moved to another HotRush team keeps the deadline the customer
was told: the receiving team inherits the promise, the history says who moved it."""

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged

from .common import HotrushCase, local_to_utc, make_calendar

MSK = "Europe/Moscow"


def thursday(hour, minute=0):
    """Thu 2026-11-26, Moscow time: a request at 11:00 is due at 12:00."""
    return local_to_utc(MSK, 2026, 11, 26, hour, minute)


@tagged("post_install", "-at_install")
class TestTransfer(HotrushCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.l2_leader = new_test_user(
            cls.env,
            login="hr_l2_leader",
            name="Lena Level-Two",
            groups="helpdesk_mgmt.group_helpdesk_manager",
            tz="Europe/London",
        )
        # an L2 team with its own calendar (London, 08:00-16:00) and a 2 h target:
        # a request at 11:00 Moscow (08:00 London) planned on it is due at 13:00
        cls.london = make_calendar(
            cls.env,
            "London office",
            "Europe/London",
            [(d, 8.0, 16.0) for d in range(5)],
        )
        cls.l2_team = cls.env["helpdesk.ticket.team"].create(
            {
                "name": "Level 2",
                "hotrush_offered": True,
                "hotrush_calendar_id": cls.london.id,
                "hotrush_response_hours": 2.0,
                "user_id": cls.l2_leader.id,
                "user_ids": [(6, 0, [cls.l2_leader.id, cls.agent.id])],
            }
        )

    def _transfer(self, ticket, team, at):
        with freeze_time(at):
            ticket.with_user(self.leader).write({"team_id": team.id})
        self.flush_tracking()

    def _transfers(self, ticket):
        return ticket.hotrush_event_ids.filtered(lambda e: e.kind == "transfer")

    def test_transfer_keeps_the_promise(self):
        ticket = self._request_notified(thursday(11))
        self.assertEqual(ticket.hotrush_deadline, thursday(12))
        self._transfer(ticket, self.l2_team, thursday(11, 10))
        self.assertTrue(ticket.hotrush)
        self.assertEqual(ticket.team_id, self.l2_team)
        self.assertEqual(ticket.hotrush_deadline, thursday(12), "the promise stands")
        self.assertFalse(ticket.hotrush_queued_until)
        self.assertEqual(ticket.hotrush_sla_status, "running")
        self.assertEqual(ticket.hotrush_plan_team_id, self.team)
        (event,) = self._transfers(ticket)
        self.assertRecordValues(
            event,
            [
                {
                    "action": "transfer",
                    "team_id": self.l2_team.id,
                    "previous_team_id": self.team.id,
                    "user_id": self.leader.id,
                    "date": thursday(11, 10),
                    "deadline": thursday(12),
                    "sla_status": "running",
                }
            ],
        )
        note = ticket.message_ids.filtered(lambda m: "transferred from" in str(m.body))
        self.assertEqual(len(note), 1)
        self.assertIn("Technical Support", str(note.body))
        self.assertIn("Level 2", str(note.body))
        self.assertTrue(note.subtype_id.internal, "support's note, not the customer's")
        # unassigned: the receiving team's leader answers it now
        activity = ticket.activity_ids
        self.assertEqual(activity.user_id, self.l2_leader)
        # the SLA action keeps the promise too: warned and escalated on 12:00
        self._run_cron(thursday(11, 46))
        self.assertEqual(ticket.hotrush_warned_at, thursday(11, 46))
        self._run_cron(thursday(12, 1))
        self.assertEqual(ticket.hotrush_sla_status, "breached")

    def test_a_later_calendar_change_follows_the_planned_team(self):
        """The receiving team inherits the promise as it was planned: a change of its
        own hours moves nothing; a change of the calendar it was planned on re-plans
        it, as for every open request on that calendar (HR-86)."""
        ticket = self._request_notified(thursday(11))
        self._transfer(ticket, self.l2_team, thursday(11, 10))
        with freeze_time(thursday(11, 20)):
            self.l2_team.hotrush_response_hours = 3.0
        self.assertEqual(ticket.hotrush_deadline, thursday(12))
        with freeze_time(thursday(11, 25)):
            self.team.hotrush_response_hours = 2.0
        self.assertEqual(ticket.hotrush_deadline, thursday(13))

    def test_transfer_to_a_team_without_working_hours(self):
        """A team whose calendar has no hours takes the ticket with its promise: the
        next reply answers it, never an error."""
        empty = make_calendar(self.env, "Never open", MSK, [])
        night = self.env["helpdesk.ticket.team"].create(
            {
                "name": "Night desk",
                "hotrush_offered": True,
                "hotrush_calendar_id": empty.id,
                "user_ids": [(6, 0, [self.agent.id])],
            }
        )
        ticket = self._request_notified(thursday(11))
        self._transfer(ticket, night, thursday(11, 10))
        self.assertEqual(ticket.hotrush_deadline, thursday(12))
        with freeze_time(thursday(11, 30)):
            ticket.with_user(self.agent).message_post(
                body="We found it.",
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
        self.assertEqual(ticket.hotrush_first_response_at, thursday(11, 30))
        self.assertEqual(ticket.hotrush_sla_status, "met")
        self.assertEqual(ticket.hotrush_response_working_minutes, 30.0)
        # a new request on that team is refused at once, with the reason
        with (
            freeze_time(thursday(11, 40)),
            self.refused(ValidationError, "has no working hours"),
        ):
            self._create_ticket(hotrush=True, team_id=night.id)

    def test_escalating_an_answered_request_changes_nothing(self):
        ticket = self._request_notified(thursday(11))
        with freeze_time(thursday(11, 30)):
            ticket.with_user(self.agent).message_post(
                body="On it.", message_type="comment", subtype_xmlid="mail.mt_comment"
            )
        before = ticket.read(
            [
                "hotrush_deadline",
                "hotrush_queued_until",
                "hotrush_first_response_at",
                "hotrush_response_working_minutes",
                "hotrush_sla_status",
            ]
        )
        self._transfer(ticket, self.l2_team, thursday(13))
        self.assertEqual(
            ticket.read(list(before[0].keys() - {"id"}))[0], before[0], "the verdict"
        )
        report = self.env["hotrush.sla.report"]._read_group(
            [("ticket_id", "=", ticket.id)],
            ["request_team_id", "sla_status"],
            ["response_minutes:avg"],
        )
        self.assertEqual(report, [(self.team, "met", 30.0)], "the team it was made to")
        # the activity of an answered request stays done; no other is made
        self.assertFalse(
            ticket.activity_ids.filtered(lambda a: a.user_id == self.l2_leader)
        )

    def test_moving_back_and_forth_is_in_the_history(self):
        ticket = self._request_notified(thursday(11))
        self._transfer(ticket, self.l2_team, thursday(11, 10))
        self._transfer(ticket, self.team, thursday(11, 20))
        self.assertEqual(
            self._transfers(ticket).sorted("date").mapped("previous_team_id"),
            self.team | self.l2_team,
        )
        self.assertEqual(ticket.hotrush_deadline, thursday(12))
        self.assertEqual(ticket.activity_ids.user_id, self.leader)
        # writing the same team again is no transfer
        self._transfer(ticket, self.team, thursday(11, 30))
        self.assertEqual(len(self._transfers(ticket)), 2)

    def test_a_new_request_is_planned_on_the_team_of_the_moment(self):
        """Unchecked on the first team, requested again on L2: the new request is
        planned on L2's calendar and target."""
        ticket = self._request_notified(thursday(11))
        with freeze_time(thursday(11, 5)):
            ticket.with_user(self.portal).action_hotrush_uncheck()
        self._transfer(ticket, self.l2_team, thursday(11, 10))
        self.assertFalse(self._transfers(ticket), "no request to transfer")
        with freeze_time(thursday(11, 15)):
            ticket.with_user(self.portal).action_hotrush_request()
        self.assertEqual(ticket.hotrush_plan_team_id, self.l2_team)
        # 08:15 London + 2 working hours
        self.assertEqual(ticket.hotrush_deadline, thursday(13, 15))

    def test_the_planned_team_is_the_rules_own(self):
        """Nobody moves a promise by writing the team it was planned on: not an
        agent, not a manager, not a customer, not by RPC or import."""
        ticket = self._request_notified(thursday(11))
        for user in (self.agent, self.leader, self.portal):
            with (
                self.subTest(user=user.login),
                self.refused(AccessError, "set by the HotRush rules"),
            ):
                ticket.with_user(user).write({"hotrush_plan_team_id": self.l2_team.id})
        self.assertEqual(ticket.hotrush_plan_team_id, self.team)
        self.assertEqual(ticket.hotrush_deadline, thursday(12))

    def test_queued_request_keeps_its_opening(self):
        """Requested before the opening, moved before it: the opening and the
        deadline stay, the opening notice comes at the promised moment."""
        ticket = self._request_notified(thursday(8))
        self.assertEqual(ticket.hotrush_queued_until, thursday(9))
        self._transfer(ticket, self.l2_team, thursday(8, 30))
        self.assertEqual(ticket.hotrush_queued_until, thursday(9))
        self.assertEqual(ticket.hotrush_deadline, thursday(10))
        self.assertEqual(ticket.hotrush_sla_status, "queued")
        self._run_cron(thursday(9))
        self.assertEqual(ticket.hotrush_opening_notified_at, thursday(9))
        self.assertEqual(ticket.hotrush_sla_status, "running")

    def test_breached_request_stays_breached(self):
        ticket = self._request_notified(thursday(11))
        self._run_cron(thursday(12, 1))
        self.assertEqual(ticket.hotrush_sla_status, "breached")
        self._transfer(ticket, self.l2_team, thursday(12, 5))
        self.assertEqual(ticket.hotrush_sla_status, "breached")
        self.assertEqual(ticket.hotrush_deadline, thursday(12))
        self.assertEqual(self._transfers(ticket).sla_status, "breached")

    def test_several_tickets_moved_at_once(self):
        """A batch write moves each request with its own promise and event; an
        ordinary ticket of the batch has none."""
        first = self._request_notified(thursday(11))
        second = self._request_notified(thursday(11, 20))
        plain = self._create_ticket()
        self._transfer(first | second | plain, self.l2_team, thursday(11, 30))
        self.assertEqual(first.hotrush_deadline, thursday(12))
        self.assertEqual(second.hotrush_deadline, thursday(12, 20))
        self.assertEqual(len(self._transfers(first)), 1)
        self.assertEqual(len(self._transfers(second)), 1)
        self.assertFalse(plain.hotrush_event_ids)
        self.assertFalse(plain.hotrush_plan_team_id)

    def test_own_tickets_agent_moving_a_ticket_is_recorded_as_such(self):
        """An agent who may write the ticket moves it: the event names them."""
        ticket = self._request_notified(thursday(11), user_id=self.agent.id)
        with freeze_time(thursday(11, 10)):
            ticket.with_user(self.agent).write({"team_id": self.l2_team.id})
        self.assertEqual(self._transfers(ticket).user_id, self.agent)
        # assigned: the activity stays with its assignee
        self.assertEqual(ticket.activity_ids.user_id, self.agent)

    def test_an_escalation_goes_to_the_new_leader(self):
        """Breached and escalated to the team's leader, then moved: the escalation
        is the new team's leader's; the assignee keeps the 'Respond by'."""
        ticket = self._request_notified(thursday(11), user_id=self.agent.id)
        self._run_cron(thursday(12, 1))
        self.assertEqual(ticket.hotrush_escalated_at, thursday(12, 1))
        self.assertIn(self.leader, ticket.activity_ids.user_id, "escalated")
        self._transfer(ticket, self.l2_team, thursday(12, 5))
        self.assertNotIn(self.leader, ticket.activity_ids.user_id)
        self.assertIn(self.l2_leader, ticket.activity_ids.user_id)
        self.assertIn(self.agent, ticket.activity_ids.user_id, "the assignee's")

    def test_a_booked_chat_goes_to_the_new_leader(self):
        ticket = self._request_notified(thursday(11))
        with freeze_time(thursday(11, 5)):
            ticket.with_user(self.portal).action_hotrush_request_chat(
                self.env.ref("hotrush_priority.chat_tool_zoom").id,
                "rita@rushmore.example.com",
                thursday(11, 40),
            )
        chat_type = self.env.ref("hotrush_priority.mail_activity_type_hotrush_chat")
        chat = ticket.activity_ids.filtered(lambda a: a.activity_type_id == chat_type)
        self.assertEqual(chat.user_id, self.leader)
        self._transfer(ticket, self.l2_team, thursday(11, 10))
        self.assertEqual(chat.user_id, self.l2_leader)

    def test_users_outside_support_cannot_move_a_request(self):
        """A salesperson or an accountant (internal users without a helpdesk group)
        cannot move a HotRush ticket: the promise and its team stay, no transfer is
        recorded."""
        ticket = self._request_notified(thursday(11))
        outsiders = [
            new_test_user(self.env, login="hr_sales", groups="base.group_user"),
            new_test_user(
                self.env, login="hr_accountant", groups="account.group_account_invoice"
            ),
        ]
        for user in outsiders:
            with freeze_time(thursday(11, 10)), self.assertRaises(AccessError):
                ticket.with_user(user).write({"team_id": self.l2_team.id})
        self.assertEqual(ticket.team_id, self.team)
        self.assertEqual(ticket.hotrush_deadline, thursday(12))
        self.assertFalse(self._transfers(ticket))

    def test_no_transfer_to_another_companys_team(self):
        """A HotRush ticket stays in its company: a team of another company is
        refused, the request keeps its promise and no transfer is recorded."""
        other = self.env["res.company"].create({"name": "Other Support Co"})
        other_team = self.env["helpdesk.ticket.team"].create(
            {"name": "Other L2", "hotrush_offered": True, "company_id": other.id}
        )
        self.leader.company_ids |= other
        ticket = self._request_notified(thursday(11))
        with (
            freeze_time(thursday(11, 10)),
            self.assertRaises(UserError),
        ):
            ticket.with_user(self.leader).write({"team_id": other_team.id})
        self.assertEqual(ticket.team_id, self.team)
        self.assertEqual(ticket.hotrush_request_id.team_id, self.team)
        self.assertEqual(ticket.hotrush_deadline, thursday(12))
        self.assertFalse(self._transfers(ticket))
