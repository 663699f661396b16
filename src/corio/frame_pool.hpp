// @chapter 05
// Coroutine frames, recycled. Every task is a frame allocation, and on these
// machines the first touch of a fresh page costs 12-16 us, far more than the
// rest of a task's life. So a freed frame is kept on a free list of its size
// class (multiples of 16 bytes up to 1 KiB) and handed to the next frame of
// that size. Lists are per thread, so no locking. The shortcut, named: the
// pool never gives memory back until the thread ends; a long-running server
// with a burst of a million tasks keeps that high-water mark. Building with
// -DCORIO_NO_FRAME_POOL turns it off (make check does, so that
// AddressSanitizer sees every frame's real lifetime).
#pragma once

#include <cstddef>

namespace corio::detail {

void* frame_alloc(std::size_t size);
void frame_free(void* frame, std::size_t size) noexcept;

}  // namespace corio::detail
