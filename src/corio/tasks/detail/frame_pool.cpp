// @chapter 05
#include <corio/tasks/detail/frame_pool.hpp>

#include <sys/mman.h>

#include <atomic>
#include <cstdint>
#include <mutex>
#include <new>
#include <utility>

#if defined(__SANITIZE_ADDRESS__)
#define CORIO_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CORIO_ASAN 1
#endif
#endif

#ifdef CORIO_ASAN
#include <sanitizer/asan_interface.h>
#endif

namespace corio::detail {

#ifdef CORIO_NO_FRAME_POOL

void* frame_alloc(std::size_t size) { return ::operator new(size); }
void frame_free(void* frame, std::size_t) noexcept { ::operator delete(frame); }

#else

namespace {

constexpr std::size_t kGrain = 8;
constexpr std::size_t kClasses = 127;        // 16, 24, ... 1024 bytes
constexpr std::size_t kAlign = 16;           // what operator new promises
constexpr std::size_t kChunk = 2048 * 1024;  // new frames are carved from chunks, aligned to their size

// A free frame holds its own list link; one freed on another thread also
// says its size class, since the owner sorts it later.
struct FreeFrame {
  FreeFrame* next;
  std::size_t size_class;
};

// Under AddressSanitizer a free frame is poisoned, so a coroutine resumed
// after its frame was freed is reported even though the pool keeps the memory.
#ifdef CORIO_ASAN
void poison(void* p, std::size_t n) { ASAN_POISON_MEMORY_REGION(p, n); }
void unpoison(void* p, std::size_t n) { ASAN_UNPOISON_MEMORY_REGION(p, n); }
#else
void poison(void*, std::size_t) {}
void unpoison(void*, std::size_t) {}
#endif

constexpr std::size_t class_bytes(std::size_t c) { return (c + 2) * kGrain; }
static_assert(class_bytes(0) >= sizeof(FreeFrame));

struct Home;

// The first 16 bytes of every chunk: which home it belongs to, and the next
// chunk of that home. Chunks are aligned to kChunk, so a frame finds its
// chunk's header by masking its address.
struct ChunkHeader {
  Home* home;
  ChunkHeader* next;
};
static_assert(sizeof(ChunkHeader) <= kAlign);

// A chunk's pages are faulted in a step at a time, as frames reach each
// step (MADV_POPULATE_WRITE, Linux 5.14): one system call, where touching
// the pages one by one traps into the kernel 16 times. A step, not the whole
// chunk, so that the pages past the last frame stay out of memory. An older
// kernel refuses the advice, and the pages come one fault at a time, as
// they would anyway, so the answer is not checked. (A chunk in a huge page,
// below, comes whole at its first step; the later steps find it there.)
constexpr std::size_t kStep = 64 * 1024;
void fault_in([[maybe_unused]] std::uintptr_t step) {
#ifndef CORIO_ASAN
  ::madvise(reinterpret_cast<void*>(step), kStep, MADV_POPULATE_WRITE);
#endif
}

// A new chunk, straight from mmap and aligned by mapping twice its size and
// unmapping the rest: malloc's aligned path writes bookkeeping into a page
// beside every chunk, which would count in every task's resident bytes.
// A chunk is the size of a huge page (2 MiB, with 4 KiB pages). A pool's
// first chunk (its home's, which a thread that adopts the home inherits) is
// asked to stay in small pages, so that a program of a few tasks holds a few
// steps of it, as before. Later chunks go to a pool that already made
// thousands of frames, and each is asked for a huge page:
// one fault and one page-table entry instead of 512, for up to 2 MiB held
// unused in the last one (decision 183). Where the kernel has no
// transparent huge pages the advice is refused, and the steps fault small
// pages in, as in the first chunk.
// Under AddressSanitizer the chunk comes from operator new, so that its leak
// checker still sees the pointers that live frames hold.
ChunkHeader* map_chunk([[maybe_unused]] bool first) {
#ifdef CORIO_ASAN
  return static_cast<ChunkHeader*>(::operator new(kChunk, std::align_val_t(kChunk)));
#else
  void* mapped = ::mmap(nullptr, 2 * kChunk, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (mapped == MAP_FAILED) throw std::bad_alloc();
  auto start = reinterpret_cast<std::uintptr_t>(mapped);
  std::uintptr_t aligned = (start + kChunk - 1) & ~(kChunk - 1);
  if (aligned > start) ::munmap(mapped, aligned - start);
  std::uintptr_t tail = aligned + kChunk;
  if (start + 2 * kChunk > tail) ::munmap(reinterpret_cast<void*>(tail), start + 2 * kChunk - tail);
  ::madvise(reinterpret_cast<void*>(aligned), kChunk, first ? MADV_NOHUGEPAGE : MADV_HUGEPAGE);
  return reinterpret_cast<ChunkHeader*>(aligned);
#endif
}

ChunkHeader* chunk_of(void* frame) {
  return reinterpret_cast<ChunkHeader*>(reinterpret_cast<std::uintptr_t>(frame) & ~(kChunk - 1));
}

// What outlives a thread: its chunks, the frames other threads gave back,
// and (while no thread owns it) its free lists. A home is never freed: when
// its thread ends, the home waits, with every frame still alive in it, for
// the next thread that needs a pool, which adopts it whole.
struct Home {
  std::atomic<FreeFrame*> returned{nullptr};  // frames freed on other threads
  ChunkHeader* chunks = nullptr;
  FreeFrame* lists[kClasses] = {};  // kept here between owners
  char* cursor = nullptr;
  char* end = nullptr;
  bool owned = true;
  Home* next_home = nullptr;  // every home ever made, so none is ever lost
};

std::mutex homes_mutex;
Home* homes = nullptr;

// The thread's pool: its free lists (one per size class), the unused rest of
// its newest chunk, and its home. Trivially destructible, so using it costs
// no first-use check; the Leaver below hands it over when the thread ends.
struct Pool {
  FreeFrame* lists[kClasses];
  char* cursor;
  char* end;
  Home* home;
};

constinit thread_local Pool pool = {};

// Frames freed on other threads come back into the lists, by size class.
void take_returned() {
  FreeFrame* f = pool.home->returned.exchange(nullptr, std::memory_order_acquire);
  while (f != nullptr) {
    unpoison(f, sizeof(FreeFrame));
    FreeFrame* next = f->next;
    std::size_t c = f->size_class;
    f->next = pool.lists[c];
    pool.lists[c] = f;
    poison(f, class_bytes(c));
    f = next;
  }
}

// At thread exit: the pool's lists and chunks go back to its home, for
// another thread to adopt.
struct Leaver {
  ~Leaver() {
    if (pool.home == nullptr) return;
    std::lock_guard lock(homes_mutex);
    Home* h = pool.home;
    for (std::size_t c = 0; c < kClasses; ++c) h->lists[c] = pool.lists[c];
    h->cursor = pool.cursor;
    h->end = pool.end;
    h->owned = false;
    pool = {};
  }
};

thread_local Leaver leaver;

// The thread's first frame: it adopts a home nobody owns, or makes one.
void settle() {
  std::lock_guard lock(homes_mutex);
  Home* h = homes;
  while (h != nullptr && h->owned) h = h->next_home;
  if (h == nullptr) {
    h = new Home;
    h->next_home = homes;
    homes = h;
  }
  h->owned = true;
  for (std::size_t c = 0; c < kClasses; ++c) pool.lists[c] = std::exchange(h->lists[c], nullptr);
  pool.cursor = h->cursor;
  pool.end = h->end;
  pool.home = h;
  (void)&leaver;  // registers the Leaver's destructor for this thread
}

// The slow path of frame_alloc: the list of class c is empty. Out of line,
// so that the fast path saves no registers for it.
[[gnu::noinline]] void* refill(std::size_t c) {
  if (pool.home == nullptr) settle();
  if (pool.home->returned.load(std::memory_order_relaxed) != nullptr) take_returned();
  if (FreeFrame* f = pool.lists[c]) {
    unpoison(f, class_bytes(c));
    pool.lists[c] = f->next;
    return f;
  }
  std::size_t bytes = class_bytes(c);
  // A frame whose size is an odd number of grains cannot hold a member
  // aligned to 16 (a type's size is a multiple of its alignment), so 8 will
  // do; any other starts on 16. The free lists keep this: a frame freed goes
  // to the next frame of its own size.
  if (bytes % kAlign == 0) pool.cursor += reinterpret_cast<std::uintptr_t>(pool.cursor) % kAlign;
  if (static_cast<std::size_t>(pool.end - pool.cursor) < bytes) {
    ChunkHeader* chunk = map_chunk(pool.home->chunks == nullptr);
    chunk->home = pool.home;
    chunk->next = pool.home->chunks;
    pool.home->chunks = chunk;
    pool.cursor = reinterpret_cast<char*>(chunk) + kAlign;
    pool.end = reinterpret_cast<char*>(chunk) + kChunk;
    poison(pool.cursor, kChunk - kAlign);
    fault_in(reinterpret_cast<std::uintptr_t>(chunk));
  }
  void* frame = pool.cursor;
  pool.cursor += bytes;
  // The frame's last byte lies in a step the chunk's frames had not reached.
  auto last = reinterpret_cast<std::uintptr_t>(pool.cursor) - 1;
  if ((last & (kStep - 1)) < bytes) fault_in(last & ~(kStep - 1));
  unpoison(frame, bytes);
  return frame;
}

// A frame freed on a thread that does not own its chunk goes back to the
// owner's home through a lock-free list; the owner sorts it on its next
// refill (or the next thread to adopt the home does).
[[gnu::noinline]] void give_back(ChunkHeader* chunk, FreeFrame* f, std::size_t c) {
  std::atomic<FreeFrame*>& returned = chunk->home->returned;
  FreeFrame* head = returned.load(std::memory_order_relaxed);
  do {
    unpoison(f, sizeof(FreeFrame));
    f->next = head;
    f->size_class = c;
    poison(f, class_bytes(c));  // before the owner can see it, and take it
  } while (!returned.compare_exchange_weak(head, f, std::memory_order_release, std::memory_order_relaxed));
}

// Class c holds frames of class_bytes(c). A size under 9 bytes, too small
// to hold a free frame's link and class, wraps past the last class and goes
// to operator new; no coroutine frame is that small.
std::size_t size_class(std::size_t size) { return (size + kGrain - 1) / kGrain - 2; }

}  // namespace

void* frame_alloc(std::size_t size) {
  std::size_t c = size_class(size);
  if (c >= kClasses) return ::operator new(size);
  if (FreeFrame* f = pool.lists[c]) {
    unpoison(f, class_bytes(c));
    pool.lists[c] = f->next;
    return f;
  }
  return refill(c);
}

void frame_free(void* frame, std::size_t size) noexcept {
  std::size_t c = size_class(size);
  if (c >= kClasses) {
    ::operator delete(frame);
    return;
  }
  auto* f = static_cast<FreeFrame*>(frame);
  ChunkHeader* chunk = chunk_of(frame);
  if (chunk->home != pool.home) return give_back(chunk, f, c);
  f->next = pool.lists[c];
  pool.lists[c] = f;
  poison(f, class_bytes(c));
}

#endif

}  // namespace corio::detail
