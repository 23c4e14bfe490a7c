// The helper's host over the simulator's in-memory PC/SC with a virtual card: requests go in as
// the extension would pass them, answers are collected by id (they may come from the context
// threads, later).
#pragma once

#include "kamusm/sim/pcsc.hpp"

#include "kamusm/helper/host.hpp"
#include "kamusm/sim/fixtures.hpp"

#include <nlohmann/json.hpp> // the tests read the host's answers with a reader of their own

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <stdexcept>

namespace kamusm::testing {

inline const char* const cardReader = "Virtual PCD 00 00";

// sim::PcscContext, with the status-change waits it has begun counted for the test thread.
class CountedContext : public pcsc::Context {
public:
    CountedContext(std::shared_ptr<sim::PcscWorld> world, std::atomic<int>& waits)
        : context_(std::move(world)), waits_(waits) {}
    Task<std::vector<std::string>> listReaders() override { return context_.listReaders(); }
    Task<std::vector<pcsc::ReaderStateOut>>
    getStatusChange(std::vector<pcsc::ReaderStateIn> states,
                    std::optional<pcsc::Milliseconds> timeout) override {
        ++waits_;
        return context_.getStatusChange(std::move(states), timeout);
    }
    Task<pcsc::ConnectResult> connect(const std::string& reader, pcsc::AccessMode mode,
                                      std::vector<pcsc::Protocol> protocols) override {
        return context_.connect(reader, mode, std::move(protocols));
    }

private:
    sim::PcscContext context_;
    std::atomic<int>& waits_;
};

class FakeService : public helper::PcscService {
public:
    explicit FakeService(std::shared_ptr<sim::PcscWorld> world) : world_(std::move(world)) {}
    std::unique_ptr<pcsc::Context> establish() override {
        if (!world_->serviceRunning)
            throw sim::scardFailure(sim::scard::noService, "SCardEstablishContext");
        return std::make_unique<CountedContext>(world_, waits);
    }
    // The fake never blocks in PC/SC: its waits end with their slice.
    void cancelWaits(pcsc::Context&) noexcept override { ++cancels; }
    std::atomic<int> cancels = 0;
    std::atomic<int> waits = 0; // getStatusChange calls begun (each slice counts)

private:
    std::shared_ptr<sim::PcscWorld> world_;
};

inline helper::HostLimits testLimits() {
    helper::HostLimits limits;
    limits.waitSlice = std::chrono::milliseconds(20);
    limits.allowedControlCodes = {0x42000D48};
    return limits;
}

struct HostRig {
    std::shared_ptr<sim::PcscWorld> world = std::make_shared<sim::PcscWorld>();
    std::shared_ptr<sim::VirtualCard> card =
        std::make_shared<sim::VirtualCard>(sim::demoCardSetup());
    FakeService service{world};
    std::mutex mutex;
    std::condition_variable answered;
    std::vector<nlohmann::json> answers;
    helper::Host host;
    helper::RequestId nextId = 100;

    explicit HostRig(helper::HostLimits limits = testLimits())
        : host(
              service, [this](const std::string& message) { collect(message); }, limits) {
        world->readers.push_back(sim::emptyPcscReader(cardReader));
        world->insert(cardReader, card);
    }

    void collect(const std::string& message) {
        std::lock_guard lock(mutex);
        answers.push_back(nlohmann::json::parse(message));
        answered.notify_all();
    }

    // The answer to `id` (a JSON null id for messages that had none), waiting up to 5 s.
    nlohmann::json answerTo(const nlohmann::json& id) {
        std::unique_lock lock(mutex);
        nlohmann::json found;
        const bool arrived = answered.wait_for(lock, std::chrono::seconds(5), [&] {
            for (auto at = answers.begin(); at != answers.end(); ++at)
                if ((*at)["id"] == id) {
                    found = *at;
                    answers.erase(at);
                    return true;
                }
            return false;
        });
        if (!arrived) throw std::runtime_error("no answer to " + id.dump());
        return found;
    }

    // Sends `request` with a fresh id and waits for its answer.
    nlohmann::json ask(nlohmann::json request) {
        request["id"] = nextId++;
        host.receive(request.dump());
        return answerTo(request["id"]);
    }
    nlohmann::json result(nlohmann::json request) {
        nlohmann::json answer = ask(std::move(request));
        if (!answer.contains("result")) throw std::runtime_error("failed: " + answer.dump());
        return answer["result"];
    }

    std::uint32_t establish() { return result({{"method", "establishContext"}})["context"]; }
    std::uint32_t connect(std::uint32_t context) {
        return result({{"method", "connect"},
                       {"context", context},
                       {"reader", cardReader},
                       {"accessMode", "shared"},
                       {"preferredProtocols", {"t1", "t0"}}})["connection"];
    }
    nlohmann::json transmit(std::uint32_t connection, const Bytes& command) {
        return ask({{"method", "transmit"}, {"connection", connection}, {"command", command}});
    }
};

// The error's name: its responseCode or its DOMException name.
inline std::string errorName(const nlohmann::json& answer) {
    if (!answer.contains("error")) return "no error";
    const nlohmann::json& error = answer["error"];
    return error.value("responseCode", error.value("name", std::string("?")));
}

} // namespace kamusm::testing
