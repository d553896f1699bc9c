"""HTTP clients of the end-to-end suite: portal customers and JSON-RPC back-office users.

Every request is timed and recorded with its outcome:

- ``ok``: the answer the route gives on success;
- ``refused``: the server applied a business rule (a portal page showing the refusal,
  a JSON-RPC ``UserError``/``ValidationError``/``AccessError``...): expected under
  concurrent load, where a customer and an agent act on the same ticket;
- ``error``: anything else (5xx, connection reset, timeout, unexpected status, a
  JSON-RPC error that is not a business refusal). Errors inside a deliberate fault
  window are reported apart ("during fault"); every other error fails the suite.
"""

import itertools
import re
import threading
import time
from dataclasses import dataclass

import requests

TIMEOUT = 60
CSRF_RE = re.compile(r'name="csrf_token"\s+(?:t-att-)?value="([^"]+)"')
TICKET_RE = re.compile(r"/my/ticket/(\d+)")
ACTION_RE = re.compile(r'action="/my/ticket/(\d+)/hotrush/(\w+)"')
MESSAGE_RE = re.compile(r'<div[^>]*\bid="hotrush_message"[^>]*>')
ALERT_RE = re.compile(r"\balert-(\w+)")
UNAVAILABLE_RE = re.compile(r'id="hotrush_unavailable"\s+data-reason="([^"]*)"')
FORM_ERROR_RE = re.compile(r'id="hotrush_form_error"')
FORM_KEY_RE = re.compile(r'name="hotrush_form_key"\s+value="([0-9a-f]+)"')
CONFIRM_RE = re.compile(r'id="hotrush_confirm"')
# the ticket page's actions that change the price: a first POST shows the amount,
# a second one with confirm=1 acts (as the customer's browser sends them)
PRICED_ACTIONS = ("request", "uncheck", "withdraw")
BUSINESS_ERRORS = {
    "odoo.exceptions.UserError",
    "odoo.exceptions.ValidationError",
    "odoo.exceptions.AccessError",
    "odoo.exceptions.MissingError",
    "odoo.exceptions.RedirectWarning",
}


@dataclass
class Record:
    actor: str
    label: str
    start: float
    end: float
    status: int | None
    outcome: str  # ok | refused | error
    detail: str = ""
    node: int = 0  # which server (of the suite's nodes) the request went to

    @property
    def duration(self):
        return self.end - self.start


class Recorder:
    """Thread-safe list of every request made."""

    def __init__(self):
        self._lock = threading.Lock()
        self.records = []

    def add(self, record):
        with self._lock:
            self.records.append(record)

    def amend_last(self, actor, label, outcome, detail):
        """Change the outcome of ``actor``'s last ``label`` request."""
        with self._lock:
            for record in reversed(self.records):
                if record.actor == actor and record.label == label:
                    record.outcome, record.detail = outcome, detail
                    return

    def snapshot(self):
        with self._lock:
            return list(self.records)


class RpcError(Exception):
    def __init__(self, name, message):
        super().__init__(f"{name}: {message}")
        self.name = name
        self.message = message


class Client:
    """One browser-like user: its own session cookie, every request recorded.

    ``base_url`` is one server's address or the addresses of several servers (nodes)
    of one database: the requests then take turns, as behind a load balancer without
    sticky sessions, so a session opened on one node is used on the others.
    """

    _ids = itertools.count(1)

    def __init__(self, base_url, recorder, actor, login=None, password=None):
        self.base_urls = [base_url] if isinstance(base_url, str) else list(base_url)
        # each user starts on another node
        self._turns = itertools.count(next(self._ids))
        self.recorder = recorder
        self.actor = actor
        self.login_name = login
        self.password = password
        self.session = requests.Session()
        self.csrf = None
        self.logged_in = False

    # -- plumbing -----------------------------------------------------------

    def request(self, label, method, path, ok=(200,), classify=None, **kwargs):
        """Send one request and record it.

        :param ok: statuses that mean success
        :param classify: ``f(response) -> (outcome, detail)`` for finer outcomes
        :return: the response, or None when the request failed
        """
        kwargs.setdefault("timeout", TIMEOUT)
        kwargs.setdefault("allow_redirects", False)
        node = next(self._turns) % len(self.base_urls)
        start = time.time()
        try:
            response = self.session.request(
                method, self.base_urls[node] + path, **kwargs
            )
        except requests.RequestException as exc:
            self.recorder.add(
                Record(
                    self.actor,
                    label,
                    start,
                    time.time(),
                    None,
                    "error",
                    _short(exc),
                    node,
                )
            )
            return None
        end = time.time()
        if response.status_code not in ok:
            outcome, detail = "error", f"HTTP {response.status_code} {path}"
        elif classify:
            outcome, detail = classify(response)
        else:
            outcome, detail = "ok", ""
        self.recorder.add(
            Record(
                self.actor,
                label,
                start,
                end,
                response.status_code,
                outcome,
                detail,
                node,
            )
        )
        return response if outcome != "error" else None

    def _remember_csrf(self, response):
        match = CSRF_RE.search(response.text) if response is not None else None
        if match:
            self.csrf = match.group(1)

    # -- session ------------------------------------------------------------

    def login(self):
        """Log in through the login form, as a browser does."""
        self.session.cookies.clear()
        self.logged_in = False
        page = self.request("login_form", "GET", "/web/login")
        if page is None:
            return False
        self._remember_csrf(page)

        def classify(response):
            location = response.headers.get("Location", "")
            if response.status_code == 303 and "/web/login" not in location:
                return "ok", ""
            return "error", "login refused"

        answer = self.request(
            "login",
            "POST",
            "/web/login",
            ok=(303,),
            classify=classify,
            data={
                "login": self.login_name,
                "password": self.password,
                "csrf_token": self.csrf,
            },
        )
        self.logged_in = answer is not None
        return self.logged_in


