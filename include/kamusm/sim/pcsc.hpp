// An in-memory pcsc::Context whose readers hold sim::VirtualCards: what sits on pcsc::Context
// (reader::PcscTransport, the desktop helper's host) runs without a PC/SC service, in tests and
// in pinctl's fault campaign. It behaves as pcsc-lite does: failures are pcsc::Errors built from
// the SCARD_* values, a change is reported against the state and event counter passed in, and
// the PnP reader compares the reader count. Every call first passes `beforeCall`, where a fault
// injector may change the world or throw.
#pragma once

#include "kamusm/pcsc/context.hpp"
#include "kamusm/sim/card.hpp"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace kamusm::sim {

// SCARD_* values the world reports (pcsclite.h).
namespace scard {
inline constexpr std::uint32_t noService = 0x8010001D, unknownReader = 0x80100009,
                               noSmartcard = 0x8010000C, removedCard = 0x80100069,
                               resetCard = 0x80100068, readerUnavailable = 0x80100017,
                               sharingViolation = 0x8010000B, notTransacted = 0x80100016,
                               timeout = 0x8010000A;
}

// What pcscd's reader driver does for one reader, where a benchmark models it (a CCID reader
// model under a driver): the card powered at the first SCardConnect, each SCardTransmit carried
// over the reader's card line, the card reset or unpowered by SCardDisconnect. Without one the
// card answers APDUs directly, with no reader and no line in between.
class PcscDriver {
public:
    virtual ~PcscDriver() = default;
    virtual Task<void> powerUp() = 0; // does nothing when the card is powered already
    virtual Task<Bytes> transmit(ByteView command) = 0;
    virtual Task<void> release(pcsc::Disposition disposition) = 0;
};

struct PcscReader {
    std::string name;
    std::shared_ptr<VirtualCard> card;  // null: empty
    std::shared_ptr<PcscDriver> driver; // null: APDUs go straight to the card
    std::uint32_t events = 0;           // counts insertions and removals
    int insertion = 0;                  // which card a connection was made to
    int resets = 0;                     // resets by another program: connections then fail once
    bool heldExclusively = false;       // by "another program"
    Bytes reportedAtr;                  // non-empty: SCardStatus says this, not the card's ATR
};

inline PcscReader emptyPcscReader(std::string name) {
    PcscReader reader;
    reader.name = std::move(name);
    return reader;
}

// The calls of pcsc::Context and pcsc::Connection, as `beforeCall` sees them.
enum class PcscCall {
    ListReaders,
    GetStatusChange,
    Connect,
    Transmit,
    BeginTransaction,
    EndTransaction,
    Status,
    Disconnect,
};

// What tests and the campaign arrange and observe; shared by the context and its connections.
struct PcscWorld {
    std::vector<PcscReader> readers;
    bool serviceRunning = true;
    bool pnpReader = true; // false: the PnP notification reader is unknown (as on some stacks)
    // Called when a wait without a timeout finds nothing changed (the world cannot block):
    // the caller makes its change there. Nothing changed after it is a caller's bug.
    std::function<void()> whileWaiting;
    // Called at the start of every call (fault injection); may change the world or throw.
    std::function<void(PcscCall)> beforeCall;

    // Recorded calls.
    std::vector<pcsc::AccessMode> accessModes;
    std::vector<std::vector<pcsc::Protocol>> preferredProtocols;
    std::vector<Bytes> commands;
    std::vector<std::string> calls; // "begin", "end leave", "disconnect reset" …
    std::vector<std::size_t> waitSizes;
    std::vector<std::optional<pcsc::Milliseconds>> waitTimeouts;

    PcscReader* find(const std::string& name);
    void insert(const std::string& reader, std::shared_ptr<VirtualCard> card);
    void remove(const std::string& reader);
    // Another program resets the card: its security state goes, and each connection made
    // before hears SCARD_W_RESET_CARD once.
    void resetByOtherProgram(const std::string& reader);
};

class PcscContext : public pcsc::Context {
public:
    explicit PcscContext(std::shared_ptr<PcscWorld> world) : world_(std::move(world)) {}

    Task<std::vector<std::string>> listReaders() override;
    Task<std::vector<pcsc::ReaderStateOut>>
    getStatusChange(std::vector<pcsc::ReaderStateIn> readerStates,
                    std::optional<pcsc::Milliseconds> timeout) override;
    Task<pcsc::ConnectResult> connect(const std::string& readerName, pcsc::AccessMode accessMode,
                                      std::vector<pcsc::Protocol> preferredProtocols) override;

private:
    std::vector<pcsc::ReaderStateOut> look(const std::vector<pcsc::ReaderStateIn>& states) const;
    void requireService() const;

    std::shared_ptr<PcscWorld> world_;
};

// A pcsc::Error as a native stack reports `scardError`.
pcsc::Error scardFailure(std::uint32_t scardError, const std::string& call);

} // namespace kamusm::sim
