// The screen of every step, in Turkish and in English, as the canvas and the mirror show it.
#include "ui/app_rig.hpp"

#include "kamusm/ui/texts.hpp"

#include <algorithm>

using namespace kamusm;
using namespace kamusm::ui;
using namespace kamusm::ui::test;
using backend::Operation;
using wizard::Language;
using wizard::Step;

namespace {

std::vector<Action> actions(const Screen& screen) {
    std::vector<Action> list;
    for (const Button& button : screen.buttons)
        list.push_back(button.action);
    return list;
}

// The title, instruction and language of `step` in the app's current language.
void checkStepTexts(const Screen& screen, Step step, Language language) {
    CHECK(screen.stepId == wizard::stepId(step));
    CHECK(screen.language == (language == Language::Turkish ? "tr" : "en"));
    CHECK(screen.title == wizard::stepTitle(step, language));
    const std::string_view instruction = wizard::stepInstruction(step, language);
    CHECK(std::find(screen.paragraphs.begin(), screen.paragraphs.end(), instruction) !=
          screen.paragraphs.end());
}

sim::CardSetup freshCard() {
    sim::CardSetup setup = sim::demoCardSetup();
    setup.pin = std::nullopt;
    return setup;
}

} // namespace

TEST_CASE("every action and field has its mirror id") {
    CHECK(actionId(Action::SubmitCode) == "submit_code");
    CHECK(actionId(Action::TryVirtualCard) == "try_virtual_card");
    CHECK(actionId(Action::KeypadDigit) == "keypad_digit");
    CHECK(actionId(Action::Restart) == "restart");
    CHECK(fieldId(FieldId::RepeatPin) == "repeat_pin");
    CHECK(fieldId(FieldId::Confirmation) == "confirmation");
    for (int action = 0; action < actionCount; ++action)
        CHECK_FALSE(actionId(static_cast<Action>(action)).empty());
}

TEST_CASE("the code step in both languages, switched by its button") {
    Rig rig(Operation::Unblock);
    Screen screen = rig.app.screen();
    checkStepTexts(screen, Step::Code, Language::Turkish);
    CHECK(actions(screen) == std::vector{Action::SubmitCode, Action::PasteCode,
                                         Action::SwitchLanguage, Action::LargeText});
    CHECK(buttonOf(screen, Action::SubmitCode).primary);
    CHECK(buttonOf(screen, Action::SwitchLanguage).label == "English");
    CHECK(fieldIds(screen) == std::vector{FieldId::Code});
    CHECK(fieldOf(screen, FieldId::Code).label == "Doğrulama kodu (15 hane)");

    rig.press(Action::SwitchLanguage);
    CHECK(rig.app.language() == Language::English);
    screen = rig.app.screen();
    checkStepTexts(screen, Step::Code, Language::English);
    CHECK(buttonOf(screen, Action::SwitchLanguage).label == "Türkçe");
    CHECK(buttonOf(screen, Action::PasteCode).label == "Paste the code");
    CHECK(fieldOf(screen, FieldId::Code).label == "Verification code (15 digits)");
}

TEST_CASE("large text toggles and names what it does next") {
    Rig rig(Operation::Unblock);
    CHECK_FALSE(rig.app.largeText());
    CHECK(buttonOf(rig.app.screen(), Action::LargeText).label == "Büyük yazı");
    rig.press(Action::LargeText);
    CHECK(rig.app.largeText());
    CHECK(buttonOf(rig.app.screen(), Action::LargeText).label == "Normal yazı");
}

TEST_CASE("the reader step: live status, the chooser, the virtual card only in demo mode") {
    Rig rig(Operation::Unblock);
    rig.toReader();
    Screen screen = rig.app.screen();
    checkStepTexts(screen, Step::Reader, Language::Turkish);
    CHECK(actions(screen) == std::vector{Action::ChooseReader, Action::DownloadHelper,
                                         Action::Cancel, Action::SwitchLanguage,
                                         Action::LargeText});
    CHECK(buttonOf(screen, Action::ChooseReader).label == "Kart okuyucu seç");
    CHECK(screen.status == uiText(UiText::ReaderNoneChosen, Language::Turkish));
    rig.press(Action::TryVirtualCard); // not offered: ignored
    CHECK(rig.host.virtualCards == 0);

    rig.host.demo = true;
    screen = rig.app.screen();
    CHECK(buttonOf(screen, Action::TryVirtualCard).label == "Sanal kart ile dene");
    rig.press(Action::TryVirtualCard);
    CHECK(rig.host.virtualCards == 1);

    rig.app.setReaderStatus(ReaderStatus::Opening);
    CHECK(rig.app.screen().status == uiText(UiText::ReaderOpening, Language::Turkish));
    rig.app.setReaderStatus(ReaderStatus::WaitingForCard);
    rig.press(Action::SwitchLanguage);
    CHECK(rig.app.screen().status == "The reader has no card: insert your e-signature card.");
}

