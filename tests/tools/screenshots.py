"""Screenshots of the agent, manager and customer (portal) screens for the README.

Run by ``scripts/screenshots``, which serves the demo database first::

    python tests/tools/screenshots.py URL DB OUT CHROME

Drives headless Chromium (the ``CHROME`` executable) through the DevTools protocol
against the Odoo server at ``URL`` (database ``DB``) and saves PNG screenshots into
the directory ``OUT``. The customer's portal pages are taken as the demo portal
customer, on a desktop and on a phone's screen.
"""

import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests
import websocket

WIDTH, HEIGHT = 1440, 900
PHONE_WIDTH, PHONE_HEIGHT, PHONE_SCALE = 390, 844, 2  # a phone, in CSS pixels
MAX_PAGE_HEIGHT = 2400  # a full-page shot is cut there (CSS pixels)
TIMEZONE = "Europe/Moscow"  # the demo agents' and support calendar's time zone
CUSTOMER_TIMEZONE = "Europe/Berlin"  # the demo portal customer's
# The web client is ready: a view is shown and nothing is loading.
READY = """(() => {
    const view = document.querySelector('.o_action_manager .o_view_controller');
    return Boolean(view && document.querySelector(%s)
        && !document.querySelector('.o_loading_indicator, .o_blockUI'));
})()"""
# A portal page (rendered by the server, not the web client) is ready: loaded, with
# the element expected on it.
PORTAL_READY = """(() => document.readyState === 'complete'
    && Boolean(document.querySelector(%s)))()"""
# A ticket page's conversation is shown: the portal chatter, which renders into a
# shadow root once its scripts ran, has its composer and its thread.
PORTAL_CHATTER_READY = """(() => {
    const root = document.querySelector('#chatterRoot');
    return Boolean(root && root.shadowRoot
        && root.shadowRoot.querySelector('.o-mail-Composer')
        && root.shadowRoot.querySelector('.o-mail-Thread'));
})()"""
# The new-ticket form with HotRush ticked: a team offering it chosen (when the
# company lets customers choose the team; else the form's default team answers),
# the box checked, and the page's interaction showing that team's promise and the
# live chat fields. False until the box can be ticked.
NEW_TICKET_URGENT = """(() => {
    const form = document.querySelector("form[action='/submitted/ticket']");
    const box = form && form.querySelector("input[name='hotrush']");
    if (!box) {
        return false;
    }
    const team = form.querySelector("select[name='team']");
    let teamKey = '';
    if (team) {
        const offered = Array.from(team.options).filter(
            (option) => option.value && option.dataset.hotrushOffered === '1');
        const option = offered.find((option) => option.textContent.trim() === %s)
            || offered[0];
        if (option && team.value !== option.value) {
            team.value = option.value;
            team.dispatchEvent(new Event('change', {bubbles: true}));
        }
        teamKey = team.value;
    }
    if (box.disabled) {
        return false;
    }
    if (!box.checked) {
        box.checked = true;
        box.dispatchEvent(new Event('change', {bubbles: true}));
    }
    const shown = (element) => element && getComputedStyle(element).display !== 'none';
    const promise = form.querySelector(
        `#hotrush_explanation .o_hotrush_promise[data-hotrush-team='${teamKey}']`);
    const chat = form.querySelector('#hotrush_chat');
    return Boolean((!promise || shown(promise)) && (!chat || shown(chat)));
})()"""


