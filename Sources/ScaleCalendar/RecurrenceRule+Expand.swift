extension RecurrenceRule {
    /// The most periods (days, weeks, months or years) walked for one rule before the rule is refused.
    static let maxPeriods = 4_000_000
    /// The most candidate days examined for one rule before the rule is refused.
    static let maxDays = 3_000_000

    /// Wall-clock starts of the rule's occurrences, in order, that are at or after `low` and before
    /// `high`. Without COUNT the walk starts at the period before `low` instead of at DTSTART;
    /// `beyondUntil` says whether a start is after UNTIL (compared as the caller's zone requires).
    /// - Throws: ``CalendarError`` when the walk would take more than ``maxPeriods`` periods.
    func starts(from start: Wall, isDate: Bool, low: Wall, high: Wall, beyondUntil: (Wall) -> Bool) throws(CalendarError) -> [Wall] {
        let startDay = start.days
        let (y0, m0, d0) = Civil.date(startDay)
        let weekday0 = Civil.weekday(startDay)
        // Defaults taken from DTSTART (RFC 5545 §3.3.10 and what dateutil does).
        var months = byMonth
        var monthDays = byMonthDay
        var weekdays = byDay
        if byWeekNo.isEmpty, byYearDay.isEmpty, byMonthDay.isEmpty, byDay.isEmpty {
            switch frequency {
            case .yearly:
                if months.isEmpty { months = [m0] }
                monthDays = [d0]
            case .monthly: monthDays = [d0]
            case .weekly: weekdays = [WeekdayNumber(ordinal: 0, weekday: weekday0)]
            case .daily: break
            }
        }
        let plainDays = Set(weekdays.filter { $0.ordinal == 0 }.map(\.weekday))
        let numbered = weekdays.filter { $0.ordinal != 0 }
        let monthSet = Set(months)
        let times: [Int]
        if isDate {
            times = [0]
        } else {
            let t = start.timeOfDay
            let hours = byHour.isEmpty ? [t / 3600] : Array(Set(byHour)).sorted()
            let minutes = byMinute.isEmpty ? [t / 60 % 60] : Array(Set(byMinute)).sorted()
            let seconds = bySecond.isEmpty ? [t % 60] : Array(Set(bySecond)).sorted()
            times = hours.flatMap { h in minutes.flatMap { m in seconds.map { s in h * 3600 + m * 60 + s } } }
        }

        func matches(_ day: Int) -> Bool {
            let (y, m, d) = Civil.date(day)
            if !monthSet.isEmpty, !monthSet.contains(m) { return false }
            if !plainDays.isEmpty, !plainDays.contains(Civil.weekday(day)) { return false }
            if !monthDays.isEmpty {
                let length = Civil.daysInMonth(y, m)
                if !monthDays.contains(where: { $0 > 0 ? $0 == d : length + $0 + 1 == d }) { return false }
            }
            if !byYearDay.isEmpty {
                let index = day - Civil.days(y, 1, 1) + 1
                let length = Civil.daysInYear(y)
                if !byYearDay.contains(where: { $0 > 0 ? $0 == index : length + $0 + 1 == index }) { return false }
            }
            if !byWeekNo.isEmpty, !weekNumberMatches(day, year: y) { return false }
            if !numbered.isEmpty, !numberedMatches(day, year: y, month: m, numbered: numbered, monthScoped: frequency == .monthly || !byMonth.isEmpty) {
                return false
            }
            return true
        }

        // The first period to walk: DTSTART's, or with no COUNT the one just before `low`.
        let weekStart0 = startDay - (weekday0 - weekStart + 7) % 7
        let monthIndex0 = y0 * 12 + (m0 - 1)
        var period = 0
        if count == nil, low > start {
            let (ly, lm, _) = Civil.date(low.days)
            switch frequency {
            case .daily: period = (low.days - startDay) / interval - 1
            case .weekly: period = (low.days - weekStart0) / (7 * interval) - 1
            case .monthly: period = (ly * 12 + lm - 1 - monthIndex0) / interval - 1
            case .yearly: period = (ly - y0) / interval - 1
            }
            period = max(0, period)
        }
        var result: [Wall] = []
        var emitted = 0
        var walked = 0
        var examined = 0
        let lastDay = Civil.days(Civil.maxYear, 12, 31)
        while true {
            walked += 1
            guard walked <= Self.maxPeriods else {
                throw CalendarError(line: line, "the RRULE needs more than \(Self.maxPeriods) steps from DTSTART to reach the dates asked for (COUNT with a very old DTSTART)")
            }
            let days: [Int]
            switch frequency {
            case .daily:
                days = [startDay + period * interval]
            case .weekly:
                let first = weekStart0 + period * 7 * interval
                days = Array(first..<(first + 7))
            case .monthly:
                let index = monthIndex0 + period * interval
                let (y, m) = (index / 12, index % 12 + 1)
                guard y <= Civil.maxYear else { return result }
                let first = Civil.days(y, m, 1)
                days = Array(first..<(first + Civil.daysInMonth(y, m)))
            case .yearly:
                let y = y0 + period * interval
                guard y <= Civil.maxYear else { return result }
                if months.isEmpty || !byWeekNo.isEmpty || !byYearDay.isEmpty {
                    let first = Civil.days(y, 1, 1)
                    days = Array(first..<(first + Civil.daysInYear(y)))
                } else {
                    days = months.sorted().flatMap { m in
                        let first = Civil.days(y, m, 1)
                        return Array(first..<(first + Civil.daysInMonth(y, m)))
                    }
                }
            }
            guard let firstDay = days.first, firstDay <= lastDay, firstDay <= high.days else { return result }
            examined += days.count
            guard examined <= Self.maxDays else {
                throw CalendarError(line: line, "the RRULE needs more than \(Self.maxDays) candidate days to reach the dates asked for (a rule that rarely matches, from a very old DTSTART)")
            }
            let chosen = days.filter(matches)
            var walls: [Wall]
            if bySetPos.isEmpty {
                walls = chosen.flatMap { day in times.map { Wall(days: day, time: $0) } }
            } else {
                var picked = Set<Wall>()
                let all = chosen.count * times.count
                for position in bySetPos {
                    let index = position > 0 ? position - 1 : all + position
                    guard index >= 0, index < all else { continue }
                    picked.insert(Wall(days: chosen[index / times.count], time: times[index % times.count]))
                }
                walls = picked.sorted()
            }
            for wall in walls where wall >= start {
                if beyondUntil(wall) || wall >= high { return result }
                emitted += 1
                if wall >= low { result.append(wall) }
                if let count, emitted >= count { return result }
            }
            period += 1
        }
    }

    /// Whether a day of `year` is in one of the BYWEEKNO weeks (weeks start on WKST; week 1 is the
    /// first with at least four days in the year).
    private func weekNumberMatches(_ day: Int, year: Int) -> Bool {
        func firstWeek(_ y: Int) -> Int {
            let jan1 = Civil.days(y, 1, 1)
            let toWeekStart = (7 - Civil.weekday(jan1) + weekStart) % 7
            return toWeekStart >= 4 ? jan1 + toWeekStart - 7 : jan1 + toWeekStart
        }
        var weekYear = year
        if day >= firstWeek(year + 1) { weekYear = year + 1 } else if day < firstWeek(year) { weekYear = year - 1 }
        let number = (day - firstWeek(weekYear)) / 7 + 1
        let weeks = (firstWeek(weekYear + 1) - firstWeek(weekYear)) / 7
        return byWeekNo.contains { $0 > 0 ? $0 == number : weeks + $0 + 1 == number }
    }

    /// Whether a day is the nth (or nth-from-last) of its weekday in its month (MONTHLY, or YEARLY
    /// with BYMONTH) or in its year.
    private func numberedMatches(_ day: Int, year: Int, month: Int, numbered: [WeekdayNumber], monthScoped: Bool) -> Bool {
        let first = monthScoped ? Civil.days(year, month, 1) : Civil.days(year, 1, 1)
        let last = monthScoped ? first + Civil.daysInMonth(year, month) - 1 : first + Civil.daysInYear(year) - 1
        let weekday = Civil.weekday(day)
        let fromStart = (day - first) / 7 + 1
        let fromEnd = -((last - day) / 7 + 1)
        return numbered.contains { $0.weekday == weekday && ($0.ordinal == fromStart || $0.ordinal == fromEnd) }
    }
}
