#include "kamusm/sim/demo_enrolment.hpp"

#include <array>
#include <string>
#include <utility>

namespace kamusm::sim {

DemoPinState demoPinStateFor(backend::Operation operation) {
    constexpr std::array<std::pair<backend::Operation, DemoPinState>, 3> states{{
        {backend::Operation::Create, DemoPinState::NotSet},
        {backend::Operation::Change, DemoPinState::Set},
        {backend::Operation::Unblock, DemoPinState::Blocked},
    }};
    for (const auto& [candidate, state] : states)
        if (candidate == operation) return state;
    return DemoPinState::Set;
}

Task<std::shared_ptr<VirtualCard>> enrolDemoCard(backend::BackendClient& backend,
                                                 DemoPinState state, CardProtocol protocol) {
    CardSetup setup = demoCardSetup(protocol);
    const backend::DemoCard issued =
        co_await backend.demoEnrolCard(std::string(demoTckn), setup.serial);
    setup.signingCertificate = issued.certificate;
    setup.signingKey = issued.privateKey;
    co_return demoCard(std::move(setup), state);
}

} // namespace kamusm::sim
