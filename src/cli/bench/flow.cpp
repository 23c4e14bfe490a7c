#include "flow.hpp"

#include "kamusm/ccid/descriptor.hpp"
#include "kamusm/ccid/known_readers.hpp"
#include "kamusm/reader/ccid_transport.hpp"
#include "kamusm/reader/owner.hpp"
#include "kamusm/reader/pcsc_transport.hpp"
#include "kamusm/sim/demo_enrolment.hpp"
#include "kamusm/sim/fixtures.hpp"
#include "kamusm/usb/descriptor.hpp"
#include "kamusm/wizard/wizard.hpp"

#include <array>
#include <stdexcept>

namespace kamusm::cli::bench {

namespace {

constexpr char pcscReaderName[] = "KamuSM Virtual Reader 00 00";
constexpr std::string_view currentPin = "123456"; // the demo card's (sim::demoPinStateFor)

// Each request of the PIN API by the end of its path, and what it is for.
struct RoundTripName {
    std::string_view pathEnd;
    std::string_view name;
};
constexpr std::array<RoundTripName, 6> roundTripNames{{
    {"/api/v1/sessions", "session: the verification code opens it"},
    {"/card", "card check: serial and certificate against the holder"},
    {"/sms", "SMS: the confirmation code sent to the holder's phone"},
    {"/confirm", "confirmation: the SMS code checked"},
    {"/authorization", "authorization: the card's challenge in, the cryptogram out"},
    {"/outcome", "outcome: the result in the audit log"},
}};

std::string_view roundTripName(const std::string& path) {
    for (const RoundTripName& row : roundTripNames)
        if (path.size() >= row.pathEnd.size() &&
            path.compare(path.size() - row.pathEnd.size(), row.pathEnd.size(), row.pathEnd) == 0)
            return row.name;
    return "other";
}

// The backend over loopback, each request timed and named.
class MeteredHttp final : public backend::HttpClient {
public:
    explicit MeteredHttp(const std::string& url) : client_(url) {}

    Task<backend::HttpResponse> send(backend::HttpRequest request) override {
        const std::string path = request.path;
        const auto start = Clock::now();
        backend::HttpResponse response = co_await client_.send(std::move(request));
        roundTrips.push_back({roundTripName(path), Seconds(Clock::now() - start).count()});
        co_return response;
    }

