// A CCID reader on a USB device: the bulk message exchange (bSeq, time extension, stale frames,
// bError), its slots, power-on with voltage fallback, PPS/SetParameters, and a card session that
// carries APDUs at whatever exchange level the reader has (TPDU with T=1 or T=0, short APDU,
// extended APDU).
#pragma once

#include "kamusm/ccid/descriptor.hpp"
#include "kamusm/ccid/error.hpp"
#include "kamusm/ccid/message.hpp"
#include "kamusm/ccid/quirks.hpp"
#include "kamusm/ccid/trace.hpp"
#include "kamusm/iso7816/atr.hpp"
#include "kamusm/iso7816/channel.hpp"
#include "kamusm/usb/device.hpp"

#include <memory>
#include <optional>
#include <vector>

namespace kamusm::ccid {

class Reader;

// The card in a slot after power-on: an APDU channel plus what was negotiated.
class CardSession : public iso7816::Channel {
public:
    virtual const iso7816::Atr& atr() const = 0;
    virtual int protocol() const = 0;      // 0 or 1
    virtual std::uint8_t fidi() const = 0; // negotiated TA1 (0x11 default)
    virtual int ifsd() const = 0;          // T=1: negotiated IFSD
    virtual Task<void> powerOff() = 0;
};

struct SlotEvent {
    std::uint8_t slot = 0;
    bool cardPresent = false;
    bool changed = false;
};

struct ConnectOptions {
    // false: stay at the default rate (TA1 11) even when card and reader could go faster
    // (benchmarks; a card that misbehaves after PPS). A card fixed to its TA1 by TA2 and a
    // reader that negotiates by itself (dwFeatures 0x40) keep their rate.
    bool negotiateRate = true;
};

struct ReaderStatistics {
    std::size_t messagesOut = 0, messagesIn = 0;
    std::size_t bytesOut = 0, bytesIn = 0;
};

class Reader {
public:
    // Opens the device (control transfers need an open device on WebUSB and libusb), reads and
    // parses the configuration descriptor, finds the CCID interface, selects the configuration
    // and claims the interface; quirks by VID/PID/bcdDevice. Throws usb::Error (AccessDenied,
    // Busy, ...) or ccid::Error{NotCcid} (the device is closed again).
    static Task<std::unique_ptr<Reader>> open(usb::Device& device, Trace* trace = nullptr);

    Reader(usb::Device& device, InterfaceInfo interface, Quirks quirks, Trace* trace);
    ~Reader();

    const InterfaceInfo& interface() const { return interface_; }
    const ClassDescriptor& descriptor() const { return interface_.descriptor; }
    const Quirks& quirks() const { return quirks_; }
    std::uint8_t slotCount() const {
        return static_cast<std::uint8_t>(descriptor().bMaxSlotIndex + 1);
    }
    const ReaderStatistics& statistics() const { return statistics_; }

    // GetSlotStatus; ICC_MUTE there only means no card is powered and is not an error.
    Task<IccStatus> slotStatus(std::uint8_t slot);
    // Powers the card on (voltage fallback 5 → 3 → 1.8 V, powering off between, unless the
    // reader picks), parses the ATR (BadAtr), picks T=1 over T=0 (ProtocolNotSupported when
    // none is shared; TA2 specific mode honoured), picks the rate (the card's TA1, Di lowered
    // while the reader is too slow), sends the PPS itself at a TPDU reader without automatic
    // PPS, SetParameters (GetParameters at a reader that negotiates by itself), and for T=1 at
    // TPDU level without automatic IFSD negotiates IFSD. Character-level readers: Unsupported.
    // The session refers to this reader, which must outlive it.
    Task<std::unique_ptr<CardSession>> connect(std::uint8_t slot, ConnectOptions options = {});
    // Reads the interrupt endpoint once; empty when nothing arrived within `timeout`. Without an
    // interrupt endpoint it asks GetSlotStatus of every slot at once and reports all slots when
    // one changed since the last poll, else nothing.
    Task<std::vector<SlotEvent>> pollSlotChanges(usb::Milliseconds timeout);
    Task<void> close();

    // One PC_to_RDR message and its RDR_to_PC reply: assigns bSeq, drops stale replies (other
    // bSeq or bSlot, empty packets; at most 8, then MalformedMessage), waits again on time
    // extension (bStatus 0x80) for timeout x bError, checks the reply type, maps bError to
    // ccid::Error (CardAbsent when bmICCStatus is 2). A bulk transfer timeout is
    // ccid::Error{Timeout}; a stalled endpoint is cleared and reported as HardwareError;
    // usb::Error{Disconnected} and other USB failures propagate. One exchange at a time: a
    // second one started while the first waits is refused with ccid::Error{Busy}.
    Task<Message> exchange(Message command, usb::Milliseconds timeout);

    Trace* trace() const { return trace_; }

private:
    // Sends `command` with the next bSeq and returns its reply: stale and empty frames dropped,
    // time extensions waited out, message type checked. bmCommandStatus is left to the caller.
    Task<Message> transact(Message command, usb::Milliseconds timeout);
    Task<Message> receive(const Message& command, usb::Milliseconds timeout);
    // One whole RDR_to_PC message from bulk-IN (several transfers when the reader splits it).
    Task<Bytes> readMessage(usb::Milliseconds timeout);
    Task<void> send(ByteView bytes, usb::Milliseconds timeout);
    Task<Bytes> powerOn(std::uint8_t slot);
    Task<std::vector<SlotEvent>> pollSlotStatus();
    // GET_DATA_RATES once, when the descriptor says the reader lists its rates.
    Task<std::vector<std::uint32_t>> dataRates();

    usb::Device& device_;
    InterfaceInfo interface_;
    Quirks quirks_;
    Trace* trace_;
    std::uint8_t nextSeq_ = 0;
    bool busy_ = false; // a bulk exchange is under way (the browser may start another)
    ReaderStatistics statistics_;
    std::vector<bool> lastPresent_; // per slot, for polling without an interrupt endpoint
    std::optional<std::vector<std::uint32_t>> dataRates_; // empty: no list, dwMaxDataRate only
};

} // namespace kamusm::ccid