TEST_CASE("the reader step offers the desktop helper until the page has a way to the reader") {
    Rig rig(Operation::Change);
    rig.toReader();
    Screen screen = rig.app.screen();
    CHECK(std::count(screen.paragraphs.begin(), screen.paragraphs.end(),
                     uiText(UiText::HelperWhy, Language::Turkish)) == 1);
    CHECK(buttonOf(screen, Action::DownloadHelper).label == "Kart yardımcısını indir (Linux)");
    rig.press(Action::DownloadHelper);
    CHECK(rig.host.helperDownloads == 1);

    rig.host.helperSystem = std::nullopt; // no installer for this system on the site
    screen = rig.app.screen();
    CHECK(std::find(screen.paragraphs.begin(), screen.paragraphs.end(),
                    uiText(UiText::HelperNotForSystem, Language::Turkish)) !=
          screen.paragraphs.end());
    const std::vector<Action> offered = actions(screen);
    CHECK(std::count(offered.begin(), offered.end(), Action::DownloadHelper) == 0);
    rig.press(Action::DownloadHelper); // not offered: ignored
    CHECK(rig.host.helperDownloads == 1);

    // A reader reached (here the virtual one, still without a card): nothing more to offer.
    rig.host.helperSystem = "Windows";
    rig.reader.faults().cardRemoved = true;
    rig.press(Action::ChooseReader);
    REQUIRE(rig.app.stepId() == "reader");
    screen = rig.app.screen();
    CHECK(std::count(screen.paragraphs.begin(), screen.paragraphs.end(),
                     uiText(UiText::HelperWhy, Language::Turkish)) == 0);
    const std::vector<Action> now = actions(screen);
    CHECK(std::count(now.begin(), now.end(), Action::DownloadHelper) == 0);
}

TEST_CASE("the reader step: no card is the status, other reader problems an alert") {
    Rig rig(Operation::Unblock);
    rig.toReader();
    rig.reader.faults().cardRemoved = true;
    rig.press(Action::ChooseReader);
    REQUIRE(rig.app.stepId() == "reader");
    CHECK(rig.app.errorId() == "no_card");
    Screen screen = rig.app.screen();
    CHECK(screen.status == uiText(UiText::ReaderWithoutCard, Language::Turkish));
    CHECK(screen.alert.empty());

    rig.reader.faults().cardRemoved = false;
    rig.reader.faults().disconnected = true;
    rig.press(Action::ChooseReader);
    REQUIRE(rig.app.stepId() == "reader");
    REQUIRE(rig.app.errorId().has_value());
    screen = rig.app.screen();
    CHECK_FALSE(screen.alert.empty());
    CHECK(screen.alert == wizard::message(*rig.state().error, Language::Turkish));
}

TEST_CASE("the card step shows the card's facts and the operation") {
    Rig rig(Operation::Create, freshCard());
    rig.toReader();
    rig.press(Action::ChooseReader);
    REQUIRE(rig.app.stepId() == "card");
    Screen screen = rig.app.screen();
    checkStepTexts(screen, Step::Card, Language::Turkish);
    CHECK(actions(screen) == std::vector{Action::ConfirmCard, Action::Cancel,
                                         Action::SwitchLanguage, Action::LargeText});
    const wizard::CardSummary& card = *rig.state().card;
    const std::vector<std::pair<std::string, std::string>> expected{
        {"İşlem", "PIN Oluşturma"},
        {"Kart sahibi", std::string(sim::demoHolderName)},
        {"T.C. kimlik no", "100******46"},
        {"Kart seri no", std::string(sim::demoSerial)},
        {"Sertifikayı veren", card.issuer},
        {"Geçerlilik", card.notBefore + " – " + card.notAfter},
        {"PIN durumu", "Henüz tanımlanmamış"},
    };
    REQUIRE(screen.facts.size() == expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) {
        CHECK(screen.facts[i].label == expected[i].first);
        CHECK(screen.facts[i].value == expected[i].second);
    }
    CHECK_FALSE(card.issuer.empty());

    rig.press(Action::SwitchLanguage);
    screen = rig.app.screen();
    CHECK(screen.facts[0].value == "PIN creation");
    CHECK(screen.facts[6].label == "PIN state");
    CHECK(screen.facts[6].value == "Not set yet");
}

