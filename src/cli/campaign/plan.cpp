#include "plan.hpp"

#include "kamusm/wizard/pin_policy.hpp"

namespace kamusm::cli::campaign {

namespace {

// SplitMix64: a well-mixed stream per (seed, run, purpose), the same on every platform (the
// standard distributions are not), so that a run replays alone and anywhere.
class Random {
public:
    Random(std::uint64_t seed, std::uint64_t run, std::uint64_t purpose)
        : state_(seed ^ mix(run * 0x9E3779B97F4A7C15ULL + purpose)) {}

    std::uint64_t next() { return mix(state_ += 0x9E3779B97F4A7C15ULL); }
    // Uniform enough in [0, bound) for bounds this small.
    std::uint64_t below(std::uint64_t bound) { return bound == 0 ? 0 : next() % bound; }
    template <typename T> const T& pick(const std::vector<T>& from) {
        return from[below(from.size())];
    }

private:
    static std::uint64_t mix(std::uint64_t z) {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        return z ^ (z >> 31);
    }
    std::uint64_t state_;
};

enum Purpose : std::uint64_t { ConfigStream = 1, FaultStream = 2, PinStream = 3 };

constexpr std::string_view demoPin = "123456"; // the demo card's PIN (sim::demoCardSetup)

std::string digits(Random& random, std::size_t length) {
    std::string pin;
    for (std::size_t i = 0; i < length; ++i)
        pin.push_back(static_cast<char>('0' + random.below(10)));
    return pin;
}

// A PIN the rules take whatever the holder's birth year: no 19xx or 20xx inside.
std::string acceptablePin(Random& random, std::size_t length) {
    for (;;) {
        std::string pin = digits(random, length);
        const bool yearLike =
            pin.find("19") != std::string::npos || pin.find("20") != std::string::npos;
        if (!yearLike && pin != demoPin && !wizard::checkNewPin(pin)) return pin;
    }
}

const char* transportId(Transport transport) {
    return transport == Transport::Ccid ? "ccid" : "pcsc";
}

} // namespace

std::string describe(const RunConfig& config) {
    std::string text = transportId(config.transport);
    if (config.transport == Transport::Ccid) {
        for (const sim::ReaderModelInfo& info : sim::readerModels())
            if (info.model == config.model) text += " " + std::string(info.id);
    }
    text += config.protocol == sim::CardProtocol::T1 ? " t1 " : " t0 ";
    text += std::string(backend::wireName(config.operation)) + " " +
            std::string(backend::wireName(config.confirmation));
    return text;
}

RunConfig Planner::config(std::uint64_t run) const {
    Random random(seed_, run, ConfigStream);
    RunConfig config;
    config.transport = random.pick(filters_.transports);
    config.model = random.pick(filters_.models);
    if (config.transport == Transport::Pcsc) config.model = sim::ReaderModel::Acr39u; // unused
    config.protocol = random.pick(filters_.protocols);
    config.operation = random.pick(filters_.operations);
    // The web password costs the server a deliberately slow hash (PBKDF2, 0.2 s here) per try:
    // one run in 32 confirms with it, the others by SMS.
    config.confirmation =
        random.below(32) == 0 ? backend::Confirmation::Password : backend::Confirmation::Sms;
    return config;
}

RunPlan Planner::plan(std::uint64_t run, const ExchangeSize& size) const {
    RunPlan plan;
    plan.config = config(run);
    Random random(seed_, run, FaultStream);
    std::vector<Fault> candidates;
    for (const FaultInfo& info : faultTable())
        if (appliesTo(info.fault, plan.config.transport)) candidates.push_back(info.fault);
    // Mostly one fault, sometimes two or three in the same run.
    const std::uint64_t roll = random.below(100);
    const int count = 1 + (roll < 25 ? 1 : 0) + (roll < 5 ? 1 : 0);
    for (int i = 0; i < count; ++i) {
        const Fault fault = random.pick(candidates);
        const int events = size[static_cast<std::size_t>(infoOf(fault).channel)];
        plan.faults.push_back({fault,
                               static_cast<int>(random.below(static_cast<std::uint64_t>(events))),
                               static_cast<std::uint32_t>(random.next())});
    }
    Random pins(seed_, run, PinStream);
    plan.newPin = acceptablePin(pins, 6 + pins.below(7));
    if (plan.config.operation == backend::Operation::Change) {
        do
            plan.wrongPin = acceptablePin(pins, 6);
        while (plan.wrongPin == plan.newPin);
    } else {
        plan.wrongPin = plan.newPin;
        plan.wrongPin.back() = plan.wrongPin.back() == '0' ? '1' : '0';
    }
    return plan;
}

} // namespace kamusm::cli::campaign
