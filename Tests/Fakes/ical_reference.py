"""Reference expansion for the iCalendar differential test (Tests/ScaleCalendarTests).

Reads each file with icalendar + recurring-ical-events (PyPI) and prints, as one JSON object keyed
by path, the occurrences that START in each window, cancelled ones (STATUS:CANCELLED) left out,
as [start, end, uid] in seconds since 1970 UTC. All-day events and floating times are read in
X-WR-TIMEZONE when the file names one, else in --zone; that is what scalectl does.

usage: ical_reference.py --zone Europe/Madrid --window FROM,TO [--window ...] FILE...
       ical_reference.py --zone Europe/Madrid --jobs  (stdin: [{"file": F, "windows": [[FROM, TO], ...]}, ...])
"""
import argparse
import datetime
import json
import sys
import zoneinfo

import icalendar
import recurring_ical_events


def instant(value, zone):
    if not isinstance(value, datetime.datetime):
        value = datetime.datetime(value.year, value.month, value.day)
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone)
    return int(value.timestamp())


def expand(path, default_zone, windows):
    with open(path, "rb") as handle:
        calendar = icalendar.Calendar.from_ical(handle.read())
    zone = default_zone
    name = calendar.get("X-WR-TIMEZONE")
    if name is not None:
        zone = zoneinfo.ZoneInfo(str(name))
    query = recurring_ical_events.of(calendar)
    result = []
    for low, high in windows:
        lo = datetime.datetime.fromtimestamp(low - 3 * 86400, datetime.timezone.utc)
        hi = datetime.datetime.fromtimestamp(high + 3 * 86400, datetime.timezone.utc)
        found = []
        for event in query.between(lo, hi):
            if str(event.get("STATUS", "")).upper() == "CANCELLED":
                continue
            start = instant(event["DTSTART"].dt, zone)
            end = instant(event["DTEND"].dt, zone) if "DTEND" in event else start
            if low <= start < high:
                found.append([start, end, str(event.get("UID", ""))])
        result.append({"from": low, "to": high, "occurrences": sorted(found)})
    return result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--zone", required=True)
    parser.add_argument("--window", action="append", default=[])
    parser.add_argument("--jobs", action="store_true")
    parser.add_argument("files", nargs="*")
    arguments = parser.parse_args()
    zone = zoneinfo.ZoneInfo(arguments.zone)
    windows = [tuple(int(x) for x in w.split(",")) for w in arguments.window]
    jobs = [(path, windows) for path in arguments.files]
    if arguments.jobs:
        jobs = [(job["file"], [tuple(w) for w in job["windows"]]) for job in json.load(sys.stdin)]
    out = {}
    for path, windows in jobs:
        try:
            out[path] = {"windows": expand(path, zone, windows)}
        except Exception as error:  # the reference refuses the file
            out[path] = {"error": f"{type(error).__name__}: {error}"[:300]}
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
