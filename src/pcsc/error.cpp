#include "kamusm/pcsc/error.hpp"

#include <array>
#include <utility>

namespace kamusm::pcsc {

namespace {

constexpr std::array<std::pair<ErrorCode, std::string_view>, errorCodeCount> names{{
    {ErrorCode::NoService, "no-service"},
    {ErrorCode::NoSmartcard, "no-smartcard"},
    {ErrorCode::NotReady, "not-ready"},
    {ErrorCode::NotTransacted, "not-transacted"},
    {ErrorCode::ProtoMismatch, "proto-mismatch"},
    {ErrorCode::ReaderUnavailable, "reader-unavailable"},
    {ErrorCode::RemovedCard, "removed-card"},
    {ErrorCode::ResetCard, "reset-card"},
    {ErrorCode::ServerTooBusy, "server-too-busy"},
    {ErrorCode::SharingViolation, "sharing-violation"},
    {ErrorCode::SystemCancelled, "system-cancelled"},
    {ErrorCode::UnknownError, "unknown-error"},
    {ErrorCode::UnpoweredCard, "unpowered-card"},
    {ErrorCode::UnresponsiveCard, "unresponsive-card"},
    {ErrorCode::UnsupportedCard, "unsupported-card"},
    {ErrorCode::UnsupportedFeature, "unsupported-feature"},
    {ErrorCode::NotAllowed, "NotAllowedError"},
    {ErrorCode::Security, "SecurityError"},
    {ErrorCode::Unsupported, "NotSupportedError"},
    {ErrorCode::Timeout, "TimeoutError"},
    {ErrorCode::InvalidState, "InvalidStateError"},
    {ErrorCode::HelperNotInstalled, "helper-not-installed"},
    {ErrorCode::HelperExited, "helper-exited"},
}};

constexpr bool namesInOrder() {
    for (std::size_t i = 0; i < names.size(); ++i)
        if (static_cast<std::size_t>(names[i].first) != i) return false;
    return true;
}
static_assert(namesInOrder(), "one name per ErrorCode, in the enum's order");

// SCARD_E_* / SCARD_W_* (pcsc-lite pcsclite.h, WinSCard winerror.h: the same values).
constexpr std::array<std::pair<std::uint32_t, ErrorCode>, 21> scardErrors{{
    {0x8010001DU, ErrorCode::NoService},          // SCARD_E_NO_SERVICE
    {0x8010001EU, ErrorCode::NoService},          // SCARD_E_SERVICE_STOPPED
    {0x8010000CU, ErrorCode::NoSmartcard},        // SCARD_E_NO_SMARTCARD
    {0x80100010U, ErrorCode::NotReady},           // SCARD_E_NOT_READY
    {0x80100016U, ErrorCode::NotTransacted},      // SCARD_E_NOT_TRANSACTED
    {0x8010000FU, ErrorCode::ProtoMismatch},      // SCARD_E_PROTO_MISMATCH
    {0x80100017U, ErrorCode::ReaderUnavailable},  // SCARD_E_READER_UNAVAILABLE
    {0x80100009U, ErrorCode::ReaderUnavailable},  // SCARD_E_UNKNOWN_READER
    {0x8010002EU, ErrorCode::ReaderUnavailable},  // SCARD_E_NO_READERS_AVAILABLE
    {0x80100069U, ErrorCode::RemovedCard},        // SCARD_W_REMOVED_CARD
    {0x80100068U, ErrorCode::ResetCard},          // SCARD_W_RESET_CARD
    {0x80100013U, ErrorCode::ServerTooBusy},      // SCARD_E_SERVER_TOO_BUSY (pcsc-lite: COMM)
    {0x8010000BU, ErrorCode::SharingViolation},   // SCARD_E_SHARING_VIOLATION
    {0x80100012U, ErrorCode::SystemCancelled},    // SCARD_E_SYSTEM_CANCELLED
    {0x80100002U, ErrorCode::SystemCancelled},    // SCARD_E_CANCELLED
    {0x80100067U, ErrorCode::UnpoweredCard},      // SCARD_W_UNPOWERED_CARD
    {0x80100066U, ErrorCode::UnresponsiveCard},   // SCARD_W_UNRESPONSIVE_CARD
    {0x80100065U, ErrorCode::UnsupportedCard},    // SCARD_W_UNSUPPORTED_CARD
    {0x8010001CU, ErrorCode::UnsupportedCard},    // SCARD_E_CARD_UNSUPPORTED
    {0x80100022U, ErrorCode::UnsupportedFeature}, // SCARD_E_UNSUPPORTED_FEATURE
    {0x8010000AU, ErrorCode::Timeout},            // SCARD_E_TIMEOUT
}};

} // namespace

std::string_view responseCode(ErrorCode code) {
    return names[static_cast<std::size_t>(code)].second;
}

bool isResponseCode(ErrorCode code) {
    return code <= ErrorCode::UnsupportedFeature;
}

std::optional<ErrorCode> errorCodeFor(std::string_view responseCodeOrName) {
    for (const auto& [code, name] : names)
        if (name == responseCodeOrName) return code;
    return std::nullopt;
}

ErrorCode errorCodeForScard(std::int64_t scardError) {
    const auto value = static_cast<std::uint32_t>(scardError);
    for (const auto& [scard, code] : scardErrors)
        if (scard == value) return code;
    return ErrorCode::UnknownError;
}

} // namespace kamusm::pcsc
