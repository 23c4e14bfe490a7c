// A test hook for native processes (pinctl, the desktop helper's host): with
// KAMUSM_TEST_MEMORY_SCAN set, the process scans its own writable memory (heap, anonymous and
// data mappings, not its main stack) for the PINs the test typed, in ASCII, packed BCD and
// UTF-16LE, and reports what it found on standard error:
//
//     memory-scan: <when>: ascii N, bcd N, utf16 N (B bytes in R regions)
//
// The variable holds the PINs masked, so that the process never holds one in the clear because
// of the hook itself: "<mask>:<pin>,<pin>…", the mask one byte in hex and each PIN its digits
// XORed with the mask, in hex. Linux only (/proc/self/maps and /proc/self/mem); never set it
// outside tests.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>
#include <vector>

namespace kamusm {

struct MemoryScanResult {
    int ascii = 0, bcd = 0, utf16 = 0;
    std::size_t bytes = 0, regions = 0;
};

class MemoryScan {
public:
    // `maskedPins`: each PIN's digits XORed with `mask`.
    MemoryScan(unsigned char mask, std::vector<std::vector<unsigned char>> maskedPins)
        : mask_(mask), pins_(std::move(maskedPins)) {}
    // The hook as the environment sets it; nullopt when it is off (or malformed: it then says so
    // on standard error).
    static std::optional<MemoryScan> fromEnvironment();

    MemoryScanResult run() const;
    // Runs and prints the line above.
    void report(std::string_view when) const;

private:
    struct Needle {
        std::vector<unsigned char> masked; // the pattern, each byte XORed with mask_
        int* counter;                      // into a MemoryScanResult
    };
    unsigned char mask_ = 0;
    std::vector<std::vector<unsigned char>> pins_; // masked digits
};

// The hook at a point of a program: scans and reports when it is on, does nothing otherwise.
void scanMemoryIfAsked(std::string_view when);

} // namespace kamusm
