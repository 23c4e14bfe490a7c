// Setting the PIN of a card with a backend authorization: PIN creation on a fresh card and
// unblocking a blocked PIN (card-profile.md, reference scheme). Kept in one place so that the
// real AKIS remote-unblock commands can replace it. No PUK is ever involved.
#pragma once

#include "kamusm/card/akis.hpp"

#include <functional>

namespace kamusm::card {

// Asks the backend for the cryptogram over the card's 16-byte challenge.
using Authorizer = std::function<Task<Bytes>(const Bytes& challenge)>;

// GET CHALLENGE → authorize(R) → EXTERNAL AUTHENTICATE C → RESET RETRY COUNTER with the new PIN.
// Throws Error{AuthorizationRefused} (63Cx, triesLeft = admin key tries) or
// {AuthorizationBlocked} (6983) when the card refuses C, PinFormat for a bad new PIN, and the
// authorizer's or transport's own errors. `writing` is told just before the command that
// writes the PIN goes out (what a card pulled from then on may carry is unknown).
Task<void> setPinWithAuthorization(AkisCard& card, const Pin& newPin, const Authorizer& authorize,
                                   const std::function<void()>& writing = {});

} // namespace kamusm::card
