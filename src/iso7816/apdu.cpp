#include "kamusm/iso7816/apdu.hpp"

#include "kamusm/iso7816/error.hpp"

#include <string>

namespace kamusm::iso7816 {

namespace {

constexpr std::size_t maxShortLc = 255, maxShortLe = 256;
constexpr std::size_t maxExtendedLc = 65535, maxExtendedLe = 65536;

// Le fields carry Ne modulo 256 (short) or 65536 (extended): 00 / 0000 mean the maximum.
void appendLe(Bytes& out, std::size_t le, bool extended) {
    if (extended) out.push_back(static_cast<std::uint8_t>(le >> 8));
    out.push_back(static_cast<std::uint8_t>(le));
}

std::size_t readShortLength(std::uint8_t byte) {
    return byte == 0 ? maxShortLe : byte;
}
std::size_t readExtendedLength(ByteView b, std::size_t at) {
    const std::size_t value = static_cast<std::size_t>(b[at]) << 8 | b[at + 1];
    return value == 0 ? maxExtendedLe : value;
}

[[noreturn]] void malformed(const std::string& reason) {
    throw Error(ErrorCode::MalformedApdu, reason);
}

} // namespace

bool CommandApdu::extended() const {
    return data.size() > maxShortLc || (le && *le > maxShortLe);
}

std::size_t CommandApdu::caseNumber() const {
    if (data.empty()) return le ? 2 : 1;
    return le ? 4 : 3;
}

Bytes CommandApdu::encode() const {
    if (data.size() > maxExtendedLc)
        malformed("command data of " + std::to_string(data.size()) + " bytes exceeds 65535");
    if (le && (*le == 0 || *le > maxExtendedLe))
        malformed("Le " + std::to_string(*le) + " is outside 1..65536");
    const bool isExtended = extended();
    Bytes out{cla, ins, p1, p2};
    out.reserve(4 + 3 + data.size() + 2);
    if (!data.empty()) {
        if (isExtended) {
            out.push_back(0x00);
            out.push_back(static_cast<std::uint8_t>(data.size() >> 8));
        }
        out.push_back(static_cast<std::uint8_t>(data.size()));
        out.insert(out.end(), data.begin(), data.end());
    }
    if (le) {
        // Case 2E marks the extended form with a 00 byte; in case 4E the Lc field already did.
        if (isExtended && data.empty()) out.push_back(0x00);
        appendLe(out, *le, isExtended);
    }
    return out;
}

// ISO 7816-4 §5.1: the body after the 4-byte header decides the case by its length alone.
CommandApdu CommandApdu::decode(ByteView bytes) {
    if (bytes.size() < 4)
        malformed("command APDU of " + std::to_string(bytes.size()) + " bytes has no header");
    CommandApdu command{bytes[0], bytes[1], bytes[2], bytes[3], {}, std::nullopt};
    const ByteView body = bytes.subspan(4);
    if (body.empty()) return command; // case 1
    if (body.size() == 1) {           // case 2S
        command.le = readShortLength(body[0]);
        return command;
    }
    std::size_t lc = 0, dataAt = 0, leSize = 0;
    if (body[0] != 0) { // short Lc
        lc = body[0];
        dataAt = 1;
        leSize = 1;
    } else if (body.size() == 3) { // case 2E
        command.le = readExtendedLength(body, 1);
        return command;
    } else {
        if (body.size() < 3) malformed("extended command APDU truncated in its Lc field");
        lc = static_cast<std::size_t>(body[1]) << 8 | body[2];
        if (lc == 0) malformed("extended Lc of 0");
        dataAt = 3;
        leSize = 2;
    }
    const std::size_t rest = body.size() - dataAt;
    if (rest != lc && rest != lc + leSize)
        malformed("Lc " + std::to_string(lc) + " does not match the " + std::to_string(rest) +
                  " bytes that follow it");
    command.data.assign(body.begin() + static_cast<std::ptrdiff_t>(dataAt),
                        body.begin() + static_cast<std::ptrdiff_t>(dataAt + lc));
    if (rest == lc + leSize) {
        const std::size_t leAt = dataAt + lc;
        command.le = leSize == 1 ? readShortLength(body[leAt]) : readExtendedLength(body, leAt);
    }
    return command;
}

Bytes ResponseApdu::encode() const {
    Bytes out(data);
    out.push_back(sw1);
    out.push_back(sw2);
    return out;
}

ResponseApdu ResponseApdu::decode(ByteView bytes) {
    if (bytes.size() < 2)
        throw Error(ErrorCode::MalformedResponse,
                    "response of " + std::to_string(bytes.size()) + " bytes has no status word");
    const std::size_t dataSize = bytes.size() - 2;
    return ResponseApdu{Bytes(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(dataSize)),
                        bytes[dataSize], bytes[dataSize + 1]};
}

} // namespace kamusm::iso7816