TEST_CASE("the card step: a set PIN with its tries, a blocked one") {
    Rig change(Operation::Change);
    change.toReader();
    change.press(Action::ChooseReader);
    CHECK(change.app.screen().facts.back().value == "Tanımlı, 3 deneme hakkı kaldı");

    Rig unblock(Operation::Unblock);
    wizard::test::blockPin(unblock.reader);
    unblock.toReader();
    unblock.press(Action::ChooseReader);
    CHECK(unblock.app.screen().facts.back().value == "Kilitli");
    CHECK(unblock.app.screen().facts.front().value == "Kilit Çözme");
}

TEST_CASE("the new PIN step: fields, show/hide, keypad, cancel") {
    Rig rig(Operation::Change);
    rig.toNewPin();
    Screen screen = rig.app.screen();
    checkStepTexts(screen, Step::NewPin, Language::Turkish);
    CHECK(fieldIds(screen) ==
          std::vector{FieldId::CurrentPin, FieldId::NewPin, FieldId::RepeatPin});
    for (const Field& field : screen.fields) {
        CHECK(field.secret);
        CHECK(field.numeric);
        CHECK(field.maxLength == wizard::maximumPinLength);
        CHECK_FALSE(field.shown);
    }
    CHECK(fieldOf(screen, FieldId::CurrentPin).active);
    CHECK(actions(screen) == std::vector{Action::SubmitPin, Action::ToggleShowPin,
                                         Action::ToggleKeypad, Action::Cancel,
                                         Action::SwitchLanguage, Action::LargeText});
    rig.press(Action::ToggleShowPin);
    screen = rig.app.screen();
    CHECK(fieldOf(screen, FieldId::NewPin).shown);
    CHECK(buttonOf(screen, Action::ToggleShowPin).label == "Rakamları gizle");

    rig.press(Action::SwitchLanguage);
    screen = rig.app.screen();
    checkStepTexts(screen, Step::NewPin, Language::English);
    CHECK(fieldOf(screen, FieldId::RepeatPin).label == "New PIN (again)");

    rig.press(Action::Cancel);
    CHECK(rig.app.stepId() == "code");
    REQUIRE(rig.server.outcomes.size() == 1);
    CHECK(rig.server.outcomes[0].result == "cancelled");
}

TEST_CASE("create and unblock ask for no current PIN") {
    Rig rig(Operation::Create, freshCard());
    rig.toNewPin();
    CHECK(fieldIds(rig.app.screen()) == std::vector{FieldId::NewPin, FieldId::RepeatPin});
    CHECK(fieldOf(rig.app.screen(), FieldId::NewPin).active);
}

TEST_CASE("the confirm step by SMS: where it went, the code field, resend after its wait") {
    Rig rig(Operation::Change);
    rig.toNewPin();
    rig.app.setField(FieldId::CurrentPin, "123456");
    rig.app.setField(FieldId::NewPin, "24681357");
    rig.app.setField(FieldId::RepeatPin, "24681357");
    rig.press(Action::SubmitPin);
    REQUIRE(rig.app.stepId() == "confirm");
    CHECK(rig.server.smsSent == 1); // the wizard's own; the app asks for no other
    Screen screen = rig.app.screen();
    checkStepTexts(screen, Step::Confirm, Language::Turkish);
    CHECK(std::find(screen.paragraphs.begin(), screen.paragraphs.end(),
                    "SMS kodu *******12 numaralı telefonunuza gönderildi.") !=
          screen.paragraphs.end());
    const Field& code = fieldOf(screen, FieldId::Confirmation);
    CHECK_FALSE(code.secret);
    CHECK(code.numeric);
    CHECK(code.maxLength == 6);
    CHECK(code.active);
    CHECK(code.hint == "Telefonunuza gelen 6 haneli kod. Yeni kod 60 saniye sonra istenebilir.");
    CHECK_FALSE(buttonOf(screen, Action::ResendSms).enabled);
    rig.press(Action::ResendSms); // disabled: ignored
    CHECK(rig.server.smsSent == 1);

    rig.clock.advanceSeconds(60);
    rig.app.update();
    CHECK(buttonOf(rig.app.screen(), Action::ResendSms).enabled);
    rig.press(Action::ResendSms);
    CHECK(rig.server.smsSent == 2);

    rig.app.setField(FieldId::Confirmation, "000000");
    rig.press(Action::SubmitConfirmation);
    CHECK(rig.app.errorId() == "wrong_otp");
    screen = rig.app.screen();
    CHECK(screen.alert ==
          std::string(wizard::message(wizard::WizardError::WrongOtp, Language::Turkish)) +
              " Kalan deneme hakkı: 2.");
    CHECK(fieldOf(screen, FieldId::Confirmation).value.empty());

    rig.app.setField(FieldId::Confirmation, rig.server.smsCode);
    rig.press(Action::SubmitConfirmation);
    CHECK(rig.app.stepId() == "done");
}

