/// All VEVENTs of one UID: the current revision of the series (highest SEQUENCE, then latest
/// LAST-MODIFIED) and its changed or cancelled occurrences (RECURRENCE-ID).
public struct Series: Sendable {
    public let uid: String
    let core: EventComponent?
    let changes: [EventComponent]

    init(uid: String, components: [EventComponent]) throws(CalendarError) {
        self.uid = uid
        var core: EventComponent?
        var changes: [Int: EventComponent] = [:]
        var order: [Int] = []
        for component in components {
            if let id = component.recurrenceID {
                let key = id.wall.seconds
                if let other = changes[key] {
                    changes[key] = try Self.newer(other, component)
                } else {
                    changes[key] = component
                    order.append(key)
                }
            } else {
                core = try core.map { old throws(CalendarError) in try Self.newer(old, component) } ?? component
            }
        }
        self.core = core
        self.changes = order.compactMap { changes[$0] }
    }

    /// The later revision: higher SEQUENCE, then later LAST-MODIFIED. Two revisions that cannot be told
    /// apart are refused.
    private static func newer(_ a: EventComponent, _ b: EventComponent) throws(CalendarError) -> EventComponent {
        if a.sequence != b.sequence { return a.sequence > b.sequence ? a : b }
        if let x = a.lastModified, let y = b.lastModified, x != y { return x > y ? a : b }
        if a.fingerprint == b.fingerprint { return a }
        throw CalendarError(line: b.line, "the VEVENT repeats UID \(a.uid.prefix(60)) (line \(a.line)) with the same SEQUENCE and no later LAST-MODIFIED: which revision is current is unclear")
    }

    /// The occurrences that overlap `[from, to)`, cancelled ones left out.
    func occurrences(from: Int, to: Int, local: Zone) throws(CalendarError) -> [Occurrence] {
        var result: [Occurrence] = []
        var exdates: [(Moment, line: Int)] = []
        if let core {
            exdates = core.exdates
            let keysOfChanges = changes.compactMap { change in change.recurrenceID.map { (Self.keys($0, local: local), change) } }
            for (start, end) in try core.expand(from: from, to: to, local: local) {
                let keys = Self.keys(start, local: local)
                let instant = start.instant(local: local)
                if try Self.excluded(start, keys: keys, instant: instant, by: core.exdates, local: local) { continue }
                var replaced = false
                for (changeKeys, change) in keysOfChanges where !changeKeys.isDisjoint(with: keys) {
                    guard let id = change.recurrenceID, try Self.same(id, start, local: local, line: change.recurrenceIDLine, what: "RECURRENCE-ID") else { continue }
                    replaced = true
                }
                if replaced || core.cancelled { continue }
                let occurrence = core.occurrence(start: start, end: end, recurrenceID: instant, local: local)
                if Self.overlaps(occurrence, from: from, to: to) { result.append(occurrence) }
            }
        }
        for change in changes {
            guard let id = change.recurrenceID, !change.cancelled else { continue }
            let keys = Self.keys(id, local: local)
            if exdates.contains(where: { !Self.keys($0.0, local: local).isDisjoint(with: keys) }) { continue }
            if let core, change.isRecurring, change.sequence < core.sequence, try !core.hasOccurrence(at: id, local: local) {
                continue  // an outdated copy of the series for an occurrence the current series no longer has
            }
            let end = try change.end(of: change.start, local: local)
            let occurrence = change.occurrence(start: change.start, end: end, recurrenceID: id.instant(local: local), local: local)
            if Self.overlaps(occurrence, from: from, to: to) { result.append(occurrence) }
        }
        return result
    }

    static func overlaps(_ o: Occurrence, from: Int, to: Int) -> Bool {
        o.start == o.end ? (from <= o.start && o.start < to) : (o.start < to && o.end > from)
    }

    /// How occurrences are matched to RECURRENCE-ID and EXDATE values: by the UTC time or by the
    /// wall-clock time (what widely used implementations do); callers refuse matches that differ in instant.
    static func keys(_ moment: Moment, local: Zone) -> Set<Int> {
        switch moment.kind {
        case .date, .floating: return [moment.wall.seconds]
        case .utc, .zoned: return [moment.instant(local: local), moment.wall.seconds]
        }
    }

    /// Whether a RECURRENCE-ID or EXDATE value whose keys match an occurrence's names that occurrence:
    /// the same instant; the same wall-clock time when either is floating or a date (Outlook writes
    /// midnight date-times for all-day occurrences). A match only by wall-clock time across two zones,
    /// or only by the UTC digits, is refused as ambiguous.
    static func same(_ id: Moment, _ start: Moment, local: Zone, line: Int, what: String) throws(CalendarError) -> Bool {
        if id.instant(local: local) == start.instant(local: local), !start.isDate { return true }
        let floatingSide = start.isDate || id.isDate || id.kind == .floating || start.kind == .floating
        if floatingSide, id.wall == start.wall { return true }
        throw CalendarError(line: line, "\(what) \(id.wall.text) matches the occurrence at \(start.wall.text) only by its wall-clock time or UTC digits in another zone: refused as ambiguous")
    }

    static func excluded(_ start: Moment, keys: Set<Int>, instant: Int, by exdates: [(Moment, line: Int)], local: Zone) throws(CalendarError) -> Bool {
        for (exdate, line) in exdates {
            if exdate.isDate, exdate.wall.days == start.wall.days { return true }
            guard !Self.keys(exdate, local: local).isDisjoint(with: keys) else { continue }
            if try same(exdate, start, local: local, line: line, what: "EXDATE") { return true }
        }
        return false
    }
}
