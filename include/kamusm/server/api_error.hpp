// What a request handler throws to answer with an RFC 7807 problem document.
#pragma once

#include "kamusm/backend/problem.hpp"

#include <optional>
#include <stdexcept>
#include <string>

namespace kamusm::server {

// The HTTP status of each problem type (the table of openapi.yaml).
int problemStatus(backend::Problem problem);

class ApiError : public std::runtime_error {
public:
    ApiError(backend::Problem problem, const std::string& detail, std::optional<int> triesLeft = {},
             std::optional<int> retryAfter = {})
        : std::runtime_error(detail), problem_(problem), triesLeft_(triesLeft),
          retryAfter_(retryAfter) {}
    backend::Problem problem() const { return problem_; }
    int status() const { return problemStatus(problem_); }
    std::optional<int> triesLeft() const { return triesLeft_; }
    std::optional<int> retryAfter() const { return retryAfter_; }

private:
    backend::Problem problem_;
    std::optional<int> triesLeft_;
    std::optional<int> retryAfter_;
};

} // namespace kamusm::server
