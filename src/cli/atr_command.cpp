// pinctl atr <hex> [--json]: decodes an Answer-to-Reset (ISO/IEC 7816-3 §8) into the keys of
// interfaces.md, or a byte-by-byte description with the historical bytes as COMPACT-TLV.
#include "commands.hpp"

#include "kamusm/base/bytes.hpp"
#include "kamusm/iso7816/atr.hpp"
#include "kamusm/iso7816/error.hpp"
#include "kamusm/iso7816/tlv.hpp"

#include <nlohmann/json.hpp>

#include <cctype>
#include <cstdio>
#include <iostream>
#include <stdexcept>
#include <string>

namespace kamusm::cli {

namespace {

using iso7816::Atr;

constexpr const char* help =
    "usage: pinctl atr <hex> [--json]\n"
    "\n"
    "Decodes an Answer-to-Reset (ISO/IEC 7816-3): every interface byte, Fi/Di and the bit rate,\n"
    "the protocols, T=1 parameters, the historical bytes and the TCK. The hex may contain\n"
    "spaces. Exit 0 when it parses, 2 when it does not (with --json: {\"valid\": false, ...}).\n";

constexpr double referenceClockHz = 4e6; // the rate a human reads about: a common reader clock
constexpr int globalProtocol = 15;

template <typename T> nlohmann::json orNull(const std::optional<T>& value) {
    return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

const char* tckName(iso7816::TckStatus status) {
    constexpr const char* names[] = {"absent", "ok", "wrong"};
    return names[static_cast<int>(status)];
}

nlohmann::ordered_json describe(const Atr& atr) {
    return {
        {"valid", true},
        {"convention", atr.convention == iso7816::Convention::Direct ? "direct" : "inverse"},
        {"protocols", atr.protocols()},
        {"fi", orNull(atr.fi())},
        {"di", orNull(atr.di())},
        {"fmax_mhz", orNull(atr.fmaxMhz())},
        {"ta1", orNull(atr.ta1())},
        {"specific_mode", atr.specificMode()},
        {"extra_guard_time", atr.extraGuardTime()},
        {"wi", atr.wi()},
        {"ifsc", atr.ifsc()},
        {"bwi", atr.bwi()},
        {"cwi", atr.cwi()},
        {"crc", atr.crc()},
        {"historical", toHex(atr.historical)},
        {"tck", tckName(atr.tckStatus)},
        {"tck_required", atr.tckRequired()},
    };
}

std::string format(const char* pattern, auto... values) {
    char text[160];
    std::snprintf(text, sizeof text, pattern, values...);
    return text;
}

std::string optionalText(const std::optional<int>& value) {
    return value ? std::to_string(*value) : "RFU";
}

// Which of TAi, TBi, TCi, TDi follow: the high nibble of T0 or TDi-1.
std::string announced(std::uint8_t indicator, std::size_t i) {
    std::string text;
    const char* names[] = {"TA", "TB", "TC", "TD"};
    for (int bit = 0; bit < 4; ++bit)
        if (indicator & (0x10 << bit)) text += std::string(" ") + names[bit] + std::to_string(i);
    return text.empty() ? " none" : text;
}

std::string rateText(const Atr& atr) {
    if (!atr.fi() || !atr.di()) return "no bit rate (RFU entry)";
    const double rate = *atr.di() * referenceClockHz / *atr.fi();
    const double defaultRate = referenceClockHz / 372;
    return format("%ld bit/s at 4 MHz (%.1fx the default %ld)", static_cast<long>(rate),
                  rate / defaultRate, static_cast<long>(defaultRate));
}

std::string fmaxText(const std::optional<double>& fmax) {
    return fmax ? format("%g MHz", *fmax) : std::string("RFU");
}

// Explains TA/TB/TC of group i (1-based) given the protocol the previous TD announced.
std::string explainTa(const Atr& atr, std::size_t i, std::optional<int> protocol,
                      std::uint8_t value) {
    if (i == 1)
        return "Fi " + optionalText(iso7816::fiTable[value >> 4].fi) + ", Di " +
               optionalText(iso7816::diTable[value & 0x0F]) + ", fmax " +
               fmaxText(iso7816::fiTable[value >> 4].fmaxMhz) + ": " + rateText(atr);
    if (i == 2)
        return format("specific mode, T=%d%s%s", value & 0x0F,
                      value & 0x10 ? ", implicit parameters" : "",
                      value & 0x80 ? ", mode cannot change" : ", mode can change");
    if (protocol == 1) return format("T=1 IFSC %d", value);
    if (protocol == globalProtocol) {
        const char* clockStop[] = {"not supported", "state L", "state H", "no preference"};
        return format("clock stop %s, classes%s%s%s", clockStop[value >> 6],
                      value & 0x01 ? " A (5 V)" : "", value & 0x02 ? " B (3 V)" : "",
                      value & 0x04 ? " C (1.8 V)" : "");
    }
    return "specific to T=" + std::to_string(protocol.value_or(0));
}

std::string explainTb(std::size_t i, std::optional<int> protocol, std::uint8_t value) {
    if (i <= 2) return "programming voltage (deprecated)";
    if (protocol == 1) return format("T=1 BWI %d, CWI %d", value >> 4, value & 0x0F);
    if (protocol == globalProtocol) return "standard or proprietary use (SPU)";
    return "specific to T=" + std::to_string(protocol.value_or(0));
}

std::string explainTc(std::size_t i, std::optional<int> protocol, std::uint8_t value) {
    if (i == 1)
        return value == 255 ? "extra guard time 255: minimum character distance (12 etu T=0, "
                              "11 etu T=1)"
                            : format("extra guard time %d etu", value);
    if (i == 2) return format("T=0 waiting integer WI %d", value);
    if (protocol == 1) return value & 0x01 ? "T=1 error detection CRC" : "T=1 error detection LRC";
    return "specific to T=" + std::to_string(protocol.value_or(0));
}

std::string printable(ByteView bytes) {
    std::string text;
    for (std::uint8_t byte : bytes)
        text += std::isprint(byte) ? static_cast<char>(byte) : '.';
    return text;
}

bool isCompactTlvCategory(std::uint8_t category) {
    return category == 0x00 || category == 0x10 || category == 0x80;
}

void printHistorical(const Atr& atr) {
    if (atr.historical.empty()) {
        std::puts("  historical bytes: none");
        return;
    }
    std::printf("  historical bytes (%zu): %s  \"%s\"\n", atr.historical.size(),
                toHex(atr.historical, ' ').c_str(), printable(atr.historical).c_str());
    if (!isCompactTlvCategory(atr.historical[0])) {
        std::printf("    category indicator %02X: proprietary format\n", atr.historical[0]);
        return;
    }
    try {
        const iso7816::HistoricalBytes historical = iso7816::parseHistoricalBytes(atr.historical);
        std::printf("    category indicator %02X: ", historical.categoryIndicator);
        if (historical.dirDataReference) {
            std::printf("DIR data reference %02X\n", *historical.dirDataReference);
            return;
        }
        std::puts("COMPACT-TLV");
        for (const iso7816::CompactTlv& object : historical.objects)
            std::printf("    %X %-30s %s  \"%s\"\n", object.tag,
                        iso7816::compactTagName(object.tag), toHex(object.value, ' ').c_str(),
                        printable(object.value).c_str());
        if (historical.status && historical.status->lifeCycle)
            std::printf("    life cycle status %02X\n", *historical.status->lifeCycle);
        if (historical.status && historical.status->sw)
            std::printf("    status word %04X\n", *historical.status->sw);
    } catch (const iso7816::Error& failure) {
        std::printf("    malformed COMPACT-TLV: %s\n", failure.what());
    }
}

void printHuman(const Atr& atr) {
    std::printf("ATR: %s\n", toHex(atr.raw, ' ').c_str());
    std::printf("  TS  %02X  %s convention\n", atr.raw[0],
                atr.convention == iso7816::Convention::Direct ? "direct" : "inverse");
    std::printf("  T0  %02X  Y1:%s; K = %d historical bytes\n", atr.t0,
                announced(atr.t0, 1).c_str(), atr.t0 & 0x0F);
    std::optional<int> protocol; // announced by the previous TD
    for (std::size_t g = 0; g < atr.groups.size(); ++g) {
        const iso7816::InterfaceBytes& group = atr.groups[g];
        const std::size_t i = g + 1;
        if (group.ta)
            std::printf("  TA%zu %02X  %s\n", i, *group.ta,
                        explainTa(atr, i, protocol, *group.ta).c_str());
        if (group.tb)
            std::printf("  TB%zu %02X  %s\n", i, *group.tb,
                        explainTb(i, protocol, *group.tb).c_str());
        if (group.tc)
            std::printf("  TC%zu %02X  %s\n", i, *group.tc,
                        explainTc(i, protocol, *group.tc).c_str());
        if (group.td) {
            protocol = *group.td & 0x0F;
            std::printf("  TD%zu %02X  Y%zu:%s; T=%d%s\n", i, *group.td, i + 1,
                        announced(*group.td, i + 1).c_str(), *protocol,
                        *protocol == globalProtocol ? " (global interface bytes)" : "");
        }
    }
    printHistorical(atr);
    const char* tckStates[] = {"absent", "ok", "WRONG: the XOR of T0 .. TCK is not 0"};
    if (atr.tck)
        std::printf("  TCK %02X  %s\n", *atr.tck, tckStates[static_cast<int>(atr.tckStatus)]);
    else
        std::printf("  TCK absent%s\n", atr.tckRequired() ? " but required" : "");

    std::string protocols;
    for (int t : atr.protocols())
        protocols += " T=" + std::to_string(t);
    std::printf("Protocols:%s\n", protocols.c_str());
    std::printf("Fi %s, Di %s, fmax %s: %s\n", optionalText(atr.fi()).c_str(),
                optionalText(atr.di()).c_str(), fmaxText(atr.fmaxMhz()).c_str(),
                rateText(atr).c_str());
    if (atr.offers(1))
        std::printf("T=1: IFSC %d, BWI %d, CWI %d, %s\n", atr.ifsc(), atr.bwi(), atr.cwi(),
                    atr.crc() ? "CRC" : "LRC");
    if (atr.fi() && atr.di()) {
        const iso7816::AtrTiming t = iso7816::timing(atr, *atr.fi(), *atr.di(), referenceClockHz);
        std::printf("At 4 MHz: etu %.2f us", t.etuSeconds * 1e6);
        if (atr.offers(1))
            std::printf(", CWT %.3f ms, BWT %.3f s", t.characterWaitSeconds * 1e3,
                        t.blockWaitSeconds);
        if (atr.offers(0)) std::printf(", WT %.3f s", t.workWaitSeconds);
        std::puts("");
    }
}

} // namespace

int atrCommand(const Arguments& arguments) {
    if (hasFlag(arguments, "--help") || hasFlag(arguments, "-h")) {
        std::fputs(help, stdout);
        return 0;
    }
    const DecodeInput input = parseDecodeInput(arguments, "ATR");
    const bool json = input.json;
    if (!input.error.empty()) {
        if (!json && input.hex.empty()) std::fputs(help, stderr);
        return reportInvalid("atr", input.error, json);
    }
    Atr atr;
    try {
        atr = iso7816::parseAtr(fromHex(input.hex));
    } catch (const std::invalid_argument& failure) {
        return reportInvalid("atr", std::string("not hex: ") + failure.what(), json);
    } catch (const iso7816::Error& failure) {
        return reportInvalid("atr", failure.what(), json);
    }
    if (json)
        std::cout << describe(atr).dump() << '\n';
    else
        printHuman(atr);
    return 0;
}

} // namespace kamusm::cli
