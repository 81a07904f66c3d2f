extension EventComponent {
    /// Where an occurrence starting at `start` ends. Lengths are added on the wall clock, as widely used
    /// implementations do; where RFC 5545's exact durations (hours, or DTEND minus DTSTART) would give
    /// another instant, because a daylight-saving change falls inside, the event is refused.
    func end(of start: Moment, length: Length? = nil, base: Moment? = nil, local: Zone) throws(CalendarError) -> Moment {
        let base = base ?? self.start
        let zone = start.zone(local: local)
        let startInstant = start.instant(local: local)
        var wall: Wall
        var exact: Int?
        var line = startLine
        switch length ?? self.length {
        case .none:
            wall = Wall(seconds: start.wall.seconds + (start.isDate ? 86_400 : 0))
        case .end(let end, let endLine):
            line = endLine
            if start.isDate || end.kind == base.kind {
                wall = Wall(seconds: start.wall.seconds + (end.wall.seconds - base.wall.seconds))
                if !start.isDate { exact = end.instant(local: local) - base.instant(local: local) }
            } else {
                let delta = end.instant(local: local) - base.instant(local: local)
                wall = Wall(seconds: start.wall.seconds + delta)
                exact = delta
            }
        case .duration(let duration, let durationLine):
            line = durationLine
            wall = Wall(seconds: start.wall.seconds + duration.days * 86_400 + duration.seconds)
            if !start.isDate, duration.seconds != 0 {
                exact = zone.instant(Wall(seconds: start.wall.seconds + duration.days * 86_400)) + duration.seconds - startInstant
            }
        }
        let endInstant = zone.instant(wall)
        guard endInstant >= startInstant, wall >= start.wall else {
            throw CalendarError(line: line, "the event ends before it starts (\(wall.text) is before \(start.wall.text))")
        }
        if let exact, endInstant - startInstant != exact {
            throw CalendarError(line: line, "the occurrence starting \(start.wall.text) \(zone.identifier) spans a daylight-saving change: an exact length of \(exact / 60) min and the wall-clock length \((endInstant - startInstant) / 60) min differ, and applications disagree; refused")
        }
        return Moment(wall: wall, kind: start.kind)
    }

    /// Starts and ends of the series (DTSTART, RRULEs, RDATEs) near `[from, to)`, before EXDATE and changes.
    func expand(from: Int, to: Int, local: Zone) throws(CalendarError) -> [(Moment, Moment)] {
        let baseEnd = try end(of: start, local: local)
        var reach = baseEnd.instant(local: local) - start.instant(local: local)
        for extra in rdates {
            let end = try end(of: extra.moment, length: extra.end ?? self.length, base: extra.end == nil ? start : extra.moment, local: local)
            reach = max(reach, end.instant(local: local) - extra.moment.instant(local: local))
        }
        let low = Wall(seconds: from - reach - 2 * 86_400)
        let high = Wall(seconds: to + 2 * 86_400)
        var found: [Int: (Moment, Length?)] = [:]
        func add(_ moment: Moment, _ length: Length?) {
            let key = moment.instant(local: local)
            if found[key] == nil || length != nil { found[key] = (moment, length) }
        }
        let zone = start.zone(local: local)
        var lastUntil: Moment?
        for rule in rules {
            if let count = rule.count {
                let first = try rule.starts(from: start.wall, isDate: start.isDate, low: start.wall, high: Wall(seconds: start.wall.seconds + 1)) { _ in false }
                if first.first != start.wall {
                    throw CalendarError(line: rule.line, "DTSTART \(start.wall.text) is not itself an occurrence of this RRULE with COUNT=\(count): RFC 5545 counts it, common implementations do not; refused")
                }
            }
            let until = rule.until
            if let until, until.wall > (lastUntil?.wall ?? Wall(seconds: Int.min)) { lastUntil = until }
            let walls = try rule.starts(from: start.wall, isDate: start.isDate, low: low, high: high) { wall in
                until.map { Self.beyond(wall, start: start, until: $0, zone: zone) } ?? false
            }
            for wall in walls { add(Moment(wall: wall, kind: start.kind), nil) }
        }
        if lastUntil.map({ !Self.beyond(start.wall, start: start, until: $0, zone: zone) }) ?? true { add(start, nil) }
        for extra in rdates { add(extra.moment, extra.end) }
        var result: [(Moment, Moment)] = []
        for key in found.keys.sorted() {
            guard let (moment, length) = found[key] else { continue }
            let instant = moment.instant(local: local)
            guard instant < to + 86_400 * 2, instant >= from - reach - 86_400 * 2 else { continue }
            let end = try end(of: moment, length: length ?? self.length, base: length == nil ? start : moment, local: local)
            result.append((moment, end))
        }
        return result
    }

    /// Whether the series has an occurrence (not excluded) that a RECURRENCE-ID names, looking on its day.
    func hasOccurrence(at id: Moment, local: Zone) throws(CalendarError) -> Bool {
        let day = id.zone(local: local).instant(Wall(days: id.wall.days))
        let keys = Series.keys(id, local: local)
        for (start, _) in try expand(from: day, to: day + 86_400, local: local) {
            let instant = start.instant(local: local)
            guard instant >= day, instant < day + 86_400 else { continue }
            let startKeys = Series.keys(start, local: local)
            if try Series.excluded(start, keys: startKeys, instant: instant, by: exdates, local: local) { continue }
            if !startKeys.isDisjoint(with: keys) { return true }
        }
        return false
    }

    /// Whether a wall-clock start is after UNTIL, compared as DTSTART's type requires.
    static func beyond(_ wall: Wall, start: Moment, until: Moment, zone: Zone) -> Bool {
        switch (start.kind, until.kind) {
        case (.date, _): return wall.days > until.wall.days
        case (.floating, _): return wall > until.wall
        default: return zone.instant(wall) > Zone.utc.instant(until.wall)
        }
    }

    func occurrence(start: Moment, end: Moment, recurrenceID: Int, local: Zone) -> Occurrence {
        Occurrence(
            uid: uid, recurrenceID: recurrenceID, line: line, summary: summary, description: description,
            start: start.instant(local: local), end: end.instant(local: local), isAllDay: start.isDate,
            zone: start.zone(local: local).identifier, extra: extra)
    }
}
