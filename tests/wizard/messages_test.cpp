// Every error, PIN rule and step has its Turkish and English text, and the ids are the agreed ones.
#include "kamusm/pcsc/error.hpp"
#include "kamusm/wizard/messages.hpp"

#include <doctest/doctest.h>

#include <set>
#include <string>

using namespace kamusm;
using namespace kamusm::wizard;

namespace {

constexpr Language languages[] = {Language::Turkish, Language::English};

bool isSnakeCase(std::string_view id) {
    if (id.empty()) return false;
    for (char c : id)
        if (!((c >= 'a' && c <= 'z') || c == '_')) return false;
    return true;
}

} // namespace

TEST_CASE("step ids are exactly interfaces.md's") {
    const std::pair<Step, const char*> ids[] = {
        {Step::Environment, "environment"}, {Step::Code, "code"},
        {Step::Reader, "reader"},           {Step::Card, "card"},
        {Step::NewPin, "new_pin"},          {Step::Confirm, "confirm"},
        {Step::Working, "working"},         {Step::Done, "done"},
        {Step::Failed, "failed"},
    };
    for (const auto& [step, id] : ids) {
        CHECK(stepId(step) == id);
        for (Language language : languages) {
            CHECK_FALSE(stepTitle(step, language).empty());
            CHECK_FALSE(stepInstruction(step, language).empty());
        }
    }
}

TEST_CASE("every error has a unique snake_case id and a text in both languages") {
    std::set<std::string_view> seen;
    for (int i = 0; i <= static_cast<int>(WizardError::InternalError); ++i) {
        const auto error = static_cast<WizardError>(i);
        CAPTURE(i);
        CHECK(isSnakeCase(errorId(error)));
        CHECK(seen.insert(errorId(error)).second);
        const std::string_view turkish = message(error, Language::Turkish);
        const std::string_view english = message(error, Language::English);
        CHECK(turkish.size() > 20);
        CHECK(english.size() > 20);
        CHECK(turkish != english);
    }
}

TEST_CASE("every PIN rule has its reason in both languages") {
    for (int i = 0; i <= static_cast<int>(PinProblem::Mismatch); ++i) {
        const auto problem = static_cast<PinProblem>(i);
        CHECK_FALSE(message(problem, Language::Turkish).empty());
        CHECK_FALSE(message(problem, Language::English).empty());
    }
}

TEST_CASE("Turkish texts keep their letters (UTF-8)") {
    CHECK(message(WizardError::CardRemoved, Language::Turkish).find("çıkarıldı") !=
          std::string_view::npos);
    CHECK(operationName(backend::Operation::Change, Language::Turkish) == "PIN Değiştirme");
    CHECK(operationName(backend::Operation::Unblock, Language::Turkish) == "Kilit Çözme");
    CHECK(operationName(backend::Operation::Create, Language::Turkish) == "PIN Oluşturma");
    CHECK(stepTitle(Step::Working, Language::Turkish) == "İşlem yapılıyor");
}

TEST_CASE("the Done step: success text and the four warnings") {
    for (auto operation :
         {backend::Operation::Create, backend::Operation::Change, backend::Operation::Unblock})
        for (Language language : languages)
            CHECK_FALSE(successText(operation, language).empty());
    for (Language language : languages) {
        const auto& warnings = pinWarnings(language);
        for (std::string_view warning : warnings)
            CHECK(warning.size() > 40);
        CHECK(warnings[2].find("PUK") != std::string_view::npos);
        CHECK(warnings[3].find("bilgi@kamusm.gov.tr") != std::string_view::npos);
    }
}

TEST_CASE("every PC/SC failure, whichever stack reports it, becomes its own message") {
    const std::pair<pcsc::ErrorCode, std::string_view> expected[] = {
        {pcsc::ErrorCode::NoService, "pcsc_unavailable"},
        {pcsc::ErrorCode::SharingViolation, "card_in_use"},
        {pcsc::ErrorCode::RemovedCard, "card_removed"},
        {pcsc::ErrorCode::ResetCard, "card_reset"},
        {pcsc::ErrorCode::ReaderUnavailable, "reader_unplugged"},
        {pcsc::ErrorCode::NoSmartcard, "no_card"},
        {pcsc::ErrorCode::UnresponsiveCard, "card_mute"},
        {pcsc::ErrorCode::NotAllowed, "smartcard_denied"},
        {pcsc::ErrorCode::Security, "smartcard_not_allowed"},
    };
    for (const auto& row : expected) {
        const std::string_view name = pcsc::responseCode(row.first);
        CAPTURE(name);
        const MappedError mapped =
            mapError(std::make_exception_ptr(pcsc::Error(row.first, "from the test")));
        CHECK(errorId(mapped.error) == row.second);
    }
    for (int i = 0; i < pcsc::errorCodeCount; ++i) {
        const auto code = static_cast<pcsc::ErrorCode>(i);
        const std::string_view name = pcsc::responseCode(code);
        CAPTURE(name);
        CHECK(pcsc::errorCodeFor(pcsc::responseCode(code)) == code);
        const WizardError error = mapError(std::make_exception_ptr(pcsc::Error(code, ""))).error;
        CHECK(error != WizardError::InternalError);
        for (Language language : languages)
            CHECK_FALSE(message(error, language).empty());
    }
}

TEST_CASE("the reader owner's failures and what an interrupted operation left are told") {
    CHECK(mapError(std::make_exception_ptr(reader::Error(reader::ErrorCode::CardRemoved, "")))
              .error == WizardError::CardRemoved);
    CHECK(
        mapError(std::make_exception_ptr(reader::Error(reader::ErrorCode::ReaderLost, ""))).error ==
        WizardError::ReaderUnplugged);
    for (Interruption interruption :
         {Interruption::PinUnchanged, Interruption::PinMaybeSet, Interruption::PinSet})
        for (Language language : languages)
            CHECK_FALSE(interruptionText(interruption, language).empty());
    CHECK(transportText(reader::TransportKind::SmartCard, Language::Turkish) ==
          "Kart okuyucu: işletim sistemi üzerinden");
    CHECK(transportText(reader::TransportKind::WebUsb, Language::Turkish) ==
          "Kart okuyucu: doğrudan USB");
    CHECK(transportText(reader::TransportKind::Helper, Language::English) ==
          "Card reader: through the operating system");
}
