#include "kamusm/iso7816/channel.hpp"

#include "kamusm/iso7816/error.hpp"

#include <algorithm>

namespace kamusm::iso7816 {

namespace {

constexpr std::size_t shortChunk = 255;    // Nc of one short command APDU
constexpr std::size_t shortMaxLe = 256;    // Ne of one short command APDU
constexpr std::size_t maxResponse = 65536; // more than any APDU may return: a looping card
constexpr std::uint8_t chainingBit = 0x10; // CLA b5: more commands of this chain follow
constexpr std::uint8_t insGetResponse = 0xC0;

std::size_t lengthFromSw2(std::uint8_t sw2) {
    return sw2 == 0 ? 256 : sw2;
}

// Sends all but the last `shortChunk` bytes of data as chained commands; leaves the last part
// in `command`. Returns the answer of an intermediate command that was not 9000.
Task<std::optional<ResponseApdu>> sendChainHead(Channel& channel, CommandApdu& command) {
    Bytes data = std::move(command.data);
    std::size_t at = 0;
    for (; data.size() - at > shortChunk; at += shortChunk) {
        const auto begin = data.begin() + static_cast<std::ptrdiff_t>(at);
        CommandApdu part{static_cast<std::uint8_t>(command.cla | chainingBit),
                         command.ins,
                         command.p1,
                         command.p2,
                         Bytes(begin, begin + shortChunk),
                         std::nullopt};
        ResponseApdu answer = co_await channel.transmitRaw(part);
        if (!answer.ok()) co_return answer;
    }
    command.data.assign(data.begin() + static_cast<std::ptrdiff_t>(at), data.end());
    co_return std::nullopt;
}

} // namespace

Task<ResponseApdu> transmit(Channel& channel, CommandApdu command) {
    const WipeOnExit wipeCommand(command.data); // this copy may carry a PIN
    const bool shortOnly = !channel.extendedApdus();
    if (shortOnly && command.data.size() > shortChunk) {
        if (auto refused = co_await sendChainHead(channel, command)) co_return std::move(*refused);
    }
    // A short channel asks for the most one APDU can carry; the card announces the rest by 61xx.
    if (shortOnly && command.le && *command.le > shortMaxLe) command.le = shortMaxLe;

    ResponseApdu response = co_await channel.transmitRaw(command);
    if (response.sw1 == 0x6C) {
        command.le = lengthFromSw2(response.sw2);
        response = co_await channel.transmitRaw(command);
    }

    Bytes data = std::move(response.data);
    while (response.sw1 == 0x61) {
        const CommandApdu getResponse{
            command.cla, insGetResponse, 0x00, 0x00, {}, lengthFromSw2(response.sw2)};
        response = co_await channel.transmitRaw(getResponse);
        // Every round must bring data, so that the size cap below ends any loop.
        if (response.data.empty() && response.sw1 == 0x61)
            throw Error(ErrorCode::MalformedResponse, "GET RESPONSE returned no data but 61xx");
        data.insert(data.end(), response.data.begin(), response.data.end());
        if (data.size() > maxResponse)
            throw Error(ErrorCode::MalformedResponse,
                        "response grew past 65536 bytes through 61xx GET RESPONSE");
    }
    response.data = std::move(data);
    co_return response;
}

} // namespace kamusm::iso7816
