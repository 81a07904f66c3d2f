#!/usr/bin/env python3
"""A fake DigitalOcean API (v2) for scalectl's tests: Python 3 standard library only.

Written from the public API reference at https://docs.digitalocean.com/reference/api/ (and the official
clients godo and pydo), these parts:
  - Introduction: authentication (Bearer token); errors as {"id", "message", "request_id"} (also the
    x-request-id header); pagination with page and per_page (at most 200), answered with
    links.pages {first, prev, next, last} (only those that apply) and meta.total; rate limits: 5000
    requests an hour with the ratelimit-limit / -remaining / -reset headers (reset: the Unix time the
    oldest request expires), and a burst limit of 250 a minute whose 429 carries retry-after.
  - Droplets: GET /v2/droplets (tag_name, name), GET /v2/droplets/{id}, POST /v2/droplets (name, or
    names with at most 10; region, size, image, tags, vpc_uuid, ssh_keys, monitoring; answers 202 with
    droplet(s) and links.actions), DELETE /v2/droplets/{id} (204), DELETE /v2/droplets?tag_name= (204,
    every droplet with the tag; recorded so tests can assert it is never used). Droplet names are not
    unique. Status new until the create action completes, then active; off; archive.
  - Droplet Actions: POST /v2/droplets/{id}/actions {"type": shutdown | power_off | power_on}; actions
    are in-progress, then completed or errored. GET /v2/actions/{id}.
  - Snapshots: GET /v2/snapshots?resource_type=droplet (string ids, regions, created_at, size_gigabytes).
  - Load Balancers: GET /v2/load_balancers, GET /v2/load_balancers/{id}; POST and DELETE
    /v2/load_balancers/{id}/droplets {"droplet_ids"} (204; 422 for a balancer that has a tag).
  - Tags: POST and DELETE /v2/tags/{tag}/resources {"resources": [{resource_id, resource_type}]} (204;
    404 when the tag does not exist). Tag names: letters, numbers, colons, dashes, underscores, <= 255.
    Tags named at droplet creation are created when missing.
  - Sizes (GET /v2/sizes: slug, available, regions, prices), Regions (GET /v2/regions), Account
    (GET /v2/account: droplet_limit).
  - The droplet limit: a create that would take the account past droplet_limit answers 422
    unprocessable_entity "creating this/these droplet(s) will exceed your droplet limit" and creates nothing.

Behaviour that follows the reference rather than the easy path: a shutdown action only asks the OS; the
droplet goes off `shutdown_seconds` later unless it ignores it (the fault ignore_shutdown), and then the
action ends errored; delete answers 204 at once and the droplet leaves listings `action_seconds` later.

Test-only paths (never part of the API): GET /__requests, POST /__faults (the knobs of hetzner_faults.py,
with `server_limit` as the account's droplet_limit, plus `burst`: {"limit", "per_second"} for the
per-minute limit, and `kill_on`: {"method", "path" (regex), "nth", "carried_out"}: the nth matching API
request kills the client with SIGKILL, after (or before) carrying it out), POST /__seed (snapshots,
load_balancers, droplets, tags), GET /__state.

Run: python3 digitalocean_fake.py --port 0 [--token TOKEN]
"""
import argparse
import json
import re
import threading
import time
import uuid
from datetime import datetime, timezone
from http.server import ThreadingHTTPServer

import hetzner_faults
from hetzner_faults import ApiError, Faults
import hetzner_fake

REGIONS = {"fra1": True, "ams3": True, "nyc3": True, "sfo3": True, "lon1": False}
# slug -> (USD per hour, USD per month, regions)
SIZES = {"s-2vcpu-4gb": ("0.03571", "24.00", ["fra1", "ams3", "nyc3", "sfo3"]),
         "s-4vcpu-8gb": ("0.07143", "48.00", ["fra1", "ams3", "nyc3"]),
         "c-8": ("0.25000", "168.00", ["nyc3"])}
