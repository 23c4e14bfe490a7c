// C++20 coroutines on both toolchains: libc++ 13 (Emscripten 3.1.6) only ships
// <experimental/coroutine>, while clang 14 accepts either namespace.
#pragma once

#if __has_include(<coroutine>)
#include <coroutine>
namespace kamusm::coro {
using std::coroutine_handle;
using std::suspend_always;
using std::suspend_never;
} // namespace kamusm::coro
#else
#include <experimental/coroutine>
namespace kamusm::coro {
using std::experimental::coroutine_handle;
using std::experimental::suspend_always;
using std::experimental::suspend_never;
} // namespace kamusm::coro
#endif
