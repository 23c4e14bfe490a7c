#include "recovery.hpp"

#include "kamusm/server/crypto.hpp"
#include "kamusm/server/demo.hpp"

namespace kamusm::test {

using backend::Operation;
using backend::Problem;

namespace {

const Bytes challenge = fromHex("00112233445566778899AABBCCDDEEFF");

struct Flow {
    backend::BackendClient* client = nullptr;
    Card card;
    std::string code;
    std::string session;
};

struct Step {
    const char* event; // what its transaction writes to the audit log
    std::function<void(Flow&)> run;
    // What a retry gets once the step's transaction committed, when it is not the step's own
    // success.
    std::optional<Problem> retryAfterCommit;
};

void wrongSms(Flow& flow) {
    std::string right = lastSmsCode(*flow.client);
    backend::Error error =
        failure(flow.client->confirmSms(flow.session, right == "000000" ? "111111" : "000000"));
    if (error.problem() != Problem::WrongSmsCode) throw error;
}

const std::vector<Step> steps{
    {"code_issued",
     [](Flow& flow) {
         flow.code = runSync(flow.client->demoVerificationCode(demoTckn, Operation::Unblock)).code;
     },
     {}},
    {"code_used",
     [](Flow& flow) { flow.session = runSync(flow.client->startSession(flow.code)).id; },
     Problem::CodeUsed},
    {"card_checked",
     [](Flow& flow) {
         runSync(
             flow.client->checkCard(flow.session, flow.card.serial, flow.card.keys.certificate));
     },
     {}},
    {"sms_sent", [](Flow& flow) { runSync(flow.client->sendSms(flow.session)); },
     Problem::RateLimited},
    {"confirm_failed", wrongSms, {}},
    {"confirmed",
     [](Flow& flow) { runSync(flow.client->confirmSms(flow.session, lastSmsCode(*flow.client))); },
     {}},
    {"cryptogram_issued",
     [](Flow& flow) {
         Bytes cryptogram =
             runSync(flow.client->authorize(flow.session, flow.card.serial, challenge));
         CHECK(cryptogram ==
               server::unblockCryptogram(server::demoMasterKey(), flow.card.serial, challenge));
     },
     {}},
    {"outcome",
     [](Flow& flow) {
         runSync(flow.client->reportOutcome(flow.session, backend::Outcome::Success));
     },
     Problem::OutcomeReported},
};

// The backend error a request ends with, if any.
std::optional<backend::Error> errorOf(const std::function<void()>& request) {
    try {
        request();
    } catch (const backend::Error& error) {
        return error;
    }
    return std::nullopt;
}

bool crashed(const std::function<void()>& request) {
    std::optional<backend::Error> error = errorOf(request);
    return error && (error->code() == backend::ErrorCode::Network ||
                     error->code() == backend::ErrorCode::Timeout);
}

} // namespace

std::vector<std::string> liftedLimits() {
    return {"--sessions-per-holder",         "1000", "--sms-per-holder",          "1000",
            "--code-attempts-per-ip",        "1000", "--confirm-attempts-per-ip", "1000",
            "--confirm-attempts-per-holder", "1000"};
}

void crashAtEveryWritePoint(const StartInstance& start, const Survivor& survivor,
                            const std::string& url) {
    for (std::size_t k = 0; k < steps.size(); ++k) {
        for (const char* stage : {"before-commit", "after-commit"}) {
            std::string point = std::string(stage) + ":" + steps[k].event;
            CAPTURE(point);
            Flow flow;
            {
                std::unique_ptr<ServerProcess> dying = start({{"KAMUSM_CRASH_AT", point}});
                flow.client = &dying->client();
                flow.card = enrolCard(dying->client());
                for (std::size_t i = 0; i < k; ++i)
                    steps[i].run(flow);
                CHECK(crashed([&] { steps[k].run(flow); }));
                CHECK(dying->stop() == -1); // killed by its signal
            }
            flow.client = &survivor();
            checkAgreement(url);
            bool committed = std::string(stage) == "after-commit";
            if (committed && steps[k].retryAfterCommit) {
                std::optional<backend::Error> retry = errorOf([&] { steps[k].run(flow); });
                REQUIRE(retry);
                CHECK(retry->problem() == *steps[k].retryAfterCommit);
                // The session a spent code opened is lost with its answer: a new code starts
                // over.
                if (steps[k].retryAfterCommit == Problem::CodeUsed) {
                    steps[0].run(flow);
                    steps[1].run(flow);
                }
            } else {
                steps[k].run(flow);
            }
            for (std::size_t i = k + 1; i < steps.size(); ++i)
                steps[i].run(flow);
            checkAgreement(url);
        }
    }
}

} // namespace kamusm::test
