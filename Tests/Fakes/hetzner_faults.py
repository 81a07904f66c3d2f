"""Fault injection for the fake Hetzner Cloud API (hetzner_fake.py): Python 3 standard library only.

Knobs, set with POST /__faults (each optional; unknown keys are refused so a typo cannot silently
disable a fault):
  rules             [{method, path (regex), name, status, code, message, times, headers, raw, lost}]:
                    matching requests are answered `status`/`code` (or the `raw` text as the body, as a
                    proxy's HTML error page would be), `times` times (always when absent); `lost: true`
                    does the work and drops the connection without an answer instead.
  seed              seeds the random faults below, so a campaign run can be replayed.
  error_rate        share of API requests answered 500/502/503 before anything is done.
  lost_rate         share of API requests carried out whose answer is then lost (connection dropped).
  truncate_rate     share of successful GET answers cut short (invalid JSON).
  echo_token        injected errors quote the request's Authorization header in their message.
  phantom_conflicts {server name: n}: POST /servers answers 409 uniqueness_error n times although no
                    server holds the name (the name index lags).
  inconsistent_pages n: the next n second-or-later pages of GET /servers report one entry more in total.
  action_seconds    how long an action runs before it ends (by time, not by number of polls).
  shutdown_seconds  how long after a successful ACPI shutdown the OS powers the server off.
  health_seconds    how long a load balancer target answers `unknown` before `healthy`.
  failed_create     "removed" (default) or "left": whether a failed create action removes the server or
                    leaves it `off` (and billing).
  kill              {"within"}: one of the next `within` API requests, drawn from the seed, kills the
                    process that sent it with SIGKILL (kill -9), before that request is carried out or after
                    it is carried out and before its answer (also drawn); the connection drops. Fires once;
                    null clears it.
  image_seconds     how long a create_image action runs: the image is `creating` until it ends.
  image_failures    n: the next n create_image actions fail and leave their image `unavailable`.
  image_size        the `image_size` (GB) an image reports once available.
  unavailable_types {server type: [locations]}: the type cannot be ordered there now; GET /server_types
                    lists it `available: false` there and POST /servers answers 412 resource_unavailable
                    (a create without `location` is in fsn1).
  server_limit      n: the project may hold n servers; a POST /servers while it holds n (any status, any
                    owner) answers 403 resource_limit_exceeded. null: no limit (the default).
  action_errors, ignore_shutdown, unhealthy, rate_limit, retry_after, deprecated_types: see
  hetzner_fake.py.

What was served is counted in GET /__state `stats` (requests, 429, 5xx, lost, truncated, conflicts, kills).
"""
import random
import re


class ApiError(Exception):
    def __init__(self, status, code, message, fields=None, headers=None, raw=None):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.fields = fields or []
        self.headers = headers or {}
        self.raw = raw

    def body(self):
        details = {"fields": [{"name": n, "messages": [m]} for n, m in self.fields]} if self.fields else {}
        return {"error": {"code": self.code, "message": self.message, "details": details}}


class LostAnswer(Exception):
    """The request was carried out; its answer must not be sent."""


KNOBS = {"rules", "seed", "error_rate", "lost_rate", "truncate_rate", "echo_token", "phantom_conflicts",
         "inconsistent_pages", "action_seconds", "shutdown_seconds", "health_seconds", "failed_create",
         "action_errors", "ignore_shutdown", "unhealthy", "rate_limit", "retry_after", "unavailable_types",
         "deprecated_types", "action_polls", "kill", "image_seconds", "image_failures", "image_size", "server_limit"}


