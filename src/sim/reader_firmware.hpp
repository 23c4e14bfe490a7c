// The virtual reader's firmware: the CCID device side, one PC_to_RDR message in, one RDR_to_PC
// reply out, with a slot state per card slot. USB bookkeeping and fault injection on the reply
// stream live in reader.cpp; the faults that concern the card line are applied here.
#pragma once

#include "kamusm/ccid/descriptor.hpp"
#include "kamusm/ccid/message.hpp"
#include "kamusm/iso7816/atr.hpp"
#include "kamusm/sim/line.hpp"
#include "kamusm/sim/reader.hpp"
#include "reader_card.hpp"

#include <memory>
#include <optional>
#include <vector>

namespace kamusm::sim {

struct Slot {
    explicit Slot(double clockHz) : line(clockHz) {}

    std::shared_ptr<VirtualCard> card;
    bool presentSeen = false; // the presence last reported on the interrupt endpoint
    bool changed = false;     // presence changed since the last NotifySlotChange
    bool powered = false;
    Line line;                                 // the reader's side of the line
    std::uint8_t cardFidi = Line::defaultFidi; // the rate the card listens at
    bool ppsAllowed = false;                   // only the first exchange after the ATR may be a PPS
    bool protocolStarted = false;              // APDU level: the reader has negotiated its IFSD
    std::optional<iso7816::Atr> atr;
    int protocol = 0;
    ccid::T0Parameters t0;
    ccid::T1Parameters t1;
    std::unique_ptr<CardLink> link;
    bool abortPending = false;            // a control ABORT waits for its PC_to_RDR_Abort
    std::uint8_t classGetResponse = 0xFF; // T=0 at APDU level (0xFF: the command's CLA)
    // Extended APDU: a command arriving in pieces, and a response leaving in pieces.
    Bytes commandChunks;
    bool commandChaining = false;
    Bytes responseRest;
};

// The result of one command before the header is filled in.
struct Outcome {
    ccid::CommandStatus status = ccid::CommandStatus::Processed;
    std::uint8_t bError = 0;
    std::uint8_t specific2 = 0; // bChainParameter / bClockStatus / bProtocolNum
    Bytes abData;
    std::uint8_t timeExtension = 0; // see CardExchange
};

// A reply, and the time extension the reader sent while the card worked on it.
struct Reply {
    ccid::Message message;
    std::uint8_t timeExtension = 0;
};

class Firmware {
public:
    Firmware(ccid::ClassDescriptor descriptor, std::vector<std::shared_ptr<VirtualCard>> cards,
             Faults& faults, LineStatistics& statistics);
    ~Firmware();

    // A whole bulk-OUT transfer in; its reply out (nullopt: too short to answer).
    std::optional<Reply> receive(ByteView bulkOut);
    // The class-specific ABORT request (wValue: bSeq << 8 | bSlot).
    void controlAbort(std::uint8_t slot);
    // Applies the cardRemoved fault and insert/remove calls: powers down slots that lost their
    // card and marks the change for NotifySlotChange. Returns true when a change is pending.
    bool syncPresence();
    // bmSlotICCState of a NotifySlotChange; clears the changed bits.
    Bytes takeSlotChanges();
    // HardwareError interrupt messages waiting for the host.
    std::vector<ccid::InterruptMessage>& hardwareErrors() { return hardwareErrors_; }
    void setCard(std::uint8_t slot, std::shared_ptr<VirtualCard> card);
    // USB reset: every card is powered down and every slot's transfer state cleared.
    void reset();
    const ccid::ClassDescriptor& descriptor() const { return descriptor_; }
    std::uint8_t slotCount() const { return static_cast<std::uint8_t>(slots_.size()); }

private:
    using Handler = Outcome (Firmware::*)(Slot&, const ccid::Message&);
    struct Command;
    static const Command commands[];

    bool present(const Slot& slot) const;
    std::uint8_t iccStatus(const Slot& slot) const;
    void powerDown(Slot& slot);

    Outcome iccPowerOn(Slot& slot, const ccid::Message& command);
    Outcome iccPowerOff(Slot& slot, const ccid::Message& command);
    Outcome getSlotStatus(Slot& slot, const ccid::Message& command);
    Outcome xfrBlock(Slot& slot, const ccid::Message& command);
    Outcome getParameters(Slot& slot, const ccid::Message& command);
    Outcome resetParameters(Slot& slot, const ccid::Message& command);
    Outcome setParameters(Slot& slot, const ccid::Message& command);
    Outcome escape(Slot& slot, const ccid::Message& command);
    Outcome t0Apdu(Slot& slot, const ccid::Message& command);
    Outcome abort(Slot& slot, const ccid::Message& command);
    Outcome setDataRateAndClockFrequency(Slot& slot, const ccid::Message& command);
    Outcome notSupported(Slot& slot, const ccid::Message& command);

    // Power-on pieces.
    std::optional<Outcome> voltageFailure(std::uint8_t bPowerSelect) const;
    void activate(Slot& slot);
    void parametersFromAtr(Slot& slot);
    // PPS with the card on the line (reader-initiated); true when the card accepted `fidi`.
    bool negotiate(Slot& slot, std::uint8_t fidi);
    std::optional<std::uint8_t> bestRateFor(const iso7816::Atr& atr) const;
    bool rateSupported(std::uint8_t fidi) const;
    Outcome parametersReply(const Slot& slot) const;

    // Exchange levels.
    Outcome tpdu(Slot& slot, ByteView data);
    Outcome pps(Slot& slot, ByteView request);
    Outcome apdu(Slot& slot, ByteView command);
    Outcome extendedApdu(Slot& slot, const ccid::Message& command);
    Outcome responseChunk(Slot& slot, Outcome response, bool continuation = false);

    // Card-line accounting; the rate in force goes into the statistics as it changes.
    void setRate(Slot& slot, std::uint8_t fidi);
    void countLine(Slot& slot, std::size_t count, CharacterFrame frame);

    ccid::ClassDescriptor descriptor_;
    std::vector<Slot> slots_;
    Faults& faults_;
    LineStatistics& statistics_;
    std::vector<ccid::InterruptMessage> hardwareErrors_;
};

} // namespace kamusm::sim
