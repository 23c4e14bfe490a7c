#include "kamusm/helper/host.hpp"

#include "context_worker.hpp"
#include "kamusm/helper/error.hpp"

#include <algorithm>

namespace kamusm::helper {

namespace {

// The calls that name a context; the others name a connection (or are the host's own).
bool onContext(Method method) {
    return method == Method::ListReaders || method == Method::GetStatusChange ||
           method == Method::Connect;
}

} // namespace

Host::Host(PcscService& service, Send send, HostLimits limits)
    : service_(service), send_(std::move(send)), limits_(std::move(limits)), tokens_(limits_.burst),
      refilled_(Clock::now()) {}

Host::~Host() {
    close();
}

void Host::receive(std::string_view message) {
    std::optional<RequestId> id;
    try {
        const bool allowed = takeToken(); // malformed messages count too
        Request request = parseRequest(message, id);
        if (!allowed)
            throw Error(ErrorCode::RateLimited,
                        "more than " + std::to_string(static_cast<int>(limits_.perSecond)) +
                            " messages a second");
        dispatch(request);
    } catch (...) {
        answer(errorMessage(id, wireErrorOf(std::current_exception())));
    }
}

void Host::dispatch(const Request& request) {
    switch (request.method) {
    case Method::EstablishContext:
        return establish(request);
    case Method::ReleaseContext:
        return release(request);
    case Method::Cancel:
        return cancel(request);
    case Method::SetAttribute:
        throw Error(ErrorCode::Refused, "the helper sets no reader attributes");
    default:
        workerFor(request).post(request);
    }
}

bool Host::takeToken() {
    const Clock::time_point now = Clock::now();
    const double seconds = std::chrono::duration<double>(now - refilled_).count();
    tokens_ = std::min(limits_.burst, tokens_ + seconds * limits_.perSecond);
    refilled_ = now;
    if (tokens_ < 1) return false;
    tokens_ -= 1;
    return true;
}

void Host::establish(const Request& request) {
    {
        std::lock_guard lock(handles_);
        if (closed_) throw Error(ErrorCode::UnknownHandle, "the helper is closing");
        if (contexts_.size() >= limits_.contexts)
            throw Error(ErrorCode::TooMany,
                        "more than " + std::to_string(limits_.contexts) + " contexts at once");
        // Threads of contexts released earlier that have ended are joined here.
        std::erase_if(released_, [](const auto& worker) { return worker->ended(); });
    }
    std::unique_ptr<pcsc::Context> context = service_.establish();
    std::uint32_t handle = 0;
    {
        std::lock_guard lock(handles_);
        handle = nextHandle_++;
        contexts_.emplace(
            handle, std::make_unique<ContextWorker>(*this, service_, std::move(context), handle));
    }
    answer(resultMessage(request.id, json::Value::object({{"context", handle}})));
}

void Host::release(const Request& request) {
    const std::uint32_t handle = numberMember(request.message, "context");
    ContextWorker* worker = nullptr;
    {
        std::lock_guard lock(handles_);
        auto found = contexts_.find(handle);
        if (found == contexts_.end()) throw Error(ErrorCode::UnknownHandle, "no such context");
        worker = found->second.get();
        released_.push_back(std::move(found->second));
        contexts_.erase(found);
    }
    worker->finish(request); // answers once its connections are reset and the context released
}

void Host::cancel(const Request& request) {
    const RequestId target = idMember(request.message, "request");
    bool found = false;
    {
        std::lock_guard lock(handles_);
        for (auto& [handle, worker] : contexts_)
            if ((found = worker->cancel(target))) break;
    }
    answer(resultMessage(request.id, json::Value::object({{"cancelled", found}})));
}

ContextWorker& Host::workerFor(const Request& request) {
    std::lock_guard lock(handles_);
    std::uint32_t context = 0;
    if (onContext(request.method)) {
        context = numberMember(request.message, "context");
    } else {
        const auto owner = connections_.find(numberMember(request.message, "connection"));
        if (owner == connections_.end())
            throw Error(ErrorCode::UnknownHandle, "no such connection (disconnected?)");
        context = owner->second;
    }
    const auto found = contexts_.find(context);
    if (found == contexts_.end())
        throw Error(ErrorCode::UnknownHandle, "no such context (released?)");
    return *found->second;
}

void Host::answer(const std::string& message) {
    std::lock_guard lock(sending_);
    send_(message);
}

std::uint32_t Host::addConnection(std::uint32_t context) {
    std::lock_guard lock(handles_);
    if (connections_.size() >= limits_.connections)
        throw Error(ErrorCode::TooMany,
                    "more than " + std::to_string(limits_.connections) + " connections at once");
    const std::uint32_t handle = nextHandle_++;
    connections_.emplace(handle, context);
    return handle;
}

void Host::removeConnection(std::uint32_t connection) {
    std::lock_guard lock(handles_);
    connections_.erase(connection);
}

bool Host::close(std::chrono::milliseconds grace) {
    std::vector<ContextWorker*> finishing;
    {
        std::lock_guard lock(handles_);
        closed_ = true;
        for (auto& [handle, worker] : contexts_)
            released_.push_back(std::move(worker));
        contexts_.clear();
        for (auto& worker : released_)
            finishing.push_back(worker.get());
    }
    for (ContextWorker* worker : finishing)
        worker->finish();
    const Clock::time_point deadline = Clock::now() + grace;
    for (ContextWorker* worker : finishing)
        if (!worker->waitEnded(deadline)) return false;
    std::lock_guard lock(handles_);
    released_.clear(); // joins the ended threads
    return true;
}

} // namespace kamusm::helper
