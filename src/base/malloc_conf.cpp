// jemalloc's options, read when it starts (jemalloc(3), "malloc_conf"; MALLOC_CONF in the
// environment still overrides them): its memory in transparent huge pages where the kernel
// allows them on request (the "madvise" mode most distributions ship). With 4 KiB pages, the
// first write to each new page of the heap is a page fault, and on a virtual machine a fault
// costs microseconds: khien hunt over 213 MB of JSON Lines took 18,600 of them, 2,400 with
// huge pages, and a fifth less time. Only in programs linked with jemalloc (KHIEN_JEMALLOC).
extern "C" {
// NOLINTNEXTLINE(cppcoreguidelines-avoid-non-const-global-variables): the name and type jemalloc looks for
const char* malloc_conf = "thp:always,metadata_thp:auto";
}
