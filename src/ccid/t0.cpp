#include "kamusm/ccid/t0.hpp"

#include "kamusm/ccid/error.hpp"

#include <string>

namespace kamusm::ccid::t0 {

namespace {

constexpr std::size_t headerSize = 5; // CLA INS P1 P2 P3
constexpr std::uint8_t null = 0x60;

bool isSw1(std::uint8_t byte) {
    return (byte & 0xF0) == 0x60 || (byte & 0xF0) == 0x90;
}

std::string hexByte(std::uint8_t byte) {
    return toHex(ByteView(&byte, 1));
}

} // namespace

Bytes tpduFor(const iso7816::CommandApdu& command) {
    if (command.data.size() > 255 || command.le.value_or(0) > 256)
        throw Error(ErrorCode::Unsupported, "T=0 carries short APDUs only (extended APDUs need "
                                            "ENVELOPE)");
    Bytes tpdu{command.cla, command.ins, command.p1, command.p2, 0x00};
    if (!command.data.empty()) { // cases 3S and 4S: Le goes, the card answers 61xx
        tpdu[4] = static_cast<std::uint8_t>(command.data.size());
        tpdu.insert(tpdu.end(), command.data.begin(), command.data.end());
    } else if (command.le) { // case 2S: 256 is coded 00
        tpdu[4] = static_cast<std::uint8_t>(*command.le);
    }
    return tpdu;
}

Bytes ProcedureEngine::transmit(ByteView tpdu) {
    if (tpdu.size() < headerSize ||
        (tpdu.size() > headerSize && tpdu.size() != headerSize + tpdu[4]))
        throw Error(ErrorCode::Unsupported,
                    "not a T=0 TPDU: " + std::to_string(tpdu.size()) + " bytes");
    const std::uint8_t ins = tpdu[1];
    const bool outgoing = tpdu.size() > headerSize;
    ByteView toSend = tpdu.subspan(headerSize);
    std::size_t toReceive = outgoing ? 0 : (tpdu[4] == 0 ? 256 : tpdu[4]);
    Bytes received;

    line_.sendBytes(tpdu.first(headerSize));
    int nulls = 0;
    for (;;) {
        const std::uint8_t procedure = line_.receiveByte();
        if (procedure == null) {
            if (++nulls > maxNullBytes)
                throw Error(ErrorCode::Timeout,
                            "the card sent over " + std::to_string(maxNullBytes) + " NULL bytes");
            continue;
        }
        nulls = 0;
        if (isSw1(procedure)) {
            received.push_back(procedure);
            received.push_back(line_.receiveByte());
            return received;
        }
        // ACK: everything left; its complement: one byte. An ACK with nothing left is a conflict.
        const bool all = procedure == ins;
        if (!all && procedure != static_cast<std::uint8_t>(~ins))
            throw Error(ErrorCode::ProcedureByteConflict, "unexpected procedure byte " +
                                                              hexByte(procedure) + " for INS " +
                                                              hexByte(ins));
        const std::size_t left = outgoing ? toSend.size() : toReceive;
        if (left == 0)
            throw Error(ErrorCode::ProcedureByteConflict,
                        "procedure byte " + hexByte(procedure) + " asks for data beyond P3");
        const std::size_t count = all ? left : 1;
        if (outgoing) {
            line_.sendBytes(toSend.first(count));
            toSend = toSend.subspan(count);
        } else {
            for (std::size_t i = 0; i < count; ++i)
                received.push_back(line_.receiveByte());
            toReceive -= count;
        }
    }
}

} // namespace kamusm::ccid::t0
