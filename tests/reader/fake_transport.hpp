// A transport whose every call can be held at a gate until the test lets it through, as a
// browser Promise would stay pending, so that each await of the owner can be cut short.
#pragma once

#include "kamusm/base/cancel.hpp"
#include "kamusm/reader/owner.hpp"

#include <map>
#include <stdexcept>
#include <utility>

namespace kamusm::reader::test {

enum class Call { Slots, Wait, Connect, Transmit, Begin, End, Disconnect, Close };

// One pending call per kind at a time; a held call resumes on open() or its cancellation.
class Gates {
public:
    void hold(Call call) { held_[call] = {}; }
    // Forgets the holds nothing waits at yet (a call waiting now stays, for cancellation).
    void dropIdleHolds() {
        std::erase_if(held_, [](const auto& entry) { return !entry.second; });
    }
    bool holds(Call call) const { return held_.count(call) != 0; }
    bool waiting(Call call) const {
        const auto found = held_.find(call);
        return found != held_.end() && static_cast<bool>(found->second);
    }
    void open(Call call) {
        auto handle = std::exchange(held_.at(call), {});
        held_.erase(call);
        if (handle) handle.resume();
    }

    struct Wait {
        Gates& gates;
        Call call;
        CancellableWait cancellation;
        bool await_ready() const noexcept { return !gates.holds(call); }
        template <typename P> bool await_suspend(coro::coroutine_handle<P> handle) {
            if (!cancellation.arm(handle, [this] {
                    auto waiting = std::exchange(gates.held_[call], {});
                    gates.held_.erase(call);
                    if (waiting) waiting.resume();
                }))
                return false;
            gates.held_[call] = handle;
            return true;
        }
        void await_resume() {
            cancellation.disarm();
            cancellation.throwIfCancelled();
        }
    };
    Wait at(Call call) { return Wait{*this, call, {}}; }

private:
    std::map<Call, coro::coroutine_handle<>> held_;
};

struct FakeWorld {
    Gates gates;
    std::vector<Slot> slots;
    int connects = 0, transmits = 0, disconnects = 0, closes = 0, liveCards = 0;
    bool failWait = false; // waitForChange fails as a whole (the service went away)
};

class FakeCard final : public Card {
public:
    explicit FakeCard(FakeWorld& world) : world_(world) { ++world_.liveCards; }
    ~FakeCard() override { --world_.liveCards; }
    const iso7816::Atr& atr() const override { return atr_; }
    bool extendedApdus() const override { return false; }
    Task<iso7816::ResponseApdu> transmitRaw(const iso7816::CommandApdu&) override {
        co_await world_.gates.at(Call::Transmit);
        ++world_.transmits;
        co_return iso7816::ResponseApdu{{}, 0x90, 0x00};
    }
    Task<void> beginTransaction() override { co_await world_.gates.at(Call::Begin); }
    Task<void> endTransaction() override { co_await world_.gates.at(Call::End); }
    Task<void> disconnect() override {
        co_await world_.gates.at(Call::Disconnect);
        ++world_.disconnects;
    }

private:
    FakeWorld& world_;
    iso7816::Atr atr_ = iso7816::parseAtr(fromHex("3B 80 80 01 01"));
};

class FakeTransport final : public Transport {
public:
    explicit FakeTransport(FakeWorld& world) : world_(world) {}
    TransportKind kind() const override { return TransportKind::Pcsc; }
    Task<std::vector<Slot>> slots() override {
        co_await world_.gates.at(Call::Slots);
        co_return world_.slots;
    }
    // Always waits: the test opens the gate once per change it makes.
    Task<void> waitForChange() override {
        world_.gates.hold(Call::Wait);
        co_await world_.gates.at(Call::Wait);
        if (world_.failWait) throw std::runtime_error("service gone");
    }
    Task<std::unique_ptr<Card>> connect(const std::string&) override {
        co_await world_.gates.at(Call::Connect);
        ++world_.connects;
        co_return std::make_unique<FakeCard>(world_);
    }
    Task<void> close() override {
        co_await world_.gates.at(Call::Close);
        ++world_.closes;
    }

private:
    FakeWorld& world_;
};

} // namespace kamusm::reader::test