class Chromium:
    def __init__(self, chrome, url, db, out):
        self.url, self.db, self.out = url, db, out
        self.profile = tempfile.mkdtemp(prefix="hotrush_chromium_")
        self.process = subprocess.Popen(
            [
                chrome,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
                "--disable-sync",
                "--hide-scrollbars",
                "--remote-debugging-port=0",
                f"--user-data-dir={self.profile}",
                f"--window-size={WIDTH},{HEIGHT}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        port_file = os.path.join(self.profile, "DevToolsActivePort")
        for _ in range(300):
            if os.path.exists(port_file) and Path(port_file).read_text().strip():
                break
            time.sleep(0.1)
        else:
            raise RuntimeError("Chromium did not open its DevTools port")
        port = int(Path(port_file).read_text().split()[0])
        targets = requests.get(f"http://127.0.0.1:{port}/json/list", timeout=10).json()
        page = next(t for t in targets if t["type"] == "page")
        self.ws = websocket.create_connection(
            page["webSocketDebuggerUrl"], timeout=120, suppress_origin=True
        )
        self.last_id = 0
        self.call("Page.enable")
        self.call("Network.enable")
        self.viewport(WIDTH, HEIGHT)
        self.call("Emulation.setTimezoneOverride", timezoneId=TIMEZONE)

    def call(self, method, **params):
        self.last_id += 1
        self.ws.send(
            json.dumps({"id": self.last_id, "method": method, "params": params})
        )
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == self.last_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})

    def evaluate(self, expression):
        result = self.call(
            "Runtime.evaluate", expression=expression, returnByValue=True
        )
        return result.get("result", {}).get("value")

    def login(self, login, password):
        session = requests.Session()
        response = jsonrpc(
            session,
            f"{self.url}/web/session/authenticate",
            {"db": self.db, "login": login, "password": password},
        )
        if response.get("error") or not response.get("result", {}).get("uid"):
            return None
        self.call("Network.clearBrowserCookies")
        self.call(
            "Network.setCookie",
            name="session_id",
            value=session.cookies["session_id"],
            url=self.url,
        )
        return session

    def wait(self, expression, what):
        for _ in range(240):
            if self.evaluate(expression):
                return
            time.sleep(0.25)
        raise RuntimeError(f"the page did not show {what}")

    def viewport(self, width, height, scale=1, mobile=False):
        self.call(
            "Emulation.setDeviceMetricsOverride",
            width=width,
            height=height,
            deviceScaleFactor=scale,
            mobile=mobile,
        )
        self.call("Emulation.setTouchEmulationEnabled", enabled=mobile)

    def shoot(
        self, path, name, selector, settle=1.5, without_filters=False, scroll=None
    ):
        self.call("Page.navigate", url=self.url + path)
        self.wait(READY % json.dumps(selector), f"{selector} at {path}")
        if without_filters:
            self.evaluate(
                "document.querySelectorAll('.o_searchview_facet .o_facet_remove')"
                ".forEach((button) => button.click())"
            )
            self.wait(
                "!document.querySelector('.o_searchview_facet') && "
                + READY % json.dumps(selector),
                f"{selector} without filters",
            )
        if scroll:
            self.evaluate(
                f"document.querySelector({json.dumps(scroll)})"
                ".scrollIntoView({block: 'start'})"
            )
        time.sleep(settle)  # animations (graph, kanban) and web fonts
        self.capture(name)

    def shoot_portal(
        self, path, name, selector, settle=1.0, prepare=None, full_page=True
    ):
        """A page of the customer's portal: ``selector`` shown once it is loaded;
        ``prepare``, an expression evaluated until it is true, then acts on the page;
        the whole page (up to ``MAX_PAGE_HEIGHT``) unless ``full_page`` is false."""
        self.call("Page.navigate", url=self.url + path)
        self.wait(
            PORTAL_READY % json.dumps(f"{selector}, .oe_login_form"),
            f"{selector} at {path}",
        )
        if self.evaluate("Boolean(document.querySelector('.oe_login_form'))"):
            raise RuntimeError(f"{path} asks to log in instead of showing {selector}")
        if prepare:
            self.wait(prepare, f"the prepared page at {path}")
        time.sleep(settle)  # the page's interactions and web fonts
        self.capture(name, full_page=full_page)

    def capture(self, name, full_page=False):
        self.evaluate("document.activeElement && document.activeElement.blur()")
        params = {"format": "png"}
        if full_page:
            metrics = self.call("Page.getLayoutMetrics")
            content = metrics.get("cssContentSize") or metrics["contentSize"]
            viewport = metrics.get("cssLayoutViewport") or metrics["layoutViewport"]
            params.update(
                captureBeyondViewport=True,
                clip={
                    "x": 0,
                    "y": 0,
                    "width": viewport["clientWidth"],
                    "height": min(
                        max(content["height"], viewport["clientHeight"]),
                        MAX_PAGE_HEIGHT,
                    ),
                    "scale": 1,
                },
            )
        data = self.call("Page.captureScreenshot", **params)["data"]
        target = os.path.join(self.out, name)
        with open(target, "wb") as png:
            png.write(base64.b64decode(data))
        print(f"screenshots: {os.path.relpath(target)}")

    def close(self):
        self.ws.close()
        self.process.terminate()
        self.process.wait(timeout=30)
        shutil.rmtree(self.profile, ignore_errors=True)


def jsonrpc(session, url, params):
    """POST a JSON-RPC call to ``url`` and return the decoded answer."""
    return session.post(
        url, json={"jsonrpc": "2.0", "method": "call", "params": params}, timeout=30
    ).json()


def rpc(url, session, model, method, *args, **kwargs):
    """``model.method(*args, **kwargs)`` as the web client calls it."""
    response = jsonrpc(
        session,
        f"{url}/web/dataset/call_kw/{model}/{method}",
        {"model": model, "method": method, "args": args, "kwargs": kwargs},
    )
    if response.get("error"):
        raise RuntimeError(response["error"]["data"]["message"])
    return response["result"]


