// One PC/SC context of the host and the thread that runs its calls, in order (see host.hpp).
#pragma once

#include "kamusm/helper/host.hpp"

#include <chrono>
#include <condition_variable>
#include <deque>
#include <optional>
#include <set>
#include <thread>

namespace kamusm::helper {

class ContextWorker {
public:
    ContextWorker(Host& host, PcscService& service, std::unique_ptr<pcsc::Context> context,
                  std::uint32_t handle);
    ~ContextWorker(); // joins: finish() first
    ContextWorker(const ContextWorker&) = delete;
    ContextWorker& operator=(const ContextWorker&) = delete;

    // Runs `request` after those posted before it.
    void post(Request request);
    // Cancels `id` when it is a status-change wait queued or running here; false otherwise.
    bool cancel(RequestId id);
    // Ends the context once the calls before have run: every connection disconnected with a
    // card reset, the context released, `request` (releaseContext) answered when given. Every
    // wait is cancelled first.
    void finish(std::optional<Request> request = std::nullopt);
    // The thread has ended (it may still be joined).
    bool ended();
    // Waits until the thread has ended or `deadline` passes; whether it ended.
    bool waitEnded(std::chrono::steady_clock::time_point deadline);

private:
    void run();
    void perform(Request& request);
    void answerReleased(RequestId id);
    json::Value call(const Request& request);
    json::Value getStatusChange(const Request& request);
    json::Value connect(const json::Value& message);
    json::Value transmit(const json::Value& message);
    json::Value control(const json::Value& message);
    pcsc::Connection& connection(const json::Value& message);
    void disconnect(std::uint32_t handle, pcsc::Disposition disposition);
    void releaseAll();

    Host& host_;
    PcscService& service_;
    std::unique_ptr<pcsc::Context> context_;
    std::uint32_t handle_;
    // The worker thread's own: the connections made on this context.
    std::map<std::uint32_t, std::unique_ptr<pcsc::Connection>> connections_;

    std::mutex mutex_; // guards what follows
    std::condition_variable wake_;
    std::deque<Request> queue_;
    bool finishing_ = false;
    std::optional<Request> releaseRequest_;
    std::set<RequestId> cancelled_;
    // The status-change wait taken from the queue, from the moment it is taken (so that a cancel
    // or the end of the context cannot fall between the queue and PC/SC) until it returns.
    std::optional<RequestId> currentWait_;
    bool ended_ = false;
    std::condition_variable endedChanged_;

    std::thread thread_; // last: starts once the rest is built
};

} // namespace kamusm::helper
