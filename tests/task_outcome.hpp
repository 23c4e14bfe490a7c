// A task started in the background by a test, and how it ended: for suites whose fakes hold
// calls pending until the test lets them through.
#pragma once

#include "kamusm/base/task.hpp"

#include <exception>
#include <utility>

namespace kamusm::testing {

struct Outcome {
    bool done = false;
    std::exception_ptr failure;
};

inline void start(Task<void> task, Outcome& outcome) {
    spawn(std::move(task), [&outcome](std::exception_ptr failure) {
        outcome.done = true;
        outcome.failure = failure;
    });
}

} // namespace kamusm::testing
