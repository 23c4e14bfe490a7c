// The memory-scan test hook finds a PIN wherever the process keeps it, in each of its forms,
// and finds nothing once it is wiped.
#include "kamusm/base/bytes.hpp"
#include "kamusm/base/memory_scan.hpp"

#include <doctest/doctest.h>

#include <cstdlib>
#include <memory>

using namespace kamusm;

namespace {

constexpr unsigned char mask = 0x5C;

// A PIN nobody else holds, made at run time and kept masked.
std::vector<unsigned char> maskedPin() {
    std::vector<unsigned char> pin;
    for (int i = 0; i < 12; ++i)
        pin.push_back(static_cast<unsigned char>(('0' + (7 * i + 3) % 10) ^ mask));
    return pin;
}

// The PIN in the clear, in a heap buffer of its own, in one of the forms the scan knows.
std::unique_ptr<unsigned char[]> plant(const std::vector<unsigned char>& masked, int form,
                                       std::size_t& size) {
    std::vector<unsigned char> digits;
    for (unsigned char byte : masked)
        digits.push_back(byte ^ mask);
    std::vector<unsigned char> bytes;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (form == 0) bytes.push_back(digits[i]);
        if (form == 1 && i % 2 == 0)
            bytes.push_back(
                static_cast<unsigned char>((digits[i] - '0') << 4 | (digits[i + 1] - '0')));
        if (form == 2) bytes.insert(bytes.end(), {digits[i], 0});
    }
    size = bytes.size();
    auto buffer = std::make_unique<unsigned char[]>(size);
    std::copy(bytes.begin(), bytes.end(), buffer.get());
    wipe(bytes.data(), bytes.size());
    wipe(digits.data(), digits.size());
    return buffer;
}

} // namespace

TEST_CASE("a PIN in the heap is found in ASCII, BCD and UTF-16, and not once wiped") {
    const MemoryScan scan(mask, {maskedPin()});
    const MemoryScanResult before = scan.run();
    CHECK(before.bytes > 0);
    CHECK(before.regions > 0);
    for (int form = 0; form < 3; ++form) {
        CAPTURE(form);
        std::size_t size = 0;
        auto planted = plant(maskedPin(), form, size);
        const MemoryScanResult found = scan.run();
        CHECK(found.ascii == before.ascii + (form == 0 ? 1 : 0));
        CHECK(found.bcd == before.bcd + (form == 1 ? 1 : 0));
        CHECK(found.utf16 == before.utf16 + (form == 2 ? 1 : 0));
        wipe(planted.get(), size);
        const MemoryScanResult after = scan.run();
        CHECK(after.ascii == before.ascii);
        CHECK(after.bcd == before.bcd);
        CHECK(after.utf16 == before.utf16);
    }
}

TEST_CASE("the hook is read from the environment, and a malformed one is refused") {
    unsetenv("KAMUSM_TEST_MEMORY_SCAN");
    CHECK_FALSE(MemoryScan::fromEnvironment());
    setenv("KAMUSM_TEST_MEMORY_SCAN", "5c:6d6e6f,686b", 1);
    CHECK(MemoryScan::fromEnvironment());
    for (const char* bad : {"5c", "5c:", "zz:6d6e", "5c:6d6", "5c5c:6d6e", "5c:6d6e,"}) {
        CAPTURE(bad);
        setenv("KAMUSM_TEST_MEMORY_SCAN", bad, 1);
        CHECK_FALSE(MemoryScan::fromEnvironment());
    }
    unsetenv("KAMUSM_TEST_MEMORY_SCAN");
}
