// Reader::connect: power-on with voltage fallback, the ATR, protocol and rate choice, PPS and
// SetParameters, and the card timeout. The order of operations and the formulas follow libccid
// (ifdhandler.c IFDHSetProtocolParameters, commands.c CmdPowerOn); ISO/IEC 7816-3 §6-§11.
#include "kamusm/ccid/reader.hpp"

#include "session.hpp"

#include "kamusm/iso7816/error.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <string>

namespace kamusm::ccid {

namespace {

using detail::hex8;

// The reader answers ICC_MUTE within ~40000 clocks of a silent card; this only bounds a reader
// that stops answering (libccid allows 60 s for a card sending the slowest legal ATR).
constexpr usb::Milliseconds powerOnTimeout{5000};
// Rates in descriptors are rounded to whole bits per second.
constexpr double rateTolerance = 2;
constexpr std::uint8_t getDataRatesRequest = 0x03; // CCID §5.3.3

struct VoltageRow {
    std::uint8_t bVoltageSupportBit;
    Voltage voltage;
};
// Class A, then B, then C (ISO 7816-3 §6.2.4); only the classes the reader offers.
constexpr std::array<VoltageRow, 3> voltageOrder{{
    {0x01, Voltage::V5_0},
    {0x02, Voltage::V3_0},
    {0x04, Voltage::V1_8},
}};

std::vector<Voltage> voltagesToTry(const ClassDescriptor& descriptor, const Quirks& quirks) {
    if (descriptor.autoVoltage() || (descriptor.dwFeatures & Feature::AutoActivation) ||
        quirks.noVoltageFallback)
        return {Voltage::Automatic};
    std::vector<Voltage> voltages;
    for (const VoltageRow& row : voltageOrder)
        if (descriptor.bVoltageSupport & row.bVoltageSupportBit) voltages.push_back(row.voltage);
    if (voltages.empty()) voltages.push_back(Voltage::Automatic);
    return voltages;
}

// A power-on that may work at the next voltage: the card stayed mute or rejected the class.
bool tryNextVoltage(const Message& reply) {
    if (reply.commandStatus() != CommandStatus::Failed || reply.iccStatus() == IccStatus::Absent)
        return false;
    const ErrorCode code = errorCodeForBError(reply.bError());
    return code == ErrorCode::CardMute || code == ErrorCode::ClassNotSupported;
}

iso7816::Atr parseCardAtr(ByteView bytes) {
    iso7816::Atr atr;
    try {
        atr = iso7816::parseAtr(bytes);
    } catch (const iso7816::Error& error) {
        throw Error(ErrorCode::BadAtr, std::string("the card's ATR does not parse: ") +
                                           error.what() + " (" + toHex(bytes, ' ') + ")");
    }
    if (atr.tckStatus == iso7816::TckStatus::Wrong)
        throw Error(ErrorCode::BadAtr,
                    "the card's ATR has a wrong TCK (" + toHex(bytes, ' ') + ")");
    return atr;
}

std::string protocolList(const std::vector<int>& protocols) {
    std::string text;
    for (int protocol : protocols)
        text += (text.empty() ? "T=" : ", T=") + std::to_string(protocol);
    return text.empty() ? "none" : text;
}

// T=1 when card and reader both have it, else T=0; a card in specific mode (TA2) has one.
int chooseProtocol(const iso7816::Atr& atr, const ClassDescriptor& descriptor) {
    if (const auto specific = atr.specificProtocol()) {
        if (descriptor.supportsProtocol(*specific)) return *specific;
        throw Error(ErrorCode::ProtocolNotSupported,
                    "the card is fixed to T=" + std::to_string(*specific) +
                        " (TA2), the reader has " + protocolList(descriptor.protocols()));
    }
    for (int protocol : {1, 0})
        if (atr.offers(protocol) && descriptor.supportsProtocol(protocol)) return protocol;
    throw Error(ErrorCode::ProtocolNotSupported,
                "the card offers " + protocolList(atr.protocols()) + ", the reader has " +
                    protocolList(descriptor.protocols()));
}

struct FiDi {
    int fi = 372, di = 1;
};

std::optional<FiDi> fiDi(std::uint8_t fidi) {
    const auto fi = iso7816::fiTable[fidi >> 4].fi;
    const auto di = iso7816::diTable[fidi & 0x0F];
    if (!fi || !di) return std::nullopt;
    return FiDi{*fi, *di};
}

// Bits per second on the card line: f · D / F.
double bitRate(std::uint8_t fidi, double clockHz) {
    const auto factors = fiDi(fidi);
    return factors ? clockHz * factors->di / factors->fi : 0;
}

// What the reader can do: up to dwMaxDataRate (or the quirk's) at dwDefaultClock and, when it
// lists its rates (GET_DATA_RATES), only those, within the rounding of whole bps (libccid).
struct ReaderRates {
    double clockHz = 0;
    double maxRate = 0;
    std::vector<std::uint32_t> listed;

