// @chapter 05
#include <corio/frame_pool.hpp>

#include <new>

namespace corio::detail {

#ifdef CORIO_NO_FRAME_POOL

void* frame_alloc(std::size_t size) { return ::operator new(size); }
void frame_free(void* frame, std::size_t) noexcept { ::operator delete(frame); }

#else

namespace {

constexpr std::size_t kGrain = 16;
constexpr std::size_t kClasses = 64;          // up to 64 * 16 = 1024 bytes
constexpr std::size_t kChunk = 256 * 1024;    // new frames are carved from chunks

struct FreeFrame {
  FreeFrame* next;
};

// New frames are cut from big chunks rather than malloc'd one by one: no
// per-frame malloc header (16 bytes on glibc, a tenth of a small task), and
// frames made together sit together. Chunks go back at thread exit.
struct Pool {
  FreeFrame* lists[kClasses] = {};
  FreeFrame* chunks = nullptr;  // every chunk, linked through its first bytes
  char* cursor = nullptr;       // the unused rest of the newest chunk
  char* end = nullptr;

  void* carve(std::size_t bytes) {
    if (static_cast<std::size_t>(end - cursor) < bytes) {
      auto* chunk = static_cast<FreeFrame*>(::operator new(kChunk));
      chunk->next = chunks;
      chunks = chunk;
      cursor = reinterpret_cast<char*>(chunk) + kGrain;
      end = reinterpret_cast<char*>(chunk) + kChunk;
    }
    void* frame = cursor;
    cursor += bytes;
    return frame;
  }

  ~Pool() {
    while (FreeFrame* chunk = chunks) {
      chunks = chunk->next;
      ::operator delete(chunk);
    }
  }
};

thread_local Pool pool;

std::size_t size_class(std::size_t size) { return (size + kGrain - 1) / kGrain - 1; }

}  // namespace

void* frame_alloc(std::size_t size) {
  std::size_t c = size_class(size);
  if (c >= kClasses) return ::operator new(size);
  if (FreeFrame* f = pool.lists[c]) {
    pool.lists[c] = f->next;
    return f;
  }
  return pool.carve((c + 1) * kGrain);
}

void frame_free(void* frame, std::size_t size) noexcept {
  std::size_t c = size_class(size);
  if (c >= kClasses) {
    ::operator delete(frame);
    return;
  }
  auto* f = static_cast<FreeFrame*>(frame);
  f->next = pool.lists[c];
  pool.lists[c] = f;
}

#endif

}  // namespace corio::detail
