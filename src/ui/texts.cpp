// The screens' own texts (UTF-8), once in Turkish and once in English.
#include "kamusm/ui/texts.hpp"

#include <array>

namespace kamusm::ui {

namespace {

struct Entry {
    UiText key;
    std::string_view turkish;
    std::string_view english;
};

using T = UiText;
constexpr std::array texts{
    Entry{T::CheckAgain, "Tekrar denetle", "Check again"},
    // Each language is offered in its own name, so a reader of either finds it.
    Entry{T::OtherLanguage, "English", "Türkçe"},
    Entry{T::LargeTextOn, "Büyük yazı", "Large text"},
    Entry{T::LargeTextOff, "Normal yazı", "Normal text"},
    Entry{T::SubmitCode, "Devam et", "Continue"},
    Entry{T::PasteCode, "Kodu yapıştır", "Paste the code"},
    Entry{T::ChooseReader, "Kart okuyucu seç", "Choose a card reader"},
    Entry{T::TryVirtualCard, "Sanal kart ile dene", "Try with a virtual card"},
    Entry{T::DownloadHelper, "Kart yardımcısını indir ({})", "Download the card helper ({})"},
    Entry{T::ConfirmCard, "Bu benim kartım, devam et", "This is my card, continue"},
    Entry{T::CardChoice, "Bu kartı seç: {}", "Choose this card: {}"},
    Entry{T::ShowPin, "Rakamları göster", "Show the digits"},
    Entry{T::HidePin, "Rakamları gizle", "Hide the digits"},
    Entry{T::OpenKeypad, "Ekran klavyesi", "On-screen keypad"},
    Entry{T::CloseKeypad, "Ekran klavyesini kapat", "Close the on-screen keypad"},
    Entry{T::KeypadErase, "Sil", "Erase"},
    Entry{T::SubmitPin, "Devam et", "Continue"},
    Entry{T::ResendSms, "Yeni SMS kodu iste", "Send a new SMS code"},
    Entry{T::SubmitConfirmation, "Onayla", "Confirm"},
    Entry{T::StillHere, "Devam ediyorum", "I am still here"},
    Entry{T::Cancel, "İptal", "Cancel"},
    Entry{T::Restart, "Başa dön", "Start over"},
    Entry{T::OpenHelp, "Yardım sayfası", "Help page"},
    Entry{T::StartOver, "Baştan başla", "Start over"},

    Entry{T::CodeLabel, "Doğrulama kodu (15 hane)", "Verification code (15 digits)"},
    Entry{T::CodeHint, "Online İşlemler sayfasındaki kodu yazın veya yapıştırın.",
          "Type or paste the code shown on the Online Operations page."},
    Entry{T::CodeCount, "15 haneden {} tanesi girildi.", "{} of 15 digits entered."},
    Entry{T::CurrentPinLabel, "Mevcut PIN", "Current PIN"},
    Entry{T::CurrentPinHint, "Kartınızın şu an kullandığınız PIN'i.",
          "The PIN you use with your card now."},
    Entry{T::NewPinLabel, "Yeni PIN", "New PIN"},
    Entry{T::NewPinHint, "6 ile 12 arası rakam.", "6 to 12 digits."},
    Entry{T::NewPinFine, "PIN kurallara uygun.", "The PIN meets the rules."},
    Entry{T::RepeatPinLabel, "Yeni PIN (tekrar)", "New PIN (again)"},
    Entry{T::RepeatPinHint, "Yeni PIN'i bir kez daha girin.", "Enter the new PIN once more."},
    Entry{T::RepeatPinFine, "İki PIN aynı.", "Both PINs are the same."},
    Entry{T::SmsCodeLabel, "SMS kodu (6 hane)", "SMS code (6 digits)"},
    Entry{T::SmsCodeHint, "Telefonunuza gelen 6 haneli kod.",
          "The 6-digit code sent to your phone."},
    Entry{T::ResendIn, "Yeni kod {} saniye sonra istenebilir.",
          "A new code can be requested in {} seconds."},
    Entry{T::PasswordLabel, "Web parolası", "Web password"},
    Entry{T::PasswordHint, "Online İşlemler için belirlediğiniz parola.",
          "The password you set for Online Operations."},

    Entry{T::OperationFact, "İşlem", "Operation"},
    Entry{T::HolderFact, "Kart sahibi", "Card holder"},
    Entry{T::TcknFact, "T.C. kimlik no", "Turkish ID number"},
    Entry{T::SerialFact, "Kart seri no", "Card serial number"},
    Entry{T::IssuerFact, "Sertifikayı veren", "Certificate issued by"},
    Entry{T::ValidityFact, "Geçerlilik", "Valid"},
    Entry{T::PinStateFact, "PIN durumu", "PIN state"},
    Entry{T::PinSet, "Tanımlı, {} deneme hakkı kaldı", "Set, {} tries left"},
    Entry{T::PinNotSet, "Henüz tanımlanmamış", "Not set yet"},
    Entry{T::PinBlocked, "Kilitli", "Locked"},

    Entry{T::Ready, "Tarayıcınız ve bağlantınız USB kart okuyucu kullanmaya uygun.",
          "Your browser and connection can use USB card readers."},
    Entry{T::TimeLeft, "Kalan süre: {}", "Time left: {}"},
    Entry{T::ReaderNoneChosen, "Henüz kart okuyucu seçilmedi.", "No card reader chosen yet."},
    Entry{T::ReaderOpening, "Kart okuyucu açılıyor, kart okunuyor…",
          "Opening the card reader and reading the card…"},
    Entry{T::ReaderWithoutCard, "Okuyucuda kart yok: e-imza kartınızı takın.",
          "The reader has no card: insert your e-signature card."},
    Entry{T::Busy, "Lütfen bekleyin…", "Please wait…"},
    Entry{T::SmsSentTo, "SMS kodu {} numaralı telefonunuza gönderildi.",
          "The SMS code was sent to your phone number {}."},
    Entry{T::TriesLeft, "Kalan deneme hakkı: {}.", "Tries left: {}."},
    Entry{T::RetryAfter, "{} saniye sonra tekrar deneyin.", "Try again in {} seconds."},
    Entry{T::IdleWarning,
          "Bir süredir işlem yapılmadı. Bilgileriniz güvenliğiniz için {} saniye içinde "
          "silinecek.",
          "Nothing has happened for a while. Your details will be cleared for your safety in {} "
          "seconds."},
    Entry{T::SeveralCards, "Birden fazla KamuSM kartı takılı. İşlem yapılacak kartı seçin.",
          "More than one KamuSM card is inserted. Choose the card for this operation."},
    Entry{T::HelperWhy,
          "Tarayıcılar çoğu kart okuyucuyu sayfalardan korur. KamuSM kart yardımcısı (küçük bir "
          "program ve tarayıcı uzantısı) okuyucuya bilgisayarınızın akıllı kart hizmeti "
          "üzerinden ulaşır; kurduktan sonra \"Kart okuyucu seç\"e basın.",
          "Browsers keep most card readers away from web pages. The KamuSM card helper (a small "
          "program and a browser extension) reaches the reader through your computer's "
          "smart-card service; once it is installed, press \"Choose a card reader\"."},
    Entry{T::HelperNotForSystem,
          "Bu işletim sistemi için kart yardımcısı bu sitede yok: kurumunuzun yöneticisine "
          "başvurun.",
          "This site has no card helper for this operating system: ask your organisation's "
          "administrator."},
};
static_assert(texts.size() == static_cast<std::size_t>(UiText::HelperNotForSystem) + 1,
              "a text for every UiText");

} // namespace

std::string_view uiText(UiText text, wizard::Language language) {
    for (const Entry& entry : texts)
        if (entry.key == text)
            return language == wizard::Language::Turkish ? entry.turkish : entry.english;
    return {};
}

std::string uiText(UiText text, wizard::Language language, std::string_view value) {
    std::string filled(uiText(text, language));
    if (const std::size_t at = filled.find("{}"); at != std::string::npos)
        filled.replace(at, 2, value);
    return filled;
}

std::string uiText(UiText text, wizard::Language language, int value) {
    return uiText(text, language, std::to_string(value));
}

std::string minutesAndSeconds(int seconds) {
    const int minutes = seconds / 60;
    const int rest = seconds % 60;
    return std::to_string(minutes) + (rest < 10 ? ":0" : ":") + std::to_string(rest);
}

} // namespace kamusm::ui
