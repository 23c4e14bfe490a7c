#include "kamusm/base/memory_scan.hpp"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/mman.h>
#include <unistd.h>

// AddressSanitizer's shadow memory is terabytes of mappings that mirror the rest: skipped.
extern "C" void __asan_get_shadow_mapping(std::size_t* scale, std::size_t* offset)
    __attribute__((weak));

namespace kamusm {

namespace {

constexpr char variable[] = "KAMUSM_TEST_MEMORY_SCAN";
constexpr std::size_t chunkSize = 1 << 20;

struct Region {
    std::uintptr_t begin, end;
};

bool inShadow(const Region& region) {
    if (!__asan_get_shadow_mapping) return false;
    std::size_t scale = 0, offset = 0;
    __asan_get_shadow_mapping(&scale, &offset);
    const std::uintptr_t shadowEnd = offset + ((std::uintptr_t{1} << 47) >> scale);
    return region.begin >= offset && region.begin < shadowEnd;
}

// Writable private mappings: the heap, anonymous memory (other threads' heaps and stacks, the
// sanitizer's allocator) and data segments; not the main stack, not the kernel's pages, not
// `own` (the scanner's buffer).
std::vector<Region> writableRegions(const void* own) {
    std::vector<Region> regions;
    std::ifstream maps("/proc/self/maps");
    std::string line;
    while (std::getline(maps, line)) {
        std::istringstream fields(line);
        std::string range, permissions, offset, device, inode, path;
        fields >> range >> permissions >> offset >> device >> inode;
        std::getline(fields >> std::ws, path);
        if (permissions.size() < 4 || permissions[0] != 'r' || permissions[1] != 'w' ||
            permissions[3] != 'p')
            continue;
        if (path == "[stack]" || path == "[vvar]" || path == "[vsyscall]") continue;
        Region region{std::stoull(range.substr(0, range.find('-')), nullptr, 16),
                      std::stoull(range.substr(range.find('-') + 1), nullptr, 16)};
        const auto ownAddress = reinterpret_cast<std::uintptr_t>(own);
        if (inShadow(region) || (ownAddress >= region.begin && ownAddress < region.end)) continue;
        regions.push_back(region);
    }
    return regions;
}

int hexDigit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::optional<std::vector<unsigned char>> fromHex(std::string_view text) {
    if (text.empty() || text.size() % 2 != 0) return std::nullopt;
    std::vector<unsigned char> bytes;
    for (std::size_t i = 0; i < text.size(); i += 2) {
        const int high = hexDigit(text[i]), low = hexDigit(text[i + 1]);
        if (high < 0 || low < 0) return std::nullopt;
        bytes.push_back(static_cast<unsigned char>(high << 4 | low));
    }
    return bytes;
}

// How many times `needle` (masked) starts in `data` before `limit`, compared byte by byte
// unmasked, so that no plain copy of it exists while the scan runs.
int occurrences(const unsigned char* data, std::size_t size, std::size_t limit,
                const std::vector<unsigned char>& needle, unsigned char mask) {
    int found = 0;
    const unsigned char first = needle[0] ^ mask;
    const std::size_t starts =
        std::min(limit, size >= needle.size() ? size - needle.size() + 1 : 0);
    for (std::size_t at = 0; at < starts;) {
        const void* hit = std::memchr(data + at, first, starts - at);
        if (!hit) break;
        at = static_cast<std::size_t>(static_cast<const unsigned char*>(hit) - data);
        std::size_t i = 1;
        while (i < needle.size() && (data[at + i] ^ mask) == needle[i])
            ++i;
        if (i == needle.size()) ++found;
        ++at;
    }
    return found;
}

} // namespace

std::optional<MemoryScan> MemoryScan::fromEnvironment() {
    const char* value = std::getenv(variable);
    if (!value) return std::nullopt;
    const std::string_view text(value);
    const auto colon = text.find(':');
    const auto mask = fromHex(text.substr(0, colon));
    std::vector<std::vector<unsigned char>> pins;
    bool good = colon != std::string_view::npos && mask && mask->size() == 1;
    for (std::size_t at = colon + 1; good && at <= text.size();) {
        const auto comma = std::min(text.find(',', at), text.size());
        const auto pin = fromHex(text.substr(at, comma - at));
        good = pin.has_value();
        if (good) pins.push_back(*pin);
        at = comma + 1;
    }
    if (!good) {
        std::fprintf(stderr, "memory-scan: %s is not <mask>:<pin>[,<pin>...] in hex\n", variable);
        return std::nullopt;
    }
    return MemoryScan((*mask)[0], std::move(pins));
}

MemoryScanResult MemoryScan::run() const {
    MemoryScanResult result;
    // Each PIN as ASCII digits, packed BCD (F-padded) and UTF-16LE, still masked.
    std::vector<Needle> needles;
    for (const std::vector<unsigned char>& pin : pins_) {
        Needle ascii{pin, &result.ascii}, bcd{{}, &result.bcd}, utf16{{}, &result.utf16};
        for (std::size_t i = 0; i < pin.size(); ++i) {
            const unsigned digit = (pin[i] ^ mask_) - '0';
            const unsigned next = i + 1 < pin.size() ? (pin[i + 1] ^ mask_) - '0' : 0x0F;
            if (i % 2 == 0)
                bcd.masked.push_back(static_cast<unsigned char>((digit << 4 | next) ^ mask_));
            utf16.masked.push_back(pin[i]);
            utf16.masked.push_back(mask_); // the high byte 00, masked
        }
        needles.insert(needles.end(), {ascii, bcd, utf16});
    }
    // The buffer is a mapping of its own, left out of the scan and wiped after it.
    auto* buffer = static_cast<unsigned char*>(
        mmap(nullptr, chunkSize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    const int memory = open("/proc/self/mem", O_RDONLY | O_CLOEXEC);
    if (buffer == MAP_FAILED || memory < 0) {
        std::fprintf(stderr, "memory-scan: cannot read the process's memory\n");
        if (memory >= 0) close(memory);
        return result;
    }
    // Chunks overlap by the longest needle, so that none is missed across a chunk's end; a match
    // in the overlap counts in the next chunk only.
    std::size_t overlap = 0;
    for (const Needle& needle : needles)
        overlap = std::max(overlap, needle.masked.size() - 1);
    for (const Region& region : writableRegions(buffer)) {
        ++result.regions;
        for (std::uintptr_t at = region.begin; at < region.end;) {
            const std::size_t want = std::min<std::uintptr_t>(chunkSize, region.end - at);
            const ssize_t got = pread(memory, buffer, want, static_cast<off_t>(at));
            if (got <= 0) break; // a mapping that went meanwhile
            const auto size = static_cast<std::size_t>(got);
            const bool last = at + size >= region.end || size <= overlap;
            const std::size_t limit = last ? size : size - overlap;
            result.bytes += limit;
            for (const Needle& needle : needles)
                *needle.counter += occurrences(buffer, size, limit, needle.masked, mask_);
            if (last) break;
            at += limit;
        }
    }
    std::memset(buffer, 0, chunkSize);
    munmap(buffer, chunkSize);
    close(memory);
    return result;
}

void MemoryScan::report(std::string_view when) const {
    const MemoryScanResult found = run();
    std::fprintf(stderr,
                 "memory-scan: %.*s: ascii %d, bcd %d, utf16 %d (%zu bytes in %zu regions)\n",
                 static_cast<int>(when.size()), when.data(), found.ascii, found.bcd, found.utf16,
                 found.bytes, found.regions);
}

void scanMemoryIfAsked(std::string_view when) {
    if (const auto scan = MemoryScan::fromEnvironment()) scan->report(when);
}

} // namespace kamusm
