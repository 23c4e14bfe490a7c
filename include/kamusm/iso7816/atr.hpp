// Answer-to-Reset (ISO/IEC 7816-3 §8): interface bytes, historical bytes, TCK, and the values
// derived from them (Fi/Di/fmax, guard time, T=0 WI, T=1 IFSC/BWI/CWI/EDC).
#pragma once

#include "kamusm/base/bytes.hpp"

#include <array>
#include <optional>
#include <vector>

namespace kamusm::iso7816 {

enum class Convention { Direct, Inverse };
enum class TckStatus { Absent, Ok, Wrong };

// Fi and fmax (MHz) by the high nibble of TA1; Di by the low nibble. Empty = RFU.
struct ClockRateEntry {
    std::optional<int> fi;
    std::optional<double> fmaxMhz;
};
extern const std::array<ClockRateEntry, 16> fiTable;
extern const std::array<std::optional<int>, 16> diTable;

// One group of interface bytes: TAi, TBi, TCi, TDi (i from 1).
struct InterfaceBytes {
    std::optional<std::uint8_t> ta, tb, tc, td;
};

struct Atr {
    // TS 3B (direct) or 3F (inverse, already decoded as readers report it) are kept as given; an
    // inverse-convention ATR captured in direct convention (TS 03) is decoded byte by byte.
    Bytes raw;
    Convention convention = Convention::Direct;
    std::uint8_t t0 = 0;
    std::vector<InterfaceBytes> groups; // groups[0] is TA1..TD1
    Bytes historical;
    std::optional<std::uint8_t> tck;
    TckStatus tckStatus = TckStatus::Absent;

    // Transmission protocols from TD1, TD2, ... in order of first appearance ({0} without TD1).
    std::vector<int> protocols() const;
    bool tckRequired() const; // a protocol other than T=0 is announced
    bool offers(int protocol) const;

    std::optional<std::uint8_t> ta1() const;
    std::optional<int> fi() const;               // 372 when TA1 absent; nullopt when RFU
    std::optional<int> di() const;               // 1 when TA1 absent; nullopt when RFU
    std::optional<double> fmaxMhz() const;       // 5 when TA1 absent
    bool specificMode() const;                   // TA2 present
    std::optional<int> specificProtocol() const; // TA2 low nibble
    int extraGuardTime() const;                  // TC1, 0 when absent
    int wi() const;                              // TC2, 10 when absent

    // T=1 parameters: the first TAi/TBi/TCi (i >= 3) after a TDi-1 announcing T=1.
    int ifsc() const; // 32 when absent
    int bwi() const;  // 4 when absent
    int cwi() const;  // 13 when absent
    bool crc() const; // T=1 error detection: CRC instead of LRC
};

// Throws iso7816::Error{MalformedAtr} with a reason: empty, bad TS, truncated interface bytes,
// fewer historical bytes than T0 announces, bytes left over after TCK, longer than 33 bytes.
// A wrong TCK is not an error: it is reported in tckStatus.
Atr parseAtr(ByteView bytes);

// Timing derived from an ATR at a given clock and rate (ISO 7816-3 §7, §10.2, §11.4).
struct AtrTiming {
    double etuSeconds = 0;
    double characterWaitSeconds = 0; // T=1 CWT
    double blockWaitSeconds = 0;     // T=1 BWT
    double workWaitSeconds = 0;      // T=0 WT = WI * 960 * Fi / f
};
AtrTiming timing(const Atr& atr, int fi, int di, double clockHz);

} // namespace kamusm::iso7816
