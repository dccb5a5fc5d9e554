/// A value of a column added to the candles table after its creation (schema evolution):
/// `CandleRecord.extra` carries such values by column name, and an absent name is a null.
public enum CandleExtraValue: Sendable, Hashable {
    case string(String)
    case long(Int64)
    case double(Double)
    case boolean(Bool)
    /// Unix ms, stored as a Delta `timestamp`.
    case timestampMillis(Int64)

    /// The Delta types an added candles column may have (those the writer can fill).
    static let supportedTypes: [DeltaDataType] = [.string, .long, .double, .boolean, .timestamp]
}
