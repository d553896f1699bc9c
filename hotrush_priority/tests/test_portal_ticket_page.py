# Copyright 2026 hotrush_priority contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The ticket page as its customer reads it, on the rendered HTML: the HotRush card
(status in words and colour, apology and bill rule, why HotRush ended), the
confirmation of a priced action with its amount in money, the HotRush history
without agent names or internal notes, and the actions a closed ticket offers
(HR-62, HR-82)."""

import re

from freezegun import freeze_time
from lxml import html as lxml_html

from odoo.tests import HttpCase, tagged

from .common import local_to_utc
from .test_portal import MSK, PortalMixin

# Thu 2026-11-26, Moscow: requested at 11:00, the deadline is 12:00
REQUESTED = local_to_utc(MSK, 2026, 11, 26, 11, 0)
SECONDS = re.compile(r"\d:\d\d:\d\d")
BUTTONS = ("hotrush_request", "hotrush_uncheck", "hotrush_withdraw", "hotrush_chat")


@tagged("post_install", "-at_install")
class TestPortalTicketPage(PortalMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_portal()
        cls._setup_support_products()
        cls.company.hotrush_rate_multiplier = 2.0
        cls.stage_done = cls.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_done")

    def setUp(self):
        super().setUp()
        self.authenticate("hr_portal", "hr_portal_pw")

    # Helpers

    def _page(self, ticket):
        response = self.url_open(f"/my/ticket/{ticket.id}")
        self.assertEqual(response.status_code, 200)
        return response.text

    def _text(self, element):
        return " ".join(element.text_content().split()) if element is not None else ""

    def _find(self, page, element_id):
        found = lxml_html.fromstring(page).xpath(f"//*[@id='{element_id}']")
        return found[0] if found else None

    def _card(self, page):
        """The HotRush card: its status text, its status classes, its whole text."""
        card = self._find(page, "hotrush_card")
        self.assertIsNotNone(card, "the HotRush card")
        # the card sits in the left column, with the ticket's number and contacts
        self.assertTrue(card.xpath("ancestor::*[contains(@class, 'col-lg-4')]"))
        status = card.xpath(".//*[@id='hotrush_status']")
        return (
            self._text(status[0]) if status else "",
            status[0].get("class").split() if status else [],
            self._text(card),
        )

    def _buttons(self, page):
        tree = lxml_html.fromstring(page)
        return {name for name in BUTTONS if tree.xpath(f"//button[@name='{name}']")}

    def _csrf(self):
        page = self.url_open("/my").text
        return re.search(r'name="csrf_token"\s+value="([^"]+)"', page).group(1)

    def _post(self, url, data, csrf=True):
        if csrf:
            data = dict(data, csrf_token=self._csrf())
        return self.url_open(url, data=data)

    def _reply(self, ticket, at):
        with freeze_time(at):
            ticket.with_user(self.agent).message_post(
                body="We are on it.",
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )

    def _balance(self):
        return self.balances.filtered(lambda b: b.partner_id == self.customer_company)

    # The card: status in words and colour

    def test_each_status_in_customer_words_and_colour(self):
        with freeze_time(REQUESTED):
            running = self._create_ticket(hotrush=True)
            met = self._create_ticket(hotrush=True)
            late = self._create_ticket(hotrush=True)
            unanswered = self._create_ticket(hotrush=True)
            unchecked = self._create_ticket(hotrush=True)
            withdrawn = self._create_ticket(hotrush=True, user_id=self.agent.id)
        with freeze_time(local_to_utc(MSK, 2026, 11, 26, 6, 0)):
            queued = self._create_ticket(hotrush=True)
        self._reply(met, local_to_utc(MSK, 2026, 11, 26, 11, 41))
        self._reply(late, local_to_utc(MSK, 2026, 11, 26, 12, 30))
        unanswered._hotrush_update_sla_status(local_to_utc(MSK, 2026, 11, 26, 12, 30))
        unchecked.with_user(self.portal).action_hotrush_uncheck()
        withdrawn.with_user(self.portal).action_hotrush_withdraw()
        expected = [
            (running, r"^Waiting for an engineer – answer by .*12:00 PM$", "warning"),
            (
                queued,
                r"^Waiting for support to open at .*9:00 AM – answer by .*10:00 AM$",
                "warning",
            ),
            (met, r"^Answered at .*11:41 AM$", "success"),
            (late, r"^Late – answered at .*12:30 PM$", "danger"),
            (unanswered, r"^Not answered in time$", "danger"),
            (unchecked, r"^HotRush ended – normal priority$", "secondary"),
            (withdrawn, r"^HotRush ended – normal priority$", "secondary"),
        ]
        for ticket, text, colour in expected:
            with self.subTest(status=text):
                page = self._page(ticket)
                status, classes, card = self._card(page)
                self.assertRegex(status, text)
                self.assertIn(f"text-bg-{colour}", classes)
                self.assertNotRegex(card, SECONDS)
                self.assertNotIn("Breached", card)
                self.assertIn("Times in Europe/Moscow", card)
        _status, _classes, card = self._card(self._page(unchecked))
        self.assertIn("You unchecked HotRush: no surcharge applies.", card)
        _status, _classes, card = self._card(self._page(withdrawn))
        self.assertIn("You withdrew the HotRush request", card)
        # in the customer's own zone
        self.portal.tz = "Europe/Berlin"
        status, _classes, card = self._card(self._page(running))
        self.assertRegex(status, r"answer by .*10:00 AM$")
        self.assertIn("Times in Europe/Berlin", card)

    def test_zone_named_once_and_the_chat_form_says_when(self):
        """The chat form of the ticket page is the new-ticket form's: labelled, the
        tool's ID hint, the hours it allows (the working hours, no later than the
        deadline), each range on one line; the customer's zone is named once."""
        with freeze_time(REQUESTED):
            ticket = self._create_ticket(hotrush=True)
            page = self._page(ticket)
        form = self._find(page, "hotrush_chat_form")
        self.assertIsNotNone(form)
        for field in ("chat_tool", "chat_contact", "chat_time"):
            self.assertTrue(form.xpath(f".//label[@for='{field}']"), field)
        self.assertIn("Preferred start (your time zone)", self._text(form))
        self.assertTrue(form.xpath(".//option[@data-id-label='E-mail address']"))
        hint = form.xpath(".//*[@id='chat_time_hint']")[0]
        with freeze_time(REQUESTED):
            deadline = ticket._hotrush_portal_time(ticket.hotrush_deadline, MSK)
        self.assertEqual(
            self._text(hint),
            "Choose a time in the working hours (Mon-Fri 09:00-24:00; Sat-Sun "
            f"10:00-18:00) and no later than the answer deadline, {deadline}.",
        )
        self.assertEqual(
            [self._text(span) for span in hint.xpath(".//span[@class='text-nowrap']")],
            ["Mon-Fri 09:00-24:00", "Sat-Sun 10:00-18:00", deadline],
        )
        main = self._text(lxml_html.fromstring(page).xpath("//main")[0])
        self.assertEqual(main.count("Europe/Moscow"), 1, "the zone, named once")
        # another customer gets no form (nor the page)
        self.authenticate("hr_portal_other", "hr_other_pw")
        self.assertNotIn(
            "hotrush_chat_form", self.url_open(f"/my/ticket/{ticket.id}").text
        )

    def test_late_apologises_and_states_the_bill_rule(self):
        with freeze_time(REQUESTED):
            late = self._create_ticket(hotrush=True)
        late._hotrush_update_sla_status(local_to_utc(MSK, 2026, 11, 26, 12, 30))
        for waive, rule in [
            (True, "billed at the normal rate: no HotRush surcharge"),
            (False, "the HotRush rate still applies to this ticket"),
        ]:
            with self.subTest(waive=waive):
                self.company.hotrush_waive_breached = waive
                status, classes, card = self._card(self._page(late))
                self.assertEqual(status, "Not answered in time")
                self.assertIn("text-bg-danger", classes)
                self.assertIn("We are sorry we did not answer in time.", card)
                self.assertIn(rule, card)

    def test_each_removal_reason_in_customer_words(self):
        cases = [
            (
                {"reason": "customization", "team_id": self.dev_team.id},
                [
                    (
                        "relates to a customization project: the ticket is directed "
                        "to our Development department."
                    )
                ],
            ),
            (
                {"reason": "bug", "note": "Fixed in the next release"},
                [
                    "a bug in the default software behavior",
                    "Note from support: Fixed in the next release",
                    "handled by our Technical Support department",
                ],
            ),
            ({"reason": "general"}, ["general question about our company"]),
            (
                {"reason": "other", "note": "Duplicate"},
                ["removed the HotRush", "Duplicate"],
            ),
        ]
        for kwargs, texts in cases:
            with self.subTest(reason=kwargs["reason"]):
                ticket = self._create_ticket(hotrush=True)
                ticket.with_user(self.leader).action_hotrush_remove(**kwargs)
                status, classes, card = self._card(self._page(ticket))
                self.assertEqual(status, "HotRush ended – normal priority")
                self.assertIn("text-bg-secondary", classes)
                for text in texts:
                    self.assertIn(text, card)
                self.assertIn("billed at the normal support rate", card)
        # removed automatically: a move to a team or a category without HotRush
        moved = self._create_ticket(hotrush=True)
        moved.with_user(self.agent).write({"team_id": self.dev_team.id})
        self.assertEqual(moved.hotrush_end_reason, "transfer")
        _status, _classes, card = self._card(self._page(moved))
        self.assertIn(
            "The ticket moved to our Development department, which does not offer "
            "HotRush.",
            card,
        )
        recategorised = self._create_ticket(hotrush=True)
        recategorised.with_user(self.agent).write(
            {"category_id": self.category_sales.id}
        )
        self.assertEqual(recategorised.hotrush_end_reason, "not_eligible")
        _status, _classes, card = self._card(self._page(recategorised))
        self.assertIn(
            "HotRush does not cover questions of the category Sales and licensing.",
            card,
        )

    # The confirmation of a priced action

    def test_request_confirmed_first_with_its_price(self):
        ticket = self._create_ticket()
        url = f"/my/ticket/{ticket.id}/hotrush/request"
        self.assertEqual(self._buttons(self._page(ticket)), {"hotrush_request"})
        # the first POST asks: the amounts in money, nothing changes
        page = self._post(url, {}).text
        confirm = self._text(self._find(page, "hotrush_confirm"))
        self.assertRegex(
            confirm,
            r"160\.00/h instead of \S*\s?80\.00/h, paid from your balance of "
            r"\S*\s?1,000\.00",
        )
        self.assertIn('name="confirm" value="1"', page)
        self.assertIn("Cancel", confirm)
        self.assertFalse(ticket.hotrush)
        # a GET changes nothing
        for method_url in (url, f"{url}?confirm=1"):
            response = self.url_open(method_url)
            self.assertNotEqual(response.status_code, 200)
            self.assertFalse(ticket.hotrush)
        # no CSRF token: refused
        response = self._post(url, {"confirm": "1"}, csrf=False)
        self.assertEqual(response.status_code, 400)
        self.assertFalse(ticket.hotrush)
        # another customer's ticket: neither asked nor done, their balance unseen
        foreign = self._create_ticket(partner_id=self.other_portal.partner_id.id)
        for data in ({}, {"confirm": "1"}):
            response = self._post(f"/my/ticket/{foreign.id}/hotrush/request", data)
            self.assertTrue(response.url.endswith("/my"))
            self.assertNotIn("hotrush_confirm", response.text)
            self.assertFalse(foreign.hotrush)
        # a confirm field of another value is no confirmation
        self._post(url, {"confirm": "yes"})
        self.assertFalse(ticket.hotrush)
        # confirmed
        response = self._post(url, {"confirm": "1"})
        self.assertIn("HotRush requested", response.text)
        self.assertTrue(ticket.hotrush)

    def test_withdraw_confirmed_first_with_the_new_rate(self):
        ticket = self._create_ticket(hotrush=True, user_id=self.agent.id)
        url = f"/my/ticket/{ticket.id}/hotrush/withdraw"
        self.assertEqual(
            self._buttons(self._page(ticket)), {"hotrush_withdraw", "hotrush_chat"}
        )
        page = self._post(url, {"note": "Solved it"}).text
        confirm = self._find(page, "hotrush_confirm")
        self.assertRegex(
            self._text(confirm),
            r"billed at \S*\s?80\.00/h instead of \S*\s?160\.00/h",
        )
        # the note travels with the confirmation
        self.assertEqual(
            confirm.xpath(".//input[@name='note']")[0].get("value"), "Solved it"
        )
        self.assertTrue(ticket.hotrush)
        response = self._post(url, {"note": "Solved it", "confirm": "1"})
        self.assertIn("HotRush withdrawn", response.text)
        self.assertEqual(ticket.hotrush_end_action, "withdraw")
        self.assertEqual(ticket.hotrush_event_ids[:1].note, "Solved it")

    # A closed ticket

    def test_closed_ticket_offers_only_withdrawal_with_the_amount_back(self):
        ticket = self._create_ticket(
            hotrush=True, user_id=self.agent.id, hotrush_billable_hours=2.0
        )
        ticket.with_user(self.agent).write({"stage_id": self.stage_done.id})
        balance = self._balance()
        self.assertEqual(balance.amount, 680.0, "2 h at 160.00 paid from 1,000.00")
        page = self._page(ticket)
        self.assertEqual(self._buttons(page), {"hotrush_withdraw"})
        self.assertNotIn("/ticket/close", page)
        page = self._post(f"/my/ticket/{ticket.id}/hotrush/withdraw", {}).text
        confirm = self._text(self._find(page, "hotrush_confirm"))
        self.assertRegex(confirm, r"surcharge of \S*\s?160\.00 is refunded")
        self.assertRegex(
            confirm, r"160\.00 returns to your balance \(now \S*\s?680\.00\)"
        )
        self.assertTrue(ticket.hotrush)
        self.assertEqual(balance.amount, 680.0)
        self._post(f"/my/ticket/{ticket.id}/hotrush/withdraw", {"confirm": "1"})
        self.assertFalse(ticket.hotrush)
        balance.invalidate_recordset()
        self.assertEqual(balance.amount, 840.0)
        # ended and closed: nothing left to do
        self.assertEqual(self._buttons(self._page(ticket)), set())

    def test_closed_ticket_without_hotrush_offers_no_request(self):
        ticket = self._create_ticket(user_id=self.agent.id)
        ticket.with_user(self.agent).write({"stage_id": self.stage_done.id})
        page = self._page(ticket)
        self.assertEqual(self._buttons(page), set())
        self.assertIsNone(self._find(page, "hotrush_card"))

    # The history

    def test_history_without_agent_names_or_internal_notes(self):
        def at(hour, minute=0):
            return local_to_utc(MSK, 2026, 11, 26, hour, minute)

        with freeze_time(at(6)):
            ticket = self._create_ticket(hotrush=True, user_id=self.agent.id)
        with freeze_time(at(9, 30)):
            ticket.with_user(self.portal).action_hotrush_withdraw(note="Found it")
        with freeze_time(at(10)):
            ticket.with_user(self.agent).action_hotrush_request()
        self.env["hotrush.event"].create(
            {
                "ticket_id": ticket.id,
                "kind": "move",
                "action": "replan",
                "user_id": self.leader.id,
                "date": at(10, 5),
                "previous_deadline": at(11),
                "deadline": at(11, 30),
                "note": "Internal: calendar 'Night shift' edited by Lee",
            }
        )
        self._reply(ticket, at(10, 20))
        with freeze_time(at(10, 40)):
            ticket.with_user(self.leader).action_hotrush_remove(
                "bug", note="Known issue, fixed next week"
            )
        ticket.message_post(
            body="Internal: customer is difficult",
            message_type="comment",
            subtype_xmlid="mail.mt_note",
        )
        history = self._find(self._page(ticket), "hotrush_history")
        self.assertIsNotNone(history)
        lines = [self._text(li) for li in history.xpath(".//li")]
        expected = [
            (
                r"HotRush requested outside working hours: queued until support "
                r"opens, answer by .*10:00"
            ),
            r"9:30.*You withdrew the HotRush request\.",
            r"10:00.*HotRush requested: answer by .*11:00",
            r"10:05.*Answer deadline moved from .*11:00 .*to .*11:30",
            r"10:20.*Answered by an engineer\.",
            (
                r"10:40.*HotRush removed: The issue turned out to be a bug.* Note "
                r"from support: Known issue, fixed next week"
            ),
        ]
        self.assertEqual(len(lines), len(expected), lines)
        for line, text in zip(lines, expected, strict=True):
            self.assertRegex(line, text)
            self.assertNotRegex(line, SECONDS)
            self.assertNotIn("Europe/Moscow", line)
        text = self._text(history)
        for hidden in (
            "Alex Agent",
            "Lee Leader",
            "Night shift",
            "difficult",
            "Found it",
        ):
            self.assertNotIn(hidden, text)
        # another customer sees neither the page nor its history
        self.authenticate("hr_portal_other", "hr_other_pw")
        response = self.url_open(f"/my/ticket/{ticket.id}")
        self.assertTrue(response.url.endswith("/my"))
        self.assertNotIn("hotrush_history", response.text)

    def test_history_of_a_missed_deadline(self):
        with freeze_time(REQUESTED):
            ticket = self._create_ticket(hotrush=True)
        ticket._hotrush_update_sla_status(local_to_utc(MSK, 2026, 11, 26, 12, 30))
        self._reply(ticket, local_to_utc(MSK, 2026, 11, 26, 12, 40))
        history = self._find(self._page(ticket), "hotrush_history")
        lines = [self._text(li) for li in history.xpath(".//li")]
        self.assertEqual(len(lines), 3, lines)
        self.assertRegex(lines[0], r"HotRush requested: answer by .*12:00")
        self.assertRegex(lines[1], r"12:00.*Not answered in time: we are sorry\.")
        self.assertRegex(lines[2], r"12:40.*Answered late by an engineer\.")
