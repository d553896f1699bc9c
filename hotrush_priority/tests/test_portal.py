# Copyright 2026 hotrush_priority contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Portal routes of HotRush (HR-40 … HR-42, HR-62, HR-71, HR-72)."""

import re
from datetime import timedelta
from unittest.mock import patch

from freezegun import freeze_time
from lxml import html as lxml_html

from odoo import fields
from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from .common import HotrushFixture, local_to_utc

MSK = "Europe/Moscow"


class PortalMixin(HotrushFixture):
    @classmethod
    def _setup_portal(cls):
        cls._setup_hotrush()
        cls.company.write(
            {
                "helpdesk_mgmt_portal_select_category": True,
                "helpdesk_mgmt_portal_select_team": True,
            }
        )
        cls.portal.write({"password": "hr_portal_pw", "tz": MSK})
        cls.other_portal.write({"password": "hr_other_pw", "tz": MSK})
        cls.zoom = cls.env.ref("hotrush_priority.chat_tool_zoom")
        cls.skype = cls.env.ref("hotrush_priority.chat_tool_skype")

    @classmethod
    def _setup_support_products(cls):
        """The team's support hour (80) and the company's prepaid support product."""
        cls.support_product = cls.env["product.product"].create(
            {
                "name": "Support hour",
                "type": "service",
                "lst_price": 80.0,
                "taxes_id": False,
            }
        )
        cls.team.hotrush_support_product_id = cls.support_product
        cls.company.hotrush_prepaid_product_id = cls.env["product.product"].create(
            {
                "name": "Prepaid support",
                "type": "service",
                "lst_price": 100.0,
                "taxes_id": False,
                "hotrush_prepaid_support": True,
            }
        )

    def _form(self, **values):
        """The new-ticket form as a customer fills it in: urgent, team and category."""
        data = {
            "subject": "Shop down",
            "description": "Nothing loads",
            "category": str(self.category.id),
            "team": str(self.team.id),
            "hotrush": "on",
        }
        data.update(values)
        return data

    def _alert(self, html):
        """The text of the alerts of a page, for assertion messages."""
        return " | ".join(re.findall(r'role="(?:alert|status)"[^>]*>\s*([^<]+)', html))

    def _reply(self, ticket, at):
        """An agent's public answer to ``ticket`` at ``at``."""
        with freeze_time(at):
            ticket.with_user(self.agent).message_post(
                body="We are on it.",
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )

    def _tickets_in_each_status(self):
        """A HotRush ticket in each status a customer reads (requested Thursday
        2026-11-26 at 11:00 in Moscow, deadline 12:00), with the text (a regex) and
        the colour the portal gives it: name -> (ticket, text, colour)."""
        with freeze_time(local_to_utc(MSK, 2026, 11, 26, 11, 0)):
            tickets = {
                name: self._create_ticket(hotrush=True)
                for name in ("running", "met", "late", "unanswered", "unchecked")
            }
            tickets["withdrawn"] = self._create_ticket(
                hotrush=True, user_id=self.agent.id
            )
            tickets["removed"] = self._create_ticket(hotrush=True)
        with freeze_time(local_to_utc(MSK, 2026, 11, 26, 6, 0)):
            tickets["queued"] = self._create_ticket(hotrush=True)
        self._reply(tickets["met"], local_to_utc(MSK, 2026, 11, 26, 11, 41))
        self._reply(tickets["late"], local_to_utc(MSK, 2026, 11, 26, 12, 30))
        after_deadline = local_to_utc(MSK, 2026, 11, 26, 12, 30)
        (tickets["unanswered"] | tickets["withdrawn"])._hotrush_update_sla_status(
            after_deadline
        )
        self.assertEqual(tickets["withdrawn"].hotrush_sla_status, "breached")
        tickets["unchecked"].with_user(self.portal).action_hotrush_uncheck()
        tickets["withdrawn"].with_user(self.portal).action_hotrush_withdraw()
        tickets["removed"].with_user(self.leader).action_hotrush_remove("bug")
        ended = r"^HotRush ended – normal priority$"
        expected = {
            "running": (r"^Waiting for an engineer – answer by .*12:00 PM$", "warning"),
            "queued": (
                r"^Waiting for support to open at .*9:00 AM – answer by .*10:00 AM$",
                "warning",
            ),
            "met": (r"^Answered at .*11:41 AM$", "success"),
            "late": (r"^Late – answered at .*12:30 PM$", "danger"),
            "unanswered": (r"^Not answered in time$", "danger"),
            "unchecked": (ended, "secondary"),
            "withdrawn": (ended, "secondary"),
            "removed": (ended, "secondary"),
        }
        return {
            name: (tickets[name], text, colour)
            for name, (text, colour) in expected.items()
        }

    def _chat_slot(self):
        """A chat time a customer may choose now: in working hours and no later
        than the deadline of a request made now (HR-84), as the form sends it
        (Moscow time) and in UTC. A ticket requested in the last minute or later
        has this deadline or a later one."""
        now = fields.Datetime.now()
        [(_opening, deadline)] = self.calendar._hotrush_plan(
            [(now, self.company.hotrush_response_hours)]
        )
        slot = deadline.replace(second=0) - timedelta(minutes=1)
        # the latest whole minute in working hours before it
        while slot > now and self.calendar._hotrush_plan([(slot, 0)])[0][0]:
            slot -= timedelta(minutes=1)
        self.assertGreater(slot, now + timedelta(minutes=2), "a slot ahead")
        local = fields.Datetime.context_timestamp(
            self.env["res.users"].with_context(tz=MSK), slot
        )
        return local.strftime("%Y-%m-%dT%H:%M"), slot

    def _tomorrow_noon(self):
        """Tomorrow 12:00 Moscow time: inside working hours every day."""
        today = fields.Datetime.context_timestamp(
            self.env["res.users"].with_context(tz=MSK), fields.Datetime.now()
        ).date()
        day = today + timedelta(days=1)
        return day.strftime("%Y-%m-%dT12:00"), local_to_utc(
            MSK, day.year, day.month, day.day, 12, 0
        )


