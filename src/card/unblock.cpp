#include "kamusm/card/unblock.hpp"

namespace kamusm::card {

Task<void> setPinWithAuthorization(AkisCard& card, const Pin& newPin, const Authorizer& authorize) {
    const Bytes challenge = co_await card.getChallenge();
    const Bytes cryptogram = co_await authorize(challenge);
    co_await card.externalAuthenticate(cryptogram);
    // The grant covers only the very next command: nothing may come between.
    co_await card.resetRetryCounter(newPin);
}

} // namespace kamusm::card
