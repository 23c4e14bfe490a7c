// A virtual CCID reader: the device side of the same protocol, behind usb::Device. Each model
// carries its real USB and CCID descriptors; the reader talks to a VirtualCard over a modelled
// line (the negotiated Fi/Di and clock give the wire time) and can inject faults.
#pragma once

#include "kamusm/sim/card.hpp"
#include "kamusm/usb/device.hpp"

#include <memory>
#include <optional>
#include <string_view>
#include <vector>

namespace kamusm::sim {

enum class ReaderModel {
    Acr39u,       // ACS ACR39U ICC Reader: TPDU, auto PPS, IFSD 247
    Connect2Sign, // ArkSigner Connect2Sign: short APDU, negotiates the rate at power-on
    ExtendedApdu, // Alcor Link AK9563: extended APDU, auto PPS
    TwoSlot,      // SCM SCR331-DI: two slots, TPDU, auto PPS, vendor-class (0xFF) interface
};

struct ReaderModelInfo {
    ReaderModel model;
    std::string_view id;   // "acr39u", "connect2sign", "extended", "twoslot"
    std::string_view name; // the product string
};
const std::vector<ReaderModelInfo>& readerModels();
std::optional<ReaderModel> readerModelById(std::string_view id);

// Faults a test can switch on at any time; each is consumed or persistent as noted.
struct Faults {
    bool cardRemoved = false;  // persistent: every slot reports no card (and NotifySlotChange)
    bool muteCard = false;     // persistent: the card never answers (bError ICC_MUTE)
    int parityErrors = 0;      // next n XfrBlocks: the card answers, the reader reports
                               // bError XFR_PARITY_ERROR instead
    int corruptT1Blocks = 0;   // next n T=1 blocks from the card get a wrong LRC/CRC
    int staleFrames = 0;       // next n replies are preceded by one with an old bSeq
    int duplicateFrames = 0;   // next n replies are sent twice
    int timeExtensions = 0;    // persistent: each IccPowerOn/XfrBlock reply is preceded by
                               // this many bStatus 0x80 frames (bError 1, the multiplier)
    int cardWtxRequests = 0;   // next n T=1 commands: the card asks S(WTX request) first;
                               // next n T=0 TPDUs: the card sends a NULL (60) first. Where
                               // the reader itself sees it (APDU level, T=0) it sends the
                               // host a time extension (bError 1) before the reply
    int truncatedReplies = 0;  // next n replies are cut to half their length
    int garbageReplies = 0;    // next n replies are random bytes of the same length
    bool stall = false;        // halts both bulk endpoints until each gets clearHalt
    bool disconnected = false; // persistent: every call fails Disconnected
    bool silent = false;       // persistent: the reader takes commands, bulk IN times out
    // persistent: the voltage classes the card answers at (bVoltageSupport bits: 0x01 5 V,
    // 0x02 3 V, 0x04 1.8 V). An explicit bPowerSelect the card does not take gets ICC_MUTE (as
    // a real card that stays silent); automatic selection with no common class gets
    // ICC_CLASS_NOT_SUPPORTED (0xF5). Readers with dwFeatures 0x08 ignore bPowerSelect.
    std::uint8_t cardVoltages = 0x07;
    int overcurrents = 0; // next n power-ons: bError HW_ERROR and an interrupt HardwareError
};

// What the reader has put on the line, for benchmarks. The card line is modelled in sim/line.hpp:
// the ATR and PPS at the default rate, then the rate negotiated (auto-PPS SetParameters,
// dwFeatures 0x40 at power-on, or the host's PPS followed by SetParameters).
struct LineStatistics {
    std::size_t cardBytes = 0; // bytes on the card line, both directions
    double wireSeconds = 0;    // modelled time on the card line
    std::size_t messages = 0;  // CCID messages, both directions
    std::size_t usbBytes = 0;  // CCID bytes, both directions
    std::uint8_t fidi = 0x11;  // the rate in force on the slot used last
};

class VirtualReader : public usb::Device {
public:
    // `cards[i]` sits in slot i (nullptr = empty slot); a one-slot model takes one. Throws
    // std::invalid_argument for more cards than slots.
    VirtualReader(ReaderModel model, std::vector<std::shared_ptr<VirtualCard>> cards);
    ~VirtualReader() override;

    // usb::Device
    usb::DeviceInfo info() const override;
    Task<void> open() override;
    Task<void> close() override;
    Task<void> selectConfiguration(std::uint8_t configurationValue) override;
    Task<void> claimInterface(std::uint8_t interfaceNumber) override;
    Task<void> releaseInterface(std::uint8_t interfaceNumber) override;
    Task<Bytes> controlTransferIn(usb::ControlSetup setup, std::uint16_t length,
                                  usb::Milliseconds timeout) override;
    Task<void> controlTransferOut(usb::ControlSetup setup, ByteView data,
                                  usb::Milliseconds timeout) override;
    Task<Bytes> transferIn(std::uint8_t endpointNumber, std::size_t length,
                           usb::Milliseconds timeout) override;
    Task<void> transferOut(std::uint8_t endpointNumber, ByteView data,
                           usb::Milliseconds timeout) override;
    Task<void> clearHalt(bool in, std::uint8_t endpointNumber) override;
    Task<void> reset() override;

    Faults& faults();
    // Inserts or removes a card (queues a NotifySlotChange on the interrupt endpoint); throws
    // std::out_of_range for a slot the model does not have.
    void insertCard(std::uint8_t slot, std::shared_ptr<VirtualCard> card);
    void removeCard(std::uint8_t slot);
    const LineStatistics& lineStatistics() const;
    void resetStatistics();

private:
    struct State;
    std::unique_ptr<State> state_;
};

} // namespace kamusm::sim
