// The desktop helper's native messaging host, without its standard input and output: it serves
// the requests of protocol.hpp on the operating system's PC/SC stack and answers each once.
//
// PC/SC calls block, and the API serves one call at a time per context, so each context has a
// thread of its own that runs its calls (and those of its connections) in order. A wait for a
// status change is cancelled by request id: a wait not started yet never starts, a running one
// is ended by SCardCancel, and the wait is taken in slices, so that a cancel arriving between
// the check and the call is seen within a slice.
//
// Policy, whatever the page asks: no APDU that uses the PUK (apdu_policy.hpp), only allowed
// control codes, no attributes set, a cap on messages per second and on open handles. Nothing of
// an APDU is ever logged; command buffers are wiped once sent.
#pragma once

#include "kamusm/helper/protocol.hpp"
#include "kamusm/pcsc/context.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace kamusm::helper {

// The PC/SC stack the host serves: pcsc-lite or WinSCard in the program, a fake in tests.
class PcscService {
public:
    virtual ~PcscService() = default;
    // SCardEstablishContext; throws pcsc::Error (NoService …).
    virtual std::unique_ptr<pcsc::Context> establish() = 0;
    // SCardCancel: ends a getStatusChange waiting on `context` in another thread.
    virtual void cancelWaits(pcsc::Context& context) noexcept = 0;
};

struct HostLimits {
    // A token bucket: `burst` messages at once, `perSecond` on average. A PIN operation takes
    // a few dozen; a page flooding the host is answered server-too-busy.
    double burst = 200;
    double perSecond = 100;
    std::size_t contexts = 8;
    std::size_t connections = 16;
    // The slice a status-change wait is taken in (see above).
    std::chrono::milliseconds waitSlice{500};
    // SCardControl codes passed on (the platform's CM_IOCTL_GET_FEATURE_REQUEST in the program).
    std::vector<std::uint32_t> allowedControlCodes;
};

class ContextWorker; // src/helper/context_worker.hpp

class Host {
public:
    using Send = std::function<void(const std::string& message)>;
    using Clock = std::chrono::steady_clock;

    // `send` gets each answer whole; the host calls it from one thread at a time.
    Host(PcscService& service, Send send, HostLimits limits = {});
    ~Host(); // close()
    Host(const Host&) = delete;
    Host& operator=(const Host&) = delete;

    // One message from the page (the reader thread). Answers may come from other threads, later.
    void receive(std::string_view message);

    // The page is gone (end of input): every wait is cancelled, every connection disconnected
    // with a card reset, every context released. Waits up to `grace` for calls still in PC/SC;
    // false when some did not return (the process should exit all the same: the PC/SC service
    // resets what a vanished client held).
    bool close(std::chrono::milliseconds grace = std::chrono::seconds(3));

    // For the workers: an answer out, and the handle of a new connection.
    void answer(const std::string& message);
    // Registers a connection of context `context`; throws helper::Error{TooMany}.
    std::uint32_t addConnection(std::uint32_t context);
    void removeConnection(std::uint32_t connection);
    const HostLimits& limits() const { return limits_; }

private:
    void dispatch(const Request& request);
    bool takeToken();
    void establish(const Request& request);
    void release(const Request& request);
    void cancel(const Request& request);
    ContextWorker& workerFor(const Request& request); // by "context" or "connection"

    PcscService& service_;
    Send send_;
    HostLimits limits_;
    std::mutex sending_;

    std::mutex handles_; // guards the maps below (workers add connections)
    std::map<std::uint32_t, std::unique_ptr<ContextWorker>> contexts_;
    std::map<std::uint32_t, std::uint32_t> connections_;   // connection → its context
    std::vector<std::unique_ptr<ContextWorker>> released_; // threads still finishing
    std::uint32_t nextHandle_ = 1;

    double tokens_;
    Clock::time_point refilled_;
    bool closed_ = false;
};

} // namespace kamusm::helper
