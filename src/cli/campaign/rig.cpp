#include "rig.hpp"

#include "kamusm/reader/pcsc_transport.hpp"
#include "kamusm/usb/forwarding_device.hpp"

namespace kamusm::cli::campaign {

namespace {

constexpr char pcscReaderName[] = "KamuSM Virtual Reader 00 00";
// More time extensions than the host takes (ccid::Reader gives up after 256).
constexpr int endlessTimeExtensions = 300;

} // namespace

// A virtual reader as the USB stack sees it, with each transfer an event of the reader channel
// (the faults due there strike first).
class CardRig::TappedDevice : public usb::ForwardingDevice {
public:
    TappedDevice(CardRig& rig, std::shared_ptr<sim::VirtualReader> target)
        : usb::ForwardingDevice(*target), rig_(rig), reader_(std::move(target)) {}

    Task<Bytes> controlTransferIn(usb::ControlSetup setup, std::uint16_t length,
                                  usb::Milliseconds timeout) override {
        event();
        return target_.controlTransferIn(setup, length, timeout);
    }
    Task<void> controlTransferOut(usb::ControlSetup setup, ByteView data,
                                  usb::Milliseconds timeout) override {
        event();
        return target_.controlTransferOut(setup, data, timeout);
    }
    Task<Bytes> transferIn(std::uint8_t endpoint, std::size_t length,
                           usb::Milliseconds timeout) override {
        event();
        return target_.transferIn(endpoint, length, timeout);
    }
    Task<void> transferOut(std::uint8_t endpoint, ByteView data,
                           usb::Milliseconds timeout) override {
        event();
        return target_.transferOut(endpoint, data, timeout);
    }

private:
    void event() {
        for (const PlannedFault& planned : rig_.schedule_.strike(Channel::Reader))
            rig_.strike(planned);
    }

