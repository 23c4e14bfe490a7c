// Command and response APDUs (ISO/IEC 7816-4 §5.1) as value types, short and extended.
#pragma once

#include "kamusm/base/bytes.hpp"

#include <cstdint>
#include <optional>

namespace kamusm::iso7816 {

struct CommandApdu {
    std::uint8_t cla = 0, ins = 0, p1 = 0, p2 = 0;
    Bytes data;                    // Lc = data.size()
    std::optional<std::size_t> le; // expected length: 1..256 short / 1..65536 extended

    bool extended() const;          // Lc > 255 or Le > 256 needs the extended form
    std::size_t caseNumber() const; // 1..4
    Bytes encode() const;           // throws Error{MalformedApdu} when Lc > 65535 or Le > 65536
    static CommandApdu decode(ByteView bytes); // throws Error{MalformedApdu}
};

struct ResponseApdu {
    Bytes data;
    std::uint8_t sw1 = 0, sw2 = 0;

    std::uint16_t sw() const { return static_cast<std::uint16_t>(sw1 << 8 | sw2); }
    bool ok() const { return sw() == 0x9000; }
    Bytes encode() const;
    static ResponseApdu decode(ByteView bytes); // throws Error{MalformedResponse} under 2 bytes
};

} // namespace kamusm::iso7816
