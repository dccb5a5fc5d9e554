import CryptoVizCore

/// ISO dates (`YYYY-MM-DD`) as Delta serializes `date` partition values and statistics.
enum CivilDateText {
    static func string(daysSinceEpoch: Int) -> String {
        CivilDate(daysSinceEpoch: daysSinceEpoch).description
    }

    static func daysSinceEpoch(_ text: String) -> Int? {
        CivilDate(iso: text)?.daysSinceEpoch
    }
}
