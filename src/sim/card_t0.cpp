#include "kamusm/sim/card_t0.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace kamusm::sim {

namespace {

using iso7816::CommandApdu;
using iso7816::ResponseApdu;

enum class Direction { Incoming, Outgoing };
struct Instruction {
    std::uint8_t ins;
    Direction direction;
};
// The profile's commands and which way their data flows under T=0.
constexpr Instruction instructions[] = {
    {0xA4, Direction::Incoming}, // SELECT
    {0x20, Direction::Incoming}, // VERIFY (P3=0: PIN status)
    {0x24, Direction::Incoming}, // CHANGE REFERENCE DATA
    {0x2C, Direction::Incoming}, // RESET RETRY COUNTER
    {0x82, Direction::Incoming}, // EXTERNAL AUTHENTICATE
    {0x22, Direction::Incoming}, // MANAGE SECURITY ENVIRONMENT
    {0x2A, Direction::Incoming}, // PERFORM SECURITY OPERATION
    {0xB0, Direction::Outgoing}, // READ BINARY
    {0xCA, Direction::Outgoing}, // GET DATA
    {0x84, Direction::Outgoing}, // GET CHALLENGE
};
constexpr std::uint8_t getResponseIns = 0xC0, nullByte = 0x60;

const Instruction* find(std::uint8_t ins) {
    const auto* end = std::end(instructions);
    const auto* found = std::find_if(std::begin(instructions), end,
                                     [&](const Instruction& i) { return i.ins == ins; });
    return found == end ? nullptr : found;
}

std::size_t lengthOf(std::uint8_t p3) {
    return p3 == 0 ? 256 : p3;
}
std::uint8_t lengthByte(std::size_t length) {
    return static_cast<std::uint8_t>(length);
} // 256 → 00

Bytes statusOf(const ResponseApdu& response) {
    return {response.sw1, response.sw2};
}

} // namespace

void T0Card::reset() {
    pendingHeader_.reset();
    responseData_.clear();
    nullBytes_ = 0;
}

Bytes T0Card::onHeader(ByteView header) {
    if (header.size() != 5)
        throw std::invalid_argument("a T=0 command header has 5 bytes, not " +
                                    std::to_string(header.size()));
    std::array<std::uint8_t, 5> h{};
    std::copy(header.begin(), header.end(), h.begin());
    pendingHeader_.reset();
    if (h[0] == 0x00 && h[1] == getResponseIns) return answer(getResponse(h));
    responseData_.clear();
    CommandApdu command{h[0], h[1], h[2], h[3], {}, std::nullopt};
    const Instruction* instruction = h[0] == 0x00 ? find(h[1]) : nullptr;
    if (instruction && instruction->direction == Direction::Outgoing) {
        command.le = lengthOf(h[4]);
        return answer(outgoing(command));
    }
    // A bad CLA or INS, or case 1: the status word at once.
    if (!instruction || h[4] == 0) return answer(finish(card_.process(command)));
    pendingHeader_ = h;
    return answer({h[1]});
}

Bytes T0Card::onData(ByteView data) {
    if (!pendingHeader_) throw std::logic_error("T=0 data bytes without an ACK from the card");
    const auto h = *pendingHeader_;
    if (data.size() != h[4])
        throw std::logic_error("T=0 command announced " + std::to_string(h[4]) +
                               " data bytes, got " + std::to_string(data.size()));
    pendingHeader_.reset();
    CommandApdu command{h[0], h[1], h[2], h[3], Bytes(data.begin(), data.end()), {}};
    const WipeOnExit wipeData(command.data); // VERIFY and CHANGE carry PINs
    return answer(finish(card_.process(command)));
}

Bytes T0Card::answer(Bytes characters) {
    Bytes out(static_cast<std::size_t>(std::max(nullBytes_, 0)), nullByte);
    nullBytes_ = 0;
    out.insert(out.end(), characters.begin(), characters.end());
    return out;
}

Bytes T0Card::finish(ResponseApdu response) {
    if (response.data.empty()) return statusOf(response);
    responseData_ = std::move(response.data);
    finalSw1_ = response.sw1;
    finalSw2_ = response.sw2;
    return {0x61, lengthByte(std::min<std::size_t>(responseData_.size(), 256))};
}

// Case 2: the card runs the command for Le = P3 and compares what it has with P3.
Bytes T0Card::outgoing(const CommandApdu& command) {
    ResponseApdu response = card_.process(command);
    if (response.data.empty()) return statusOf(response);
    if (response.data.size() != *command.le) return {0x6C, lengthByte(response.data.size())};
    if (!directCase2_) return finish(std::move(response));
    Bytes out{command.ins};
    out.insert(out.end(), response.data.begin(), response.data.end());
    out.insert(out.end(), {response.sw1, response.sw2});
    return out;
}

Bytes T0Card::getResponse(const std::array<std::uint8_t, 5>& header) {
    if (header[2] != 0x00 || header[3] != 0x00) return {0x6A, 0x86};
    if (responseData_.empty()) return {0x69, 0x85};
    const std::size_t wanted = lengthOf(header[4]);
    if (wanted > responseData_.size()) return {0x6C, lengthByte(responseData_.size())};
    Bytes out{getResponseIns};
    const auto end = responseData_.begin() + static_cast<std::ptrdiff_t>(wanted);
    out.insert(out.end(), responseData_.begin(), end);
    responseData_.erase(responseData_.begin(), end);
    if (responseData_.empty())
        out.insert(out.end(), {finalSw1_, finalSw2_});
    else
        out.insert(out.end(), {0x61, lengthByte(std::min<std::size_t>(responseData_.size(), 256))});
    return out;
}

} // namespace kamusm::sim
