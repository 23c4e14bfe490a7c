// The AKIS e-signature card profile (shared/spec/card-profile.md): recognising the card by its
// ATR and the read/PIN operations on it. The unblock path with a backend authorization lives in
// its own file so that it can be swapped for the real scheme.
#pragma once

#include "kamusm/card/error.hpp"
#include "kamusm/card/pin.hpp"
#include "kamusm/iso7816/atr.hpp"
#include "kamusm/iso7816/channel.hpp"

#include <string>

namespace kamusm::card {

// True when the historical bytes match `80 67 55 45 4B 41 45 .. .. 31 80 73 B3 A1 80` ("UEKAE").
bool isAkisCard(const iso7816::Atr& atr);

enum class Certificate { Signing, Encryption };

enum class PinState { Verified, Set, Blocked, NotSet };
struct PinStatus {
    PinState state = PinState::Set;
    int triesLeft = 0; // meaningful for Set (1..3) and Verified (3)
};

class AkisCard {
public:
    explicit AkisCard(iso7816::Channel& channel) : channel_(channel) {}

    Task<std::string> readSerial();
    // The certificate's DER bytes, read by its DER length; Error{FileNotFound} when the card has
    // none, Error{MalformedData} when the file does not hold a DER SEQUENCE of that length.
    Task<Bytes> readCertificate(Certificate which);
    Task<PinStatus> pinStatus();
    // Throws Error{WrongPin} with triesLeft, {PinBlocked}, {PinNotSet}, {PinFormat}.
    Task<void> verifyPin(const Pin& pin);
    Task<void> changePin(const Pin& currentPin, const Pin& newPin);

    // The commands of the backend-authorized PIN setting (see unblock.hpp).
    Task<Bytes> getChallenge();
    Task<void> externalAuthenticate(const Bytes& cryptogram);
    Task<void> resetRetryCounter(const Pin& newPin);
    // MSE SET + PSO COMPUTE DIGITAL SIGNATURE over a DigestInfo (see self_test.hpp).
    Task<Bytes> sign(const Bytes& digestInfo);

private:
    Task<iso7816::ResponseApdu> send(const iso7816::CommandApdu& command);
    Task<void> selectApplication();
    // READ BINARY of `length` bytes at `offset` in the selected EF (fewer when it ends first).
    Task<Bytes> readBinary(std::size_t offset, std::size_t length);

    iso7816::Channel& channel_;
};

// Maps a PIN command's status word to the typed error (does nothing for 9000).
void checkPinStatus(std::uint16_t sw);

} // namespace kamusm::card
