import Pipeline
import Server

extension MaintenanceDTO {
    /// The schedule's record as the API shows it.
    init(_ log: LakeMaintenanceLog.Snapshot) {
        func run(_ r: LakeMaintenanceLog.Run) -> MaintenanceRunDTO {
            MaintenanceRunDTO(table: r.table, atMs: r.atMillis, version: r.version, filesRemoved: r.filesRemoved, filesAdded: r.filesAdded)
        }
        self.init(compactEverySeconds: log.compactEverySeconds, compactMinFiles: log.compactMinFiles,
                  vacuumEverySeconds: log.vacuumEverySeconds, vacuumRetentionHours: log.vacuumRetentionHours,
                  nextCompactionMs: log.nextCompactionMillis, nextVacuumMs: log.nextVacuumMillis,
                  compactions: log.compactions.map(run), vacuums: log.vacuums.map(run), lastError: log.lastError)
    }
}
