// What can go wrong in the PIN flow, as the user needs to hear it, and the one mapping from the
// layers' typed errors (usb, ccid, card, backend) to it.
#pragma once

#include <exception>
#include <optional>
#include <string_view>

namespace kamusm::wizard {

enum class WizardError {
    NoWebUsb,                 // the browser has no WebUSB
    InsecureContext,          // not https: WebUSB is off
    UsbAccessDenied,          // SecurityError: the browser protects the smart-card class
    UsbBusy,                  // another driver (pcscd, the OS) holds the reader
    UsbOpenDenied,            // the system refuses to open the reader (rights, driver)
    NotCcidReader,            // the chosen device is not a smart-card reader
    ReaderUnplugged,          // the reader went away
    ReaderError,              // the reader failed (hardware, timeout, protocol)
    NoCard,                   // no card in the reader
    CardRemoved,              // the card was taken out
    NotKamusmCard,            // a card, but not a KamuSM e-signature card
    CardMute,                 // the card does not answer
    NoCertificate,            // the card carries no signing certificate
    PcscUnavailable,          // no smart-card service (PC/SC) answers
    CardInUse,                // another program holds the card (sharing-violation)
    CardReset,                // another program reset the card meanwhile
    SmartCardDenied,          // the holder or a policy refused the page the card reader
    SmartCardNotAllowed,      // this page may not use the Web Smart Card API at all
    HelperMissing,            // the helper's browser extension is there, its program is not
    HelperStopped,            // the helper's program stopped while the page used it
    InvalidCode,              // not 15 digits, or unknown to the server
    ExpiredCode,              // the verification code or the session ran out
    NewCodeNeeded,            // the operation was cut short: its session is over
    UsedCode,                 // the code already opened a session
    WrongHolderCard,          // the card belongs to someone else
    UnknownCard,              // the card is not enrolled for the holder
    UntrustedCard,            // the certificate is not from KamuSM
    CertificateExpired,       // the card's certificate is outside its validity
    WrongOtp,                 // wrong SMS code (triesLeft)
    WrongPassword,            // wrong web password (triesLeft)
    OtpExpired,               // the SMS code ran out: ask for a new one
    OtpLocked,                // too many wrong confirmations
    RateLimited,              // too many attempts: wait (retryAfter)
    PinPolicy,                // the new PIN breaks a rule (PinProblem)
    WrongCurrentPin,          // change: the current PIN is wrong (triesLeft)
    PinBlocked,               // change on a blocked PIN: unblock instead
    PinNotSet,                // change on a card with no PIN yet: create instead
    CardRefusedAuthorization, // the card did not accept the server's authorization
    AuthorizationBlocked,     // the card takes no more authorizations
    SelfTestFailed,           // the PIN is set but the card's signature did not verify
    IdleReset,                // nobody used the page for a while: all wiped
    NetworkError,             // the server cannot be reached
    ServerError,              // the server failed
    InternalError,            // anything else
};

// The snake_case id, e.g. "usb_access_denied".
std::string_view errorId(WizardError error);

// Where an error leaves the flow.
enum class Recovery {
    Stay,   // the same step, to try again
    Reader, // reconnect the reader / insert the card
    NewPin, // type the PINs again (the session is still usable)
    Failed, // the session is over
};
Recovery recoveryOf(WizardError error);

struct MappedError {
    MappedError(WizardError error = WizardError::InternalError, std::optional<int> triesLeft = {},
                std::optional<int> retryAfter = {})
        : error(error), triesLeft(triesLeft), retryAfter(retryAfter) {}
    WizardError error;
    std::optional<int> triesLeft;
    std::optional<int> retryAfter; // seconds
};

// A failure the wizard itself finds (no card in the reader, a PIN blocked before a change …).
struct WizardFailure : std::exception {
    explicit WizardFailure(MappedError error) : mapped(error) {}
    const char* what() const noexcept override { return "wizard failure"; }
    MappedError mapped;
};

// The one mapping from any exception of the stack to what the user is told.
MappedError mapError(std::exception_ptr failure);

// True for the failures that mean the card or reader went away (CardAbsent, Disconnected).
bool isRemoval(WizardError error);

} // namespace kamusm::wizard
