# Copyright 2026 hotrush_priority contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The customer's pages are accessible: axe-core 4, run in Chromium on each page the
addon shows or extends, finds no WCAG 2.1 A/AA violation in the addon's markup, on a
desktop and on a 390 px phone.

axe-core comes from npm (``scripts/setup`` installs it); ``HOTRUSH_AXE_JS`` points at
its ``axe.min.js``. Without it the test fails, it is never skipped.
"""

import json
import os
from pathlib import Path

from freezegun import freeze_time

from odoo.tests import HttpCase, tagged

from .common import local_to_utc
from .test_portal import PortalMixin

MSK = "Europe/Moscow"
# the addon's markup: every element it renders carries a class of this prefix, or
# is inside one that does
OWN_MARKUP = '[class*="o_hotrush"]'
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def axe_source():
    """The text of axe.min.js, from ``HOTRUSH_AXE_JS`` or where scripts/setup puts
    it; a clear failure when it is missing."""
    home = os.environ.get("HOTRUSH_HOME") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"),
        "hotrush_priority",
    )
    path = Path(
        os.environ.get("HOTRUSH_AXE_JS")
        or os.path.join(home, "axe", "node_modules", "axe-core", "axe.min.js")
    )
    if not path.is_file():
        raise AssertionError(
            f"axe-core is missing ({path}): run scripts/setup, which installs it "
            "with npm, or set HOTRUSH_AXE_JS to an axe.min.js of axe-core 4"
        )
    return path.read_text(encoding="utf-8")


def axe_check_js(axe_url):
    """Browser code: load axe from ``axe_url``, run it on the page, report the
    violations of the addon's markup with console.error (the test fails), else the
    success signal."""
    code = """
(async () => {
    await new Promise((resolve, reject) => {
        const script = document.createElement("script");
        script.src = AXE_URL;
        script.onload = resolve;
        script.onerror = () => reject(new Error("axe-core could not be loaded"));
        document.head.appendChild(script);
    });
    // the portal's chatter loads its bundle after the page: let it finish first
    if (document.querySelector(".o_portal_chatter")) {
        const pause = () => new Promise((resolve) => setTimeout(resolve, 100));
        for (let i = 0; i < 200 && !odoo.portalChatterReady; i++) {
            await pause();
        }
        await odoo.portalChatterReady;
    }
    const ownMarkup = OWN_MARKUP;
    const result = await axe.run(document, {
        runOnly: {type: "tag", values: WCAG_TAGS},
        resultTypes: ["violations"],
    });
    const found = [];
    for (const violation of result.violations) {
        for (const node of violation.nodes) {
            const element = document.querySelector(node.target[0]);
            if (element && element.closest(ownMarkup)) {
                found.push(`${violation.id} (${violation.impact}): ` +
                    `${node.target.join(" ")}: ${node.failureSummary}`);
            }
        }
    }
    const checked = document.querySelectorAll(ownMarkup).length;
    if (!checked) {
        console.error(`axe: no element of the addon on ${location.pathname}`);
    } else if (found.length) {
        console.error(`axe: ${found.length} violation(s) in the addon's markup on ` +
            `${location.pathname}:\\n` + found.join("\\n"));
    } else {
        console.log("test successful");
    }
})();
"""
    for name, value in (
        ("AXE_URL", axe_url),
        ("OWN_MARKUP", OWN_MARKUP),
        ("WCAG_TAGS", WCAG_TAGS),
    ):
        code = code.replace(name, json.dumps(value))
    return code


class AccessibilityMixin(PortalMixin):
    # Odoo runs the test methods a class defines itself, unless told otherwise
    allow_inherited_tests_method = True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_portal()
        cls._setup_support_products()
        # axe is served by the test's own server, as a public attachment: the code
        # the browser runs stays short (the test logs it)
        axe = cls.env["ir.attachment"].create(
            {
                "name": "axe.min.js",
                "raw": axe_source().encode(),
                "mimetype": "text/javascript",
                "public": True,
            }
        )
        cls.axe = axe_check_js(f"/web/content/{axe.id}?download=false")
        # a ticket of each status the customer sees: queued, running, met (the
        # green "Answered at"), breached, and one that is no longer urgent
        thursday = local_to_utc(MSK, 2026, 11, 26, 11, 0)
        with freeze_time(local_to_utc(MSK, 2026, 11, 26, 6, 0)):
            cls.queued = cls._create_ticket(hotrush=True, name="Queued ticket")
        with freeze_time(thursday):
            cls.met = cls._create_ticket(
                hotrush=True, user_id=cls.agent.id, name="Answered ticket"
            )
            cls.breached = cls._create_ticket(hotrush=True, name="Late ticket")
            cls.ended = cls._create_ticket(hotrush=True, name="No longer urgent")
        with freeze_time(local_to_utc(MSK, 2026, 11, 26, 11, 41)):
            cls.met.with_user(cls.agent).message_post(
                body="We found it.",
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
        with freeze_time(local_to_utc(MSK, 2026, 11, 26, 11, 50)):
            cls.ended.with_user(cls.portal).action_hotrush_uncheck()
        cls.breached._hotrush_update_sla_status(local_to_utc(MSK, 2026, 11, 26, 13))
        cls.running = cls._create_ticket(hotrush=True, name="Running ticket")

    def _check(self, path):
        self.browser_js(path, self.axe, login="hr_portal", timeout=120)

    def test_home(self):
        self._check("/my")

    def test_ticket_list(self):
        self._check("/my/tickets")

    def test_new_ticket_form(self):
        self._check("/new/ticket")

    def test_ticket_pages(self):
        for ticket in (self.met, self.breached, self.running, self.queued, self.ended):
            with self.subTest(ticket=ticket.name):
                self._check(f"/my/ticket/{ticket.id}")

    def test_support_balance(self):
        self._check("/my/support-balance")


@tagged("post_install", "-at_install")
class TestAccessibility(AccessibilityMixin, HttpCase):
    """On a desktop."""


@tagged("post_install", "-at_install")
class TestAccessibilityPhone(AccessibilityMixin, HttpCase):
    """On a 390 px phone with a touch screen."""

    browser_size = "390x844"
    touch_enabled = True