class PortalClient(Client):
    """A customer using the portal pages and forms."""

    form_key = None  # the one-time key of the last new-ticket form read

    def new_ticket_form(self):
        """The new-ticket page; returns (available, refusal) of HotRush."""
        page = self.request("portal_new_ticket_form", "GET", "/new/ticket")
        if page is None:
            return None
        self._remember_csrf(page)
        key = FORM_KEY_RE.search(page.text)
        self.form_key = key.group(1) if key else None
        match = UNAVAILABLE_RE.search(page.text)
        return match.group(1) if match else ""

    def submit_ticket(self, fields, label="portal_submit_ticket"):
        """Post the new-ticket form; returns the new ticket id, or None."""

        def classify(response):
            if response.status_code in (302, 303):
                return "ok", ""
            if FORM_ERROR_RE.search(response.text):
                return "refused", "form refused"
            return "error", "form answered without redirect nor error"

        answer = self.request(
            label,
            "POST",
            "/submitted/ticket",
            ok=(200, 302, 303),
            classify=classify,
            files={
                name: (None, str(value))
                for name, value in dict(fields, csrf_token=self.csrf).items()
            },
        )
        if answer is None or answer.status_code not in (302, 303):
            return None
        match = TICKET_RE.search(answer.headers.get("Location", ""))
        return int(match.group(1)) if match else None

    def my_tickets(self):
        return self.request("portal_my_tickets", "GET", "/my/tickets")

    def ticket_page(self, ticket_id, label="portal_ticket_page"):
        """The ticket page: (actions offered, message shown) or None."""
        page = self.request(label, "GET", f"/my/ticket/{ticket_id}")
        if page is None:
            return None
        self._remember_csrf(page)
        actions = {a for t, a in ACTION_RE.findall(page.text) if int(t) == ticket_id}
        tag = MESSAGE_RE.search(page.text)
        alert = ALERT_RE.search(tag.group(0)) if tag else None
        return actions, (alert.group(1) if alert else None)

    def hotrush_action(self, ticket_id, action, **fields):
        """POST a HotRush button of the ticket page, then read the page it leads to.

        The route always redirects to the ticket; the page says whether the rules
        accepted the action ("success") or refused it ("danger"). An action that
        changes the price is confirmed first, as the customer does: the first POST
        shows the amount, the second, with confirm=1, acts.
        """
        path = f"/my/ticket/{ticket_id}/hotrush/{action}"
        answer = None
        if action in PRICED_ACTIONS:
            answer = self._hotrush_confirmation(path, action, fields)
            if answer is None:
                return None
        if answer is None or answer.status_code == 200:
            confirm = {"confirm": "1"} if action in PRICED_ACTIONS else {}
            answer = self.request(
                f"portal_{action}",
                "POST",
                path,
                ok=(303,),
                data=dict(fields, **confirm, csrf_token=self.csrf),
            )
            if answer is None:
                return None
        page = self.ticket_page(ticket_id, label="portal_ticket_page_after")
        if page is None:
            return None
        verdict = page[1]
        if verdict is None:
            self.recorder.amend_last(
                self.actor, f"portal_{action}", "error", "no confirmation on the page"
            )
        elif verdict == "danger":
            # the POST was refused by a rule: the report says so
            self.recorder.amend_last(
                self.actor, f"portal_{action}", "refused", "rule refused"
            )
        return verdict

    def _hotrush_confirmation(self, path, action, fields):
        """The first POST of an action that changes the price: the page asking to
        confirm it with the amount (200), or the ticket when it was refused at
        once (303). None when neither came."""
        label = f"portal_{action}_confirmation"
        answer = self.request(
            label, "POST", path, ok=(200, 303), data=dict(fields, csrf_token=self.csrf)
        )
        if answer is None or answer.status_code == 303:
            return answer
        if not CONFIRM_RE.search(answer.text):
            self.recorder.amend_last(self.actor, label, "error", "no amount to confirm")
            return None
        self._remember_csrf(answer)
        return answer


class RpcClient(Client):
    """A back-office user calling models through JSON-RPC, as the web client does."""

    def call(self, model, method, *args, **kwargs):
        """call_kw; raises RpcError for JSON-RPC errors, returns None on failures."""
        label = f"rpc {model}.{method}"
        holder = {}

        def classify(response):
            try:
                payload = response.json()
            except ValueError:
                return "error", "not JSON"
            if "error" in payload:
                data = payload["error"].get("data") or {}
                name = data.get("name", "?")
                holder["error"] = RpcError(name, data.get("message", ""))
                if name in BUSINESS_ERRORS:
                    return "refused", name
                return "error", f"{name}: {data.get('message', '')[:120]}"
            holder["result"] = payload.get("result")
            return "ok", ""

        answer = self.request(
            label,
            "POST",
            f"/web/dataset/call_kw/{model}/{method}",
            classify=classify,
            json={
                "jsonrpc": "2.0",
                "method": "call",
                "id": next(self._ids),
                "params": {
                    "model": model,
                    "method": method,
                    "args": list(args),
                    "kwargs": kwargs,
                },
            },
        )
        if "error" in holder:
            raise holder["error"]
        return holder.get("result") if answer is not None else None


def health(base_url, timeout=5):
    """True when the login page renders (a fresh client, no session)."""
    try:
        response = requests.get(base_url + "/web/login", timeout=timeout)
    except requests.RequestException:
        return False
    return response.status_code == 200 and "csrf_token" in response.text


def _short(exc):
    text = f"{type(exc).__name__}: {exc}"
    return text[:160]
