// The faults of pinctl's campaign: what can go wrong around a PIN operation, where it strikes
// (the reader's exchange, the backend's, or the holder), and on which card path it exists.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace kamusm::cli::campaign {

// How the campaign reaches the card: our CCID stack over a virtual USB reader, or
// reader::PcscTransport over the simulator's in-memory PC/SC.
enum class Transport { Ccid, Pcsc };

enum class Fault {
    CardRemoved,           // the card is taken out (until the holder puts it back)
    ReaderUnplugged,       // the reader goes (until the holder plugs it in again)
    MuteCard,              // the card stops answering (until it is put in again)
    ParityError,           // the reader reports parity errors instead of the card's answers
    GarbageFrame,          // a reply of random bytes
    TruncatedFrame,        // a reply cut to half its length
    StaleFrame,            // replies preceded by one with an old bSeq
    DuplicateFrame,        // replies sent twice
    EndlessTimeExtension,  // the reader asks for more time without end (until replugged)
    UsbStall,              // both bulk endpoints halt
    PcscRemovedCard,       // a PC/SC call fails with removed-card (the card lost contact)
    PcscResetCard,         // another program resets the card: reset-card on our connection
    PcscReaderUnavailable, // a PC/SC call fails with reader-unavailable (power lost)
    PcscSharingViolation,  // another program holds the card: sharing-violation
    ServerError,           // a 5xx answer, before or after the server did the work
    NetworkDrop,           // the connection drops, before or after the server did the work
    ServerRestart,         // the server restarts (or is killed during a request and restarts)
    SlowServer,            // the answer takes long; past the client's timeout it is lost
    UserIdle,              // the holder leaves the page alone (warning, or the idle reset)
    UserCancel,            // the holder cancels
    WrongPin,              // the holder types a wrong PIN (change) or a wrong repeat
};
inline constexpr std::size_t faultCount = static_cast<std::size_t>(Fault::WrongPin) + 1;

// Where a fault's position counts: the reader's exchange (USB transfers, or PC/SC calls),
// the requests to the backend, or the holder's actions.
enum class Channel { Reader, Backend, Holder };

struct FaultInfo {
    Fault fault;
    std::string_view id; // "card-removed" …
    Channel channel;
    bool ccid, pcsc; // the transports it exists on
};

const std::array<FaultInfo, faultCount>& faultTable();
const FaultInfo& infoOf(Fault fault);
bool appliesTo(Fault fault, Transport transport);

} // namespace kamusm::cli::campaign
