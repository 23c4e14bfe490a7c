// The problem types of the PIN API (RFC 7807 `type` URIs), shared by the server that emits them
// and the client that maps them to typed errors. src/server/openapi.yaml lists the same table.
#pragma once

#include <string>
#include <string_view>

namespace kamusm::backend {

enum class Problem {
    Unknown,                // a type this client does not know (or no problem document)
    InvalidRequest,         // 400: malformed JSON, unknown or mistyped field, PIN-like field
    NotFound,               // 404: no such route
    PayloadTooLarge,        // 413
    RateLimited,            // 429: retry_after tells when to try again
    Internal,               // 500
    CodeUnknown,            // 404: no such verification code
    CodeExpired,            // 410: the code's 300 s are over
    CodeUsed,               // 409: the code already opened a session
    SessionUnknown,         // 404
    SessionExpired,         // 410
    SessionLocked,          // 423: too many wrong confirmations
    WrongHolder,            // 403: the certificate's TCKN is not the session's holder
    UnknownCard,            // 403: the card serial is not enrolled for the holder
    UntrustedCertificate,   // 403: not issued by the configured CA
    CertificateExpired,     // 403: outside its validity period
    CardNotChecked,         // 409: the step needs POST /card first
    CardMismatch,           // 403: not the card that was checked
    WrongConfirmationKind,  // 400: sms_code sent where the holder chose password, or the reverse
    SmsNotSent,             // 409: confirm by SMS before any was sent
    SmsCodeExpired,         // 410: the SMS code's 180 s are over; send a new one
    WrongSmsCode,           // 403: tries_left tells how many remain
    WrongPassword,          // 403: tries_left tells how many remain
    NotConfirmed,           // 409: authorization before confirmation
    OperationNotAuthorized, // 409: no cryptogram for a PIN change
    AuthorizationUsed,      // 409: the session's one cryptogram was already issued
    OutcomeReported,        // 409: the session's outcome is already in the audit log
    Unauthorized,           // 401: the issuer API needs its bearer token
};

// The type URI, e.g. "urn:kamusm-pin:problem:wrong-holder".
std::string problemType(Problem problem);
// The slug alone ("wrong-holder").
std::string_view problemSlug(Problem problem);
// Unknown for a type that is not in the table.
Problem problemFromType(std::string_view type);

} // namespace kamusm::backend
