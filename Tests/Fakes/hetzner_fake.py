#!/usr/bin/env python3
"""A fake Hetzner Cloud API for scalectl's tests: Python 3 standard library only.

It follows the public API reference at https://docs.hetzner.cloud/ , these pages:
  - Overview: authentication (Bearer token), errors ({"error": {"code", "message", "details"}} and the
    X-Correlation-Id header), pagination (page, per_page up to 50, meta.pagination), rate limiting
    (RateLimit-Limit / -Remaining / -Reset, 429 rate_limit_exceeded), label selectors.
  - Servers: GET /servers (name, label_selector, status), GET /servers/{id}, POST /servers,
    DELETE /servers/{id}; server statuses.
  - Server Actions: POST /servers/{id}/actions/shutdown, POST /servers/{id}/actions/poweroff,
    POST /servers/{id}/actions/poweron, POST /servers/{id}/actions/create_image (type snapshot|backup,
    description, labels; answers 201 {image (status creating), action}).
  - Images: GET /images (type, status, label_selector, sort), GET /images/{id}, DELETE /images/{id}
    (204; 423 protected or locked while the image is being created); statuses creating, available,
    unavailable; image_size in GB (null until available); created_from {id, name}.
  - Actions: GET /actions?id=...&id=... (the id parameter is required); running -> success | error.
  - Load Balancers: GET /load_balancers (name), GET /load_balancers/{id}, and the actions add_target and
    remove_target (server and label_selector targets, health_status, nested targets of a label selector).
  - Server Types: GET /server_types (name), each with its per-location prices and `locations` (where it
    is offered, whether it can be ordered there now, and per-location deprecation).

Behaviour that follows the docs rather than the easy path: actions end after a time (`action_seconds`),
however often they are polled, and polling (or following a page of GET /actions) changes nothing; a
successful `shutdown` action only means the ACPI request was sent: the server goes `off` later
(`shutdown_seconds`) and only if its OS reacts; a load balancer target's health is `unknown` for a while
(`health_seconds`) before `healthy`; servers carry a top-level `location` (Hetzner removed `datacenter`
in 2026); a server target with `use_private_ip` whose server is not in the balancer's network is refused
with `server_not_attached_to_network`; an image is `creating` until its create_image action ends
(`image_seconds`, by time), then `available` with its `image_size`, or `unavailable` when the fault
`image_failures` makes it fail (the action then ends in error); the server is locked while it is imaged.

Test-only paths (never part of the API): GET /__requests (every API request: method, path, query, JSON
body, whether the token matched), POST /__faults (fault injection, see hetzner_faults.py), POST /__seed
(images, load balancers, servers), GET /__state (servers, balancers, images and the `stats` of what was served).

Server types: the catalog SERVER_TYPES is offered in every location. The faults `unavailable_types`
({"cpx41": ["nbg1"]}: cannot be ordered there now, and POST /servers answers 412 resource_unavailable) and
`deprecated_types` ({"cpx41": {"nbg1": "2026-01-01T00:00:00+00:00"}}: unavailable after that instant)
change that.

Locations: a POST /servers without `location` creates in fsn1 (the API picks one; the fake always this
one). A server shows where it runs as its top-level `location` ({name, network_zone}; LOCATIONS), and so
does a load balancer (seeded with `location`, by default DEFAULT_LOCATION).

Server limit: the fault `server_limit` (n; null clears it) is the project's limit. A POST /servers while
the project holds n servers (any status, strangers included, as on Hetzner) answers 403
resource_limit_exceeded and creates nothing.

Run: python3 hetzner_fake.py --port 8080 [--token TOKEN]
"""
import argparse
import json
import os
import re
import secrets
import signal
import socket
import threading
import time
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from hetzner_faults import ApiError, Faults

# name -> network zone (docs.hetzner.cloud, Locations)
LOCATIONS = {"fsn1": "eu-central", "nbg1": "eu-central", "hel1": "eu-central", "ash": "us-east", "hil": "us-west",
             "sin": "ap-southeast"}
DEFAULT_LOCATION = "fsn1"
# name -> (cores, memory GB, disk GB, EUR per hour, EUR per month)
SERVER_TYPES = {"cx22": (2, 4, 40, "0.0060", "3.79"), "cpx31": (4, 8, 160, "0.0211", "13.10"),
                "cpx41": (8, 16, 240, "0.0395", "24.49")}
