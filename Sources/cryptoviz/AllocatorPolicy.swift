#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// How glibc's malloc keeps freed memory, set once at start.
///
/// By default glibc maps every block above a (dynamic, at most 32 MiB) threshold with mmap and
/// returns it on free, and trims the heap top past 128 KiB; the engine allocates column arrays
/// of tens of MiB per file, so each scan or write faulted its memory in afresh and the kernel
/// zeroed every page (a quarter of a Parquet read's CPU in `perf`). Arrow's allocators
/// (jemalloc, mimalloc) keep such memory for reuse; this does the same within glibc: blocks up
/// to 32 MiB come from the heap, and up to `retainedMiB` of free heap is kept. A
/// `GLIBC_TUNABLES` setting in the environment wins.
enum AllocatorPolicy {
    static let mmapThresholdMiB: Int32 = 32
    static let retainedMiB: Int32 = 512

    static func apply(environment: [String: String] = ProcessInfo.processInfo.environment) {
        #if canImport(Glibc)
        guard environment["GLIBC_TUNABLES"] == nil else { return }
        // <malloc.h> is not part of Swift's Glibc module: look `mallopt` up by name, with the
        // parameter numbers malloc.h defines (M_TRIM_THRESHOLD -1, M_MMAP_THRESHOLD -3).
        typealias MallOpt = @convention(c) (Int32, Int32) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return }
        let mallopt = unsafeBitCast(symbol, to: MallOpt.self)
        _ = mallopt(-3, mmapThresholdMiB << 20)
        _ = mallopt(-1, retainedMiB << 20)
        #endif
    }
}
