#include "kamusm/wizard/errors.hpp"

#include "kamusm/backend/error.hpp"
#include "kamusm/card/error.hpp"
#include "kamusm/ccid/error.hpp"
#include "kamusm/pcsc/error.hpp"
#include "kamusm/reader/owner.hpp"
#include "kamusm/usb/error.hpp"

#include <array>
#include <utility>

namespace kamusm::wizard {

namespace {

using E = WizardError;

struct ErrorInfo {
    WizardError error;
    std::string_view id;
    Recovery recovery;
};

constexpr std::array<ErrorInfo, 44> errorTable{{
    {E::NoWebUsb, "no_webusb", Recovery::Stay},
    {E::InsecureContext, "insecure_context", Recovery::Stay},
    {E::UsbAccessDenied, "usb_access_denied", Recovery::Reader},
    {E::UsbBusy, "usb_busy", Recovery::Reader},
    {E::UsbOpenDenied, "usb_open_denied", Recovery::Reader},
    {E::NotCcidReader, "not_ccid_reader", Recovery::Reader},
    {E::ReaderUnplugged, "reader_unplugged", Recovery::Reader},
    {E::ReaderError, "reader_error", Recovery::Reader},
    {E::NoCard, "no_card", Recovery::Reader},
    {E::CardRemoved, "card_removed", Recovery::Reader},
    {E::NotKamusmCard, "not_kamusm_card", Recovery::Reader},
    {E::CardMute, "card_mute", Recovery::Reader},
    {E::NoCertificate, "no_certificate", Recovery::Reader},
    {E::PcscUnavailable, "pcsc_unavailable", Recovery::Reader},
    {E::CardInUse, "card_in_use", Recovery::Reader},
    {E::CardReset, "card_reset", Recovery::Reader},
    {E::SmartCardDenied, "smartcard_denied", Recovery::Reader},
    {E::SmartCardNotAllowed, "smartcard_not_allowed", Recovery::Reader},
    {E::HelperMissing, "helper_missing", Recovery::Reader},
    {E::HelperStopped, "helper_stopped", Recovery::Reader},
    {E::InvalidCode, "invalid_code", Recovery::Stay},
    {E::ExpiredCode, "expired_code", Recovery::Failed},
    {E::NewCodeNeeded, "new_code_needed", Recovery::Stay},
    {E::UsedCode, "used_code", Recovery::Stay},
    {E::WrongHolderCard, "wrong_holder_card", Recovery::Reader},
    {E::UnknownCard, "unknown_card", Recovery::Reader},
    {E::UntrustedCard, "untrusted_card", Recovery::Reader},
    {E::CertificateExpired, "certificate_expired", Recovery::Reader},
    {E::WrongOtp, "wrong_otp", Recovery::Stay},
    {E::WrongPassword, "wrong_password", Recovery::Stay},
    {E::OtpExpired, "otp_expired", Recovery::Stay},
    {E::OtpLocked, "otp_locked", Recovery::Failed},
    {E::RateLimited, "rate_limited", Recovery::Stay},
    {E::PinPolicy, "pin_policy", Recovery::Stay},
    {E::WrongCurrentPin, "wrong_current_pin", Recovery::NewPin},
    {E::PinBlocked, "pin_blocked", Recovery::Failed},
    {E::PinNotSet, "pin_not_set", Recovery::Failed},
    {E::CardRefusedAuthorization, "card_refused_authorization", Recovery::Failed},
    {E::AuthorizationBlocked, "authorization_blocked", Recovery::Failed},
    {E::SelfTestFailed, "self_test_failed", Recovery::Failed},
    {E::IdleReset, "idle_reset", Recovery::Stay},
    {E::NetworkError, "network_error", Recovery::Stay},
    {E::ServerError, "server_error", Recovery::Stay},
    {E::InternalError, "internal_error", Recovery::Failed},
}};

static_assert(errorTable.size() == static_cast<std::size_t>(E::InternalError) + 1,
              "a row for every WizardError");

const ErrorInfo& infoOf(WizardError error) {
    for (const ErrorInfo& info : errorTable)
        if (info.error == error) return info;
    return errorTable.back();
}

template <typename Code, std::size_t N>
WizardError lookup(const std::array<std::pair<Code, WizardError>, N>& table, Code code,
                   WizardError otherwise) {
    for (const auto& [from, to] : table)
        if (from == code) return to;
    return otherwise;
}

constexpr std::array<std::pair<usb::ErrorCode, WizardError>, 6> usbTable{{
    {usb::ErrorCode::Disconnected, E::ReaderUnplugged},
    {usb::ErrorCode::AccessDenied, E::UsbAccessDenied},
    {usb::ErrorCode::Busy, E::UsbBusy},
    {usb::ErrorCode::OpenDenied, E::UsbOpenDenied},
    {usb::ErrorCode::Unsupported, E::NoWebUsb},
    {usb::ErrorCode::MalformedDescriptor, E::NotCcidReader},
}};

constexpr std::array<std::pair<ccid::ErrorCode, WizardError>, 4> ccidTable{{
    {ccid::ErrorCode::NotCcid, E::NotCcidReader},
    {ccid::ErrorCode::CardAbsent, E::CardRemoved},
    {ccid::ErrorCode::CardMute, E::CardMute},
    {ccid::ErrorCode::BadAtr, E::NotKamusmCard},
}};

// Every PC/SC failure the Web Smart Card API can report, whichever stack reported it.
constexpr std::array<std::pair<pcsc::ErrorCode, WizardError>, pcsc::errorCodeCount> pcscTable{{
    {pcsc::ErrorCode::NoService, E::PcscUnavailable},
    {pcsc::ErrorCode::NoSmartcard, E::NoCard},
    {pcsc::ErrorCode::NotReady, E::ReaderError},
    {pcsc::ErrorCode::NotTransacted, E::ReaderError},
    {pcsc::ErrorCode::ProtoMismatch, E::NotKamusmCard},
    {pcsc::ErrorCode::ReaderUnavailable, E::ReaderUnplugged},
    {pcsc::ErrorCode::RemovedCard, E::CardRemoved},
    {pcsc::ErrorCode::ResetCard, E::CardReset},
    {pcsc::ErrorCode::ServerTooBusy, E::PcscUnavailable},
    {pcsc::ErrorCode::SharingViolation, E::CardInUse},
    {pcsc::ErrorCode::SystemCancelled, E::ReaderError},
    {pcsc::ErrorCode::UnknownError, E::ReaderError},
    {pcsc::ErrorCode::UnpoweredCard, E::CardMute},
    {pcsc::ErrorCode::UnresponsiveCard, E::CardMute},
    {pcsc::ErrorCode::UnsupportedCard, E::NotKamusmCard},
    {pcsc::ErrorCode::UnsupportedFeature, E::ReaderError},
    {pcsc::ErrorCode::NotAllowed, E::SmartCardDenied},
    {pcsc::ErrorCode::Security, E::SmartCardNotAllowed},
    {pcsc::ErrorCode::Unsupported, E::NoWebUsb},
    {pcsc::ErrorCode::Timeout, E::ReaderError},
    {pcsc::ErrorCode::InvalidState, E::ReaderError},
    {pcsc::ErrorCode::HelperNotInstalled, E::HelperMissing},
    {pcsc::ErrorCode::HelperExited, E::HelperStopped},
}};

// A row for each code, in the enum's order: a missing row would map silently to the first one.
template <typename Code, std::size_t N>
constexpr bool inEnumOrder(const std::array<std::pair<Code, WizardError>, N>& table) {
    for (std::size_t i = 0; i < N; ++i)
        if (static_cast<std::size_t>(table[i].first) != i) return false;
    return true;
}
static_assert(inEnumOrder(pcscTable), "a row for every pcsc::ErrorCode, in its order");

constexpr std::array<std::pair<reader::ErrorCode, WizardError>, 4> readerTable{{
    {reader::ErrorCode::CardRemoved, E::CardRemoved},
    {reader::ErrorCode::ReaderLost, E::ReaderUnplugged},
    {reader::ErrorCode::Released, E::CardRemoved},
    {reader::ErrorCode::NoTransport, E::NoWebUsb},
}};

constexpr std::array<std::pair<card::ErrorCode, WizardError>, 9> cardTable{{
    {card::ErrorCode::NotKamusmCard, E::NotKamusmCard},
    {card::ErrorCode::FileNotFound, E::NoCertificate},
    {card::ErrorCode::MalformedData, E::NoCertificate},
    {card::ErrorCode::WrongPin, E::WrongCurrentPin},
    {card::ErrorCode::PinBlocked, E::PinBlocked},
    {card::ErrorCode::PinNotSet, E::PinNotSet},
    {card::ErrorCode::PinFormat, E::PinPolicy},
    {card::ErrorCode::AuthorizationRefused, E::CardRefusedAuthorization},
    {card::ErrorCode::AuthorizationBlocked, E::AuthorizationBlocked},
}};

using P = backend::Problem;
constexpr std::array<std::pair<P, WizardError>, 21> problemTable{{
    {P::RateLimited, E::RateLimited},
    {P::CodeUnknown, E::InvalidCode},
    {P::CodeExpired, E::ExpiredCode},
    {P::CodeUsed, E::UsedCode},
    {P::SessionUnknown, E::ExpiredCode},
    {P::SessionExpired, E::ExpiredCode},
    {P::SessionLocked, E::OtpLocked},
    {P::WrongHolder, E::WrongHolderCard},
    {P::UnknownCard, E::UnknownCard},
    {P::UntrustedCertificate, E::UntrustedCard},
    {P::CertificateExpired, E::CertificateExpired},
    {P::CardMismatch, E::WrongHolderCard},
    {P::SmsCodeExpired, E::OtpExpired},
    {P::WrongSmsCode, E::WrongOtp},
    {P::WrongPassword, E::WrongPassword},
    {P::AuthorizationUsed, E::ExpiredCode},
    {P::OutcomeReported, E::ExpiredCode},
    {P::Internal, E::ServerError},
    {P::InvalidRequest, E::ServerError},
    {P::NotConfirmed, E::ServerError},
    {P::CardNotChecked, E::ServerError},
}};

MappedError fromBackend(const backend::Error& error) {
    switch (error.code()) {
    case backend::ErrorCode::Network:
    case backend::ErrorCode::Timeout:
        return {E::NetworkError};
    case backend::ErrorCode::MalformedResponse:
        return {E::ServerError};
    case backend::ErrorCode::Http:
        break;
    }
    WizardError mapped = lookup(problemTable, error.problem(), E::ServerError);
    // A wrong confirmation that used the last try locks the session.
    if ((mapped == E::WrongOtp || mapped == E::WrongPassword) && error.triesLeft() == 0)
        mapped = E::OtpLocked;
    return {mapped, error.triesLeft(), error.retryAfter()};
}

} // namespace

std::string_view errorId(WizardError error) {
    return infoOf(error).id;
}

Recovery recoveryOf(WizardError error) {
    return infoOf(error).recovery;
}

bool isRemoval(WizardError error) {
    return error == E::CardRemoved || error == E::ReaderUnplugged || error == E::CardReset;
}

MappedError mapError(std::exception_ptr failure) {
    try {
        std::rethrow_exception(failure);
    } catch (const WizardFailure& failure) {
        return failure.mapped;
    } catch (const usb::Error& error) {
        return {lookup(usbTable, error.code(), E::ReaderError)};
    } catch (const ccid::Error& error) {
        return {lookup(ccidTable, error.code(), E::ReaderError)};
    } catch (const pcsc::Error& error) {
        return {lookup(pcscTable, error.code(), E::ReaderError)};
    } catch (const reader::Error& error) {
        return {lookup(readerTable, error.code(), E::ReaderError)};
    } catch (const card::Error& error) {
        WizardError mapped = lookup(cardTable, error.code(), E::InternalError);
        // 63C0: the wrong PIN used the last try and the PIN is now blocked.
        if (mapped == E::WrongCurrentPin && error.triesLeft() == 0) mapped = E::PinBlocked;
        return {mapped, error.triesLeft()};
    } catch (const backend::Error& error) {
        return fromBackend(error);
    } catch (...) {
        return {E::InternalError};
    }
}

} // namespace kamusm::wizard