@tagged("post_install", "-at_install")
class TestPortal(PortalMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_portal()

    def setUp(self):
        super().setUp()
        self.authenticate("hr_portal", "hr_portal_pw")

    def _csrf(self, url="/my"):
        page = self.url_open(url).text
        return re.search(r'name="csrf_token"\s+value="([^"]+)"', page).group(1)

    def _post(self, url, data, csrf=True):
        if csrf:
            data = dict(data, csrf_token=self._csrf("/new/ticket"))
        return self.url_open(url, data=data)

    def _ticket_count(self):
        return self.env["helpdesk.ticket"].search_count([])

    # New ticket form

    def test_form_explains_offer(self):
        page = self.url_open("/new/ticket").text
        self.assertIn("Mark as urgent (HotRush)", page)
        self.assertRegex(page, r"2\s+times the normal rate")
        hours = lxml_html.fromstring(page).xpath(
            "//*[@id='hotrush_explanation']//span[@class='o_hotrush_working_hours']"
        )
        self.assertEqual(
            hours[0].text_content(), "Mon-Fri 09:00-24:00; Sat-Sun 10:00-18:00"
        )
        self.assertNotRegex(page, r'name="hotrush"[^>]*disabled')
        self.assertIn('data-hotrush-not-eligible="1"', page)

    def test_form_disabled_without_balance(self):
        self.balances.filtered(
            lambda b: b.partner_id == self.customer_company
        ).line_ids.unlink()
        page = self.url_open("/new/ticket").text
        self.assertRegex(page, r'name="hotrush"[^>]*disabled')
        self.assertIn("which you do not have yet", page)
        count = self._ticket_count()
        response = self._post("/submitted/ticket", self._form())
        self.assertIn("which you do not have yet", response.text)
        self.assertEqual(self._ticket_count(), count)

    def test_submit_urgent_ticket_with_chat(self):
        local, utc = self._chat_slot()
        response = self._post(
            "/submitted/ticket",
            self._form(
                chat_tool=str(self.zoom.id),
                chat_contact="rita@rushmore.example.com",
                chat_time=local,
            ),
        )
        ticket = self.env["helpdesk.ticket"].search([], order="id desc", limit=1)
        self.assertTrue(
            response.url.endswith(f"/my/ticket/{ticket.id}"), self._alert(response.text)
        )
        self.assertTrue(ticket.hotrush)
        self.assertEqual(ticket.hotrush_requested_by_id, self.portal)
        self.assertEqual(ticket.hotrush_chat_tool_id, self.zoom)
        self.assertEqual(ticket.hotrush_chat_at, utc)
        chat = ticket.activity_ids.filtered(
            lambda a: (
                a.activity_type_id
                == self.env.ref("hotrush_priority.mail_activity_type_hotrush_chat")
            )
        )
        self.assertEqual(chat.user_id, self.leader)
        self.assertIn("Zoom", chat.summary)
        confirmation = ticket.message_ids.filtered(
            lambda m: "live chat via Zoom" in str(m.body)
        )
        self.assertEqual(confirmation.partner_ids, self.portal.partner_id)
        self.assertFalse(ticket.hotrush_first_response_at, "a notice is no response")
        page = self.url_open(f"/my/ticket/{ticket.id}").text
        self.assertIn("hotrush_chat_planned", page)
        self.assertRegex(page, r'id="hotrush_status"[^>]*>Waiting for [^<]* answer by')

    def test_submit_invalid_inputs_change_nothing(self):
        local, _utc = self._tomorrow_noon()
        tomorrow = local[:10]
        cases = [
            (
                {"chat_tool": "999999", "chat_contact": "a@b.cd", "chat_time": local},
                "offered communication tools",
            ),
            (
                {
                    "chat_tool": str(self.skype.id),
                    "chat_contact": "a@b.cd",
                    "chat_time": local,
                },
                "offered communication tools",
            ),
            (
                {
                    "chat_tool": str(self.zoom.id),
                    "chat_contact": "not-an-email",
                    "chat_time": local,
                },
                "valid E-mail address for Zoom",
            ),
            (
                {
                    "chat_tool": str(self.zoom.id),
                    "chat_contact": "a@b.cd",
                    "chat_time": f"{tomorrow}T03:00",
                },
                "outside our working hours",
            ),
            (
                {
                    "chat_tool": str(self.zoom.id),
                    "chat_contact": "a@b.cd",
                    "chat_time": "2020-01-06T12:00",
                },
                "in the past",
            ),
            (
                {
                    "chat_tool": str(self.zoom.id),
                    "chat_contact": "a@b.cd",
                    "chat_time": "tomorrow",
                },
                "preferred time",
            ),
            (
                {
                    "chat_tool": str(self.zoom.id),
                    "chat_contact": "x" * 101 + "@b.cd",
                    "chat_time": local,
                },
                "too long",
            ),
            (
                {
                    "chat_tool": str(self.zoom.id),
                    "chat_contact": "<script>alert(1)</script>@b.cd",
                    "chat_time": local,
                },
                "plain text",
            ),
            ({"category": str(self.category_sales.id)}, "not available for"),
            ({"team": str(self.dev_team.id)}, "only available for requests to"),
        ]
        count = self._ticket_count()
        for values, message in cases:
            with self.subTest(values=values):
                response = self._post("/submitted/ticket", self._form(**values))
                self.assertEqual(response.status_code, 200)
                self.assertIn("hotrush_form_error", response.text)
                self.assertIn(message, response.text, self._alert(response.text))
                self.assertNotIn("<script>alert(1)</script>", response.text)
                self.assertEqual(self._ticket_count(), count)
        # the working hours are named in the customer's zone
        response = self._post(
            "/submitted/ticket",
            self._form(
                chat_tool=str(self.zoom.id),
                chat_contact="a@b.cd",
                chat_time=f"{tomorrow}T03:00",
            ),
        )
        self.assertIn("(Europe/Moscow)", response.text)

    # Ticket routes

    def _own_ticket(self, **vals):
        return self._create_ticket(hotrush=True, **vals)

    def test_uncheck_own_foreign_and_csrf(self):
        ticket = self._own_ticket()
        foreign = self._create_ticket(
            hotrush=True, partner_id=self.other_portal.partner_id.id
        )
        # missing CSRF token: refused, nothing changes
        response = self._post(
            f"/my/ticket/{ticket.id}/hotrush/uncheck", {"x": "1"}, csrf=False
        )
        self.assertEqual(response.status_code, 400)
        self.assertTrue(ticket.hotrush)
        # another customer's ticket: refused, confirmed or not
        for confirm in ({}, {"confirm": "1"}):
            response = self._post(f"/my/ticket/{foreign.id}/hotrush/uncheck", confirm)
            self.assertTrue(response.url.endswith("/my"))
            self.assertNotIn("hotrush_confirm", response.text)
            self.assertTrue(foreign.hotrush)
        # own ticket: confirmed first, then unchecked
        response = self._post(f"/my/ticket/{ticket.id}/hotrush/uncheck", {})
        self.assertIn("Uncheck HotRush?", response.text)
        self.assertTrue(ticket.hotrush)
        response = self._post(
            f"/my/ticket/{ticket.id}/hotrush/uncheck", {"confirm": "1"}
        )
        self.assertIn("HotRush unchecked", response.text)
        self.assertFalse(ticket.hotrush)
        self.assertEqual(ticket.hotrush_end_action, "uncheck")
        # unknown action
        response = self._post(f"/my/ticket/{ticket.id}/hotrush/free", {})
        self.assertEqual(response.status_code, 404)

    def test_uncheck_after_assignment_names_withdraw(self):
        ticket = self._own_ticket(user_id=self.agent.id)
        response = self._post(f"/my/ticket/{ticket.id}/hotrush/uncheck", {})
        self.assertIn("Withdraw HotRush", response.text)
        self.assertTrue(ticket.hotrush)

    def test_withdraw_with_note_and_bad_notes(self):
        ticket = self._own_ticket(user_id=self.agent.id)
        for note, message in [("x" * 2001, "too long"), ("<b>bold</b>", "plain text")]:
            response = self._post(
                f"/my/ticket/{ticket.id}/hotrush/withdraw",
                {"note": note, "confirm": "1"},
            )
            self.assertIn(message, response.text)
            self.assertTrue(ticket.hotrush)
        response = self._post(
            f"/my/ticket/{ticket.id}/hotrush/withdraw",
            {"note": "Solved it", "confirm": "1"},
        )
        self.assertIn("HotRush withdrawn", response.text)
        self.assertEqual(ticket.hotrush_end_action, "withdraw")
        self.assertEqual(ticket.hotrush_event_ids[:1].note, "Solved it")

    def test_request_and_chat_routes(self):
        ticket = self._create_ticket()
        response = self._post(
            f"/my/ticket/{ticket.id}/hotrush/request", {"confirm": "1"}
        )
        self.assertIn("HotRush requested", response.text)
        self.assertTrue(ticket.hotrush)
        local, utc = self._chat_slot()
        response = self._post(
            f"/my/ticket/{ticket.id}/hotrush/chat",
            {"chat_tool": str(self.zoom.id), "chat_contact": "bad", "chat_time": local},
        )
        self.assertIn("valid E-mail address", response.text)
        self.assertFalse(ticket.hotrush_chat_at)
        # what was typed is shown again, to be corrected, with the tool's own words
        form = lxml_html.fromstring(response.text).get_element_by_id(
            "hotrush_chat_form"
        )
        self.assertEqual(form.xpath(".//input[@name='chat_contact']/@value"), ["bad"])
        self.assertEqual(form.xpath(".//input[@name='chat_time']/@value"), [local])
        self.assertEqual(
            form.xpath(".//select[@name='chat_tool']/option[@selected]/@value"),
            [str(self.zoom.id)],
        )
        self.assertIn(
            "E-mail address", form.xpath("string(.//label[@for='chat_contact'])")
        )
        # the error is not kept for the next visit
        page = self.url_open(f"/my/ticket/{ticket.id}").text
        self.assertNotIn('value="bad"', page)
        response = self._post(
            f"/my/ticket/{ticket.id}/hotrush/chat",
            {
                "chat_tool": str(self.zoom.id),
                "chat_contact": "rita@example.com",
                "chat_time": local,
            },
        )
        self.assertIn(
            "live chat request is recorded", response.text, self._alert(response.text)
        )
        self.assertEqual(ticket.hotrush_chat_at, utc)
        foreign = self._create_ticket(partner_id=self.other_portal.partner_id.id)
        response = self._post(
            f"/my/ticket/{foreign.id}/hotrush/request", {"confirm": "1"}
        )
        self.assertTrue(response.url.endswith("/my"))
        self.assertFalse(foreign.hotrush)

    def test_chat_runs_again_after_a_concurrent_insert(self):
        """An agent's assignment subscribes the same follower the chat's activity
        does, and commits first: the customer's request runs again and succeeds
        instead of answering the unique index's error."""
        ticket = self._create_ticket()
        self._post(f"/my/ticket/{ticket.id}/hotrush/request", {"confirm": "1"})
        local, utc = self._chat_slot()
        request_class = type(self.env["hotrush.request"])
        schedule = request_class._schedule_chat
        calls = []

        def schedule_losing_once(record):
            calls.append(record.ticket_id.id)
            if len(calls) == 1:
                # the row the other transaction committed first
                for _insert in range(2):
                    record.env.cr.execute(
                        "INSERT INTO mail_followers (res_model, res_id, partner_id)"
                        " VALUES ('helpdesk.ticket', %s, %s)",
                        (record.ticket_id.id, self.other_portal.partner_id.id),
                    )
            return schedule(record)

        with (
            patch.object(request_class, "_schedule_chat", schedule_losing_once),
            mute_logger("odoo.sql_db"),
        ):
            response = self._post(
                f"/my/ticket/{ticket.id}/hotrush/chat",
                {
                    "chat_tool": str(self.zoom.id),
                    "chat_contact": "rita@example.com",
                    "chat_time": local,
                },
            )
        self.assertEqual(calls, [ticket.id, ticket.id])
        self.assertIn(
            "live chat request is recorded", response.text, self._alert(response.text)
        )
        self.assertEqual(ticket.hotrush_chat_at, utc)
        self.assertNotIn(self.other_portal.partner_id, ticket.message_partner_ids)

    def test_chat_needs_hotrush(self):
        ticket = self._create_ticket()
        local, _utc = self._tomorrow_noon()
        response = self._post(
            f"/my/ticket/{ticket.id}/hotrush/chat",
            {
                "chat_tool": str(self.zoom.id),
                "chat_contact": "a@b.cd",
                "chat_time": local,
            },
        )
        self.assertIn("HotRush tickets only", response.text)

    # Lists and home

    def test_ticket_list_and_home(self):
        with freeze_time(local_to_utc(MSK, 2026, 11, 26, 11, 0)):
            ticket = self._own_ticket()
        page = self.url_open("/my/tickets").text
        self.assertIn("th_hotrush", page)
        self.assertIn(ticket.number, page)
        self.assertIn("Waiting for an engineer – answer by", page)
        home = self.url_open("/my").text
        self.assertIn("Support balance", home)
        self.assertIn("1,000.00", home)
        self.assertIn("HotRush is available", home)
