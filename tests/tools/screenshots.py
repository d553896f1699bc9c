"""Screenshots of the agent and manager screens for the README.

Run by ``scripts/screenshots``, which serves the demo database first::

    python tests/tools/screenshots.py URL DB OUT CHROME

Drives headless Chromium (the ``CHROME`` executable) through the DevTools protocol
against the Odoo server at ``URL`` (database ``DB``) and saves PNG screenshots into
the directory ``OUT``.
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
TIMEZONE = "Europe/Moscow"  # the demo agents' and support calendar's time zone
# The web client is ready: a view is shown and nothing is loading.
READY = """(() => {
    const view = document.querySelector('.o_action_manager .o_view_controller');
    return Boolean(view && document.querySelector(%s)
        && !document.querySelector('.o_loading_indicator, .o_blockUI'));
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
        self.call(
            "Emulation.setDeviceMetricsOverride",
            width=WIDTH,
            height=HEIGHT,
            deviceScaleFactor=1,
            mobile=False,
        )
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
        self.evaluate("document.activeElement && document.activeElement.blur()")
        data = self.call("Page.captureScreenshot", format="png")["data"]
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
    finally:
        browser.close()


if __name__ == "__main__":
    if len(sys.argv) < 5:
        sys.exit(f"usage: {sys.argv[0]} URL DB OUT CHROME")
    main(*sys.argv[1:5])
