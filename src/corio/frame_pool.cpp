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
constexpr std::size_t kClasses = 64;  // up to 64 * 16 = 1024 bytes

struct FreeFrame {
  FreeFrame* next;
};

struct Pool {
  FreeFrame* lists[kClasses] = {};
  ~Pool() {
    for (std::size_t c = 0; c < kClasses; ++c) {
      while (FreeFrame* f = lists[c]) {
        lists[c] = f->next;
        ::operator delete(f);
      }
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
  return ::operator new((c + 1) * kGrain);
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