HOSTNAME = re.compile(r"^(?=.{1,253}$)[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$")
LABEL_KEY = re.compile(r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[a-zA-Z0-9]([-a-zA-Z0-9_.]{0,61}[a-zA-Z0-9])?$")
LABEL_VALUE = re.compile(r"^([a-zA-Z0-9]([-a-zA-Z0-9_.]{0,61}[a-zA-Z0-9])?)?$")


def invalid(field, message):
    return ApiError(422, "invalid_input", "invalid input in field '%s'" % field, [(field, message)])


def now_iso(offset=0.0):
    return datetime.fromtimestamp(time.time() + offset, timezone.utc).isoformat(timespec="seconds")


def split_selector(text):
    parts, depth, current = [], 0, ""
    for ch in text:
        depth += ch == "("
        depth -= ch == ")"
        if ch == "," and depth == 0:
            parts.append(current.strip())
            current = ""
        else:
            current += ch
    parts.append(current.strip())
    return parts


def parse_selector(text):
    """Label selector -> list of predicates on a labels dict; ApiError on bad syntax."""
    predicates = []
    for part in split_selector(text):
        m = re.fullmatch(r"([^\s!=,()]+)\s+(in|notin)\s+\(([^)]*)\)", part)
        if m:
            key, op, values = m.group(1), m.group(2), {v.strip() for v in m.group(3).split(",")}
            predicates.append((lambda k, vs, neg: lambda labels: (labels.get(k) in vs) != neg)(key, values, op == "notin"))
            continue
        m = re.fullmatch(r"([^\s!=,()]+)\s*(==|!=|=)\s*([^\s!=,()]*)", part)
        if m:
            key, op, value = m.groups()
            predicates.append((lambda k, v, neg: lambda labels: (labels.get(k) == v) != neg)(key, value, op == "!="))
            continue
        m = re.fullmatch(r"(!?)([^\s!=,()]+)", part)
        if m:
            predicates.append((lambda k, neg: lambda labels: (k in labels) != neg)(m.group(2), m.group(1) == "!"))
            continue
        raise invalid("label_selector", "cannot parse '%s'" % part)
    return predicates


def matches(labels, predicates):
    return all(p(labels) for p in predicates)


def peer_pid(connection):
    """The pid of the local process holding the other end of a loopback TCP connection, or None: its
    socket's inode from /proc/net/tcp (or tcp6), then the process with a descriptor on that socket."""
    port = connection.getpeername()[1]
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as rows:
            for row in list(rows)[1:]:
                fields = row.split()
                if int(fields[1].rsplit(":", 1)[1], 16) == port:
                    inodes.add("socket:[%s]" % fields[9])
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if any(os.readlink("/proc/%s/fd/%s" % (pid, fd)) in inodes for fd in os.listdir("/proc/%s/fd" % pid)):
                return int(pid)
        except OSError:  # gone meanwhile, or not ours to read
            continue
    return None


class State:
    def __init__(self, token):
        self.lock = threading.RLock()
        self.token = token
        self.clock = time.time
        self.faults = Faults()
        self.requests = []
        self.stats = {"requests": 0, "429": 0, "5xx": 0, "lost": 0, "truncated": 0, "conflicts": 0, "kills": 0}
        self.servers, self.images, self.actions, self.balancers = {}, {}, {}, {}
        self.later = []              # [(instant, function)]: what happens by itself at that time
        self.running_at = {}         # server id -> when it last started running
        self.ids = {"server": 1000, "image": 200, "action": 5000, "lb": 300}
        self.tokens = 3600.0
        self.refilled_at = time.time()

    def next_id(self, kind):
        self.ids[kind] += 1
        return self.ids[kind]

    # Rate limit: a token bucket refilling per_second; every API request takes one.
    def spend(self):
        rate = self.faults.rate
        now = time.time()
        self.tokens = min(rate["limit"], self.tokens + (now - self.refilled_at) * rate["per_second"])
        self.refilled_at = now
        allowed = self.tokens >= 1
        if allowed:
            self.tokens -= 1
        missing = rate["limit"] - self.tokens
        headers = {
            "RateLimit-Limit": str(rate["limit"]),
            "RateLimit-Remaining": str(int(self.tokens)),
            "RateLimit-Reset": str(int(now + missing / rate["per_second"]) + (1 if missing > 0 else 0)),
        }
        return allowed, headers

    def action(self, command, resources, after=None, fail=None, effect=None, seconds=None):
        """A running action; it ends `seconds` (default `action_seconds`) after it starts (after `after` ends, if given)."""
        action = {"id": self.next_id("action"), "command": command, "status": "running", "progress": 0,
                  "started": now_iso(), "finished": None, "error": None,
                  "resources": [{"id": rid, "type": kind} for kind, rid in resources]}
        seconds = self.faults.action_seconds if seconds is None else seconds
        self.actions[action["id"]] = {"public": action, "after": after, "fail": fail, "effect": effect,
                                      "seconds": seconds, "ends": None if after else self.clock() + seconds}
        return action

    def at(self, delay, function):
        self.later.append((self.clock() + delay, function))

    def tick(self):
        """Everything that has happened by now: actions ending, servers powering off."""
        now = self.clock()
        moved = True
        while moved:
            moved = False
            for entry in list(self.actions.values()):
                action = entry["public"]
                if action["status"] != "running":
                    continue
                if entry["ends"] is None:
                    before = self.actions[entry["after"]]["public"]
                    if before["status"] == "running":
                        continue
                    if before["status"] == "error":
                        entry["fail"] = {"code": "action_failed", "message": "action %d failed" % before["id"]}
                        entry["ends"] = now
                    else:
                        entry["ends"] = entry["finished_at"] = self.actions[entry["after"]]["finished_at"] + entry["seconds"]
                if now < entry["ends"]:
                    action["progress"] = 50
                    continue
                entry["finished_at"] = entry["ends"]
                action["progress"], action["finished"] = 100, now_iso()
                action["status"], action["error"] = ("error", entry["fail"]) if entry["fail"] else ("success", None)
                if entry["effect"]:
                    entry["effect"](action["status"] == "success")
                moved = True
        due = [f for t, f in self.later if t <= now]
        self.later = [(t, f) for t, f in self.later if t > now]
        for function in due:
            function()

    def busy(self, server_id):
        return any(e["public"]["status"] == "running" and {"id": server_id, "type": "server"} in e["public"]["resources"]
                   for e in self.actions.values())

    def server(self, server_id):
        server = self.servers.get(server_id)
        if server is None:
            raise ApiError(404, "not_found", "server with ID '%s' not found" % server_id)
        return server

    def image(self, image_id):
        image = self.images.get(image_id)
        if image is None:
            raise ApiError(404, "not_found", "image with ID '%s' not found" % image_id)
        return image

    def balancer(self, lb_id):
        lb = self.balancers.get(lb_id)
        if lb is None:
            raise ApiError(404, "not_found", "load balancer with ID '%s' not found" % lb_id)
        return lb


def paginate(items, query, key):
    try:
        page = max(1, int(query.get("page", ["1"])[0]))
        per_page = min(50, max(1, int(query.get("per_page", ["25"])[0])))
    except ValueError:
        raise invalid("page", "must be a number")
    last = max(1, (len(items) + per_page - 1) // per_page)
    chunk = items[(page - 1) * per_page: page * per_page]
    return {key: chunk, "meta": {"pagination": {
        "page": page, "per_page": per_page, "previous_page": page - 1 if page > 1 else None,
        "next_page": page + 1 if page < last else None, "last_page": last, "total_entries": len(items)}}}


def kind_server(target):
    return target["type"] == "server"


def check_keys(body, allowed, required=()):
    if not isinstance(body, dict):
        raise ApiError(400, "json_error", "the request body must be a JSON object")
    for key in body:
        if key not in allowed:
            raise invalid(key, "unknown field")
    for key in required:
        if key not in body:
            raise invalid(key, "is required")


def check_labels(labels):
    if not isinstance(labels, dict):
        raise invalid("labels", "must be an object")
    for key, value in labels.items():
        if not isinstance(value, str) or not LABEL_KEY.match(key) or not LABEL_VALUE.match(value) or key.startswith("hetzner.cloud/"):
            raise invalid("labels", "invalid label %s=%s" % (key, value))


class Api:
    """The API routes; every method runs under the state lock and returns (status, body)."""

    def __init__(self, state):
        self.s = state

    def route(self, method, path, query, body):
        parts = path.strip("/").split("/")
        if parts[0] != "v1":
            raise ApiError(404, "not_found", "no such path")
        parts = parts[1:]
        key = (method, tuple(p if not p.isdigit() else "{id}" for p in parts))
        ident = next((int(p) for p in parts if p.isdigit()), None)
        routes = {
            ("GET", ("servers",)): lambda: self.list_servers(query),
            ("POST", ("servers",)): lambda: self.create_server(body),
            ("GET", ("servers", "{id}")): lambda: (200, {"server": self.s.server(ident)}),
            ("DELETE", ("servers", "{id}")): lambda: self.delete_server(ident),
            ("POST", ("servers", "{id}", "actions", "shutdown")): lambda: self.power(ident, "shutdown_server", body),
            ("POST", ("servers", "{id}", "actions", "poweroff")): lambda: self.power(ident, "stop_server", body),
            ("POST", ("servers", "{id}", "actions", "poweron")): lambda: self.power(ident, "start_server", body),
            ("POST", ("servers", "{id}", "actions", "create_image")): lambda: self.create_image(ident, body),
            ("GET", ("images",)): lambda: self.list_images(query),
            ("GET", ("images", "{id}")): lambda: (200, {"image": self.s.image(ident)}),
            ("DELETE", ("images", "{id}")): lambda: self.delete_image(ident),
            ("GET", ("server_types",)): lambda: self.list_server_types(query),
            ("GET", ("actions",)): lambda: self.list_actions(query),
            ("GET", ("load_balancers",)): lambda: self.list_balancers(query),
            ("GET", ("load_balancers", "{id}")): lambda: (200, {"load_balancer": self.balancer_view(self.s.balancer(ident))}),
            ("POST", ("load_balancers", "{id}", "actions", "add_target")): lambda: self.add_target(ident, body),
            ("POST", ("load_balancers", "{id}", "actions", "remove_target")): lambda: self.remove_target(ident, body),
        }
        handler = routes.get(key)
        if handler is None:
            raise ApiError(404, "not_found", "no such path: %s %s" % (method, path))
        return handler()

    # Servers

    def list_servers(self, query):
        servers = sorted(self.s.servers.values(), key=lambda s: s["id"])
        if "name" in query:
            servers = [s for s in servers if s["name"] == query["name"][0]]
        if "label_selector" in query:
            predicates = parse_selector(query["label_selector"][0])
            servers = [s for s in servers if matches(s["labels"], predicates)]
        if "status" in query:
            servers = [s for s in servers if s["status"] in query["status"]]
        answer = paginate(servers, query, "servers")
        if answer["meta"]["pagination"]["page"] > 1 and self.s.faults.inconsistent_pages > 0:
            self.s.faults.inconsistent_pages -= 1
            answer["meta"]["pagination"]["total_entries"] += 1
        return 200, answer

    def create_server(self, body):
        check_keys(body, {"name", "server_type", "image", "location", "datacenter", "labels", "networks", "firewalls",
                          "start_after_create", "user_data", "public_net", "ssh_keys", "volumes", "automount",
                          "placement_group"}, required=("name", "server_type", "image"))
        name, server_type, image = body["name"], body["server_type"], body["image"]
        if not isinstance(name, str) or not HOSTNAME.match(name):
            raise invalid("name", "must be a valid hostname")
        if not isinstance(server_type, str) or not re.fullmatch(r"[a-z0-9-]+", server_type):
            raise invalid("server_type", "must be a server type name")
        if "location" in body and "datacenter" in body:
            raise invalid("location", "location and datacenter are mutually exclusive")
        if "location" in body and body["location"] not in LOCATIONS:
            raise invalid("location", "unknown location")
        labels = body.get("labels", {})
        check_labels(labels)
        networks = body.get("networks", [])
        if not isinstance(networks, list) or not all(isinstance(n, int) and n > 0 for n in networks):
            raise invalid("networks", "must be a list of network ids")
        firewalls = body.get("firewalls", [])
        if not isinstance(firewalls, list) or not all(isinstance(f, dict) and set(f) == {"firewall"} and isinstance(f["firewall"], int) for f in firewalls):
            raise invalid("firewalls", "must be a list of {\"firewall\": id}")
        location = body.get("location", DEFAULT_LOCATION)
        limit = self.s.faults.server_limit
        if limit is not None and len(self.s.servers) >= limit:
            raise ApiError(403, "resource_limit_exceeded", "server limit of %d servers exceeded for this project" % limit)
        if location in self.s.faults.unavailable_types.get(server_type, []):
            raise ApiError(412, "resource_unavailable", "server type %s is unavailable in %s" % (server_type, location))
        found = [i for i in self.s.images.values() if str(i["id"]) == str(image) or i.get("name") == image]
        if not found or found[0]["status"] != "available":
            raise invalid("image", "image %s not found or not available" % image)
        if any(s["name"] == name for s in self.s.servers.values()) or self.s.faults.phantom_conflicts.get(name, 0) > 0:
            if not any(s["name"] == name for s in self.s.servers.values()):
                self.s.faults.phantom_conflicts[name] -= 1
            self.s.stats["conflicts"] += 1
            raise ApiError(409, "uniqueness_error", "server name is already used", [("name", "server name is already used")])
        server = self.new_server(name, labels, "initializing", server_type, networks, location)
        server["image"] = {"id": found[0]["id"]}
        fail = self.s.faults.action_errors.get(name)

        def created(ok):
            if ok:
                server["status"] = "starting"
            elif self.s.faults.failed_create == "left":
                server["status"] = "off"
            else:
                self.s.servers.pop(server["id"], None)

        def started(ok):
            if ok and server["id"] in self.s.servers:
                server["status"] = "running"
                self.s.running_at[server["id"]] = self.s.clock()

        create = self.s.action("create_server", [("server", server["id"])], fail=fail, effect=created)
        start = self.s.action("start_server", [("server", server["id"])], after=create["id"], effect=started)
        return 201, {"server": server, "action": create, "next_actions": [start], "root_password": None}

    def new_server(self, name, labels, status, server_type="cpx31", networks=(), location=DEFAULT_LOCATION):
        ident = self.s.next_id("server")
        server = {"id": ident, "name": name, "status": status, "created": now_iso(), "labels": dict(labels), "image": None,
                  "server_type": {"name": server_type}, "location": {"name": location, "network_zone": LOCATIONS[location]},
                  "public_net": {"ipv4": {"ip": "203.0.113.%d" % (ident % 250 + 1)}, "ipv6": None},
                  "private_net": [{"network": n, "ip": "10.0.%d.%d" % (ident // 250 % 250, ident % 250 + 1)} for n in networks]}
        self.s.servers[ident] = server
        if status == "running":
            self.s.running_at[ident] = self.s.clock() - 3600
        return server

    def delete_server(self, ident):
        server = self.s.server(ident)
        if self.s.busy(ident):
            raise ApiError(423, "locked", "server %d is locked by a running action" % ident)
        server["status"] = "deleting"
        return 200, {"action": self.s.action("delete_server", [("server", ident)],
                                             effect=lambda ok: ok and self.s.servers.pop(ident, None))}

    def power(self, ident, command, body):
        if body not in (None, {}):
            raise invalid("body", "this action takes no body")
        server = self.s.server(ident)
        if self.s.busy(ident):
            raise ApiError(423, "locked", "server %d is locked by a running action" % ident)

        def off():
            if server["id"] in self.s.servers and server["status"] in ("running", "stopping"):
                server["status"] = "off"

        def on():
            if server["id"] in self.s.servers and server["status"] == "off":
                server["status"] = "running"
                self.s.running_at[server["id"]] = self.s.clock()

        def done(ok):
            # A successful shutdown action only means the ACPI request was sent; the OS may react later.
            if ok and command == "start_server":
                on()
            elif ok and command == "stop_server":
                off()
            elif ok and server["name"] not in self.s.faults.ignore_shutdown:
                self.s.at(self.s.faults.shutdown_seconds, off)

        return 201, {"action": self.s.action(command, [("server", ident)], effect=done)}

    # Images

    def create_image(self, ident, body):
        server = self.s.server(ident)
        body = {} if body is None else body
        check_keys(body, {"type", "description", "labels"})
        kind = body.get("type", "snapshot")
        if kind not in ("snapshot", "backup"):
            raise invalid("type", "must be snapshot or backup")
        if "description" in body and not isinstance(body["description"], str):
            raise invalid("description", "must be a string")
        labels = body.get("labels", {})
        check_labels(labels)
        if self.s.busy(ident):
            raise ApiError(423, "locked", "server %d is locked by a running action" % ident)
        faults = self.s.faults
        failing = faults.image_failures > 0
        if failing:
            faults.image_failures -= 1
        image = {"id": self.s.next_id("image"), "type": kind, "status": "creating", "name": None,
                 "description": body.get("description", "%s-snapshot" % server["name"]), "created": now_iso(),
                 "labels": dict(labels), "image_size": None, "disk_size": SERVER_TYPES.get(server["server_type"]["name"], (0, 0, 40))[2],
                 "created_from": {"id": ident, "name": server["name"]}, "bound_to": ident if kind == "backup" else None,
                 "protection": {"delete": False}}
        self.s.images[image["id"]] = image

        def done(ok):
            image["status"], image["image_size"] = ("available", faults.image_size) if ok else ("unavailable", None)

        fail = {"code": "image_failed", "message": "could not create the image (injected)"} if failing else None
        action = self.s.action("create_image", [("server", ident), ("image", image["id"])], fail=fail, effect=done,
                               seconds=faults.image_seconds)
        return 201, {"image": image, "action": action}

    def delete_image(self, ident):
        image = self.s.image(ident)
        if image["protection"]["delete"]:
            raise ApiError(423, "protected", "image %d is protected" % ident)
        if image["status"] == "creating":
            raise ApiError(423, "locked", "image %d is being created" % ident)
        del self.s.images[ident]
        return 204, None

    # Server types

    def server_type_view(self, ident, name):
        cores, memory, disk, hourly, monthly = SERVER_TYPES[name]
        faults = self.s.faults
        locations = sorted(LOCATIONS)
        deprecations = faults.deprecated_types.get(name, {})
        return {"id": ident, "name": name, "description": name.upper(), "cores": cores, "memory": memory, "disk": disk,
                "storage_type": "local", "cpu_type": "shared", "architecture": "x86", "deprecation": None,
                "prices": [{"location": loc, "price_hourly": {"net": hourly, "gross": hourly},
                            "price_monthly": {"net": monthly, "gross": monthly}} for loc in locations],
                "locations": [{"id": index + 1, "name": loc, "available": loc not in faults.unavailable_types.get(name, []),
                               "deprecation": {"announced": "2025-01-01T00:00:00+00:00", "unavailable_after": deprecations[loc]}
                               if loc in deprecations else None}
                              for index, loc in enumerate(locations)]}

    def list_server_types(self, query):
        types = [self.server_type_view(index + 1, name) for index, name in enumerate(sorted(SERVER_TYPES))]
        if "name" in query:
            types = [t for t in types if t["name"] == query["name"][0]]
        return 200, paginate(types, query, "server_types")

    # Images and actions

    def list_images(self, query):
        images = list(self.s.images.values())
        for key in ("type", "status"):
            if key in query:
                images = [i for i in images if i[key] in query[key]]
        if "label_selector" in query:
            predicates = parse_selector(query["label_selector"][0])
            images = [i for i in images if matches(i["labels"], predicates)]
        sort = query.get("sort", ["id:asc"])[0]
        field, _, order = sort.partition(":")
        if field not in ("id", "name", "created"):
            raise invalid("sort", "unknown sort field")
        images.sort(key=lambda i: (i.get(field) or ""), reverse=order == "desc")
        return 200, paginate(images, query, "images")

    def list_actions(self, query):
        if "id" not in query:
            raise invalid("id", "the id parameter is required")
        try:
            ids = [int(i) for i in query["id"]]
        except ValueError:
            raise invalid("id", "must be action ids")
        entries = [self.s.actions[i] for i in sorted(set(ids)) if i in self.s.actions]
        return 200, paginate([e["public"] for e in entries], query, "actions")

    # Load balancers

    def health(self, server, lb):
        since = max(self.s.running_at.get(server["id"], 0), lb.get("added_at", {}).get(server["id"], 0))
        if server["status"] != "running" or self.s.clock() - since < self.s.faults.health_seconds:
            status = "unknown"
        elif server["name"] in self.s.faults.unhealthy:
            status = "unhealthy"
        else:
            status = "healthy"
        return [{"listen_port": svc["listen_port"], "status": status} for svc in lb["services"]]

    def server_target(self, server, lb, use_private_ip):
        return {"type": "server", "server": {"id": server["id"]}, "use_private_ip": use_private_ip,
                "health_status": self.health(server, lb)}

    def balancer_view(self, lb):
        targets = []
        for target in lb["targets"]:
            if target["type"] == "server":
                server = self.s.servers.get(target["server"]["id"])
                if server:
                    targets.append(self.server_target(server, lb, target["use_private_ip"]))
            else:
                predicates = parse_selector(target["label_selector"]["selector"])
                resolved = [self.server_target(s, lb, target["use_private_ip"]) for s in sorted(self.s.servers.values(), key=lambda s: s["id"])
                            if matches(s["labels"], predicates)]
                targets.append({"type": "label_selector", "label_selector": dict(target["label_selector"]),
                                "use_private_ip": target["use_private_ip"], "targets": resolved})
        location = lb.get("location", DEFAULT_LOCATION)
        return {"id": lb["id"], "name": lb["name"], "labels": {}, "services": lb["services"], "targets": targets,
                "location": {"name": location, "network_zone": LOCATIONS[location]},
                "private_net": [{"network": n, "ip": "10.0.255.1"} for n in lb["networks"]]}

    def list_balancers(self, query):
        balancers = sorted(self.s.balancers.values(), key=lambda lb: lb["id"])
        if "name" in query:
            balancers = [lb for lb in balancers if lb["name"] == query["name"][0]]
        return 200, paginate([self.balancer_view(lb) for lb in balancers], query, "load_balancers")

    def target_from(self, body, adding):
        allowed = {"type", "server", "label_selector", "ip"} | ({"use_private_ip"} if adding else set())
        check_keys(body, allowed, required=("type",))
        kind = body["type"]
        if kind == "server":
            server = body.get("server")
            if not isinstance(server, dict) or set(server) != {"id"} or not isinstance(server["id"], int):
                raise invalid("server", "must be {\"id\": server id}")
            if server["id"] not in self.s.servers:
                raise invalid("server", "server %s not found" % server["id"])
            return {"type": "server", "server": {"id": server["id"]}}
        if kind == "label_selector":
            selector = body.get("label_selector")
            if not isinstance(selector, dict) or set(selector) != {"selector"} or not isinstance(selector["selector"], str):
                raise invalid("label_selector", "must be {\"selector\": \"...\"}")
            parse_selector(selector["selector"])
            return {"type": "label_selector", "label_selector": {"selector": selector["selector"]}}
        raise invalid("type", "the fake knows server and label_selector targets")

    @staticmethod
    def covers(target, server):
        if target["type"] == "server":
            return target["server"]["id"] == server["id"]
        return matches(server["labels"], parse_selector(target["label_selector"]["selector"]))

    @staticmethod
    def same(a, b):
        return a["type"] == b["type"] and a.get("server") == b.get("server") and a.get("label_selector") == b.get("label_selector")

    def add_target(self, ident, body):
        lb = self.s.balancer(ident)
        target = self.target_from(body, adding=True)
        use_private_ip = body.get("use_private_ip", False)
        if not isinstance(use_private_ip, bool):
            raise invalid("use_private_ip", "must be a boolean")
        if use_private_ip and not lb["networks"]:
            raise ApiError(422, "load_balancer_not_attached_to_network", "load balancer is not attached to a network")
        if any(self.same(t, target) for t in lb["targets"]):
            raise ApiError(422, "target_already_defined", "the target is already defined")
        if kind_server(target) and use_private_ip:
            server = self.s.servers[target["server"]["id"]]
            if not set(n["network"] for n in server["private_net"]) & set(lb["networks"]):
                raise ApiError(422, "server_not_attached_to_network", "server %d is not attached to the load balancer's network" % server["id"])
        target["use_private_ip"] = use_private_ip
        lb["targets"].append(target)
        now = self.s.clock()
        for server in self.s.servers.values():
            lb.setdefault("added_at", {}).setdefault(server["id"], now) if self.covers(target, server) else None
        return 201, {"action": self.s.action("add_target", [("load_balancer", ident)])}

    def remove_target(self, ident, body):
        lb = self.s.balancer(ident)
        target = self.target_from(body, adding=False)
        kept = [t for t in lb["targets"] if not self.same(t, target)]
        if len(kept) == len(lb["targets"]):
            raise invalid("target", "the load balancer has no such target")
        lb["targets"] = kept
        return 201, {"action": self.s.action("remove_target", [("load_balancer", ident)])}

    # Test-only seeding

    def seed(self, body):
        made = {"images": [], "load_balancers": [], "servers": []}
        for image in body.get("images", []):
            ident = self.s.next_id("image")
            record = {"id": ident, "type": image.get("type", "snapshot"), "status": image.get("status", "available"),
                      "name": image.get("name"), "description": image.get("description", "snapshot %d" % ident),
                      "created": image.get("created", now_iso()), "labels": image.get("labels", {}),
                      "image_size": image.get("image_size"), "created_from": None, "bound_to": None,
                      "protection": {"delete": image.get("protected", False)}}
            self.s.images[ident] = record
            made["images"].append(record)
        for lb in body.get("load_balancers", []):
            ident = self.s.next_id("lb")
            record = {"id": ident, "name": lb["name"], "targets": [], "networks": lb.get("networks", []),
                      "location": lb.get("location", DEFAULT_LOCATION),
                      "services": [{"listen_port": p, "protocol": "http"} for p in lb.get("ports", [80])]}
            self.s.balancers[ident] = record
            made["load_balancers"].append(self.balancer_view(record))
        for server in body.get("servers", []):
            record = self.new_server(server["name"], server.get("labels", {}), server.get("status", "running"),
                                     server.get("server_type", "cpx31"), server.get("networks", []),
                                     server.get("location", DEFAULT_LOCATION))
            record["image"] = {"id": server["image"]} if "image" in server else None
            made["servers"].append(record)
        return 201, made


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "hetzner-fake/1"

    def log_message(self, *args):
        pass

    def do_GET(self):
        self.handle_any("GET")

    def do_POST(self):
        self.handle_any("POST")

    def do_DELETE(self):
        self.handle_any("DELETE")

    def read_request(self):
        """The request's URL parts, its query and its raw body."""
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        return url, parse_qs(url.query, keep_blank_values=True), self.rfile.read(length) if length else b""

    def handle_any(self, method):
        state, api = self.server.state, self.server.api
        url, query, raw = self.read_request()
        with state.lock:
            if url.path.startswith("/__"):
                return self.test_path(method, url.path, raw)
            headers = {"X-Correlation-Id": secrets.token_hex(8)}
            body = None
            auth = self.headers.get("Authorization")
            record = {"method": method, "path": url.path, "query": query, "body": None,
                      "correlation_id": headers["X-Correlation-Id"],
                      "auth": "ok" if auth == "Bearer " + state.token else ("missing" if auth is None else "wrong")}
            state.requests.append(record)
            state.stats["requests"] += 1
            state.tick()
            lost = truncated = False
            kill = None
            try:
                if raw:
                    try:
                        body = json.loads(raw)
                        record["body"] = body
                    except ValueError:
                        raise ApiError(400, "json_error", "the request body is not valid JSON")
                allowed, limit_headers = state.spend()
                headers.update(limit_headers)
                if not allowed:
                    retry = {"Retry-After": str(state.faults.retry_after)} if state.faults.retry_after is not None else {}
                    raise ApiError(429, "rate_limit_exceeded", "limit of %d requests per hour reached" % state.faults.rate["limit"], headers=retry)
                if record["auth"] != "ok":
                    raise ApiError(401, "unauthorized", "unable to authenticate")
                kill = state.faults.kill_due()
                if kill is not None and not kill["carried_out"]:
                    return self.kill_client(kill)
                fault = state.faults.match(method, url.path, body, auth)
                if isinstance(fault, ApiError):
                    raise fault
                lost = fault == "lost"
                status, payload = api.route(method, url.path, query, body)
                truncated = state.faults.truncate(method)
            except ApiError as error:
                headers.update(error.headers)
                status, payload = error.status, error.body()
                if error.raw is not None:
                    payload = error.raw
            if kill is not None:  # carried out (or refused), killed before its answer
                return self.kill_client(kill)
            self.answer(record, status, payload, headers, lost, truncated)

    def answer(self, record, status, payload, headers, lost, truncated):
        """Records and sends the answer: counted by kind, dropped without a word when `lost` (carried
        out, the connection closes), cut in half when `truncated`."""
        state = self.server.state
        record["status"] = status
        if status == 429:
            state.stats["429"] += 1
        elif status >= 500:
            state.stats["5xx"] += 1
        if lost:
            # Carried out; the answer is lost on the way (the connection drops without a word).
            state.stats["lost"] += 1
            record["status"] = "lost"
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        if truncated and payload is not None:
            state.stats["truncated"] += 1
            payload = json.dumps(payload)[: max(1, len(json.dumps(payload)) // 2)]
        self.reply(status, payload, headers)

    def kill_client(self, kill):
        """kill -9 of the process at the other end of this connection (the `kill` knob), then the
        connection drops unanswered."""
        pid = peer_pid(self.connection)
        if pid is not None:
            os.kill(pid, signal.SIGKILL)
            self.server.state.stats["kills"] += 1
        self.close_connection = True
        self.connection.shutdown(socket.SHUT_RDWR)

    def test_path(self, method, path, raw):
        state, api = self.server.state, self.server.api
        body = json.loads(raw) if raw else {}
        if method == "GET" and path == "/__requests":
            return self.reply(200, {"requests": state.requests})
        if method == "GET" and path == "/__state":
            state.tick()
            return self.reply(200, {"servers": sorted(state.servers.values(), key=lambda s: s["id"]),
                                    "load_balancers": [api.balancer_view(lb) for lb in state.balancers.values()],
                                    "images": sorted(state.images.values(), key=lambda i: i["id"]),
                                    "stats": state.stats})
        if method == "POST" and path == "/__faults":
            try:
                state.faults.update(body, state)
            except ValueError as error:
                return self.reply(400, {"error": {"code": "invalid_input", "message": str(error), "details": {}}})
            return self.reply(200, {"ok": True})
        if method == "POST" and path == "/__seed":
            return self.reply(*api.seed(body))
        return self.reply(404, {"error": {"code": "not_found", "message": "no test path " + path, "details": {}}})

    def reply(self, status, payload, headers=None):
        """Answers `payload` as JSON, or as it is when it is already text (a raw or truncated body); None is no body (204)."""
        text = isinstance(payload, str) or payload is None
        payload = "" if payload is None else payload
        data = payload.encode() if text else json.dumps(payload).encode()
        self.send_response(status)
        if self.close_connection:  # asked with "Connection: close": say so (RFC 9112 §9.6), or the client may reuse it
            self.send_header("Connection", "close")
        self.send_header("Content-Type", "text/html" if text and not payload.startswith("{") else "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--token", default="fake-token")
    args = parser.parse_args()
    ThreadingHTTPServer.request_queue_size = 128  # a fleet's worth of connections at once (default 5)
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    server.state = State(args.token)
    server.api = Api(server.state)
    print(server.server_address[1], flush=True)  # the port it got (--port 0: a free one), first line on stdout
    server.serve_forever()


if __name__ == "__main__":
    main()
