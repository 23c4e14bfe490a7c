#include "card_line.hpp"

#include "kamusm/sim/line.hpp"

namespace kamusm::cli::bench {

namespace {

constexpr std::size_t shortMaxLe = 256;
constexpr std::size_t headerSize = 4;    // CLA INS P1 P2
constexpr std::size_t statusWord = 2;    // SW1 SW2
constexpr std::size_t t0Header = 5;      // CLA INS P1 P2 P3
constexpr std::size_t ppsCharacters = 8; // PPSS PPS0 PPS1 PCK, each way
constexpr int defaultIfsd = 32;

std::size_t commandBytes(const ApduShape& apdu) {
    return headerSize + (apdu.commandData ? 1 + apdu.commandData : 0) + (apdu.hasLe ? 1 : 0);
}

// T=1: `size` bytes in I-blocks of at most `ifs`, each with prologue and epilogue, the chain's
// blocks but the last each acknowledged by an R-block.
std::size_t t1Characters(std::size_t size, std::size_t ifs, std::size_t epilogue) {
    const std::size_t blocks = size == 0 ? 1 : (size + ifs - 1) / ifs;
    const std::size_t overhead = 3 + epilogue;
    return size + blocks * overhead + (blocks - 1) * overhead;
}

std::size_t t0Characters(const ApduShape& apdu) {
    std::size_t count = t0Header + (apdu.commandData ? 1 + apdu.commandData : 0) + statusWord;
    if (apdu.hasLe) count += t0Header + 1 + apdu.responseData + statusWord; // 61xx, GET RESPONSE
    return count;
}

} // namespace

std::vector<ApduShape> requiredUnblockApdus(std::size_t certificateSize, std::size_t pinLength,
                                            std::size_t signatureSize) {
    constexpr std::size_t aidLength = 8, fileIdLength = 2, serialData = 77, challenge = 16;
    constexpr std::size_t signingEnvironment = 3, digestInfo = 51;
    std::vector<ApduShape> apdus{
        {"GET DATA (serial)", 0, serialData, true},
        {"SELECT (application)", aidLength, 0, false},
        {"SELECT (certificate)", fileIdLength, 0, false},
    };
    for (std::size_t offset = 0; offset < certificateSize; offset += shortMaxLe)
        apdus.push_back({"READ BINARY", 0, std::min(shortMaxLe, certificateSize - offset), true});
    const std::vector<ApduShape> rest{
        {"VERIFY (PIN status)", 0, 0, false},
        {"GET CHALLENGE", 0, challenge, true},
        {"EXTERNAL AUTHENTICATE", challenge, 0, false},
        {"RESET RETRY COUNTER", pinLength, 0, false},
        {"VERIFY (new PIN)", pinLength, 0, false},
        {"MSE SET", signingEnvironment, 0, false},
        {"PSO COMPUTE DIGITAL SIGNATURE", digestInfo, signatureSize, true},
    };
    apdus.insert(apdus.end(), rest.begin(), rest.end());
    return apdus;
}

LineLimit physicalLimit(const std::vector<ApduShape>& apdus, const LineParameters& line) {
    sim::Line defaultRate(line.clockHz), negotiated(line.clockHz);
    defaultRate.setExtraGuardTime(line.atr.extraGuardTime());
    negotiated.setExtraGuardTime(line.atr.extraGuardTime());
    negotiated.setFidi(line.fidi);

    std::size_t atDefault = line.atr.raw.size();
    if (line.fidi != sim::Line::defaultFidi) atDefault += ppsCharacters;

    std::size_t atRate = 0;
    const bool t1 = line.protocol == sim::CardProtocol::T1;
    const std::size_t epilogue = line.atr.crc() ? 2 : 1;
    if (t1 && line.ifsd > defaultIfsd) atRate += 2 * (4 + epilogue); // S(IFS request, response)
    for (const ApduShape& apdu : apdus) {
        if (t1)
            atRate += t1Characters(commandBytes(apdu), static_cast<std::size_t>(line.atr.ifsc()),
                                   epilogue) +
                      t1Characters(apdu.responseData + statusWord,
                                   static_cast<std::size_t>(line.ifsd), epilogue);
        else
            atRate += t0Characters(apdu);
    }
    const sim::CharacterFrame frame = t1 ? sim::CharacterFrame::T1 : sim::CharacterFrame::T0;
    return {atDefault + atRate, defaultRate.seconds(atDefault, sim::CharacterFrame::T0) +
                                    negotiated.seconds(atRate, frame)};
}

} // namespace kamusm::cli::bench
