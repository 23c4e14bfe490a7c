// PC/SC failures as the Web Smart Card API names them (SmartCardError.responseCode, WICG
// web-smart-card), whichever PC/SC stack reports them: pcsc-lite, WinSCard, PCSC.framework,
// navigator.smartCard or the desktop helper. The DOMExceptions of the browser API that are not
// SmartCardErrors get codes of their own.
#pragma once

#include "kamusm/base/error.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kamusm::pcsc {

enum class ErrorCode {
    // SmartCardResponseCode, in the spec's order
    NoService,          // "no-service": no PC/SC service (pcscd, SCardSvr) answers
    NoSmartcard,        // "no-smartcard": no card in the reader
    NotReady,           // "not-ready"
    NotTransacted,      // "not-transacted"
    ProtoMismatch,      // "proto-mismatch": no protocol card and request share
    ReaderUnavailable,  // "reader-unavailable": the reader went away
    RemovedCard,        // "removed-card"
    ResetCard,          // "reset-card": someone else reset the card
    ServerTooBusy,      // "server-too-busy"
    SharingViolation,   // "sharing-violation": another program holds the card exclusively
    SystemCancelled,    // "system-cancelled"
    UnknownError,       // "unknown-error"
    UnpoweredCard,      // "unpowered-card"
    UnresponsiveCard,   // "unresponsive-card": mute card
    UnsupportedCard,    // "unsupported-card"
    UnsupportedFeature, // "unsupported-feature"
    // DOMExceptions of navigator.smartCard and failures of this layer
    NotAllowed,   // NotAllowedError: the user or a policy denied the permission
    Security,     // SecurityError: the page may not use the API (permissions policy)
    Unsupported,  // no navigator.smartCard / no helper in this environment
    Timeout,      // TimeoutError: getStatusChange's timeout passed without a change
    InvalidState, // InvalidStateError: the context or connection is no longer usable
    // The desktop helper (its extension is in the browser): its native host is not installed,
    // or it stopped (crashed, killed) while the page used it.
    HelperNotInstalled,
    HelperExited,
};
inline constexpr int errorCodeCount = static_cast<int>(ErrorCode::HelperExited) + 1;

// "removed-card" …; the DOMException name for the DOMExceptions ("NotAllowedError" …,
// "TimeoutError"), and "helper-not-installed", "helper-exited".
std::string_view responseCode(ErrorCode code);
// Whether the code is a SmartCardResponseCode (a SmartCardError's), not a DOMException's name.
bool isResponseCode(ErrorCode code);
// The inverse, for what the browser or the helper reports (responseCode or DOMException name).
std::optional<ErrorCode> errorCodeFor(std::string_view responseCodeOrName);

inline constexpr char layerName[] = "pcsc";
class Error : public LayerError<ErrorCode, layerName> {
public:
    // `scardError`: the PC/SC return value (SCARD_E_…/SCARD_W_…) when a native stack gave one.
    Error(ErrorCode code, const std::string& detail, std::optional<std::int64_t> scardError = {})
        : LayerError(code, detail), scardError_(scardError) {}
    std::optional<std::int64_t> scardError() const { return scardError_; }

private:
    std::optional<std::int64_t> scardError_;
};

// The native PC/SC return values (pcsc-lite / WinSCard share them) to the codes above.
ErrorCode errorCodeForScard(std::int64_t scardError);

} // namespace kamusm::pcsc
