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
/// to 32 MiB come from the heap, and up to `retainedMiB` of free heap is kept.
///
/// Those two settings govern the main arena only. Work on Swift's cooperative threads
/// allocated from per-thread arenas, whose extra 64 MiB heaps glibc unmaps as soon as they are
/// empty: `cryptoviz compact` created and unmapped ten of them, and `unmap_page_range` plus the
/// faults to map them again were about 18 % of its CPU (`perf record`, `bench compact`). One
/// arena (`M_ARENA_MAX`) keeps everything under the rules above; small allocations still come
/// from each thread's cache without a lock. A `GLIBC_TUNABLES` setting in the environment wins.
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
        _ = mallopt(-8, 1)  // M_ARENA_MAX
        #endif
    }
}