TEST_CASE("the confirm step asks for the SMS once when the wizard's own request failed") {
    Rig rig(Operation::Unblock, sim::demoCardSetup());
    wizard::test::blockPin(rig.reader);
    rig.toNewPin();
    rig.server.rateLimitedSms = 1; // the wizard's request is refused, retry after 42 s
    rig.app.setField(FieldId::NewPin, "975318");
    rig.app.setField(FieldId::RepeatPin, "975318");
    rig.press(Action::SubmitPin);
    REQUIRE(rig.app.stepId() == "confirm");
    CHECK(rig.app.errorId() == "rate_limited");
    CHECK(rig.app.screen().alert.ends_with("42 saniye sonra tekrar deneyin."));
    CHECK(rig.server.smsSent == 0);
    rig.clock.advanceSeconds(42);
    rig.app.update();
    rig.press(Action::ResendSms);
    CHECK(rig.server.smsSent == 1);
    CHECK(rig.app.errorId() == std::nullopt);
}

TEST_CASE("the confirm step by web password: a secret text field") {
    Rig rig(Operation::Create, freshCard());
    rig.server.confirmation = backend::Confirmation::Password;
    rig.toNewPin();
    rig.app.setField(FieldId::NewPin, "24681357");
    rig.app.setField(FieldId::RepeatPin, "24681357");
    rig.press(Action::SubmitPin);
    REQUIRE(rig.app.stepId() == "confirm");
    Screen screen = rig.app.screen();
    CHECK_FALSE(hasButton(screen, Action::ResendSms));
    const Field& password = fieldOf(screen, FieldId::Confirmation);
    CHECK(password.secret);
    CHECK_FALSE(password.numeric);
    CHECK(password.label == "Web parolası");
    rig.app.setField(FieldId::Confirmation, "demo-parola");
    screen = rig.app.screen();
    CHECK(fieldOf(screen, FieldId::Confirmation).length == 11);
    CHECK_FALSE(screenContains(screen, "demo-parola"));
    rig.press(Action::SubmitConfirmation);
    CHECK(rig.app.stepId() == "done");
}

TEST_CASE("the working step names the phase in words; done lists the four warnings") {
    Rig rig(Operation::Create, freshCard());
    rig.toNewPin();
    rig.app.setField(FieldId::NewPin, "24681357");
    rig.app.setField(FieldId::RepeatPin, "24681357");
    rig.press(Action::SubmitPin);
    std::optional<Screen> working;
    rig.server.onAuthorize = [&] { working = rig.app.screen(); };
    rig.app.setField(FieldId::Confirmation, rig.server.smsCode);
    rig.press(Action::SubmitConfirmation);
    REQUIRE(working);
    checkStepTexts(*working, Step::Working, Language::Turkish);
    CHECK(working->status ==
          wizard::workPhaseText(wizard::WorkPhase::Authorizing, Language::Turkish));
    CHECK_FALSE(working->progress);
    CHECK(actions(*working) == std::vector{Action::SwitchLanguage, Action::LargeText});

    REQUIRE(rig.app.stepId() == "done");
    Screen screen = rig.app.screen();
    checkStepTexts(screen, Step::Done, Language::Turkish);
    CHECK(screen.paragraphs.front() == wizard::successText(Operation::Create, Language::Turkish));
    const auto& warnings = wizard::pinWarnings(Language::Turkish);
    CHECK(screen.notes == std::vector<std::string>(warnings.begin(), warnings.end()));
    CHECK(actions(screen) ==
          std::vector{Action::Restart, Action::SwitchLanguage, Action::LargeText});
    rig.press(Action::SwitchLanguage);
    CHECK(rig.app.screen().notes.front() == wizard::pinWarnings(Language::English).front());
    rig.press(Action::Restart);
    CHECK(rig.app.stepId() == "code");
}