HOSTNAME = re.compile(r"^[a-zA-Z0-9]([a-zA-Z0-9.-]{0,251}[a-zA-Z0-9])?$")
TAG = re.compile(r"^[a-zA-Z0-9:_-]{1,255}$")


def now_iso(offset=0.0):
    return datetime.fromtimestamp(time.time() + offset, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def unprocessable(message):
    return ApiError(422, "unprocessable_entity", message)


class DOFaults(Faults):
    """The Hetzner fake's knobs, and the DigitalOcean-only `burst` and `kill_on`."""

    def __init__(self):
        super().__init__()
        self.burst = {"limit": 250, "per_second": 250 / 60.0}
        self.kill_on = None
        self.action_seconds = 0.1
        self.rate = {"limit": 5000, "per_second": 5000 / 3600.0}

    def update(self, body, state):
        body = dict(body)
        if "burst" in body:
            burst = body.pop("burst")
            self.burst = {"limit": burst.get("limit", 250), "per_second": burst.get("per_second", 250 / 60.0)}
            state.burst_tokens = float(burst.get("remaining", self.burst["limit"]))
            state.burst_at = time.time()
        if "kill_on" in body:
            kill = body.pop("kill_on")
            self.kill_on = dict(kill, seen=0) if kill else None
        super().update(body, state)

    def kill_match(self, method, path):
        """The spent `kill_on` when this request is the nth that matches it, else None."""
        kill = self.kill_on
        if kill is None or kill.get("method", method) != method or not re.fullmatch(kill.get("path", ".*"), path):
            return None
        kill["seen"] += 1
        if kill["seen"] < kill.get("nth", 1):
            return None
        self.kill_on = None
        return {"carried_out": kill.get("carried_out", True)}


class State:
    def __init__(self, token):
        self.lock = threading.RLock()
        self.token = token
        self.faults = DOFaults()
        self.clock = time.time
        self.requests = []
        self.stats = {"requests": 0, "429": 0, "5xx": 0, "lost": 0, "truncated": 0, "kills": 0, "tag_deletes": 0}
        self.droplets, self.snapshots, self.actions, self.balancers = {}, {}, {}, {}
        self.tags = set()
        self.later = []
        self.ids = {"droplet": 3000, "snapshot": 7000, "action": 9000}
        self.tokens, self.refilled_at = 5000.0, time.time()
        self.burst_tokens, self.burst_at = 250.0, time.time()
        self.sent = []  # instants of answered requests in the last hour (ratelimit-reset)

    def next_id(self, kind):
        self.ids[kind] += 1
        return self.ids[kind]

    def spend(self):
        """Takes one request from the hourly and the per-minute budgets: (allowed, headers, burst_hit)."""
        now = time.time()
        rate, burst = self.faults.rate, self.faults.burst
        self.tokens = min(rate["limit"], self.tokens + (now - self.refilled_at) * rate["per_second"])
        self.refilled_at = now
        self.burst_tokens = min(burst["limit"], self.burst_tokens + (now - self.burst_at) * burst["per_second"])
        self.burst_at = now
        hourly = self.tokens >= 1
        minute = self.burst_tokens >= 1
        if hourly and minute:
            self.tokens -= 1
            self.burst_tokens -= 1
        missing = rate["limit"] - self.tokens
        headers = {"ratelimit-limit": str(rate["limit"]), "ratelimit-remaining": str(int(self.tokens)),
                   "ratelimit-reset": str(int(now + missing / rate["per_second"]) + (1 if missing > 0 else 0))}
        retry = None
        if not hourly:
            retry = max(1, int((1 - self.tokens) / rate["per_second"]) + 1)
        elif not minute:
            retry = max(1, int((1 - self.burst_tokens) / burst["per_second"]) + 1)
        return hourly and minute, headers, retry

    def action(self, kind, droplet_id, effect=None, seconds=None, fail=False):
        action = {"id": self.next_id("action"), "status": "in-progress", "type": kind, "started_at": now_iso(),
                  "completed_at": None, "resource_id": droplet_id, "resource_type": "droplet", "region_slug": None}
        ends = time.time() + (self.faults.action_seconds if seconds is None else seconds)
        self.actions[action["id"]] = {"public": action, "ends": ends, "effect": effect, "fail": fail}
        return action

    def at(self, delay, function):
        self.later.append((time.time() + delay, function))

    def tick(self):
        now = time.time()
        for entry in self.actions.values():
            action = entry["public"]
            if action["status"] == "in-progress" and now >= entry["ends"]:
                ok = not entry["fail"]
                action["status"], action["completed_at"] = ("completed" if ok else "errored"), now_iso()
                if entry["effect"]:
                    entry["effect"](ok)
        due = [f for t, f in self.later if t <= now]
        self.later = [(t, f) for t, f in self.later if t > now]
        for function in due:
            function()

    def droplet(self, ident):
        droplet = self.droplets.get(ident)
        if droplet is None:
            raise ApiError(404, "not_found", "The resource you were accessing could not be found.")
        return droplet


def paginate(items, query, key, base):
    try:
        page = max(1, int(query.get("page", ["1"])[0]))
        per_page = min(200, max(1, int(query.get("per_page", ["20"])[0])))
    except ValueError:
        raise ApiError(400, "bad_request", "page and per_page must be numbers")
    last = max(1, (len(items) + per_page - 1) // per_page)
    extra = "".join("&%s=%s" % (k, v[0]) for k, v in sorted(query.items()) if k not in ("page", "per_page"))

    def link(n):
        return "%s?page=%d&per_page=%d%s" % (base, n, per_page, extra)

    pages = {}
    if page > 1:
        pages["first"], pages["prev"] = link(1), link(page - 1)
    if page < last:
        pages["next"], pages["last"] = link(page + 1), link(last)
    return {key: items[(page - 1) * per_page: page * per_page], "links": {"pages": pages}, "meta": {"total": len(items)}}


def check_keys(body, allowed, required=()):
    if not isinstance(body, dict):
        raise ApiError(400, "bad_request", "the request body must be a JSON object")
    for key in body:
        if key not in allowed:
            raise unprocessable("unknown attribute %s" % key)
    for key in required:
        if key not in body:
            raise unprocessable("%s is required" % key)


class Api:
    def __init__(self, state, base):
        self.s = state
        self.base = base

    def route(self, method, path, query, body):
        parts = path.strip("/").split("/")
        if parts[0] != "v2":
            raise ApiError(404, "not_found", "no such path")
        parts = parts[1:]
        shape = tuple("{id}" if (p.isdigit() or re.fullmatch(r"[0-9a-f-]{36}", p)) else p for p in parts)
        ident = next((p for p in parts if p.isdigit() or re.fullmatch(r"[0-9a-f-]{36}", p)), None)
        if len(parts) == 3 and parts[0] == "tags" and parts[2] == "resources":
            shape, ident = ("tags", "{tag}", "resources"), parts[1]
        routes = {
            ("GET", ("droplets",)): lambda: self.list_droplets(query),
            ("POST", ("droplets",)): lambda: self.create(body),
            ("DELETE", ("droplets",)): lambda: self.delete_by_tag(query),
            ("GET", ("droplets", "{id}")): lambda: (200, {"droplet": self.s.droplet(int(ident))}),
            ("DELETE", ("droplets", "{id}")): lambda: self.delete(int(ident)),
            ("POST", ("droplets", "{id}", "actions")): lambda: self.droplet_action(int(ident), body),
            ("GET", ("actions", "{id}")): lambda: self.get_action(int(ident)),
            ("GET", ("snapshots",)): lambda: self.list_snapshots(query),
            ("GET", ("load_balancers",)): lambda: (200, paginate(sorted(self.s.balancers.values(), key=lambda b: b["name"]), query, "load_balancers", self.base + "/load_balancers")),
            ("GET", ("load_balancers", "{id}")): lambda: (200, {"load_balancer": self.balancer(ident)}),
            ("POST", ("load_balancers", "{id}", "droplets")): lambda: self.balancer_droplets(ident, body, add=True),
            ("DELETE", ("load_balancers", "{id}", "droplets")): lambda: self.balancer_droplets(ident, body, add=False),
            ("POST", ("tags", "{tag}", "resources")): lambda: self.tag_resources(ident, body, add=True),
            ("DELETE", ("tags", "{tag}", "resources")): lambda: self.tag_resources(ident, body, add=False),
            ("GET", ("sizes",)): lambda: (200, paginate([self.size(s) for s in sorted(SIZES)], query, "sizes", self.base + "/sizes")),
            ("GET", ("regions",)): lambda: (200, paginate([{"slug": r, "name": r, "available": a, "sizes": [s for s in SIZES if r in SIZES[s][2]], "features": []}
                                                           for r, a in sorted(REGIONS.items())], query, "regions", self.base + "/regions")),
            ("GET", ("account",)): lambda: (200, {"account": {"droplet_limit": self.limit(), "floating_ip_limit": 3, "email": "ops@example.org",
                                                              "uuid": "b6fr89dbf6d9156cace5f3c78dc9851d957381ef", "email_verified": True, "status": "active", "status_message": ""}}),
        }
        handler = routes.get((method, shape))
        if handler is None:
            raise ApiError(404, "not_found", "no such path: %s %s" % (method, path))
        return handler()

    def limit(self):
        return 25 if self.s.faults.server_limit is None else self.s.faults.server_limit

    @staticmethod
    def size(slug):
        hourly, monthly, regions = SIZES[slug]
        return {"slug": slug, "available": True, "regions": regions, "price_hourly": float(hourly), "price_monthly": float(monthly),
                "memory": 4096, "vcpus": 2, "disk": 80, "transfer": 4.0, "description": slug}

    # Droplets

    def listed(self):
        return sorted((d for d in self.s.droplets.values() if not d.get("_gone")), key=lambda d: d["id"])

    def list_droplets(self, query):
        droplets = self.listed()
        if "tag_name" in query and "name" in query:
            raise unprocessable("tag_name and name cannot be combined")
        if "tag_name" in query:
            droplets = [d for d in droplets if query["tag_name"][0] in d["tags"]]
        if "name" in query:
            droplets = [d for d in droplets if d["name"] == query["name"][0]]
        answer = paginate([self.public(d) for d in droplets], query, "droplets", self.base + "/droplets")
        if answer["links"]["pages"].get("prev") and self.s.faults.inconsistent_pages > 0:
            self.s.faults.inconsistent_pages -= 1
            answer["meta"]["total"] += 1
        return 200, answer

    @staticmethod
    def public(droplet):
        return {k: v for k, v in droplet.items() if not k.startswith("_")}

    def create(self, body):
        check_keys(body, {"name", "names", "region", "size", "image", "ssh_keys", "backups", "ipv6", "monitoring", "tags",
                          "user_data", "private_networking", "volumes", "vpc_uuid", "with_droplet_agent"}, required=("size", "image"))
        if ("name" in body) == ("names" in body):
            raise unprocessable("give either name or names")
        names = [body["name"]] if "name" in body else body["names"]
        if not isinstance(names, list) or not 1 <= len(names) <= 10:
            raise unprocessable("names must list 1 to 10 names")
        for name in names:
            if not isinstance(name, str) or not HOSTNAME.match(name):
                raise unprocessable("Name Only valid hostname characters are allowed. (a-z, A-Z, 0-9, . and -)")
        region = body.get("region")
        if region not in REGIONS:
            raise unprocessable("Region is not available")
        size = body["size"]
        if size not in SIZES or region not in SIZES[size][2]:
            raise unprocessable("Size is not available in this region.")
        tags = body.get("tags") or []
        if not isinstance(tags, list) or not all(isinstance(t, str) and TAG.match(t) for t in tags):
            raise unprocessable("tags may contain letters, numbers, colons, dashes, and underscores; at most 255")
        if "vpc_uuid" in body and not re.fullmatch(r"[0-9a-f-]{36}", str(body["vpc_uuid"])):
            raise unprocessable("vpc_uuid is not a UUID")
        image = body["image"]
        snapshot = self.s.snapshots.get(str(image))
        if snapshot is None:
            raise unprocessable("You specified an invalid image for Droplet creation.")
        if region not in snapshot["regions"]:
            raise unprocessable("The image is not available in the region %s." % region)
        if len(self.listed()) + len(names) > self.limit():
            raise unprocessable("creating this/these droplet(s) will exceed your droplet limit")
        self.s.tags.update(tags)
        made = [self.new_droplet(name, tags, "new", size, region, int(snapshot["id"])) for name in names]
        links = []
        for droplet in made:
            def active(ok, droplet=droplet):
                if ok and droplet["status"] == "new":
                    droplet["status"] = "active"
            action = self.s.action("create", droplet["id"], effect=active)
            links.append({"id": action["id"], "rel": "create" if len(names) == 1 else "multiple_create",
                          "href": "%s/actions/%d" % (self.base, action["id"])})
        if "name" in body:
            return 202, {"droplet": self.public(made[0]), "links": {"actions": links}}
        return 202, {"droplets": [self.public(d) for d in made], "links": {"actions": links}}

    def new_droplet(self, name, tags, status, size="s-2vcpu-4gb", region="fra1", image=None):
        ident = self.s.next_id("droplet")
        droplet = {"id": ident, "name": name, "status": status, "created_at": now_iso(), "tags": list(dict.fromkeys(tags)),
                   "size_slug": size, "region": {"slug": region, "name": region}, "image": {"id": image} if image else None,
                   "memory": 4096, "vcpus": 2, "disk": 80, "locked": False, "features": [], "volume_ids": [],
                   "vpc_uuid": "5a4981aa-9653-4bd1-bef5-d6bff52042e4",
                   "networks": {"v4": [{"ip_address": "203.0.113.%d" % (ident % 250 + 1), "type": "public"},
                                       {"ip_address": "10.110.0.%d" % (ident % 250 + 1), "type": "private"}], "v6": []}}
        self.s.droplets[ident] = droplet
        return droplet

    def remove(self, ident):
        droplet = self.s.droplets.get(ident)
        if droplet is None or droplet.get("_gone"):
            return
        droplet["_gone"] = True
        self.s.at(self.s.faults.action_seconds, lambda: self.s.droplets.pop(ident, None))
        for lb in self.s.balancers.values():
            if ident in lb["droplet_ids"]:
                lb["droplet_ids"].remove(ident)

    def delete(self, ident):
        droplet = self.s.droplet(ident)
        if droplet.get("_gone"):
            raise ApiError(404, "not_found", "The resource you were accessing could not be found.")
        self.remove(ident)
        return 204, None

    def delete_by_tag(self, query):
        if "tag_name" not in query:
            raise unprocessable("tag_name is required")
        self.s.stats["tag_deletes"] += 1
        for droplet in self.listed():
            if query["tag_name"][0] in droplet["tags"]:
                self.remove(droplet["id"])
        return 204, None

    def droplet_action(self, ident, body):
        check_keys(body, {"type", "name", "image", "size", "disk", "kernel"}, required=("type",))
        droplet = self.s.droplet(ident)
        if droplet.get("_gone"):
            raise ApiError(404, "not_found", "The resource you were accessing could not be found.")
        kind = body["type"]
        faults = self.s.faults

        def set_status(status):
            def effect(ok):
                if ok and not droplet.get("_gone"):
                    droplet["status"] = status
            return effect

        if kind == "shutdown":
            ignored = droplet["name"] in faults.ignore_shutdown
            action = self.s.action("shutdown", ident, effect=set_status("off"), seconds=faults.shutdown_seconds, fail=ignored)
        elif kind == "power_off":
            action = self.s.action("power_off", ident, effect=set_status("off"))
        elif kind == "power_on":
            action = self.s.action("power_on", ident, effect=set_status("active"))
        else:
            raise unprocessable("the fake knows shutdown, power_off and power_on")
        return 201, {"action": action}

    def get_action(self, ident):
        entry = self.s.actions.get(ident)
        if entry is None:
            raise ApiError(404, "not_found", "The resource you were accessing could not be found.")
        return 200, {"action": entry["public"]}

    # Snapshots

    def list_snapshots(self, query):
        snapshots = sorted(self.s.snapshots.values(), key=lambda s: int(s["id"]))
        if "resource_type" in query:
            snapshots = [s for s in snapshots if s["resource_type"] == query["resource_type"][0]]
        return 200, paginate(snapshots, query, "snapshots", self.base + "/snapshots")

    # Load balancers and tags

    def balancer(self, ident):
        lb = self.s.balancers.get(ident)
        if lb is None:
            raise ApiError(404, "not_found", "The resource you were accessing could not be found.")
        return lb

    def balancer_droplets(self, ident, body, add):
        lb = self.balancer(ident)
        check_keys(body, {"droplet_ids"}, required=("droplet_ids",))
        ids = body["droplet_ids"]
        if not isinstance(ids, list) or not all(isinstance(i, int) for i in ids):
            raise unprocessable("droplet_ids must be a list of droplet ids")
        if lb["tag"]:
            raise unprocessable("This load balancer uses a tag; droplets cannot be added or removed by id.")
        for i in ids:
            if add:
                self.s.droplet(i)
                if i not in lb["droplet_ids"]:
                    lb["droplet_ids"].append(i)
            elif i in lb["droplet_ids"]:
                lb["droplet_ids"].remove(i)
        return 204, None

    def tag_resources(self, tag, body, add):
        if tag not in self.s.tags:
            raise ApiError(404, "not_found", "The tag %s could not be found." % tag)
        check_keys(body, {"resources"}, required=("resources",))
        for resource in body["resources"]:
            if not isinstance(resource, dict) or resource.get("resource_type") != "droplet":
                raise unprocessable("the fake tags droplets only")
            droplet = self.s.droplet(int(resource["resource_id"]))
            if add and tag not in droplet["tags"]:
                droplet["tags"].append(tag)
            if not add and tag in droplet["tags"]:
                droplet["tags"].remove(tag)
        return 204, None

    # Test-only seeding

    def seed(self, body):
        made = {"snapshots": [], "load_balancers": [], "droplets": []}
        for snap in body.get("snapshots", []):
            ident = str(self.s.next_id("snapshot"))
            record = {"id": ident, "name": snap["name"], "created_at": snap.get("created_at", now_iso()),
                      "regions": snap.get("regions", ["fra1"]), "resource_id": snap.get("resource_id", "1"),
                      "resource_type": snap.get("resource_type", "droplet"), "min_disk_size": 80,
                      "size_gigabytes": snap.get("size_gigabytes", 2.5), "tags": []}
            self.s.snapshots[ident] = record
            made["snapshots"].append(record)
        for lb in body.get("load_balancers", []):
            ident = lb.get("id", str(uuid.uuid4()))
            record = {"id": ident, "name": lb["name"], "status": "active", "tag": lb.get("tag", ""),
                      "droplet_ids": [], "region": {"slug": lb.get("region", "fra1"), "name": lb.get("region", "fra1")},
                      "forwarding_rules": [{"entry_protocol": "http", "entry_port": 80, "target_protocol": "http", "target_port": 80}]}
            if record["tag"]:
                self.s.tags.add(record["tag"])
            self.s.balancers[ident] = record
            made["load_balancers"].append(record)
        for tag in body.get("tags", []):
            self.s.tags.add(tag)
        for droplet in body.get("droplets", []):
            record = self.new_droplet(droplet["name"], droplet.get("tags", []), droplet.get("status", "active"),
                                      droplet.get("size", "s-2vcpu-4gb"), droplet.get("region", "fra1"))
            self.s.tags.update(record["tags"])
            made["droplets"].append(self.public(record))
        return 201, made


class Handler(hetzner_fake.Handler):
    """The Hetzner fake's HTTP plumbing (methods, replies, kill -9 of the client) with DigitalOcean's
    errors, headers and test paths."""
    server_version = "digitalocean-fake/1"

    def handle_any(self, method):
        state, api = self.server.state, self.server.api
        url, query, raw = self.read_request()
        with state.lock:
            if url.path.startswith("/__"):
                return self.test_path(method, url.path, raw)
            request_id = str(uuid.uuid4())
            headers = {"x-request-id": request_id}
            auth = self.headers.get("Authorization")
            record = {"method": method, "path": url.path, "query": query, "body": None, "request_id": request_id,
                      "auth": "ok" if auth == "Bearer " + state.token else ("missing" if auth is None else "wrong")}
            state.requests.append(record)
            state.stats["requests"] += 1
            state.tick()
            lost = truncated = False
            kill = None
            try:
                if raw:
                    try:
                        record["body"] = json.loads(raw)
                    except ValueError:
                        raise ApiError(400, "bad_request", "the request body is not valid JSON")
                allowed, limit_headers, retry = state.spend()
                headers.update(limit_headers)
                if not allowed:
                    after = state.faults.retry_after if state.faults.retry_after is not None else retry
                    raise ApiError(429, "too_many_requests", "API rate limit exceeded.", headers={"retry-after": str(after)})
                if record["auth"] != "ok":
                    raise ApiError(401, "unauthorized", "Unable to authenticate you.")
                kill = state.faults.kill_due() or state.faults.kill_match(method, url.path)
                if kill is not None and not kill["carried_out"]:
                    return self.kill_client(kill)
                fault = state.faults.match(method, url.path, record["body"], auth)
                if isinstance(fault, ApiError):
                    raise fault
                lost = fault == "lost"
                status, payload = api.route(method, url.path, query, record["body"])
                truncated = state.faults.truncate(method)
            except ApiError as error:
                headers.update(error.headers)
                status = error.status
                payload = error.raw if error.raw is not None else {"id": error.code, "message": error.message, "request_id": request_id}
            if kill is not None:
                return self.kill_client(kill)
            self.answer(record, status, payload, headers, lost, truncated)

    def test_path(self, method, path, raw):
        state, api = self.server.state, self.server.api
        body = json.loads(raw) if raw else {}
        if method == "GET" and path == "/__requests":
            return self.reply(200, {"requests": state.requests})
        if method == "GET" and path == "/__state":
            state.tick()
            return self.reply(200, {"droplets": [api.public(d) for d in api.listed()],
                                    "load_balancers": list(state.balancers.values()), "tags": sorted(state.tags),
                                    "snapshots": list(state.snapshots.values()), "stats": state.stats})
        if method == "POST" and path == "/__faults":
            try:
                state.faults.update(body, state)
            except ValueError as error:
                return self.reply(400, {"id": "bad_request", "message": str(error)})
            return self.reply(200, {"ok": True})
        if method == "POST" and path == "/__seed":
            return self.reply(*api.seed(body))
        return self.reply(404, {"id": "not_found", "message": "no test path " + path})


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--token", default="fake-token")
    args = parser.parse_args()
    hetzner_faults.KNOBS.update({"burst", "kill_on"})
    ThreadingHTTPServer.request_queue_size = 128
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    server.state = State(args.token)
    server.api = Api(server.state, "http://127.0.0.1:%d/v2" % server.server_address[1])
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
