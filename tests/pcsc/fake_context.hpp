// An in-memory pcsc::Context whose readers hold sim::VirtualCards, for testing what sits on
// pcsc::Context (reader::PcscTransport) without a PC/SC service. It behaves as pcsc-lite does:
// failures are pcsc::Errors built from the SCARD_* values, a change is reported against the
// state and event counter passed in, and the PnP reader compares the reader count.
#pragma once

#include "kamusm/pcsc/context.hpp"
#include "kamusm/sim/card.hpp"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace kamusm::testing {

// SCARD_* values the fake reports (pcsclite.h).
namespace scard {
inline constexpr std::uint32_t noService = 0x8010001D, unknownReader = 0x80100009,
                               noSmartcard = 0x8010000C, removedCard = 0x80100069,
                               sharingViolation = 0x8010000B, notTransacted = 0x80100016;
}

struct FakeReader {
    std::string name;
    std::shared_ptr<sim::VirtualCard> card; // null: empty
    std::uint32_t events = 0;               // counts insertions and removals
    int insertion = 0;                      // which card a connection was made to
    bool heldExclusively = false;           // by "another program"
    Bytes reportedAtr;                      // non-empty: SCardStatus says this, not the card's ATR
};

inline FakeReader emptyReader(std::string name) {
    FakeReader reader;
    reader.name = std::move(name);
    return reader;
}

// What the tests arrange and observe; shared by the context and its connections.
struct FakeWorld {
    std::vector<FakeReader> readers;
    bool serviceRunning = true;
    bool pnpReader = true; // false: the PnP notification reader is unknown (as on some stacks)
    // Called when a wait without a timeout finds nothing changed (the fake cannot block):
    // the test makes its change there. Nothing changed after it is a test bug.
    std::function<void()> whileWaiting;

    // Recorded calls.
    std::vector<pcsc::AccessMode> accessModes;
    std::vector<std::vector<pcsc::Protocol>> preferredProtocols;
    std::vector<Bytes> commands;
    std::vector<std::string> calls; // "begin", "end leave", "disconnect reset" …
    std::vector<std::size_t> waitSizes;
    std::vector<std::optional<pcsc::Milliseconds>> waitTimeouts;

    FakeReader* find(const std::string& name);
    void insert(const std::string& reader, std::shared_ptr<sim::VirtualCard> card);
    void remove(const std::string& reader);
};

class FakeContext : public pcsc::Context {
public:
    explicit FakeContext(std::shared_ptr<FakeWorld> world) : world_(std::move(world)) {}

    Task<std::vector<std::string>> listReaders() override;
    Task<std::vector<pcsc::ReaderStateOut>>
    getStatusChange(std::vector<pcsc::ReaderStateIn> readerStates,
                    std::optional<pcsc::Milliseconds> timeout) override;
    Task<pcsc::ConnectResult> connect(const std::string& readerName, pcsc::AccessMode accessMode,
                                      std::vector<pcsc::Protocol> preferredProtocols) override;

private:
    std::vector<pcsc::ReaderStateOut> look(const std::vector<pcsc::ReaderStateIn>& states) const;
    void requireService() const;

    std::shared_ptr<FakeWorld> world_;
};

// A pcsc::Error as a native stack reports `scardError`.
pcsc::Error scardFailure(std::uint32_t scardError, const std::string& call);
std::string dispositionName(pcsc::Disposition disposition);

} // namespace kamusm::testing
