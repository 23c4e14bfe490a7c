// Failures of the backend client: transport problems and the server's RFC 7807 problems.
#pragma once

#include "kamusm/backend/problem.hpp"
#include "kamusm/base/error.hpp"

#include <optional>

namespace kamusm::backend {

enum class ErrorCode {
    Network,           // no connection, reset, DNS …
    Timeout,           // the server did not answer in time
    Http,              // the server answered with an error status; problem() tells which
    MalformedResponse, // a success answer that is not the documented JSON
};

inline constexpr char layerName[] = "backend";
class Error : public LayerError<ErrorCode, layerName> {
public:
    Error(ErrorCode code, const std::string& detail, int status = 0,
          Problem problem = Problem::Unknown, std::optional<int> triesLeft = {},
          std::optional<int> retryAfter = {})
        : LayerError(code, detail), status_(status), problem_(problem), triesLeft_(triesLeft),
          retryAfter_(retryAfter) {}

    int status() const { return status_; }
    Problem problem() const { return problem_; }
    std::optional<int> triesLeft() const { return triesLeft_; }
    std::optional<int> retryAfter() const { return retryAfter_; } // seconds

private:
    int status_;
    Problem problem_;
    std::optional<int> triesLeft_;
    std::optional<int> retryAfter_;
};

} // namespace kamusm::backend
