// Runs a backend call that must fail and returns its typed error, for the backend and server
// suites.
#pragma once

#include "kamusm/backend/error.hpp"
#include "kamusm/base/task.hpp"

#include <doctest/doctest.h>

#include <stdexcept>

namespace kamusm::test {

// Runs `task` and returns the backend::Error it throws (fails the test when it does not).
template <typename T> backend::Error failure(Task<T> task) {
    try {
        runSync(std::move(task));
    } catch (const backend::Error& error) {
        return error;
    }
    FAIL("the call succeeded");
    throw std::logic_error("unreachable");
}

} // namespace kamusm::test
