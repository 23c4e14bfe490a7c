#include "kamusm/iso7816/tlv.hpp"

#include "kamusm/iso7816/error.hpp"

#include <algorithm>
#include <string>

namespace kamusm::iso7816 {

namespace {

constexpr std::size_t maxTagBytes = 4, maxLengthBytes = 4, maxDepth = 32;

[[noreturn]] void malformed(const std::string& reason) {
    throw Error(ErrorCode::MalformedTlv, reason);
}

bool isPadding(std::uint8_t byte) {
    return byte == 0x00 || byte == 0xFF;
}

class Parser {
public:
    explicit Parser(ByteView bytes) : bytes_(bytes) {}

    std::vector<Tlv> objects(std::size_t depth) {
        if (depth > maxDepth) malformed("data objects nested deeper than 32 levels");
        std::vector<Tlv> found;
        for (;;) {
            while (at_ < bytes_.size() && isPadding(bytes_[at_]))
                ++at_;
            if (at_ == bytes_.size()) return found;
            found.push_back(object(depth));
        }
    }

private:
    std::uint8_t next(const char* what) {
        if (at_ >= bytes_.size())
            malformed(std::string(what) + " runs past the end at offset " + std::to_string(at_));
        return bytes_[at_++];
    }

    // X.690 §8.1.2: low 5 bits all set → more tag bytes, each with b8 set while more follow.
    std::uint32_t tag() {
        std::uint8_t byte = next("tag");
        std::uint32_t value = byte;
        if ((byte & 0x1F) != 0x1F) return value;
        for (std::size_t count = 1;; ++count) {
            if (count == maxTagBytes) malformed("tag longer than 4 bytes");
            byte = next("tag");
            value = value << 8 | byte;
            if (!(byte & 0x80)) return value;
        }
    }

    std::size_t length() {
        const std::uint8_t first = next("length");
        if (first < 0x80) return first;
        const std::size_t count = first & 0x7F;
        if (count == 0) malformed("indefinite length (80) is not allowed in ISO 7816 BER-TLV");
        if (count > maxLengthBytes)
            malformed("length field of " + std::to_string(count) + " bytes");
        std::size_t value = 0;
        for (std::size_t i = 0; i < count; ++i)
            value = value << 8 | next("length");
        return value;
    }

    Tlv object(std::size_t depth) {
        Tlv tlv;
        tlv.tag = tag();
        const std::size_t size = length();
        if (size > bytes_.size() - at_)
            malformed("value of " + std::to_string(size) + " bytes runs past the end (" +
                      std::to_string(bytes_.size() - at_) + " left)");
        const ByteView value = bytes_.subspan(at_, size);
        at_ += size;
        tlv.value.assign(value.begin(), value.end());
        if (tlv.constructed()) tlv.children = Parser(value).objects(depth + 1);
        return tlv;
    }

