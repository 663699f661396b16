// @chapter 05
// Coroutine frames, recycled. Every task is a frame allocation, and on these
// machines the first touch of a fresh page costs 12-16 us, far more than the
// rest of a task's life. So a freed frame is kept on a free list of its size
// class (multiples of 8 bytes, from 16 to 1 KiB) and handed to the next frame of
// that size. Lists are per thread, so no locking. A frame may end on
// another thread than the one that made it (a coroutine made on a producer
// thread and run on a loop's): it then goes back to its owner's pool through
// a lock-free list, and a thread that ends leaves its memory, with every frame
// still alive in it, to the next thread that needs a pool. The shortcut,
// named: the pool never gives memory back; a long-running server with a burst
// of a million tasks keeps that high-water mark. Under AddressSanitizer free
// frames are poisoned, so a frame used after its end is still reported.
// Building with -DCORIO_NO_FRAME_POOL turns the pool off (one of make check's
// ASan runs does, so that frames are real allocations there).
#pragma once

#include <cstddef>

namespace corio::detail {

void* frame_alloc(std::size_t size);
void frame_free(void* frame, std::size_t size) noexcept;

}  // namespace corio::detail
