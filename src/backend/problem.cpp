#include "kamusm/backend/problem.hpp"

#include <array>
#include <utility>

namespace kamusm::backend {

namespace {

constexpr std::string_view prefix = "urn:kamusm-pin:problem:";

constexpr std::array<std::pair<Problem, std::string_view>, 28> slugs{{
    {Problem::Unknown, "unknown"},
    {Problem::InvalidRequest, "invalid-request"},
    {Problem::NotFound, "not-found"},
    {Problem::PayloadTooLarge, "payload-too-large"},
    {Problem::RateLimited, "rate-limited"},
    {Problem::Internal, "internal"},
    {Problem::CodeUnknown, "code-unknown"},
    {Problem::CodeExpired, "code-expired"},
    {Problem::CodeUsed, "code-used"},
    {Problem::SessionUnknown, "session-unknown"},
    {Problem::SessionExpired, "session-expired"},
    {Problem::SessionLocked, "session-locked"},
    {Problem::WrongHolder, "wrong-holder"},
    {Problem::UnknownCard, "unknown-card"},
    {Problem::UntrustedCertificate, "untrusted-certificate"},
    {Problem::CertificateExpired, "certificate-expired"},
    {Problem::CardNotChecked, "card-not-checked"},
    {Problem::CardMismatch, "card-mismatch"},
    {Problem::WrongConfirmationKind, "wrong-confirmation-kind"},
    {Problem::SmsNotSent, "sms-not-sent"},
    {Problem::SmsCodeExpired, "sms-code-expired"},
    {Problem::WrongSmsCode, "wrong-sms-code"},
    {Problem::WrongPassword, "wrong-password"},
    {Problem::NotConfirmed, "not-confirmed"},
    {Problem::OperationNotAuthorized, "operation-not-authorized"},
    {Problem::AuthorizationUsed, "authorization-used"},
    {Problem::OutcomeReported, "outcome-reported"},
    {Problem::Unauthorized, "unauthorized"},
}};

} // namespace

std::string_view problemSlug(Problem problem) {
    for (const auto& [value, slug] : slugs)
        if (value == problem) return slug;
    return "unknown";
}

std::string problemType(Problem problem) {
    return std::string(prefix) + std::string(problemSlug(problem));
}

Problem problemFromType(std::string_view type) {
    if (!type.starts_with(prefix)) return Problem::Unknown;
    type.remove_prefix(prefix.size());
    for (const auto& [value, slug] : slugs)
        if (slug == type) return value;
    return Problem::Unknown;
}

} // namespace kamusm::backend