    bool canDo(double rate) const {
        if (rate > maxRate + rateTolerance) return false;
        return listed.empty() || std::any_of(listed.begin(), listed.end(), [&](std::uint32_t r) {
                   return std::abs(rate - r) < rateTolerance;
               });
    }
};

// The card's TA1 when the reader can go that fast; otherwise the same Fi with a smaller Di, one
// step at a time down to Di 8 (low nibble 4) as libccid does, and else the default 0x11. Di 12
// and 20 (nibbles 8, 9) are not in the ascending order of nibbles 1-7 and are not stepped.
std::uint8_t chooseFidi(const iso7816::Atr& atr, const ReaderRates& reader) {
    const auto ta1 = atr.ta1();
    const double clockHz = reader.clockHz;
    const double defaultRate = clockHz / 372;
    const auto usable = [&](std::uint8_t fidi) {
        const double rate = bitRate(fidi, clockHz);
        return rate > defaultRate && reader.canDo(rate);
    };
    if (!ta1 || bitRate(*ta1, clockHz) <= defaultRate) return 0x11;
    if (usable(*ta1)) return *ta1;
    if ((*ta1 & 0x0F) > 7) return 0x11;
    for (auto fidi = static_cast<std::uint8_t>(*ta1 - 1); (fidi & 0x0F) >= 4; --fidi)
        if (usable(fidi)) return fidi;
    return 0x11;
}

// A card in specific mode already runs at TA1; the reader must be able to follow.
std::uint8_t specificFidi(const iso7816::Atr& atr, const ReaderRates& reader) {
    if (*atr.groups[1].ta & 0x10)
        throw Error(ErrorCode::Unsupported,
                    "the card's TA2 asks for implicit transmission parameters");
    const std::uint8_t fidi = atr.ta1().value_or(0x11);
    if (fidi != 0x11 && (!fiDi(fidi) || !reader.canDo(bitRate(fidi, reader.clockHz))))
        throw Error(ErrorCode::ProtocolNotSupported,
                    "the card is fixed (TA2) at TA1 " + hex8(fidi) +
                        ", a rate the reader cannot do (at most " +
                        std::to_string(static_cast<long>(reader.maxRate)) + " bps)");
    return fidi;
}

std::uint8_t xorAll(ByteView bytes) {
    std::uint8_t value = 0;
    for (std::uint8_t byte : bytes)
        value ^= byte;
    return value;
}

// The PPS response (ISO 7816-3 §9.3): PPSS, the same protocol, PPS1 echoed or left out (then
// the default rate holds), PCK right. Returns the rate in force.
std::uint8_t ppsResult(ByteView request, ByteView response) {
    const auto refused = [&]() {
        return Error(ErrorCode::ProtocolError, "the card refused PPS " + toHex(request, ' ') +
                                                   ": it answered " + toHex(response, ' '));
    };
    if (response.size() < 3 || response[0] != 0xFF || xorAll(response) != 0 ||
        (response[1] & 0x0F) != (request[1] & 0x0F))
        throw refused();
    const std::size_t optional = std::popcount(static_cast<unsigned>((response[1] >> 4) & 0x07));
    if (response.size() != 3 + optional) throw refused();
    if (!(response[1] & 0x10)) return 0x11;
    if (!(request[1] & 0x10) || response[2] != request[2]) throw refused();
    return response[2];
}

Task<std::uint8_t> exchangePps(Reader& reader, std::uint8_t slot, int protocol, std::uint8_t fidi) {
    Bytes request{0xFF, static_cast<std::uint8_t>(protocol)};
    if (fidi != 0x11) {
        request[1] |= 0x10;
        request.push_back(fidi);
    }
    request.push_back(xorAll(request));
    const Message reply = co_await reader.exchange(xfrBlock(slot, request), detail::readerTimeout);
    co_return ppsResult(request, reply.abData);
}

Bytes protocolData(const iso7816::Atr& atr, int protocol, std::uint8_t fidi) {
    const bool inverse = atr.convention == iso7816::Convention::Inverse;
    const auto guard = static_cast<std::uint8_t>(atr.extraGuardTime());
    if (protocol == 1) {
        T1Parameters parameters;
        parameters.bmFindexDindex = fidi;
        parameters.bmTCCKST1 =
            static_cast<std::uint8_t>(0x10 | (atr.crc() ? 0x01 : 0) | (inverse ? 0x02 : 0));
        parameters.bGuardTimeT1 = guard;
        parameters.bWaitingIntegerT1 = static_cast<std::uint8_t>(atr.bwi() << 4 | atr.cwi());
        parameters.bIFSC = static_cast<std::uint8_t>(std::min(atr.ifsc(), 254));
        parameters.bNadValue = 0;
        return parameters.encode();
    }
    T0Parameters parameters;
    parameters.bmFindexDindex = fidi;
    parameters.bmTCCKST0 = inverse ? 0x02 : 0x00;
    parameters.bGuardTimeT0 = guard;
    parameters.bWaitingIntegerT0 = static_cast<std::uint8_t>(atr.wi());
    return parameters.encode();
}

struct Negotiated {
    int protocol = 1;
    std::uint8_t fidi = 0x11;
};

// What a Parameters reply says is in force; `asked` where it says nothing usable.
Negotiated inForce(const Message& reply, Negotiated asked) {
    Negotiated result = asked;
    if (reply.bProtocolNum() <= 1) result.protocol = reply.bProtocolNum();
    if (!reply.abData.empty() && fiDi(reply.abData[0])) result.fidi = reply.abData[0];
    return result;
}

// dwFeatures 0x40: the reader negotiated at power-on, ask what it chose. 0x80: SetParameters
// makes the reader send the PPS. Neither, at TPDU level: the host sends the PPS through
// XfrBlock when it changes the rate or the protocol, then SetParameters. An APDU-level reader
// without either cannot be made to send a PPS, so the default rate stays.
Task<Negotiated> negotiate(Reader& reader, std::uint8_t slot, const iso7816::Atr& atr, int protocol,
                           ConnectOptions options, const ReaderRates& rates) {
    const ClassDescriptor& descriptor = reader.descriptor();
    if (descriptor.dwFeatures & Feature::AutoParameterNegotiation) {
        const Message reply = co_await reader.exchange(getParameters(slot), detail::readerTimeout);
        co_return inForce(reply, {protocol, 0x11});
    }
    Negotiated wanted{protocol, 0x11};
    if (atr.specificMode())
        wanted.fidi = specificFidi(atr, rates);
    else if (options.negotiateRate)
        wanted.fidi = chooseFidi(atr, rates);
    const bool hostPps = !(descriptor.dwFeatures & Feature::AutoPps) && !atr.specificMode();
    if (hostPps && descriptor.exchangeLevel() != ExchangeLevel::Tpdu) wanted.fidi = 0x11;
    if (hostPps && descriptor.exchangeLevel() == ExchangeLevel::Tpdu &&
        (wanted.fidi != 0x11 || protocol != atr.protocols().front()))
        wanted.fidi = co_await exchangePps(reader, slot, protocol, wanted.fidi);
    const auto setParametersAt = [&](std::uint8_t fidi) {
        return reader.exchange(setParameters(slot, static_cast<std::uint8_t>(protocol),
                                             protocolData(atr, protocol, fidi)),
                               detail::readerTimeout);
    };
    std::optional<Message> reply;
    try {
        reply = co_await setParametersAt(wanted.fidi);
    } catch (const Error& error) {
        // An auto-PPS reader rejects the rate field when its PPS failed or it will not change
        // the rate any more; the default rate needs no PPS, so the card stays usable.
        const bool rateRefused = error.code() == ErrorCode::BadParameter && wanted.fidi != 0x11 &&
                                 (descriptor.dwFeatures & Feature::AutoPps);
        if (!rateRefused) throw;
    }
    if (!reply) {
        wanted.fidi = 0x11;
        reply = co_await setParametersAt(wanted.fidi);
    }
    co_return inForce(*reply, wanted);
}

// libccid's T1_card_timeout / T0_card_timeout at the negotiated rate: for T=1 a whole block
// both ways (260 EGT + BWT + 260 CWT) plus 1 s for the reader to report its own timeout; for
// T=0 the longer of a full ISO-IN and ISO-OUT case, at least 3 s.
usb::Milliseconds cardTimeout(const iso7816::Atr& atr, int protocol, std::uint8_t fidi,
                              double clockHz) {
    const auto factors = fiDi(fidi);
    if (!factors || !(clockHz > 0)) return usb::Milliseconds{60000};
    const iso7816::AtrTiming t = iso7816::timing(atr, factors->fi, factors->di, clockHz);
    const int tc1 = atr.extraGuardTime();
    const double egt = (12 + (tc1 == 255 ? 0 : tc1)) * t.etuSeconds;
    const double seconds =
        protocol == 1
            ? 260 * egt + t.blockWaitSeconds + 260 * t.characterWaitSeconds + 1.0
            : std::max({3.0, 261 * egt + 6 * t.workWaitSeconds, 5 * egt + 260 * t.workWaitSeconds});
    return usb::Milliseconds{static_cast<long>(std::ceil(seconds * 1000))};
}

} // namespace

Task<Bytes> Reader::powerOn(std::uint8_t slot) {
    const std::vector<Voltage> voltages = voltagesToTry(descriptor(), quirks_);
    const usb::Milliseconds timeout = powerOnTimeout + usb::Milliseconds(quirks_.extraTimeoutMs);
    for (std::size_t i = 0; i + 1 < voltages.size(); ++i) {
        const Message reply = co_await transact(iccPowerOn(slot, voltages[i]), timeout);
        if (!tryNextVoltage(reply)) {
            detail::throwIfFailed(reply);
            co_return reply.abData;
        }
        // Deactivate before the next class (ISO 7816-3 §6.2.4); its status does not matter.
        co_await transact(iccPowerOff(slot), detail::readerTimeout);
    }
    const Message reply = co_await exchange(iccPowerOn(slot, voltages.back()), timeout);
    co_return reply.abData;
}

// GET_DATA_RATES (CCID §5.3.3). WebUSB may refuse class requests aimed at a smart-card
// interface, and a reader may stall it: then dwMaxDataRate alone decides, as for a reader
// without a list.
Task<std::vector<std::uint32_t>> Reader::dataRates() {
    if (dataRates_) co_return *dataRates_;
    dataRates_.emplace();
    const std::uint8_t count = descriptor().bNumDataRatesSupported;
    if (count == 0) co_return *dataRates_;
    const usb::ControlSetup setup{usb::RequestType::Class, usb::Recipient::Interface,
                                  getDataRatesRequest, 0, interface_.bInterfaceNumber};
    Bytes bytes;
    try {
        bytes = co_await device_.controlTransferIn(setup, static_cast<std::uint16_t>(count * 4),
                                                   detail::readerTimeout);
    } catch (const usb::Error& error) {
        if (error.code() == usb::ErrorCode::Disconnected) throw;
    }
    for (std::size_t at = 0; at + 4 <= bytes.size(); at += 4)
        dataRates_->push_back(readLittle32(bytes, at));
    co_return *dataRates_;
}

Task<std::unique_ptr<CardSession>> Reader::connect(std::uint8_t slot, ConnectOptions options) {
    if (slot >= slotCount())
        throw Error(ErrorCode::BadParameter, "slot " + std::to_string(slot) + ": the reader has " +
                                                 std::to_string(slotCount()) + " slot(s)");
    if (descriptor().exchangeLevel() == ExchangeLevel::Character)
        throw Error(ErrorCode::Unsupported,
                    "character-level readers are not supported: the host would have to time "
                    "every byte on the card line itself");
    const Bytes atrBytes = co_await powerOn(slot);
    detail::SessionSetup setup;
    setup.slot = slot;
    setup.atr = parseCardAtr(atrBytes);
    ReaderRates rates{descriptor().dwDefaultClock * 1000.0,
                      static_cast<double>(quirks_.maxDataRate.value_or(descriptor().dwMaxDataRate)),
                      {}};
    if (!(descriptor().dwFeatures & Feature::AutoParameterNegotiation))
        rates.listed = co_await dataRates();
    const Negotiated negotiated = co_await negotiate(
        *this, slot, setup.atr, chooseProtocol(setup.atr, descriptor()), options, rates);
    setup.protocol = negotiated.protocol;
    setup.fidi = negotiated.fidi;
    const std::uint32_t maxIfsd = quirks_.maxIfsd.value_or(descriptor().dwMaxIFSD);
    setup.ifsd = maxIfsd == 0 ? 32 : static_cast<int>(std::min<std::uint32_t>(maxIfsd, 254));
    setup.timeout =
        cardTimeout(setup.atr, setup.protocol, setup.fidi, descriptor().dwDefaultClock * 1000.0) +
        usb::Milliseconds(quirks_.extraTimeoutMs);
    co_return co_await detail::makeSession(*this, std::move(setup));
}

} // namespace kamusm::ccid
