import Lakehouse

/// The Delta tick table is the processor's lake: its appends carry `txn` actions.
extension TickTable: LakeWriter {}
