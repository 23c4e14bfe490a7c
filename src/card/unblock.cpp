#include "kamusm/card/unblock.hpp"

namespace kamusm::card {

Task<void> setPinWithAuthorization(AkisCard& card, const Pin& newPin, const Authorizer& authorize,
                                   const std::function<void()>& writing) {
    const Bytes challenge = co_await card.getChallenge();
    const Bytes cryptogram = co_await authorize(challenge);
    co_await card.externalAuthenticate(cryptogram);
    // The grant covers only the very next command: nothing may come between.
    if (writing) writing();
    co_await card.resetRetryCounter(newPin);
}

} // namespace kamusm::card