    ByteView bytes_;
    std::size_t at_ = 0;
};

std::size_t tagSize(std::uint32_t tag) {
    std::size_t size = 1;
    while (size < maxTagBytes && tag >> (8 * size))
        ++size;
    return size;
}

void appendLength(Bytes& out, std::size_t length) {
    if (length < 0x80) {
        out.push_back(static_cast<std::uint8_t>(length));
        return;
    }
    std::size_t count = 1;
    while (count < maxLengthBytes && length >> (8 * count))
        ++count;
    out.push_back(static_cast<std::uint8_t>(0x80 | count));
    for (std::size_t i = count; i-- > 0;)
        out.push_back(static_cast<std::uint8_t>(length >> (8 * i)));
}

const Tlv* findIn(const std::vector<Tlv>& objects, const std::uint32_t* begin,
                  const std::uint32_t* end) {
    for (const Tlv& tlv : objects)
        if (tlv.tag == *begin)
            return begin + 1 == end ? &tlv : findIn(tlv.children, begin + 1, end);
    return nullptr;
}

constexpr const char* compactTagNames[16] = {
    "RFU",
    "country code",
    "issuer identification number",
    "card service data",
    "initial access data",
    "card issuer's data",
    "pre-issuing data",
    "card capabilities",
    "status indicator",
    "RFU",
    "RFU",
    "RFU",
    "RFU",
    "RFU",
    "RFU",
    "application identifier",
};

constexpr std::uint8_t statusIndicatorTag = 0x8;

// Tag 8 (category 80) or the trailing three bytes (category 00): LCS, SW1SW2 or both.
StatusIndicator statusIndicator(ByteView bytes) {
    StatusIndicator status;
    switch (bytes.size()) {
    case 1:
        status.lifeCycle = bytes[0];
        break;
    case 3:
        status.lifeCycle = bytes[0];
        [[fallthrough]];
    case 2:
        status.sw = static_cast<std::uint16_t>(bytes[bytes.size() - 2] << 8 | bytes.back());
        break;
    default:
        malformed("status indicator of " + std::to_string(bytes.size()) + " bytes");
    }
    return status;
}

} // namespace

bool Tlv::constructed() const {
    return (tag >> (8 * (tagSize(tag) - 1)) & 0x20) != 0;
}

const Tlv* Tlv::find(std::uint32_t childTag) const {
    const std::uint32_t path[] = {childTag};
    return findIn(children, std::begin(path), std::end(path));
}

const Tlv* Tlv::find(std::initializer_list<std::uint32_t> path) const {
    return path.size() == 0 ? this : findIn(children, path.begin(), path.end());
}

Bytes Tlv::encode() const {
    if (children.empty()) return encodeTlv(tag, value);
    Bytes content;
    for (const Tlv& child : children) {
        const Bytes encoded = child.encode();
        content.insert(content.end(), encoded.begin(), encoded.end());
    }
    return encodeTlv(tag, content);
}

std::vector<Tlv> parseBerTlv(ByteView bytes) {
    return Parser(bytes).objects(0);
}

const Tlv* findTlv(const std::vector<Tlv>& objects, std::initializer_list<std::uint32_t> path) {
    return path.size() == 0 ? nullptr : findIn(objects, path.begin(), path.end());
}

Bytes encodeTlv(std::uint32_t tag, ByteView value) {
    Bytes out;
    for (std::size_t i = tagSize(tag); i-- > 0;)
        out.push_back(static_cast<std::uint8_t>(tag >> (8 * i)));
    appendLength(out, value.size());
    out.insert(out.end(), value.begin(), value.end());
    return out;
}

const char* compactTagName(std::uint8_t tag) {
    return compactTagNames[tag & 0x0F];
}

std::vector<CompactTlv> parseCompactTlv(ByteView bytes) {
    std::vector<CompactTlv> objects;
    for (std::size_t at = 0; at < bytes.size();) {
        const std::uint8_t header = bytes[at++];
        const std::size_t size = header & 0x0F;
        if (size > bytes.size() - at)
            malformed("COMPACT-TLV object " + toHex(bytes.subspan(at - 1, 1)) + " needs " +
                      std::to_string(size) + " bytes, " + std::to_string(bytes.size() - at) +
                      " left");
        const ByteView value = bytes.subspan(at, size);
        objects.push_back(
            {static_cast<std::uint8_t>(header >> 4), Bytes(value.begin(), value.end())});
        at += size;
    }
    return objects;
}

HistoricalBytes parseHistoricalBytes(ByteView bytes) {
    if (bytes.empty()) malformed("no historical bytes");
    HistoricalBytes historical;
    historical.categoryIndicator = bytes[0];
    const ByteView rest = bytes.subspan(1);
    switch (historical.categoryIndicator) {
    case 0x00:
        if (rest.size() < 3) malformed("category 00 without its 3-byte status indicator");
        historical.objects = parseCompactTlv(rest.first(rest.size() - 3));
        historical.status = statusIndicator(rest.last(3));
        break;
    case 0x10:
        if (rest.size() != 1) malformed("category 10 must be followed by one DIR data reference");
        historical.dirDataReference = rest[0];
        break;
    case 0x80:
        historical.objects = parseCompactTlv(rest);
        for (const CompactTlv& object : historical.objects)
            if (object.tag == statusIndicatorTag) historical.status = statusIndicator(object.value);
        break;
    default:
        malformed("category indicator " + toHex(bytes.first(1)) +
                  " is proprietary or RFU, not COMPACT-TLV");
    }
    return historical;
}

} // namespace kamusm::iso7816
