// The wizard's texts (UTF-8). Each entry says what happened and what to do next.
#include "kamusm/wizard/messages.hpp"

namespace kamusm::wizard {

namespace {

struct Text {
    std::string_view turkish;
    std::string_view english;
};

template <typename Key> struct Entry {
    Key key;
    Text text;
};

template <typename Key, std::size_t N>
std::string_view lookup(const std::array<Entry<Key>, N>& table, Key key, Language language) {
    for (const Entry<Key>& entry : table)
        if (entry.key == key)
            return language == Language::Turkish ? entry.text.turkish : entry.text.english;
    return {};
}

using E = WizardError;
constexpr std::array<Entry<WizardError>, 44> errorTexts{{
    {E::NoWebUsb,
     {"Bu tarayıcı USB kart okuyucularla konuşamıyor. Sayfayı güncel Google Chrome veya Microsoft "
      "Edge ile açın.",
      "This browser cannot talk to USB card readers. Open the page in a current Google Chrome or "
      "Microsoft Edge."}},
    {E::InsecureContext,
     {"Sayfa güvenli bağlantıyla açılmadı. Adresin https:// ile başladığından emin olup sayfayı "
      "yeniden açın.",
      "The page was not opened over a secure connection. Make sure the address starts with "
      "https:// and open it again."}},
    {E::UsbAccessDenied,
     {"Tarayıcı bu kart okuyucuya erişime izin vermiyor. KamuSM'nin önerdiği okuyucuyu veya "
      "kurumunuzun sağladığı KamuSM uygulamasını kullanın; yardım sayfasındaki adımları izleyin.",
      "The browser does not allow access to this card reader. Use a reader recommended by KamuSM "
      "or the KamuSM app your organisation provides; follow the steps on the help page."}},
    {E::UsbBusy,
     {"Kart okuyucuyu başka bir program kullanıyor. E-imza ve kart izleme programlarını kapatın, "
      "okuyucuyu çıkarıp yeniden takın ve tekrar deneyin.",
      "Another program is using the card reader. Close e-signature and card-monitor programs, "
      "unplug and replug the reader, then try again."}},
    {E::UsbOpenDenied,
     {"Bilgisayarınız bu kart okuyucuyu açmaya izin vermiyor. Yardım sayfasındaki adımları "
      "izleyin ya da KamuSM kart yardımcısını kurun.",
      "This computer does not let the browser open the card reader. Follow the steps on the help "
      "page or install the KamuSM card helper."}},
    {E::NotCcidReader,
     {"Seçilen cihaz bir akıllı kart okuyucu değil. Listeden kart okuyucunuzu seçin.",
      "The chosen device is not a smart-card reader. Choose your card reader from the list."}},
    {E::ReaderUnplugged,
     {"Kart okuyucu bağlantısı kesildi. Okuyucuyu yeniden takın ve tekrar seçin.",
      "The card reader was disconnected. Plug it in again and choose it once more."}},
    {E::ReaderError,
     {"Kart okuyucu yanıt vermedi. Okuyucuyu çıkarıp yeniden takın ve tekrar deneyin.",
      "The card reader did not respond. Unplug and replug the reader, then try again."}},
    {E::NoCard,
     {"Okuyucuda kart yok. E-imza kartınızı okuyucuya takın ve tekrar deneyin.",
      "There is no card in the reader. Insert your e-signature card and try again."}},
    {E::CardRemoved,
     {"Kart okuyucudan çıkarıldı. Kartı yeniden takın ve işlem bitene kadar çıkarmayın.",
      "The card was taken out of the reader. Insert it again and leave it in until the end."}},
    {E::NotKamusmCard,
     {"Takılan kart bir KamuSM e-imza kartı değil. KamuSM'den aldığınız e-imza kartını takın.",
      "The card is not a KamuSM e-signature card. Insert the e-signature card you received from "
      "KamuSM."}},
    {E::CardMute,
     {"Kart yanıt vermiyor. Kartı çıkarın, temas yüzeyinin temiz olduğunu kontrol edip doğru "
      "yönde yeniden takın.",
      "The card does not answer. Take it out, check that its contacts are clean and insert it "
      "again the right way round."}},
    {E::NoCertificate,
     {"Kartta okunabilir bir imza sertifikası bulunamadı. KamuSM çağrı merkezine başvurun.",
      "No readable signing certificate was found on the card. Contact the KamuSM call centre."}},
    {E::PcscUnavailable,
     {"Bilgisayarınızdaki akıllı kart hizmeti çalışmıyor. Windows'ta \"Akıllı Kart\" hizmetini, "
      "Linux'ta pcscd'yi başlatın; sonra kart okuyucuyu çıkarıp yeniden takın.",
      "The smart-card service of this computer is not running. On Windows start the \"Smart "
      "Card\" service, on Linux start pcscd; then unplug and replug the card reader."}},
    {E::CardInUse,
     {"Kartı başka bir program kullanıyor. E-imza ve kart izleme programlarını kapatıp tekrar "
      "deneyin.",
      "Another program is using the card. Close e-signature and card-monitor programs and try "
      "again."}},
    {E::CardReset,
     {"Kart başka bir program tarafından sıfırlandı. Diğer e-imza programlarını kapatın ve kartı "
      "çıkarıp yeniden takın.",
      "Another program reset the card. Close other e-signature programs, then take the card out "
      "and insert it again."}},
    {E::SmartCardDenied,
     {"Kart okuyucuya erişim izni verilmedi. Tarayıcı sorduğunda \"İzin ver\"i seçin; izin "
      "sorulmuyorsa kurumunuzun yöneticisine başvurun.",
      "Access to the card reader was not granted. Choose \"Allow\" when the browser asks; if it "
      "does not ask, contact your organisation's administrator."}},
    {E::SmartCardNotAllowed,
     {"Bu sayfanın akıllı kartlara erişme yetkisi yok. Uygulamayı kurumunuzun kurduğu KamuSM "
      "uygulamasından açın veya e-imza yardımcısını kurun.",
      "This page may not use smart cards. Open the app from the KamuSM app your organisation "
      "installed, or install the e-signature helper."}},
    {E::HelperMissing,
     {"Tarayıcınızda KamuSM uzantısı var, ama bilgisayarınızda KamuSM kart yardımcısı kurulu "
      "değil. Aşağıdan bu bilgisayar için yardımcıyı indirip kurun, sonra tekrar deneyin.",
      "The KamuSM extension is in your browser, but the KamuSM card helper is not installed on "
      "this computer. Download the helper for this computer below, install it and try again."}},
    {E::HelperStopped,
     {"KamuSM kart yardımcısı çalışırken durdu. Kartınız sıfırlandı; \"Kart okuyucu seç\" ile "
      "yeniden başlatın. Tekrarlarsa yardımcıyı yeniden kurun.",
      "The KamuSM card helper stopped while it was working. Your card was reset; start it again "
      "with \"Choose a card reader\". If this happens again, reinstall the helper."}},
    {E::InvalidCode,
     {"Doğrulama kodu geçersiz. Online İşlemler sayfasındaki 15 haneli kodu eksiksiz girin.",
      "The verification code is not valid. Enter the whole 15-digit code from the Online "
      "Operations page."}},
    {E::ExpiredCode,
     {"Doğrulama kodunun süresi doldu. Online İşlemler sayfasından yeni bir kod alıp baştan "
      "başlayın.",
      "The verification code has expired. Get a new code on the Online Operations page and start "
      "again."}},
    {E::NewCodeNeeded,
     {"Önceki işlem yarıda kaldı; kartınızın PIN durumu yukarıda görünüyor. Online İşlemler "
      "sayfasından yeni bir doğrulama kodu alıp girin.",
      "The last operation was cut short; your card's PIN state is shown above. Get a new "
      "verification code on the Online Operations page and enter it."}},
    {E::UsedCode,
     {"Bu doğrulama kodu daha önce kullanıldı. Online İşlemler sayfasından yeni bir kod alın.",
      "This verification code was already used. Get a new code on the Online Operations page."}},
    {E::WrongHolderCard,
     {"Bu kart oturum açan kişiye ait değil. Kendi e-imza kartınızı takın.",
      "This card belongs to someone else than the person who logged in. Insert your own "
      "e-signature card."}},
    {E::UnknownCard,
     {"Bu kart adınıza kayıtlı görünmüyor. Kendi kartınızı takın; sorun sürerse KamuSM çağrı "
      "merkezine başvurun.",
      "This card is not registered to you. Insert your own card; if the problem persists, "
      "contact the KamuSM call centre."}},
    {E::UntrustedCard,
     {"Karttaki sertifika KamuSM tarafından verilmemiş. PIN işlemleri yalnızca KamuSM "
      "sertifikaları için yapılır.",
      "The card's certificate was not issued by KamuSM. PIN operations are only for KamuSM "
      "certificates."}},
    {E::CertificateExpired,
     {"Karttaki sertifikanın süresi dolmuş. Yeni sertifika için KamuSM'ye başvurun.",
      "The certificate on the card has expired. Apply to KamuSM for a new certificate."}},
    {E::WrongOtp,
     {"SMS kodu yanlış. Telefonunuza gelen 6 haneli kodu yeniden girin.",
      "The SMS code is wrong. Enter the 6-digit code sent to your phone again."}},
    {E::WrongPassword,
     {"Web parolası yanlış. Parolanızı yeniden girin.",
      "The web password is wrong. Enter your password again."}},
    {E::OtpExpired,
     {"SMS kodunun süresi doldu. Yeni kod isteyin ve gelen kodu girin.",
      "The SMS code has expired. Ask for a new code and enter it."}},
    {E::OtpLocked,
     {"Çok sayıda yanlış onay denemesi yapıldı ve işlem kilitlendi. Online İşlemler sayfasından "
      "yeni bir kod alıp baştan başlayın.",
      "Too many wrong confirmations: the operation is locked. Get a new code on the Online "
      "Operations page and start again."}},
    {E::RateLimited,
     {"Çok fazla deneme yapıldı. Biraz bekleyip tekrar deneyin.",
      "Too many attempts. Wait a little and try again."}},
    {E::PinPolicy,
     {"Yeni PIN kurallara uymuyor. Aşağıdaki açıklamaya göre başka bir PIN seçin.",
      "The new PIN does not meet the rules. Choose another PIN as explained below."}},
    {E::WrongCurrentPin,
     {"Mevcut PIN yanlış. Dikkatle yeniden girin; deneme hakkınız bitince PIN kilitlenir.",
      "The current PIN is wrong. Enter it again carefully; when no tries are left the PIN is "
      "locked."}},
    {E::PinBlocked,
     {"Kartınızın PIN'i kilitli. Online İşlemler sayfasından \"PIN Oluşturma/Kilit Çözme\" ile "
      "kilidi çözün.",
      "Your card's PIN is locked. Unlock it with \"PIN Oluşturma/Kilit Çözme\" on the Online "
      "Operations page."}},
    {E::PinNotSet,
     {"Kartınızın henüz PIN'i yok. Online İşlemler sayfasından \"PIN Oluşturma/Kilit Çözme\" ile "
      "PIN oluşturun.",
      "Your card has no PIN yet. Create one with \"PIN Oluşturma/Kilit Çözme\" on the Online "
      "Operations page."}},
    {E::CardRefusedAuthorization,
     {"Kart, KamuSM'nin verdiği yetkiyi kabul etmedi. PIN değişmedi. KamuSM çağrı merkezine "
      "başvurun.",
      "The card did not accept KamuSM's authorization. The PIN is unchanged. Contact the KamuSM "
      "call centre."}},
    {E::AuthorizationBlocked,
     {"Kart artık uzaktan PIN işlemine izin vermiyor. Kartınızın yenilenmesi için KamuSM'ye "
      "başvurun.",
      "The card no longer allows remote PIN operations. Apply to KamuSM to have your card "
      "renewed."}},
    {E::SelfTestFailed,
     {"PIN kaydedildi ancak sonraki denetim başarısız oldu. KamuSM çağrı merkezine başvurun.",
      "The PIN was stored but the check afterwards failed. Contact the KamuSM call centre."}},
    {E::IdleReset,
     {"Uzun süre işlem yapılmadığı için bilgileriniz güvenliğiniz için silindi. Baştan başlayın.",
      "Nothing happened for a long time, so your details were cleared for your safety. Start "
      "again."}},
    {E::NetworkError,
     {"KamuSM sunucusuna ulaşılamıyor. İnternet bağlantınızı kontrol edip tekrar deneyin.",
      "The KamuSM server cannot be reached. Check your internet connection and try again."}},
    {E::ServerError,
     {"KamuSM sunucusunda bir sorun oluştu. Birkaç dakika sonra tekrar deneyin.",
      "Something went wrong on the KamuSM server. Try again in a few minutes."}},
    {E::InternalError,
     {"Beklenmeyen bir hata oluştu. Sayfayı yeniden açıp baştan başlayın.",
      "An unexpected error occurred. Reopen the page and start again."}},
}};

using P = PinProblem;
static_assert(errorTexts.size() == static_cast<std::size_t>(E::InternalError) + 1,
              "a text for every WizardError");

constexpr std::array<Entry<Interruption>, 3> interruptionTexts{{
    {Interruption::PinUnchanged,
     {"Kart, PIN yazılmadan önce çıkarıldı: kartınız eskisi gibidir. Kartı takın, yeni bir "
      "doğrulama kodu alıp işlemi yeniden başlatın.",
      "The card left before the PIN was written: your card is as it was. Insert it, get a new "
      "verification code and start again."}},
    {Interruption::PinMaybeSet,
     {"Kart, yeni PIN yazılırken çıkarıldı. Kartı yeniden takın: PIN durumu kart bilgilerinde "
      "görünür. Yeni PIN çalışmazsa yeni bir doğrulama kodu alıp işlemi yeniden yapın.",
      "The card left while the new PIN was being written. Insert it again: its PIN state shows "
      "with the card's details. If the new PIN does not work, get a new verification code and "
      "do the operation again."}},
    {Interruption::PinSet,
     {"Yeni PIN kartınıza yazıldı ve denetlendi; kart ondan sonra çıkarıldı. Yeni PIN'inizi "
      "kullanabilirsiniz.",
      "The new PIN was written to your card and checked before the card left. You can use your "
      "new PIN."}},
}};

// How the app reaches the card, in the holder's words.
enum class TransportPath { OperatingSystem, DirectUsb, Virtual };
constexpr std::array<Entry<TransportPath>, 3> transportTexts{{
    {TransportPath::OperatingSystem,
     {"Kart okuyucu: işletim sistemi üzerinden", "Card reader: through the operating system"}},
    {TransportPath::DirectUsb, {"Kart okuyucu: doğrudan USB", "Card reader: direct USB"}},
    {TransportPath::Virtual, {"Kart okuyucu: sanal (deneme)", "Card reader: virtual (demo)"}},
}};

constexpr std::array<Entry<PinProblem>, 7> pinProblemTexts{{
    {P::TooShort, {"PIN en az 6 haneli olmalı.", "The PIN must have at least 6 digits."}},
    {P::TooLong, {"PIN en fazla 12 haneli olabilir.", "The PIN can have at most 12 digits."}},
    {P::NotDigits,
     {"PIN yalnızca rakamlardan (0–9) oluşmalı.", "The PIN may only contain digits (0–9)."}},
    {P::AllSame,
     {"Tüm haneleri aynı olan PIN kolay tahmin edilir; farklı rakamlar kullanın.",
      "A PIN with all digits the same is easy to guess; use different digits."}},
    {P::StraightRun,
     {"123456 gibi ardışık rakamlar kolay tahmin edilir; başka bir PIN seçin.",
      "Consecutive digits like 123456 are easy to guess; choose another PIN."}},
    {P::BirthYear,
     {"PIN doğum yılınızı içermemeli.", "The PIN must not contain your year of birth."}},
    {P::Mismatch,
     {"İki PIN birbirinin aynı değil. Yeni PIN'i iki kez aynı girin.",
      "The two PINs differ. Enter the new PIN the same way twice."}},
}};

using S = Step;
constexpr std::array<Entry<Step>, 9> stepTitles{{
    {S::Environment, {"Hazırlık", "Getting ready"}},
    {S::Code, {"Doğrulama kodu", "Verification code"}},
    {S::Reader, {"Kart okuyucu", "Card reader"}},
    {S::Card, {"Kart bilgileri", "Your card"}},
    {S::NewPin, {"Yeni PIN", "New PIN"}},
    {S::Confirm, {"Onay", "Confirmation"}},
    {S::Working, {"İşlem yapılıyor", "Working"}},
    {S::Done, {"İşleminiz başarılı", "Done"}},
    {S::Failed, {"İşlem tamamlanamadı", "The operation could not be completed"}},
}};

constexpr std::array<Entry<Step>, 9> stepInstructions{{
    {S::Environment,
     {"Tarayıcınız ve bağlantınız denetleniyor.", "Checking your browser and connection."}},
    {S::Code,
     {"Online İşlemler sayfasında gösterilen 15 haneli doğrulama kodunu girin. Kodu yalnızca bu "
      "sayfada kullanın; AKİS Kart İzleme Aracı'na PUK olarak asla girmeyin.",
      "Enter the 15-digit verification code shown on the Online Operations page. Use it only on "
      "this page; never enter it as a PUK in the AKIS card-monitor tool."}},
    {S::Reader,
     {"E-imza kartınızı okuyucuya takın, okuyucuyu bilgisayara bağlayın ve listeden seçin. Kartı "
      "işlem bitene kadar çıkarmayın.",
      "Insert your e-signature card into the reader, connect the reader and choose it from the "
      "list. Leave the card in until the end."}},
    {S::Card,
     {"Bilgilerin size ait olduğunu kontrol edin ve devam edin.",
      "Check that the details are yours and continue."}},
    {S::NewPin,
     {"6 ile 12 hane arasında yeni bir PIN belirleyin ve iki kez girin.",
      "Choose a new PIN of 6 to 12 digits and enter it twice."}},
    {S::Confirm,
     {"Telefonunuza gönderilen SMS kodunu veya web parolanızı girerek işlemi onaylayın.",
      "Confirm with the SMS code sent to your phone or with your web password."}},
    {S::Working,
     {"PIN kartınıza yazılıyor. Kartı çıkarmayın ve sayfayı kapatmayın.",
      "The PIN is being written to your card. Do not take the card out or close the page."}},
    {S::Done, {"Aşağıdaki uyarıları dikkatle okuyun.", "Read the warnings below carefully."}},
    {S::Failed, {"Yukarıdaki açıklamaya göre ilerleyin.", "Follow the explanation above."}},
}};

using O = backend::Operation;
constexpr std::array<Entry<backend::Operation>, 3> operationNames{{
    {O::Create, {"PIN Oluşturma", "PIN creation"}},
    {O::Change, {"PIN Değiştirme", "PIN change"}},
    {O::Unblock, {"Kilit Çözme", "PIN unblock"}},
}};

constexpr std::array<Entry<backend::Operation>, 3> successTexts{{
    {O::Create,
     {"PIN'iniz oluşturuldu. E-imza kartınızı yeni PIN'inizle kullanabilirsiniz.",
      "Your PIN was created. You can use your e-signature card with the new PIN."}},
    {O::Change,
     {"PIN'iniz değiştirildi. Bundan sonra yeni PIN'inizi kullanın.",
      "Your PIN was changed. Use your new PIN from now on."}},
    {O::Unblock,
     {"Kartınızın kilidi çözüldü ve yeni PIN'iniz kaydedildi.",
      "Your card is unlocked and your new PIN is stored."}},
}};

using W = WorkPhase;
constexpr std::array<Entry<WorkPhase>, 6> workPhaseTexts{{
    {W::None, {"", ""}},
    {W::SettingPin, {"Yeni PIN karta yazılıyor…", "Writing the new PIN to the card…"}},
    {W::Authorizing,
     {"KamuSM sunucusundan kart için yetki alınıyor…",
      "Getting the card's authorization from the KamuSM server…"}},
    {W::CheckingPin, {"Yeni PIN kartta deneniyor…", "Trying the new PIN on the card…"}},
    {W::SelfTest, {"Kartın imza anahtarı sınanıyor…", "Testing the card's signing key…"}},
    {W::Reporting, {"İşlemin sonucu kaydediliyor…", "Recording the result of the operation…"}},
}};

constexpr std::array<std::string_view, 4> warningsTurkish{{
    "PIN'inizi kimseyle paylaşmayın ve bir yere yazmayın; güvenli tutulması sizin "
    "sorumluluğunuzdadır.",
    "PIN üç kez yanlış girilirse kilitlenir. Kilidi KamuSM Online İşlemler sayfasındaki \"PIN "
    "Oluşturma/Kilit Çözme\" ile yeni PIN belirleyerek çözebilirsiniz.",
    "AKİS Kart İzleme Aracı'nda PUK ile hiçbir işlem yapmayın: üç yanlış PUK denemesi kartı "
    "kalıcı olarak kullanılamaz hale getirir ve kart ancak ücretle yenilenir.",
    "Gönderinizi teslim aldığınızda içeriğini kontrol edin. Siparişinizdeki kart veya kart "
    "okuyucu eksikse 5 iş günü içinde bilgi@kamusm.gov.tr adresine bildirin; siparişin içeriği "
    "zarfın penceresinde T.C. kimlik numaranızın yanında yazar.",
}};

constexpr std::array<std::string_view, 4> warningsEnglish{{
    "Do not share your PIN with anyone or write it down; keeping it safe is your responsibility.",
    "Three wrong PIN entries lock it. Unlock it by setting a new PIN with \"PIN "
    "Oluşturma/Kilit Çözme\" on the KamuSM Online Operations page.",
    "Never do anything with the PUK in the AKIS card-monitor tool: three wrong PUK entries make "
    "the card unusable for good, and it can only be replaced for a fee.",
    "Check your delivery when it arrives. If the card or the card reader you ordered is missing, "
    "tell bilgi@kamusm.gov.tr within 5 working days; the order's contents are printed next to "
    "your T.C. identity number in the envelope's window.",
}};

} // namespace

std::string_view message(WizardError error, Language language) {
    return lookup(errorTexts, error, language);
}

std::string_view message(PinProblem problem, Language language) {
    return lookup(pinProblemTexts, problem, language);
}

std::string_view stepTitle(Step step, Language language) {
    return lookup(stepTitles, step, language);
}

std::string_view stepInstruction(Step step, Language language) {
    return lookup(stepInstructions, step, language);
}

std::string_view workPhaseText(WorkPhase phase, Language language) {
    return lookup(workPhaseTexts, phase, language);
}

std::string_view operationName(backend::Operation operation, Language language) {
    return lookup(operationNames, operation, language);
}

std::string_view successText(backend::Operation operation, Language language) {
    return lookup(successTexts, operation, language);
}

std::string_view interruptionText(Interruption interruption, Language language) {
    return lookup(interruptionTexts, interruption, language);
}

std::string_view transportText(reader::TransportKind transport, Language language) {
    const TransportPath path = transport == reader::TransportKind::Demo ? TransportPath::Virtual
                               : reader::throughOperatingSystem(transport)
                                   ? TransportPath::OperatingSystem
                                   : TransportPath::DirectUsb;
    return lookup(transportTexts, path, language);
}

const std::array<std::string_view, 4>& pinWarnings(Language language) {
    return language == Language::Turkish ? warningsTurkish : warningsEnglish;
}

} // namespace kamusm::wizard