    std::vector<RoundTrip> roundTrips;

private:
    backend::HttplibClient client_;
};

class SteadyClock final : public wizard::Clock {
public:
    std::int64_t nowMilliseconds() override {
        return std::chrono::duration_cast<std::chrono::milliseconds>(
                   bench::Clock::now().time_since_epoch())
            .count();
    }
};

// The card's clock and the largest IFSD of the reader model, from its CCID descriptor.
void describeReader(sim::ReaderModel model, LineParameters& line) {
    std::string_view id;
    for (const sim::ReaderModelInfo& info : sim::readerModels())
        if (info.model == model) id = info.id;
    const ccid::ClassDescriptor descriptor =
        ccid::findInterface(
            usb::parseConfigurationDescriptor(ccid::knownReader(id).configurationDescriptor))
            .descriptor;
    line.clockHz = descriptor.dwDefaultClock * 1000.0;
    line.ifsd = static_cast<int>(descriptor.dwMaxIFSD);
}

} // namespace

std::string_view pathId(Path path) {
    return path == Path::Ccid ? "ccid" : "pcsc";
}

FlowBench::FlowBench(std::filesystem::path serverBinary)
    : server_(std::move(serverBinary)), store_(server_.database()), http_(server_.url()),
      demo_(http_),
      enrolled_(
          runSync(demo_.demoEnrolCard(std::string(sim::demoTckn), std::string(sim::demoSerial)))) {}

FlowMeasurement FlowBench::run(const FlowConfig& config) {
    sim::CardSetup setup = sim::demoCardSetup(config.protocol);
    setup.signingCertificate = enrolled_.certificate;
    setup.signingKey = enrolled_.privateKey;
    auto card = sim::demoCard(setup, sim::demoPinStateFor(config.operation));
    auto reader = std::make_shared<sim::VirtualReader>(
        config.model, std::vector<std::shared_ptr<sim::VirtualCard>>{card});

    FlowMeasurement result;
    result.certificateSize = enrolled_.certificate.size();
    reader::Owner owner;
    // PC/SC: the driver's device, which the bench keeps (CCID: the transport owns it).
    std::unique_ptr<MeteredDevice> driverDevice;
    std::unique_ptr<reader::Transport> transport;
    if (config.path == Path::Ccid) {
        auto ccid = std::make_unique<reader::CcidTransport>(reader::TransportKind::Sim);
        ccid->addDevice(std::make_unique<MeteredDevice>(reader, result.card));
        transport = std::move(ccid);
    } else {
        driverDevice = std::make_unique<MeteredDevice>(reader, result.card);
        auto world = std::make_shared<sim::PcscWorld>();
        world->readers.push_back(sim::emptyPcscReader(pcscReaderName));
        world->readers.back().driver = makeCcidDriver(*driverDevice);
        world->insert(pcscReaderName, card);
        transport = std::make_unique<reader::PcscTransport>(
            std::make_unique<sim::PcscContext>(world), reader::TransportKind::Pcsc);
    }
    runSync(owner.use(std::make_unique<MeteredTransport>(std::move(transport), result.card)));

    MeteredHttp http(server_.url());
    backend::BackendClient client(http);
    SteadyClock clock;
    double eventSeconds = 0;
    {
        wizard::Wizard wizard(client, clock, owner);
        // Each of the holder's inputs, timed from the input to the app waiting for the next.
        const auto timed = [&](auto&& event) {
            const auto start = Clock::now();
            event();
            eventSeconds += Seconds(Clock::now() - start).count();
        };
        wizard.environmentChecked({true, true, true});
        const std::string code =
            runSync(demo_.demoVerificationCode(std::string(sim::demoTckn), config.operation,
                                               backend::Confirmation::Sms))
                .code;
        const std::int64_t smsFloor = store_.lastSmsId();
        timed([&] { runSync(wizard.submitCode(code)); });
        timed([&] { runSync(wizard.findCard()); });
        // The rate while the card is powered (powering it off returns the line to the default).
        result.lineParameters.fidi = reader->lineStatistics().fidi;
        timed([&] { wizard.cardConfirmed(); });
        const bool change = config.operation == backend::Operation::Change;
        timed([&] {
            runSync(wizard.submitNewPin(card::Pin(change ? currentPin : std::string_view()),
                                        card::Pin(newPin), card::Pin(newPin)));
        });
        const std::optional<campaign::Sms> sms = store_.newestSmsAfter(smsFloor);
        if (!sms) throw std::runtime_error("bench: no SMS reached the holder");
        timed([&] { runSync(wizard.submitConfirmation(sms->code)); });
        if (wizard.state().step != wizard::Step::Done)
            throw std::runtime_error("bench: the flow ended at " +
                                     std::string(wizard::stepId(wizard.state().step)) +
                                     " with error " + std::string(wizard.errorCode()));
    }
    runSync(owner.close());

    result.line = reader->lineStatistics();
    result.roundTrips = std::move(http.roundTrips);
    result.wireSeconds = result.line.wireSeconds;
    result.stackSeconds = result.card.stackSeconds - result.card.simulatorSeconds;
    for (const RoundTrip& trip : result.roundTrips)
        result.serverSeconds += trip.seconds;
    result.restSeconds = eventSeconds - result.card.stackSeconds - result.serverSeconds;
    result.lineParameters.atr = iso7816::parseAtr(card->atr());
    result.lineParameters.protocol = config.protocol;
    describeReader(config.model, result.lineParameters);
    return result;
}

} // namespace kamusm::cli::bench