def main(url, db, out, chrome):
    browser = Chromium(chrome, url, db, out)
    try:
        agent = browser.login("agent", "agent") or browser.login("admin", "admin")
        if not agent:
            raise SystemExit(
                "screenshots: cannot log in as agent/agent nor admin/admin"
            )
        browser.shoot("/odoo/my-hotrush-queue", "agent_queue.png", ".o_list_renderer")
        browser.shoot(
            "/odoo/my-hotrush-queue",
            "agent_queue_all_open.png",
            ".o_list_renderer",
            without_filters=True,
        )
        browser.shoot(
            "/odoo/my-hotrush-queue?view_type=kanban",
            "agent_queue_kanban.png",
            ".o_kanban_renderer",
        )
        ticket = rpc(
            url,
            agent,
            "helpdesk.ticket",
            "search",
            [
                ("hotrush", "=", True),
                ("hotrush_sla_status", "in", ["running", "queued"]),
            ],
            limit=1,
        ) or rpc(
            url, agent, "helpdesk.ticket", "search", [("hotrush", "=", True)], limit=1
        )
        if ticket:
            browser.shoot(
                f"/odoo/my-hotrush-queue/{ticket[0]}",
                "ticket_form.png",
                ".o_form_sheet",
            )
        if not browser.login("admin", "admin"):
            raise SystemExit("screenshots: cannot log in as admin/admin")
        browser.shoot("/odoo/hotrush-sla", "sla_report_pivot.png", ".o_pivot table")
        browser.shoot(
            "/odoo/hotrush-sla?view_type=graph",
            "sla_report_graph.png",
            ".o_graph_renderer canvas",
            settle=2.5,
        )
        browser.shoot(
            "/odoo/settings#helpdesk_mgmt",
            "settings_hotrush.png",
            "#hotrush_calendar",
            scroll="#hotrush_calendar",
        )
        customer_pages(browser, url)
    finally:
        browser.close()


def first_ticket(url, session, *domains):
    """The id of a ticket the first of ``domains`` finds, or None."""
    for domain in domains:
        found = rpc(url, session, "helpdesk.ticket", "search", domain, limit=1)
        if found:
            return found[0]
    return None


def customer_pages(browser, url):
    """The portal as the demo customer (Rushmore Retail, with a support balance)
    sees it: the home, the ticket list, the new-ticket form with HotRush ticked, a
    HotRush ticket waiting for an answer, one answered late, one whose HotRush an
    agent removed; the list and the waiting ticket on a phone."""
    customer = browser.login("customer", "customer")
    if not customer:
        raise SystemExit("screenshots: cannot log in as customer/customer")
    browser.call("Emulation.setTimezoneOverride", timezoneId=CUSTOMER_TIMEZONE)
    browser.shoot_portal("/my", "customer_home.png", "#hotrush_balance_text")
    browser.shoot_portal("/my/tickets", "customer_tickets.png", "th[name='th_hotrush']")
    browser.shoot_portal(
        "/new/ticket",
        "customer_new_ticket.png",
        ".o_hotrush_offer input[name='hotrush']",
        prepare=NEW_TICKET_URGENT % json.dumps("Technical Support"),
    )
    running = first_ticket(
        url,
        customer,
        [("hotrush", "=", True), ("hotrush_sla_status", "=", "running")],
        [("hotrush", "=", True), ("hotrush_sla_status", "=", "queued")],
    )
    breached = first_ticket(
        url,
        customer,
        [("hotrush", "=", True), ("hotrush_sla_status", "=", "breached")],
        [("hotrush_sla_status", "=", "breached")],
    )
    removed = first_ticket(url, customer, [("hotrush_end_action", "=", "remove")])
    for ticket, name in (
        (running, "customer_ticket_running.png"),
        (breached, "customer_ticket_breached.png"),
        (removed, "customer_ticket_removed.png"),
    ):
        if ticket:
            browser.shoot_portal(
                f"/my/ticket/{ticket}",
                name,
                "#hotrush_status",
                settle=1.5,  # the conversation's messages
                prepare=PORTAL_CHATTER_READY,
            )
        else:
            print(f"screenshots: no demo ticket for {name}, skipped")
    browser.viewport(PHONE_WIDTH, PHONE_HEIGHT, PHONE_SCALE, mobile=True)
    try:
        browser.shoot_portal(
            "/my/tickets",
            "customer_phone_tickets.png",
            "th[name='th_hotrush']",
            full_page=False,
        )
        if running:
            browser.shoot_portal(
                f"/my/ticket/{running}",
                "customer_phone_ticket.png",
                "#hotrush_status",
                prepare=PORTAL_CHATTER_READY,
                full_page=False,
            )
    finally:
        browser.viewport(WIDTH, HEIGHT)
        browser.call("Emulation.setTimezoneOverride", timezoneId=TIMEZONE)


if __name__ == "__main__":
    if len(sys.argv) < 5:
        sys.exit(f"usage: {sys.argv[0]} URL DB OUT CHROME")
    main(*sys.argv[1:5])
