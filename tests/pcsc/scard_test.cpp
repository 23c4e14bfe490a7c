// The pcsc-lite adapter's tables between SCard* values and pcsc::Context's types: reader state
// words (bits and event counter), share modes, protocols, dispositions, card states, errors.
#ifdef KAMUSM_HAVE_PCSCLITE

#include "../src/pcsc/pcsclite/scard.hpp"

#include <doctest/doctest.h>

using namespace kamusm;
using namespace kamusm::pcsc;

TEST_CASE(
    "reader states: every flag to its SCARD_STATE bit and back, the counter in the high word") {
    ReaderStateFlags flags;
    flags.present = flags.inuse = flags.exclusive = true;
    const DWORD word = scard::encodeState(flags, 7);
    CHECK(word == (7u << 16 | SCARD_STATE_PRESENT | SCARD_STATE_INUSE | SCARD_STATE_EXCLUSIVE));
    const ReaderStateFlags back = scard::decodeState(word);
    CHECK(back.present);
    CHECK(back.inuse);
    CHECK(back.exclusive);
    CHECK_FALSE(back.empty);
    CHECK(scard::decodeCount(word) == 7u);

    const DWORD out = SCARD_STATE_CHANGED | SCARD_STATE_UNKNOWN | SCARD_STATE_UNAVAILABLE |
                      SCARD_STATE_EMPTY | SCARD_STATE_MUTE | SCARD_STATE_UNPOWERED |
                      SCARD_STATE_IGNORE;
    const ReaderStateFlags all = scard::decodeState(out);
    CHECK((all.changed && all.unknown && all.unavailable && all.empty && all.mute &&
           all.unpowered && all.ignore));
    CHECK_FALSE(all.present);
}

TEST_CASE("reader states in: unaware is SCARD_STATE_UNAWARE, changed never goes in") {
    ReaderStateFlags unaware;
    unaware.unaware = true;
    unaware.present = true;
    CHECK(scard::encodeState(unaware, 3) == SCARD_STATE_UNAWARE);
    ReaderStateFlags seen;
    seen.changed = seen.empty = true;
    CHECK(scard::encodeState(seen, std::nullopt) == SCARD_STATE_EMPTY);
}

TEST_CASE("share modes, protocols, dispositions") {
    CHECK(scard::shareMode(AccessMode::Shared) == SCARD_SHARE_SHARED);
    CHECK(scard::shareMode(AccessMode::Exclusive) == SCARD_SHARE_EXCLUSIVE);
    CHECK(scard::shareMode(AccessMode::Direct) == SCARD_SHARE_DIRECT);
    CHECK(scard::protocolMask({Protocol::T1, Protocol::T0}) ==
          (SCARD_PROTOCOL_T1 | SCARD_PROTOCOL_T0));
    CHECK(scard::protocolMask({}) == 0);
    CHECK(scard::activeProtocol(SCARD_PROTOCOL_T1) == Protocol::T1);
    CHECK(scard::activeProtocol(SCARD_PROTOCOL_T0) == Protocol::T0);
    CHECK_FALSE(scard::activeProtocol(SCARD_PROTOCOL_UNDEFINED).has_value());
    CHECK(scard::disposition(Disposition::Leave) == SCARD_LEAVE_CARD);
    CHECK(scard::disposition(Disposition::Reset) == SCARD_RESET_CARD);
    CHECK(scard::disposition(Disposition::Unpower) == SCARD_UNPOWER_CARD);
    CHECK(scard::disposition(Disposition::Eject) == SCARD_EJECT_CARD);
}

TEST_CASE("SCardStatus card states: the most advanced of pcsc-lite's accumulated bits") {
    using State = ConnectionStatus::State;
    CHECK(scard::cardState(SCARD_PRESENT | SCARD_POWERED | SCARD_NEGOTIABLE | SCARD_SPECIFIC) ==
          State::Specific);
    CHECK(scard::cardState(SCARD_PRESENT | SCARD_POWERED | SCARD_NEGOTIABLE) == State::Negotiable);
    CHECK(scard::cardState(SCARD_PRESENT | SCARD_POWERED) == State::Powered);
    CHECK(scard::cardState(SCARD_PRESENT | SCARD_SWALLOWED) == State::Swallowed);
    CHECK(scard::cardState(SCARD_ABSENT) == State::Absent);
}

TEST_CASE("a failed call is a pcsc::Error with its SCARD code and pcsc-lite's text") {
    CHECK_NOTHROW(scard::check(SCARD_S_SUCCESS, "SCardConnect"));
    try {
        scard::check(SCARD_W_REMOVED_CARD, "SCardTransmit");
        FAIL("no error");
    } catch (const pcsc::Error& error) {
        CHECK(error.code() == ErrorCode::RemovedCard);
        CHECK(error.scardError() == 0x80100069);
        CHECK(std::string(error.what()) == "pcsc: SCardTransmit: Card was removed. (0x80100069)");
    }
    try {
        scard::check(SCARD_E_NO_SERVICE, "SCardEstablishContext");
        FAIL("no error");
    } catch (const pcsc::Error& error) {
        CHECK(error.code() == ErrorCode::NoService);
    }
}

#endif
