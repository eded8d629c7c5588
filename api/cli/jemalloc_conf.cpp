// jemalloc's options for every executable that links dialogue::allocator (the dialogue server and
// the benchmarks; CMakeLists.txt). jemalloc reads them at its first allocation; the MALLOC_CONF
// environment variable still overrides them.
//  - thp:always: the heap on transparent huge pages wherever the kernel allows them (its setting
//    "always" or "madvise"). Building the read models at start-up spent a fifth of its time in
//    page faults: on 1M events start-up fell from 2.3 s to 1.5 s (docs/performance.md).
//  - percpu_arena:percpu: one arena per CPU instead of four. Huge pages cost memory at the edges
//    of each arena's extents; fewer arenas keep that to ~10 MB on 1M events.
extern "C" {
const char* malloc_conf = "thp:always,percpu_arena:percpu";
}
