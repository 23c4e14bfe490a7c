#include "runner.hpp"

#include "holder.hpp"
#include "rig.hpp"

#include "kamusm/sim/demo_enrolment.hpp"
#include "kamusm/sim/fixtures.hpp"

#include <algorithm>

namespace kamusm::cli::campaign {

Runner::Runner(std::filesystem::path serverBinary)
    : server_(std::move(serverBinary)), store_(server_.database()), demoHttp_(server_.url()),
      demo_(demoHttp_), http_(server_),
      enrolled_(
          runSync(demo_.demoEnrolCard(std::string(sim::demoTckn), std::string(sim::demoSerial)))) {}

sim::CardSetup Runner::setupFor(sim::CardProtocol protocol) const {
    sim::CardSetup setup = sim::demoCardSetup(protocol);
    setup.signingCertificate = enrolled_.certificate;
    setup.signingKey = enrolled_.privateKey;
    return setup;
}

const ExchangeSize& Runner::sizeOf(const RunConfig& config) {
    if (auto known = sizes_.find(config); known != sizes_.end()) return known->second;
    RunPlan clean{config, {}, "24681357", "13579246"};
    FaultSchedule counting;
    for (const std::string& violation : run(clean, counting).violations)
        cleanViolations_.push_back("fault-free " + describe(config) + ": " + violation);
    return sizes_[config] = counting.events();
}

RunResult Runner::run(const RunPlan& plan, FaultSchedule& schedule) {
    auto card =
        sim::demoCard(setupFor(plan.config.protocol), sim::demoPinStateFor(plan.config.operation));
    int wrongTries = 0, otherTries = 0;
    const ByteView wrongPin(reinterpret_cast<const std::uint8_t*>(plan.wrongPin.data()),
                            plan.wrongPin.size());
    card->observePinTries([&](ByteView presented) {
        const bool wrong =
            std::equal(presented.begin(), presented.end(), wrongPin.begin(), wrongPin.end());
        ++(wrong ? wrongTries : otherTries);
    });
    const std::int64_t auditFloor = store_.lastAuditId();
    ManualClock clock;
    http_.startRun(schedule, clock);
    backend::BackendClient client(http_);
    HolderReport report;
    std::size_t tasksLeft = 0;
    std::string escaped;
    {
        CardRig rig(plan.config, card, schedule);
        {
            wizard::Wizard wizard(client, clock, rig.owner());
            Holder holder(plan, wizard, rig, Desk{demo_, store_}, clock, schedule);
            // The wizard's events take every failure into its state: one that escapes is a
            // finding, and the run ends there.
            try {
                report = holder.run();
            } catch (const std::exception& failure) {
                escaped = failure.what();
            }
            rig.close();
        }
        tasksLeft = rig.owner().running();
    }
    http_.endRun();
    card->observePinTries(nullptr);
    RunFacts facts{plan,       *card,      report,    store_.auditAfter(auditFloor),
                   wrongTries, otherTries, tasksLeft, card.use_count()};
    std::vector<std::string> violations = checkRun(facts);
    if (!escaped.empty())
        violations.push_back("typed-error: a failure escaped the app: " + escaped);
    return {report.ending, schedule.fired(), std::move(violations)};
}

} // namespace kamusm::cli::campaign
