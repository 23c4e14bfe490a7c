// The root of the typed error tree. Each layer derives one class with its own code enum, so a
// catch site can tell the layer apart and the wizard maps each code once to a user message.
#pragma once

#include <stdexcept>
#include <string>

namespace kamusm {

class Error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// A layer's error: `Code` is that layer's enum, `layerName` its folder name.
template <typename Code, const char* layerName> class LayerError : public Error {
public:
    LayerError(Code code, const std::string& detail)
        : Error(std::string(layerName) + ": " + detail), code_(code) {}
    Code code() const noexcept { return code_; }

private:
    Code code_;
};

} // namespace kamusm
