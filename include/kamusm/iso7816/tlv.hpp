// BER-TLV data objects (ISO/IEC 7816-4 §5.2, X.690 §8.1) and the COMPACT-TLV of historical
// bytes (ISO/IEC 7816-4 §8.1.1). Malformed input throws iso7816::Error{MalformedTlv}.
#pragma once

#include "kamusm/base/bytes.hpp"

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <vector>

namespace kamusm::iso7816 {

// One BER-TLV data object. `tag` holds the tag bytes big-endian (0x84, 0x5F2D, 0x9F7F2A).
struct Tlv {
    std::uint32_t tag = 0;
    Bytes value;               // the whole value field, constructed or not
    std::vector<Tlv> children; // parsed from `value` when the tag is constructed

    bool constructed() const; // bit 6 of the first tag byte
    // The first child with `tag`, or the object reached by following `path` through children.
    const Tlv* find(std::uint32_t childTag) const;
    const Tlv* find(std::initializer_list<std::uint32_t> path) const;
    Bytes encode() const; // children re-encoded when present, else `value`
};

// Parses consecutive data objects, skipping the 00/FF padding ISO 7816-4 allows between them.
// Tags of up to 4 bytes, lengths in short form or 81..84 long form; nesting up to 32 levels.
std::vector<Tlv> parseBerTlv(ByteView bytes);

// The first top-level object with the first tag of `path`, then down through its children.
const Tlv* findTlv(const std::vector<Tlv>& objects, std::initializer_list<std::uint32_t> path);

// Tag bytes, minimal length field and value.
Bytes encodeTlv(std::uint32_t tag, ByteView value);

// One COMPACT-TLV object: a tag nibble and up to 15 bytes.
struct CompactTlv {
    std::uint8_t tag = 0; // 1 country code, 2 issuer id, 3 card service data, 4 initial access,
                          // 5 card issuer's data, 6 pre-issuing data, 7 card capabilities,
                          // 8 status indicator, F application identifier
    Bytes value;
};

const char* compactTagName(std::uint8_t tag); // "card service data", ..., "RFU"

// Objects one after the other, each introduced by a byte tag << 4 | length.
std::vector<CompactTlv> parseCompactTlv(ByteView bytes);

// The status indicator: life-cycle status and/or a status word.
struct StatusIndicator {
    std::optional<std::uint8_t> lifeCycle;
    std::optional<std::uint16_t> sw;
};

// Historical bytes in the formats ISO 7816-4 defines: category indicator 00 (COMPACT-TLV then a
// 3-byte status indicator), 80 (COMPACT-TLV, status indicator as tag 8) or 10 (a DIR data
// reference). Other category indicators are proprietary and throw MalformedTlv.
struct HistoricalBytes {
    std::uint8_t categoryIndicator = 0;
    std::vector<CompactTlv> objects;
    std::optional<StatusIndicator> status;
    std::optional<std::uint8_t> dirDataReference; // category 10
};
HistoricalBytes parseHistoricalBytes(ByteView bytes);

} // namespace kamusm::iso7816