    CardRig& rig_;
    std::shared_ptr<sim::VirtualReader> reader_; // kept alive while the stack holds this device
};

CardRig::CardRig(const RunConfig& config, std::shared_ptr<sim::VirtualCard> card,
                 FaultSchedule& schedule)
    : config_(config), card_(std::move(card)), schedule_(schedule),
      owner_([this](const reader::Event& event) { events_.push_back(event); }) {
    if (config_.transport == Transport::Ccid) {
        auto transport = std::make_unique<reader::CcidTransport>(reader::TransportKind::Sim);
        ccid_ = transport.get();
        runSync(owner_.use(std::move(transport)));
        plugCcidReader();
        return;
    }
    world_ = std::make_shared<sim::PcscWorld>();
    world_->readers.push_back(sim::emptyPcscReader(pcscReaderName));
    world_->insert(pcscReaderName, card_);
    world_->beforeCall = [this](sim::PcscCall call) { beforePcscCall(call); };
    runSync(owner_.use(std::make_unique<reader::PcscTransport>(
        std::make_unique<sim::PcscContext>(world_), reader::TransportKind::Pcsc)));
}

CardRig::~CardRig() {
    if (world_) world_->beforeCall = nullptr;
}

void CardRig::close() {
    runSync(owner_.close());
}

// A reader plugged in: a fresh virtual device with the card in its first slot.
void CardRig::plugCcidReader() {
    auto reader = std::make_shared<sim::VirtualReader>(
        config_.model, std::vector<std::shared_ptr<sim::VirtualCard>>{card_});
    readers_.push_back(reader);
    auto device = std::make_unique<TappedDevice>(*this, std::move(reader));
    plugged_ = device.get();
    ccid_->addDevice(std::move(device));
}

void CardRig::strike(const PlannedFault& planned) {
    if (config_.transport == Transport::Ccid)
        strikeCcid(planned);
    else
        strikePcsc(planned);
}

void CardRig::strikeCcid(const PlannedFault& planned) {
    sim::Faults& faults = readers_.back()->faults();
    const int few = 1 + static_cast<int>(planned.variant % 3);
    switch (planned.fault) {
    case Fault::CardRemoved:
        faults.cardRemoved = cardOut_ = true;
        break;
    case Fault::ReaderUnplugged:
        faults.disconnected = unplugged_ = true;
        card_->reset(); // no power, no security state
        break;
    case Fault::MuteCard:
        faults.muteCard = mute_ = true;
        break;
    case Fault::ParityError:
        faults.parityErrors = few;
        break;
    case Fault::GarbageFrame:
        faults.garbageReplies = 1;
        break;
    case Fault::TruncatedFrame:
        faults.truncatedReplies = 1;
        break;
    case Fault::StaleFrame:
        faults.staleFrames = few;
        break;
    case Fault::DuplicateFrame:
        faults.duplicateFrames = few;
        break;
    case Fault::EndlessTimeExtension:
        faults.timeExtensions = endlessTimeExtensions;
        endless_ = true;
        break;
    case Fault::UsbStall:
        faults.stall = true;
        break;
    default:
        break;
    }
}

// PC/SC faults strike inside the call that is the event: some change the world (the call then
// fails as pcsc-lite would), the others fail the call itself.
void CardRig::strikePcsc(const PlannedFault& planned) {
    if (!world_->find(pcscReaderName)) return; // unplugged already: nothing more to break
    switch (planned.fault) {
    case Fault::CardRemoved:
        world_->remove(pcscReaderName);
        cardOut_ = true;
        break;
    case Fault::ReaderUnplugged:
        world_->remove(pcscReaderName);
        world_->readers.clear();
        unplugged_ = true;
        break;
    case Fault::PcscRemovedCard:
        // The card lost contact for a moment: out and in again, a new card to PC/SC.
        world_->remove(pcscReaderName);
        world_->insert(pcscReaderName, card_);
        throw sim::scardFailure(sim::scard::removedCard, "SCard call");
    case Fault::PcscResetCard:
        world_->resetByOtherProgram(pcscReaderName);
        break;
    case Fault::PcscReaderUnavailable:
        // The reader went and came back (a USB glitch): its card is a new one to PC/SC.
        world_->remove(pcscReaderName);
        world_->insert(pcscReaderName, card_);
        throw sim::scardFailure(sim::scard::readerUnavailable, "SCard call");
    case Fault::PcscSharingViolation:
        sharingViolationDue_ = true;
        break;
    default:
        break;
    }
}

void CardRig::beforePcscCall(sim::PcscCall call) {
    for (const PlannedFault& planned : schedule_.strike(Channel::Reader))
        strikePcsc(planned);
    // Another program's exclusive hold shows where PC/SC checks it: connecting, a
    // transaction, a transmit.
    const bool checksSharing = call == sim::PcscCall::Connect ||
                               call == sim::PcscCall::BeginTransaction ||
                               call == sim::PcscCall::Transmit;
    if (sharingViolationDue_ && checksSharing) {
        sharingViolationDue_ = false;
        throw sim::scardFailure(sim::scard::sharingViolation, "SCard call");
    }
}

std::vector<reader::Event> CardRig::watch() {
    try {
        if (ccid_) {
            // The platform's USB disconnect event, then one look at the interrupt endpoint.
            if (unplugged_ && !unplugTold_) ccid_->removeDevice(*plugged_);
            unplugTold_ = unplugged_;
            // With no reader left the transport would wait for one to be plugged in.
            if (ccid_->deviceCount() > 0) runSync(ccid_->waitForChange());
        }
        runSync(owner_.refresh());
    } catch (const kamusm::Error&) {
        // No reader to show: the wizard hears it when it looks (findCard).
    }
    return std::exchange(events_, {});
}

bool CardRig::repair() {
    return ccid_ ? repairCcid() : repairPcsc();
}

bool CardRig::repairCcid() {
    const bool needed = cardOut_ || mute_ || unplugged_ || endless_;
    if (cardOut_) readers_.back()->faults().cardRemoved = false;
    if (mute_) {
        // Out and in again: the card answers once more.
        readers_.back()->faults().muteCard = false;
        readers_.back()->removeCard(0);
        readers_.back()->insertCard(0, card_);
    }
    if (unplugged_ || endless_) {
        // Unplugged (or hung: the holder unplugs it) and plugged in again: a new device.
        if (!unplugged_) {
            readers_.back()->faults().disconnected = true;
            card_->reset();
            ccid_->removeDevice(*plugged_);
        } else if (!unplugTold_) {
            ccid_->removeDevice(*plugged_);
        }
        plugCcidReader();
    }
    cardOut_ = mute_ = unplugged_ = unplugTold_ = endless_ = false;
    return needed;
}

bool CardRig::repairPcsc() {
    const bool needed = cardOut_ || unplugged_;
    if (unplugged_) world_->readers.push_back(sim::emptyPcscReader(pcscReaderName));
    if (needed) world_->insert(pcscReaderName, card_);
    cardOut_ = unplugged_ = false;
    return needed;
}

} // namespace kamusm::cli::campaign