TEST_CASE("failed: the reason as the alert and a way back") {
    Rig rig(Operation::Unblock);
    rig.toReader();
    rig.clock.advanceSeconds(601); // the session runs out
    rig.app.update();
    REQUIRE(rig.app.stepId() == "failed");
    CHECK(rig.app.errorId() == "expired_code");
    const Screen screen = rig.app.screen();
    checkStepTexts(screen, Step::Failed, Language::Turkish);
    CHECK(screen.alert == wizard::message(wizard::WizardError::ExpiredCode, Language::Turkish));
    CHECK(buttonOf(screen, Action::Restart).primary);
}

TEST_CASE("idle: the warning with I am still here first, then the reset shown at the code") {
    Rig rig(Operation::Unblock);
    rig.toReader();
    rig.clock.advanceSeconds(95);
    rig.app.update();
    Screen screen = rig.app.screen();
    CHECK(screen.warning == "Bir süredir işlem yapılmadı. Bilgileriniz güvenliğiniz için 25 "
                            "saniye içinde silinecek.");
    REQUIRE_FALSE(screen.buttons.empty());
    CHECK(screen.buttons.front().action == Action::StillHere);
    CHECK(screen.buttons.front().primary);
    CHECK_FALSE(buttonOf(screen, Action::ChooseReader).primary);

    rig.press(Action::StillHere);
    screen = rig.app.screen();
    CHECK(screen.warning.empty());
    CHECK_FALSE(hasButton(screen, Action::StillHere));
    CHECK(rig.app.stepId() == "reader");

    rig.clock.advanceSeconds(121);
    rig.app.update();
    CHECK(rig.app.stepId() == "code");
    CHECK(rig.app.errorId() == "idle_reset");
    CHECK(rig.app.screen().alert ==
          wizard::message(wizard::WizardError::IdleReset, Language::Turkish));
}

TEST_CASE("typing counts as activity: no idle warning while the holder types") {
    Rig rig(Operation::Change);
    rig.toNewPin();
    for (int i = 0; i < 6; ++i) {
        rig.clock.advanceSeconds(60);
        rig.app.setField(FieldId::NewPin, std::string(static_cast<std::size_t>(i + 1), '7'));
        rig.app.update();
        CHECK(rig.app.screen().warning.empty());
    }
    CHECK(rig.app.stepId() == "new_pin");
}

TEST_CASE("several KamuSM cards: the card step lists them by holder, masked TCKN and serial") {
    Rig rig(Operation::Change);
    rig.app.update();
    rig.toReader();
    auto other = std::make_shared<sim::VirtualCard>(sim::demoCardSetup());
    sim::VirtualReader second(sim::ReaderModel::Connect2Sign, {other});
    auto transport = std::make_unique<reader::CcidTransport>(reader::TransportKind::WebUsb);
    transport->addDevice(std::make_unique<wizard::test::ForwardingDevice>(rig.reader));
    transport->addDevice(std::make_unique<wizard::test::ForwardingDevice>(second));
    runSync(rig.owner.use(std::move(transport)));
    const Screen reader = rig.app.screen();
    CHECK(std::find(reader.paragraphs.begin(), reader.paragraphs.end(),
                    "Kart okuyucu: doğrudan USB") != reader.paragraphs.end());
    runSync(rig.wizard.findCard());
    rig.app.update();

    const Screen card = rig.app.screen();
    CHECK(card.stepId == "card");
    std::vector<Button> picks;
    for (const Button& button : card.buttons)
        if (button.action == Action::ChooseCard) picks.push_back(button);
    REQUIRE(picks.size() == 2);
    CHECK(picks[1].value == 1);
    CHECK(picks[1].label.find("100******46") != std::string::npos);
    CHECK(picks[1].label.find(sim::demoSerial) != std::string::npos);
    CHECK_FALSE(hasButton(card, Action::ConfirmCard));

    rig.press(Action::ChooseCard, 7); // no such card: ignored
    CHECK(rig.state().cardChoices.size() == 2);
    rig.press(Action::ChooseCard, 1);
    CHECK(rig.state().cardChoices.empty());
    REQUIRE(rig.state().card);
    CHECK(hasButton(rig.app.screen(), Action::ConfirmCard));
}
