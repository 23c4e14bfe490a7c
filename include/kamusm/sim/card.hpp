// A virtual AKIS-profile card (shared/spec/card-profile.md), at three levels: APDUs, T=1 blocks
// (card side, written independently of the host engine so that each checks the other) and T=0
// characters with procedure bytes.
#pragma once

#include "kamusm/base/bytes.hpp"
#include "kamusm/iso7816/apdu.hpp"

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <random>
#include <string>

namespace kamusm::sim {

enum class CardProtocol { T1, T0 };

enum class PinState { NotSet, Set, Blocked };

struct CardSetup {
    CardProtocol protocol = CardProtocol::T1;
    std::string serial = "123456789012"; // 12 ASCII digits
    Bytes signingCertificate;            // EF 2F01 (DER)
    Bytes encryptionCertificate;         // EF 2F02, empty = absent
    Bytes signingKey;                    // PKCS#8 DER for the self-test (may be empty)
    // nullopt: factory fresh (6984 until set). The card keeps only a digest of it (and wipes this).
    std::optional<std::string> pin = "123456";
    std::string puk = "12345678";
    int pinTries = 3, pukTries = 3, adminTries = 10;
    Bytes masterKey = fromHex("000102030405060708090A0B0C0D0E0F"); // demo MK
};

// The card's file system, PINs and security state; answers APDUs exactly as the card profile.
class VirtualCard {
public:
    explicit VirtualCard(CardSetup setup);

    Bytes atr() const; // AKIS v1.3 for T=1; the T=0 variant's own ATR
    CardProtocol protocol() const { return setup_.protocol; }
    void reset(); // power-off/reset: clears verified PIN, challenge, authorization
    iso7816::ResponseApdu process(const iso7816::CommandApdu& command);
    iso7816::ResponseApdu process(ByteView command); // decodes first; 6700 when it cannot

    PinState pinState() const;
    int pinTriesLeft() const { return pinTries_; }
    int pukTriesLeft() const { return pukTries_; }
    bool terminated() const { return pukTries_ == 0; }
    // Whether `pin` is the card's PIN, asked without a try (tests: which PIN the card ended with).
    bool holdsPin(ByteView pin) const;
    // Called with the PIN presented each time a wrong one costs a try (tests check that only
    // the wrong PINs the holder typed ever do); the bytes are the command's, not kept.
    using PinTryObserver = std::function<void(ByteView presented)>;
    void observePinTries(PinTryObserver observer) { pinTryObserver_ = std::move(observer); }
    const CardSetup& setup() const { return setup_; }
    // The number of PUK commands (RESET RETRY COUNTER with PUK) the card has seen: tests check
    // that the project never sends one.
    int pukCommandsSeen() const { return pukCommandsSeen_; }
    int adminTriesLeft() const { return adminTries_; }
    bool pinVerified() const { return pinVerified_; }

    // The per-card unblock key K and the backend's cryptogram C (card-profile.md, reference
    // scheme), exposed so that tests can play the backend.
    static Bytes deriveUnblockKey(ByteView masterKey, const std::string& serial);
    static Bytes unblockCryptogram(ByteView unblockKey, ByteView challenge,
                                   const std::string& serial);

private:
    using Response = iso7816::ResponseApdu;
    using Command = iso7816::CommandApdu;
    struct Instruction;
    static const Instruction instructions[];

    Response select(const Command& command);
    Response readBinary(const Command& command);
    Response getData(const Command& command);
    Response verify(const Command& command);
    Response changeReferenceData(const Command& command);
    Response resetRetryCounter(const Command& command);
    Response getChallenge(const Command& command);
    Response externalAuthenticate(const Command& command);
    Response manageSecurityEnvironment(const Command& command);
    Response performSecurityOperation(const Command& command);

    enum class Directory { Mf, Esign };

    Response enter(Directory directory, bool wantFci);
    Response pinStatus() const;
    Response checkPinAndCount(ByteView pin); // 9000 or 63Cx, counting the try
    void setPin(ByteView pin);
    Bytes digestOf(ByteView pin) const;
    const Bytes* fileById(std::uint16_t fid) const;

    CardSetup setup_;
    Directory currentDirectory_ = Directory::Mf;
    std::optional<std::uint16_t> currentFile_; // EF 2F01 / 2F02; none selected: nullopt
    std::array<std::uint8_t, 16> pinSalt_{};
    std::optional<Bytes> pinDigest_; // SHA-256(salt || PIN)
    PinTryObserver pinTryObserver_;
    int pinTries_ = 3;
    int pukTries_ = 3;
    int adminTries_ = 10;
    int pukCommandsSeen_ = 0;
    bool pinVerified_ = false;
    bool signingEnvironmentSet_ = false;
    std::optional<std::array<std::uint8_t, 16>> challenge_; // single-use
    bool authorizationPending_ = false; // set by EXTERNAL AUTHENTICATE, for the next command only
    bool authorizedNow_ = false;        // the grant, consumed by the command being processed
    std::mt19937 random_;               // simulator RNG, seeded from the serial: reproducible
};

} // namespace kamusm::sim
