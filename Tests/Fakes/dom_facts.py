"""Reads a DOM serialized by `chromium --dump-dom` on stdin and prints, as JSON, what the page tests check:
the data attributes of the fleet's role and node rows and of the event paragraph, the text of every
element of class event-name, the page's whole text, and how many <script> elements the DOM has.
Python's standard html.parser only (https://docs.python.org/3/library/html.parser.html)."""
import json
import sys
from html.parser import HTMLParser


class Facts(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.roles, self.nodes, self.event, self.names, self.scripts = {}, [], None, [], 0
        self.text, self.stack, self.capture = [], [], None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        classes = (a.get("class") or "").split()
        self.stack.append(tag)
        if tag == "script":
            self.scripts += 1
        if tag == "tr" and "role" in classes:
            self.roles[a["data-role"]] = {k[5:]: int(v) for k, v in a.items() if k.startswith("data-") and k != "data-role"}
        if tag == "tr" and "node" in classes:
            self.nodes.append({"name": a["data-node"], "role": a["data-role"]})
        if a.get("id") == "event":
            self.event = {k[5:]: v for k, v in a.items() if k.startswith("data-")}
        if "event-name" in classes:
            self.capture = len(self.stack)
            self.names.append("")

    def handle_endtag(self, tag):
        if self.capture == len(self.stack):
            self.capture = None
        if self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if self.stack and self.stack[-1] in ("style", "script", "title"):
            return
        self.text.append(data)
        if self.capture is not None:
            self.names[-1] += data


facts = Facts()
facts.feed(sys.stdin.read())
print(json.dumps({"roles": facts.roles, "nodes": facts.nodes, "event": facts.event, "eventNames": facts.names,
                  "scripts": facts.scripts, "text": " ".join(" ".join(facts.text).split())}))
