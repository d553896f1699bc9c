# Copyright 2026 hotrush_priority contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""A HotRush request is a record of its own: one per request of a ticket, written by
its rules only, its promise and verdict kept when the ticket changes."""

from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import HotrushCase, local_to_utc

MSK = "Europe/Moscow"


def thursday(hour, minute=0):
    """Thu 2026-11-26, Moscow time: a request at 11:00 is due at 12:00."""
    return local_to_utc(MSK, 2026, 11, 26, hour, minute)


@tagged("post_install", "-at_install")
class TestRequestRecord(HotrushCase):
    def _report_rows(self, ticket):
        Report = self.env["hotrush.sla.report"]
        Report.invalidate_model()
        return Report.search([("ticket_id", "=", ticket.id)], order="requested_at")

    def test_request_again_after_uncheck_makes_a_second_request(self):
        """Unchecked, then requested again: two requests, each with its own promise,
        verdict and history, both in the SLA report."""
        with freeze_time(thursday(11)):
            ticket = self._create_ticket(hotrush=True)
        first = ticket.hotrush_request_id
        self.assertEqual(first.deadline, thursday(12))
        with freeze_time(thursday(11, 5)):
            ticket.with_user(self.portal).action_hotrush_uncheck()
        with freeze_time(thursday(11, 30)):
            ticket.with_user(self.portal).action_hotrush_request()
        second = ticket.hotrush_request_id
        self.assertNotEqual(first, second)
        self.assertEqual(ticket.hotrush_request_ids, first | second)
        self.assertRecordValues(
            first,
            [
                {
                    "requested_at": thursday(11),
                    "deadline": thursday(12),
                    "status": "cancelled",
                    "end_action": "uncheck",
                    "ended_at": thursday(11, 5),
                }
            ],
        )
        self.assertRecordValues(
            second,
            [
                {
                    "requested_at": thursday(11, 30),
                    "deadline": thursday(12, 30),
                    "status": "running",
                    "end_action": False,
                    "team_notified_at": False,
                }
            ],
        )
        # the ticket shows its current request
        self.assertEqual(ticket.hotrush_deadline, thursday(12, 30))
        self.assertEqual(ticket.hotrush_sla_status, "running")
        self.assertFalse(ticket.hotrush_end_action)
        # each request has its own history
        self.assertEqual(
            first.event_ids.sorted("date").mapped("kind"), ["start", "end"]
        )
        self.assertEqual(second.event_ids.mapped("kind"), ["start"])
        # and its own row in the SLA report
        rows = self._report_rows(ticket)
        self.assertEqual(rows.request_id, first | second)
        self.assertEqual(rows.mapped("sla_status"), ["cancelled", "running"])

    def test_answer_decides_the_current_request_only(self):
        """The first response answers the request running now, never an ended one."""
        with freeze_time(thursday(11)):
            ticket = self._create_ticket(hotrush=True)
        first = ticket.hotrush_request_id
        with freeze_time(thursday(11, 5)):
            ticket.with_user(self.portal).action_hotrush_uncheck()
            ticket.with_user(self.portal).action_hotrush_request()
        with freeze_time(thursday(11, 20)):
            ticket.with_user(self.agent).message_post(
                body="Looking into it",
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
        self.assertEqual(first.status, "cancelled")
        self.assertFalse(first.first_response_at)
        self.assertEqual(ticket.hotrush_request_id.status, "met")
        self.assertEqual(ticket.hotrush_request_id.first_response_at, thursday(11, 20))
        self.assertEqual(
            ticket.hotrush_request_id.first_response_message_id,
            ticket.message_ids.filtered(lambda m: m.body and "Looking" in m.body),
        )

    def test_nobody_writes_a_request_directly(self):
        """Agents read requests; only the rules write them, whatever the route."""
        with freeze_time(thursday(11)):
            ticket = self._create_ticket(hotrush=True)
        request = ticket.hotrush_request_id
        for user in (self.agent, self.leader):
            as_user = request.with_user(user)
            self.assertEqual(as_user.deadline, thursday(12))
            with self.assertRaises(AccessError):
                as_user.write({"deadline": thursday(18)})
            with self.assertRaises(AccessError):
                as_user.unlink()
            with self.assertRaises(AccessError):
                as_user.create({"ticket_id": ticket.id, "requested_at": thursday(9)})
            # nor through the ticket
            with self.assertRaises(AccessError):
                ticket.with_user(user).write({"hotrush_deadline": thursday(18)})
            with self.assertRaises(AccessError):
                ticket.with_user(user).write({"hotrush_request_id": False})
        self.assertEqual(request.deadline, thursday(12))
        self.assertEqual(ticket.hotrush_request_id, request)

    def test_customers_read_their_request_through_the_ticket_only(self):
        with freeze_time(thursday(11)):
            ticket = self._create_ticket(hotrush=True)
        as_portal = ticket.with_user(self.portal)
        self.assertEqual(as_portal.hotrush_deadline, thursday(12))
        with self.assertRaises(AccessError):
            ticket.hotrush_request_id.with_user(self.portal).read(["deadline"])
        with self.assertRaises(AccessError):
            ticket.hotrush_request_id.with_user(self.other_portal).read(["deadline"])

    def test_a_ticket_change_keeps_the_promise(self):
        """Whatever the ticket's write changes (priority, assignee, category,
        description), the request's promise and verdict are its own."""
        with freeze_time(thursday(11)):
            ticket = self._create_ticket(hotrush=True)
        request = ticket.hotrush_request_id
        with freeze_time(thursday(11, 10)):
            ticket.with_user(self.leader).write(
                {
                    "user_id": self.agent.id,
                    "priority": "0",
                    "description": "<p>More detail</p>",
                }
            )
        self.assertRecordValues(
            request,
            [
                {
                    "requested_at": thursday(11),
                    "deadline": thursday(12),
                    "status": "running",
                    "team_id": self.team.id,
                }
            ],
        )

    def test_charge_belongs_to_the_request_it_closed(self):
        Product = self.env["product.product"]
        self.team.hotrush_support_product_id = Product.create(
            {"name": "Support hour", "type": "service", "lst_price": 80.0}
        )
        self.company.hotrush_prepaid_product_id = Product.create(
            {
                "name": "Prepaid support",
                "type": "service",
                "lst_price": 100.0,
                "hotrush_prepaid_support": True,
            }
        )
        with freeze_time(thursday(11)):
            ticket = self._create_ticket(hotrush=True, user_id=self.agent.id)
        with freeze_time(thursday(11, 30)):
            ticket.write({"hotrush_billable_hours": 1.0})
            ticket.write(
                {
                    "stage_id": self.env.ref(
                        "helpdesk_mgmt.helpdesk_ticket_stage_done"
                    ).id
                }
            )
        self.assertTrue(ticket.hotrush_charge_ids)
        self.assertEqual(
            ticket.hotrush_charge_ids.request_id, ticket.hotrush_request_id
        )
        self.assertEqual(
            ticket.hotrush_request_id.charge_ids, ticket.hotrush_charge_ids
        )

    def test_another_companys_requests_are_hidden(self):
        other = self.env["res.company"].create({"name": "Other Support Co"})
        other.hotrush_calendar_id = self.calendar.copy({"company_id": other.id})
        team = self.env["helpdesk.ticket.team"].create(
            {"name": "Other Support", "hotrush_offered": True, "company_id": other.id}
        )
        self._give_balance(self.customer_company, 100.0, company=other)
        with freeze_time(thursday(11)):
            theirs = (
                self.env["helpdesk.ticket"]
                .with_company(other)
                .create(
                    self._ticket_vals(
                        hotrush=True,
                        team_id=team.id,
                        company_id=other.id,
                        category_id=False,
                    )
                )
            )
            ours = self._create_ticket(hotrush=True)
        self.assertEqual(theirs.hotrush_request_id.company_id, other)
        Request = self.env["hotrush.request"].with_user(self.leader)
        visible = Request.search([("ticket_id", "in", (theirs | ours).ids)])
        self.assertEqual(visible, ours.hotrush_request_id)
        with self.assertRaises(AccessError):
            theirs.hotrush_request_id.with_user(self.leader).read(["deadline"])

    def test_no_user_gives_a_promise_when_creating(self):
        """A new ticket gets the promise the rules plan, never one its creator sends
        along (an agent, who may create tickets, here; the portal creates them through
        its form, which sends none)."""
        Ticket = self.env["helpdesk.ticket"].with_user(self.agent)
        for field, value in (
            ("hotrush_deadline", thursday(18)),
            ("hotrush_sla_status", "met"),
            ("hotrush_request_id", False),
            ("hotrush_plan_team_id", self.dev_team.id),
        ):
            with self.assertRaisesRegex(AccessError, "set by the HotRush rules"):
                Ticket.create(self._ticket_vals(hotrush=True, **{field: value}))

    def test_an_imported_handled_request_keeps_its_verdict(self):
        """A ticket imported with its HotRush record (request time, status, first
        response) gets a request with them, not a new clock."""
        ticket = self.env["helpdesk.ticket"].create(
            self._ticket_vals(
                hotrush=True,
                hotrush_requested_at=thursday(9),
                hotrush_sla_status="met",
                hotrush_first_response_at=thursday(9, 30),
                user_id=self.agent.id,
            )
        )
        self.assertRecordValues(
            ticket.hotrush_request_id,
            [
                {
                    "requested_at": thursday(9),
                    "deadline": thursday(10),
                    "status": "met",
                    "first_response_at": thursday(9, 30),
                    "response_working_minutes": 30.0,
                }
            ],
        )
        self.assertEqual(len(ticket.hotrush_request_ids), 1)
        self.assertFalse(ticket.hotrush_queue_deadline, "answered: not in the queue")

    def test_an_agent_reads_the_requests_of_the_tickets_they_read(self):
        """helpdesk_mgmt's levels decide: an agent limited to their own tickets does
        not read the request of another agent's ticket, over RPC or search."""
        with freeze_time(thursday(11)):
            others = self._create_ticket(hotrush=True, user_id=self.agent.id)
            theirs = self._create_ticket(hotrush=True, user_id=self.own_agent.id)
        Request = self.env["hotrush.request"].with_user(self.own_agent)
        found = Request.search([("ticket_id", "in", (others | theirs).ids)])
        self.assertEqual(found, theirs.hotrush_request_id)
        with self.assertRaises(AccessError):
            others.hotrush_request_id.with_user(self.own_agent).read(["end_note"])
        # the team's agent reads both
        as_agent = self.env["hotrush.request"].with_user(self.agent)
        self.assertEqual(
            as_agent.search([("ticket_id", "in", (others | theirs).ids)]),
            (others | theirs).hotrush_request_id,
        )