class Faults:
    def __init__(self):
        self.rules = []
        self.random = random.Random(0)
        self.error_rate = 0.0
        self.lost_rate = 0.0
        self.truncate_rate = 0.0
        self.echo_token = False
        self.phantom_conflicts = {}
        self.inconsistent_pages = 0
        self.action_seconds = 0.05
        self.shutdown_seconds = 0.1
        self.health_seconds = 0.1
        self.failed_create = "removed"
        self.action_errors = {}      # server name -> {"code", "message"}: its create_server action fails
        self.ignore_shutdown = set() # server names whose OS ignores the ACPI shutdown
        self.unhealthy = set()       # server names the load balancer's health checks fail
        self.rate = {"limit": 3600, "per_second": 1.0}
        self.retry_after = None      # Retry-After seconds on 429s, or None
        self.unavailable_types = {}  # server type -> [locations] where it cannot be ordered now
        self.deprecated_types = {}   # server type -> {location: unavailable_after (ISO 8601)}
        self.kill = None             # {"after": requests to go, "carried_out"}: see the knob
        self.image_seconds = 0.3     # how long an image is `creating`
        self.image_failures = 0      # the next n images end `unavailable`
        self.image_size = 2.5        # GB, once available
        self.server_limit = None     # the most servers the project may hold, or None

    def update(self, body, state):
        unknown = set(body) - KNOBS
        if unknown:
            raise ValueError("unknown fault knobs: %s" % ", ".join(sorted(unknown)))
        if "rules" in body:
            self.rules = [dict(r) for r in body["rules"]]
        if "seed" in body:
            self.random = random.Random(body["seed"])
        for key in ("error_rate", "lost_rate", "truncate_rate", "echo_token", "inconsistent_pages", "action_seconds",
                    "shutdown_seconds", "health_seconds", "failed_create", "retry_after", "image_seconds", "image_failures",
                    "image_size", "server_limit"):
            if key in body:
                setattr(self, key, body[key])
        if "action_polls" in body:  # older tests: about one poll interval per poll
            self.action_seconds = 0.03 * body["action_polls"]
        if "phantom_conflicts" in body:
            self.phantom_conflicts = dict(body["phantom_conflicts"])
        if "action_errors" in body:
            self.action_errors = dict(body["action_errors"])
        if "ignore_shutdown" in body:
            self.ignore_shutdown = set(body["ignore_shutdown"])
        if "unhealthy" in body:
            self.unhealthy = set(body["unhealthy"])
        if "unavailable_types" in body:
            self.unavailable_types = {k: list(v) for k, v in body["unavailable_types"].items()}
        if "deprecated_types" in body:
            self.deprecated_types = {k: dict(v) for k, v in body["deprecated_types"].items()}
        if "kill" in body:
            kill = body["kill"]
            self.kill = {"after": self.random.randint(1, kill["within"]),
                         "carried_out": self.random.random() < 0.5} if kill else None
        if "rate_limit" in body:
            self.rate = {"limit": body["rate_limit"].get("limit", 3600), "per_second": body["rate_limit"].get("per_second", 1.0)}
            state.tokens = float(body["rate_limit"].get("remaining", self.rate["limit"]))
            state.refilled_at = state.clock()

    def match(self, method, path, body, auth):
        """The injected answer for this request before it is carried out (an ApiError), "lost" when it
        is to be carried out and its answer dropped, or None."""
        for rule in self.rules:
            if rule.get("method", method) != method or not re.fullmatch(rule.get("path", ".*"), path):
                continue
            if "name" in rule and (not isinstance(body, dict) or body.get("name") != rule["name"]):
                continue
            if rule.get("times", -1) == 0:
                continue
            if rule.get("times", -1) > 0:
                rule["times"] -= 1
            if rule.get("lost"):
                return "lost"
            message = rule.get("message", "injected fault")
            if self.echo_token:
                message += " (request authorized as %s)" % auth
            return ApiError(rule.get("status", 500), rule.get("code", "server_error"), message,
                            headers=rule.get("headers", {}), raw=rule.get("raw"))
        if self.error_rate and self.random.random() < self.error_rate:
            status, code = self.random.choice([(500, "server_error"), (502, "bad_gateway"), (503, "unavailable")])
            message = "injected %s" % code
            if self.echo_token:
                message += " (request authorized as %s)" % auth
            return ApiError(status, code, message)
        if self.lost_rate and self.random.random() < self.lost_rate:
            return "lost"
        return None

    def kill_due(self):
        """The spent `kill` knob when this API request is the one that kills the client, else None."""
        if self.kill is None:
            return None
        self.kill["after"] -= 1
        if self.kill["after"] > 0:
            return None
        kill, self.kill = self.kill, None
        return kill

    def truncate(self, method):
        return method == "GET" and self.truncate_rate and self.random.random() < self.truncate_rate
