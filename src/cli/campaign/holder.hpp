// The holder in a campaign run: goes through the wizard as a person would (the code from the
// online-operations page, the card, the PINs, the SMS from the phone), repairs what a fault did
// to the hardware when the app says so, tries again after transient failures, and meets the
// holder channel's faults (going idle, cancelling, typing a wrong PIN). After every look and
// every action it checks that the app is at a usable step.
#pragma once

#include "http.hpp"
#include "rig.hpp"
#include "schedule.hpp"
#include "store.hpp"

#include "kamusm/backend/api.hpp"
#include "kamusm/wizard/wizard.hpp"

#include <string>
#include <vector>

namespace kamusm::cli::campaign {

// How a run ended for the holder.
enum class Ending {
    Done,       // the new PIN is set, the app says so
    GaveUp,     // the app failed in a way that needs another operation (the PIN blocked …)
    Cancelled,  // the holder cancelled
    UnknownPin, // a change cut short while the card wrote: the holder cannot tell the PIN
    Stuck,      // the holder's patience (actions, codes) ran out short of the end: a violation
};
std::string_view endingId(Ending ending);

// Where the holder gets what the outside world gives: verification codes from the online-
// operations page (the demo route) and SMS codes from the phone (the server's outbox).
struct Desk {
    backend::BackendClient& demo; // unfaulted: the page and the phone are not under test
    ServerStore& store;
};

struct HolderReport {
    Ending ending = Ending::Stuck;
    int wrongPinsTyped = 0;          // wrong current PINs submitted (change)
    std::vector<std::string> broken; // usable-step violations seen on the way
};

class Holder {
public:
    Holder(const RunPlan& plan, wizard::Wizard& wizard, CardRig& rig, Desk desk, ManualClock& clock,
           FaultSchedule& schedule);

    HolderReport run();

private:
    std::optional<Ending> turn();
    std::optional<Ending> finished();
    std::optional<Ending> meet(const PlannedFault& planned);
    std::optional<Ending> act();
    void look();
    void check(const char* when);
    bool freshCode();
    void enterPins();
    void confirm();
    void idle(std::uint32_t variant);

    const RunPlan& plan_;
    wizard::Wizard& wizard_;
    CardRig& rig_;
    Desk desk_;
    ManualClock& clock_;
    FaultSchedule& schedule_;
    HolderReport report_;

    std::string code_;          // the last verification code submitted
    int codes_ = 0;             // verification codes asked for
    std::int64_t smsFloor_ = 0; // SMS before the current session are not its code
    std::string currentPin_ = "123456";
    int wrongPinsDue_ = 0;
};

} // namespace kamusm::cli::campaign
