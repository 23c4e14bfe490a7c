// The PIN API's messages and a typed client (src/server/openapi.yaml). The client never sends a
// PIN: the server only authorizes, the card does the rest.
#pragma once

#include "kamusm/backend/error.hpp"
#include "kamusm/backend/http.hpp"
#include "kamusm/base/bytes.hpp"

#include <optional>
#include <string>
#include <vector>

namespace kamusm::backend {

enum class Operation { Create, Change, Unblock };
enum class Confirmation { Sms, Password };
enum class Outcome { Success, WrongState, CardRemoved, CardError, Cancelled };

// The API's spelling ("unblock", "sms", "card_removed" …).
std::string_view wireName(Operation operation);
std::string_view wireName(Confirmation confirmation);
std::string_view wireName(Outcome outcome);
// Throw std::invalid_argument for any other text.
Operation operationFromString(std::string_view text);
Confirmation confirmationFromString(std::string_view text);
Outcome outcomeFromString(std::string_view text);

struct Holder {
    std::string name;
    std::string tcknMasked;       // "100******46"
    std::optional<int> birthYear; // when the backend knows it: the wizard refuses it in a PIN
};

struct Session {
    std::string id;
    Operation operation = Operation::Unblock;
    Holder holder;
    Confirmation confirmation = Confirmation::Sms;
    int expiresIn = 0; // seconds
};

struct SmsSent {
    std::string sentTo; // masked phone number
    int expiresIn = 0;
    int resendIn = 0;
};

struct Health {
    std::string status; // "ok"
    std::string version;
    bool demo = false;
};

// Demo-mode routes (interfaces.md).
struct VerificationCode {
    std::string code;
    int expiresIn = 0;
};
struct OutboxMessage {
    std::string to;
    std::string text;
    std::string code;
};
struct DemoCard {
    Bytes certificate;   // DER
    Bytes privateKey;    // PKCS#8 DER
    Bytes caCertificate; // the demo CA (DER), for tools that verify the chain
};

class BackendClient {
public:
    explicit BackendClient(HttpClient& http) : http_(http) {}

    Task<Health> health();
    // The 15-digit code from the online-operations page opens a session.
    Task<Session> startSession(std::string code);
    // Checks the card against the session's holder (certificate issuer, TCKN, enrolled serial).
    Task<void> checkCard(std::string session, std::string serial, Bytes certificate);
    Task<SmsSent> sendSms(std::string session);
    Task<void> confirmSms(std::string session, std::string smsCode);
    Task<void> confirmPassword(std::string session, std::string password);
    // The card's challenge R in, the cryptogram C for EXTERNAL AUTHENTICATE out (16 bytes each).
    Task<Bytes> authorize(std::string session, std::string serial, Bytes challenge);
    Task<void> reportOutcome(std::string session, Outcome outcome, std::string detail = {});

    Task<VerificationCode> demoVerificationCode(std::string tckn, Operation operation,
                                                std::optional<Confirmation> confirmation = {});
    Task<std::vector<OutboxMessage>> demoOutbox();
    Task<DemoCard> demoEnrolCard(std::string tckn, std::string serial);

private:
    HttpClient& http_;
};

// Turns a non-2xx answer into backend::Error{Http} with the problem document's fields (also when
// the body is not a problem document). Exposed for the tests and for other transports.
[[noreturn]] void throwProblem(const HttpResponse& response);

} // namespace kamusm::backend
