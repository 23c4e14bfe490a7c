// A PIN in memory: digits only while needed, wiped when the object dies, never copied.
#pragma once

#include "kamusm/base/bytes.hpp"

#include <string_view>

namespace kamusm::card {

class Pin {
public:
    Pin() = default;
    explicit Pin(std::string_view digits) : digits_(digits.begin(), digits.end()) {}
    Pin(const Pin&) = delete;
    Pin& operator=(const Pin&) = delete;
    Pin(Pin&& other) noexcept : digits_(std::move(other.digits_)) {}
    Pin& operator=(Pin&& other) noexcept {
        wipe(digits_);
        digits_ = std::move(other.digits_);
        return *this;
    }
    ~Pin() { wipe(digits_); }

    ByteView bytes() const { return digits_; }
    std::size_t size() const { return digits_.size(); }

private:
    Bytes digits_;
};

} // namespace kamusm::card
