// The card side of one run: the virtual card, the reader it sits in (a virtual USB reader under
// our CCID stack, or the simulator's in-memory PC/SC under reader::PcscTransport), the reader
// owner over it, and the reader channel's faults. What the holder does to the hardware (put the
// card back, plug the reader in again) and what the platform does (watch the readers, pass their
// events on) are here too.
#pragma once

#include "plan.hpp"
#include "schedule.hpp"

#include "kamusm/reader/ccid_transport.hpp"
#include "kamusm/reader/owner.hpp"
#include "kamusm/sim/card.hpp"
#include "kamusm/sim/pcsc.hpp"
#include "kamusm/sim/reader.hpp"

#include <memory>
#include <vector>

namespace kamusm::cli::campaign {

class CardRig {
public:
    CardRig(const RunConfig& config, std::shared_ptr<sim::VirtualCard> card,
            FaultSchedule& schedule);
    ~CardRig();
    CardRig(const CardRig&) = delete;
    CardRig& operator=(const CardRig&) = delete;

    reader::Owner& owner() { return owner_; }
    // One look of the platform at the readers (the interrupt endpoint and a USB disconnect
    // event, or the PC/SC reader states): the owner's events since the last look.
    std::vector<reader::Event> watch();
    // The holder puts the card back and plugs the reader in again, whatever a fault did to
    // them; false when nothing needed it.
    bool repair();
    // Closes the owner (and with it every task on the reader).
    void close();

private:
    class TappedDevice;
    void strike(const PlannedFault& planned);
    void strikeCcid(const PlannedFault& planned);
    void strikePcsc(const PlannedFault& planned);
    void beforePcscCall(sim::PcscCall call);
    void plugCcidReader();
    bool repairCcid();
    bool repairPcsc();

    RunConfig config_;
    std::shared_ptr<sim::VirtualCard> card_;
    FaultSchedule& schedule_;
    reader::Owner owner_;
    std::vector<reader::Event> events_;

    // CCID: every virtual reader of the run (a replugged one is a new device); the transport
    // belongs to the owner.
    std::vector<std::shared_ptr<sim::VirtualReader>> readers_;
    reader::CcidTransport* ccid_ = nullptr;
    usb::Device* plugged_ = nullptr; // the device of the reader in use
    // PC/SC
    std::shared_ptr<sim::PcscWorld> world_;
    bool sharingViolationDue_ = false;

    // What the faults did to the hardware, until the holder repairs it.
    bool cardOut_ = false, unplugged_ = false, unplugTold_ = false, mute_ = false, endless_ = false;
};

} // namespace kamusm::cli::campaign
